"""Scopes over GraphQL: which key may run which top-level field, and who sees personal data.

`FieldScopes` checks every top-level field of the operation against `FIELD_SCOPES` before
anything runs (as validation starts); a field the table does not name needs `admin` (deny by
default), so a new field is closed until someone decides who may call it. An operation with a
refused field runs not at all and answers one FORBIDDEN error per refused field:

    {"data": null, "errors": [{"message": "the API key 'web' may not call Mutation.splitProfile:
      it needs the scope 'steward' and holds read", "path": ["splitProfile"],
      "extensions": {"code": "FORBIDDEN"}}]}

Introspection (`__schema`, `__type`, `__typename`) is open to any valid key. `PersonalData` is
a field extension on identifier values and profile attributes: without `read:pii` they come
masked, by the rules of `domain/pii.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types import Info

from datora_graph.api.auth import ANONYMOUS, Principal, require
from datora_graph.api.graphql.limits import fragments_of
from datora_graph.domain.errors import Forbidden
from datora_graph.domain.pii import MASK, mask_attributes, mask_key, mask_properties

READ, INGEST, STEWARD = "read", "ingest", "steward"

FIELD_SCOPES: dict[str, dict[str, str]] = {
    "Query": {
        "profile": READ,
        "profileByIdentifier": READ,
        "profiles": READ,
        "segment": READ,
        "segments": READ,
        "previewSegment": READ,
        "insights": READ,
        "reviewQueue": STEWARD,
        "explain": STEWARD,
        "whyMerged": STEWARD,
        "splitProposals": STEWARD,
        "decisions": STEWARD,
        "auditLog": STEWARD,
    },
    "Mutation": {
        "ingestObservations": INGEST,
        "ingestEvents": INGEST,
        "recordConsent": INGEST,
        "defineSegment": STEWARD,
        "updateSegment": STEWARD,
        "deleteSegment": STEWARD,
        "splitProfile": STEWARD,
        "mergeProfiles": STEWARD,
        "resolveReviewItem": STEWARD,
        "undoDecision": STEWARD,
        "answerAccessRequest": "admin",
        "eraseProfile": "admin",
        "redactRecord": "admin",
    },
}
"""The scope each top-level field needs, by root type; a field not named here needs `admin`.
Segment definitions need `steward`: their purpose decides which contacts an export may hold."""

OPEN_FIELDS = frozenset({"__schema", "__type", "__typename"})
_ROOTS = {OperationType.QUERY: "Query", OperationType.MUTATION: "Mutation"}


def scope_of_field(root: str, name: str) -> str:
    return FIELD_SCOPES.get(root, {}).get(name, "admin")


def root_fields(document: DocumentNode, operation: OperationDefinitionNode) -> Iterator[FieldNode]:
    """The operation's top-level fields, through fragments (each fragment once)."""
    yield from _walk(operation.selection_set, fragments_of(document), set())


def _walk(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[FieldNode]:
    # A module function, not a closure calling itself: that closure would be a reference
    # cycle left for the garbage collector after every request.
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _walk(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                yield from _walk(fragments[name].selection_set, fragments, seen)


def refusals(
    principal: Principal,
    document: DocumentNode,
    operation_name: str | None,
    schema: GraphQLSchema,
) -> list[GraphQLError]:
    """One FORBIDDEN error per top-level field the caller may not run. A field the schema does
    not have is left to validation, which names it."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []  # graphql-core reports the missing or ambiguous operation itself
    root = _ROOTS.get(operation.operation, operation.operation.value.capitalize())
    known = set(getattr(schema.get_type(root), "fields", {}))
    errors: list[GraphQLError] = []
    for node in root_fields(document, operation):
        name = node.name.value
        if name in OPEN_FIELDS or name not in known:
            continue
        try:
            require(principal, scope_of_field(root, name), f"{root}.{name}")
        except Forbidden as exc:
            path = [node.alias.value if node.alias else name]
            errors.append(GraphQLError(str(exc), nodes=node, path=path, original_error=exc))
    return errors


class FieldScopes(SchemaExtension):
    """Refuses the whole operation when any top-level field needs a scope the key lacks.

    Its errors replace validation's, so a refused caller learns nothing of the arguments a
    field takes, and nothing runs. List it after `BoundedValidation`: that one sets the
    validation errors as it starts, and Strawberry skips validating when errors are set."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            principal: Principal = getattr(context.context, "principal", ANONYMOUS)
            schema = context.schema._schema
            refused = refusals(principal, document, context.operation_name, schema)
            if refused:
                context.pre_execution_errors = refused
        yield


class PersonalData(FieldExtension):
    """Masks the field's value for a caller without `read:pii`.

    value: str = strawberry.field(extensions=[PersonalData(mask_key)])
    """

    def __init__(self, mask: Callable[[Any], Any]) -> None:
        self.mask = mask

    def _shown(self, info: Info, value: Any) -> Any:
        principal: Principal | None = getattr(info.context, "principal", None)
        if principal is not None and principal.sees_pii:
            return value
        return self.mask(value)

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return self._shown(info, next_(source, info, **kwargs))

    async def resolve_async(
        self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        return self._shown(info, await next_(source, info, **kwargs))


class PersonalProperties(PersonalData):
    """Masks an event's properties for a caller without `read:pii`, but for the names the
    service shows (`DATORA_EVENT_PROPERTIES_SHOWN`), which it reads from the context."""

    def __init__(self) -> None:
        super().__init__(dict)

    def _shown(self, info: Info, value: Any) -> Any:
        principal: Principal | None = getattr(info.context, "principal", None)
        if principal is not None and principal.sees_pii:
            return value
        shown = info.context.service.settings.event_properties_shown
        return mask_properties(value or {}, shown)


def masked_value(_: Any) -> str:
    return MASK


def pii_value() -> PersonalData:
    return PersonalData(masked_value)


def pii_key() -> PersonalData:
    return PersonalData(mask_key)


def pii_attributes() -> PersonalData:
    return PersonalData(lambda value: mask_attributes(value or {}))
