"""How much one GraphQL request may ask for: nesting depth, aliases, fragment spreads and page
sizes (the nodes of all pages together: `query_cost.py`).

A GraphQL client chooses the shape of its answer, so without bounds one request could ask for
every journey of every member of every segment. Depth and aliases are checked before anything
runs, by Strawberry's own `QueryDepthLimiter` and `MaxAliasesLimiter`, once the fields the
document's fragment spreads come to are known to be few enough to follow (`BoundedValidation`);
page sizes are checked by the field that pages. Each refusal is a LIMIT_EXCEEDED error naming
the limit:

    {"message": "the query nests fields more than 10 levels deep, the limit; ask for the
                 deeper parts in a second query", "extensions": {"code": "LIMIT_EXCEEDED"}}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import Request
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    SelectionSetNode,
    ValidationContext,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    ValidationCache,
)

from datora_graph.api.routes import refuse_declared_body
from datora_graph.config import Settings
from datora_graph.domain.errors import InvalidInput, LimitExceeded

MAX_DEPTH = 10
"""Levels of nested fields with selections: `profile { journey { edges { node { identifiers
{ type } } } } }` is 5 deep."""
MAX_ALIASES = 20
MAX_PAGE_SIZE = 100
"""Items per page of any connection (profiles, journey events, segment members, review items)."""
MAX_SPREAD_FIELDS = 10_000
"""Fields of a document with each fragment spread written out where it is spread."""
MAX_TOKENS = 20_000
"""Tokens of a document (names, punctuation, values): graphql-core parses on the worker's
event loop at about 15 µs a token, so this bounds a parse to a fraction of a second. A body
of `{ a a a ... }` within the body limit had held a worker for two minutes."""

LIMIT_EXCEEDED = LimitExceeded.code


def page_size(first: int, argument: str = "first") -> int:
    """`first` if it is a page size a connection serves; else the error saying why."""
    if first < 1:
        raise InvalidInput(argument, f"must be at least 1, got {first}")
    if first > MAX_PAGE_SIZE:
        raise LimitExceeded(
            f"{argument}: {first} is more than the limit of {MAX_PAGE_SIZE} items per page; "
            "ask for fewer and follow pageInfo.endCursor with `after`"
        )
    return first


async def body_within_limit(request: Request) -> None:
    """A router dependency: a body declared larger than `DATORA_MAX_BODY_BYTES` is refused
    before it is read, with 413 and the REST error body, as REST refuses one. (A body sent
    without a length is read whole; the batch-size limit still bounds what it can ask.)"""
    settings: Settings = request.app.state.settings
    refuse_declared_body(request, settings.max_body_bytes)


def _one_limit_error(rule: type[ASTValidationRule], message: str) -> type[ASTValidationRule]:
    """`rule`, reporting at most one error, with `message` and the LIMIT_EXCEEDED code.

    Strawberry's limiters do all their work when the rule is created, reporting through the
    context's `on_error` callback; it is swapped for the time of that work only."""

    class LimitRule(rule):  # type: ignore[valid-type, misc]
        def __init__(self, context: ValidationContext) -> None:
            report: Callable[[GraphQLError], None] = context.on_error
            reported = False

            def on_error(error: GraphQLError) -> None:
                nonlocal reported
                if not reported:
                    reported = True
                    report(GraphQLError(message, error.nodes, extensions={"code": LIMIT_EXCEEDED}))

            context.on_error = on_error  # type: ignore[method-assign]
            try:
                super().__init__(context)
            finally:
                context.on_error = report  # type: ignore[method-assign, assignment]

    LimitRule.__name__ = f"LimitExceeded{rule.__name__}"
    return LimitRule


DEPTH_RULES = [
    _one_limit_error(
        rule,
        f"the query nests fields more than {MAX_DEPTH} levels deep, the limit; "
        "ask for the deeper parts in a second query",
    )
    for rule in QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules
]
ALIAS_RULES = [
    _one_limit_error(
        rule,
        f"the query uses more than {MAX_ALIASES} aliases, the limit; split it into several queries",
    )
    for rule in MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules
]


class TokenLimit(MaxTokensLimiter):
    """graphql-core stops parsing past `MAX_TOKENS`; `errors.apply_codes` makes its syntax
    error a LIMIT_EXCEEDED naming the limit."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)


TOO_MANY_TOKENS = (
    f"the query is longer than the limit of {MAX_TOKENS:,} tokens (names, values and "
    "punctuation); split it into several queries"
)


TOKEN_LIMIT_SYNTAX_ERROR = f"Document contains more than {MAX_TOKENS} tokens. Parsing aborted."
"""What graphql-core's parser (and its lexer, in a run of comments) says past `max_tokens`.
It has no error class, code or attribute of its own, only this description of a
`GraphQLSyntaxError`; tests/api/graphql/test_graphql_core_texts.py pins it, so an upgrade that
rewords it fails there rather than turning the refusal into INVALID_INPUT."""


def too_many_tokens(error: GraphQLError) -> bool:
    """Whether `error` is the parser's refusal past `MAX_TOKENS`."""
    return isinstance(error, GraphQLSyntaxError) and error.description == TOKEN_LIMIT_SYNTAX_ERROR


class QueryLimits(AddValidationRules):
    """The depth and alias limits, as validation rules that refuse a query before it runs.

    The rules are made once, here: Strawberry's `ValidationCache` keys its cache by the rules,
    so new rule classes per request (what a fresh `QueryDepthLimiter` makes) would never hit."""

    def __init__(self) -> None:
        super().__init__([*DEPTH_RULES, *ALIAS_RULES])


class BoundedValidation(ValidationCache):
    """Validation, cached by document as Strawberry's `ValidationCache` does, but refused for a
    document whose fragment spreads, written out, hold more than `MAX_SPREAD_FIELDS` fields.

    Strawberry's depth and alias limiters follow every spread: a document of a few hundred
    bytes, 25 fragments each spreading the next twice, took them minutes of one worker (2^25
    fields). Counting the fields of each fragment once takes a moment; the refusal is
    LIMIT_EXCEEDED, and nothing else is validated or run."""

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        fields = 0 if document is None else spread_fields(document)
        if fields > MAX_SPREAD_FIELDS:
            refusal = LimitExceeded(
                f"the query's fragment spreads come to {fields:,} fields, more than the limit "
                f"of {MAX_SPREAD_FIELDS:,}; spread fewer fragments, or split the query"
            )
            self.execution_context.pre_execution_errors = [
                GraphQLError(str(refusal), original_error=refusal)
            ]
            yield
        else:
            yield from super().on_validate()


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's named fragments, by name."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def spread_fields(document: DocumentNode) -> int:
    """The fields of every operation and fragment of `document`, each fragment counted where it
    is spread. A fragment spread within itself counts nothing there: validation refuses it."""
    counter = _SpreadFields(fragments_of(document))
    return sum(
        counter.size_of(d.selection_set)
        for d in document.definitions
        if isinstance(d, ExecutableDefinitionNode)
    )


class _SpreadFields:
    # Methods, not closures calling themselves: those would be reference cycles left for the
    # garbage collector after every request.
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.sizes: dict[str, int] = {}

    def size_of(self, selections: SelectionSetNode | None) -> int:
        total = 0
        for selection in selections.selections if selections is not None else ():
            if isinstance(selection, FieldNode):
                total += 1 + self.size_of(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.size_of(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_size(selection.name.value)
        return total

    def fragment_size(self, name: str) -> int:
        if name not in self.sizes:
            self.sizes[name] = 0  # while it is counted: a spread within itself adds nothing
            fragment = self.fragments.get(name)
            self.sizes[name] = 0 if fragment is None else self.size_of(fragment.selection_set)
        return self.sizes[name]
