"""How many nodes one GraphQL operation may ask for, counted before it runs.

Depth and page-size limits bound each list, not their product: `segments { members(first:
100) { edges { node { segments { members(first: 100) ... } } } } }` stays 9 levels deep with
pages of 100, yet asks for segments x 100 x segments x 100 profiles (with 5 segments, 250,000
nodes: 8 s of one worker and an 11 MB answer). So, as GitHub's GraphQL API does, an operation
is refused when the nodes it could return pass `MAX_NODES`:

- a field with a `first` argument (every connection, and `previewSegment`) returns up to
  `first` nodes for each node of its parent;
- a list of segments (`segments`, `Profile.segments`) returns up to as many as there are;
- every other field returns at most one node per parent, or a list bounded by one profile
  (its identifiers, merges, consent), which is not counted.

`first` is read from the operation (a literal, or the variable's value), else the argument's
default; the number of segments is read from the store, once per request, only when the
operation lists segments. The answer is LIMIT_EXCEEDED with the count and the limit:

    {"message": "the query could return 253,005 nodes (each page counts its `first` for each
      parent, each list of segments the 5 segments there are), more than the limit of 25,000;
      ask for smaller pages or fewer nested lists", "extensions": {"code": "LIMIT_EXCEEDED"}}
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from datora_graph.api.graphql.limits import MAX_PAGE_SIZE, fragments_of
from datora_graph.domain.errors import LimitExceeded

MAX_NODES = 25_000
"""Nodes one operation may ask for: 100 profiles with 100 journey events each is 10,100."""

SEGMENT_TYPE = "Segment"


@dataclass
class NodeCount:
    """What `count_nodes` found: the nodes, and whether the number of segments was needed."""

    nodes: int = 0
    lists_segments: bool = False


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, object]
    segments: int
    largest: bool = False
    """Read every page size a variable gives as the largest a page may be."""
    count: NodeCount = field(default_factory=NodeCount)

    def selections(self, parent: GraphQLNamedType, selections: SelectionSetNode, each: int) -> None:
        """Counts the nodes under `selections`, asked `each` times (once per parent node)."""
        fields: Mapping[str, GraphQLField] = getattr(parent, "fields", {})
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                definition = fields.get(selection.name.value)
                if definition is None:  # __typename, or a field validation has refused
                    continue
                per_parent = self.fan_out(definition, selection)
                below = each if per_parent is None else each * per_parent
                if per_parent is not None:
                    self.count.nodes += below
                if selection.selection_set is not None:
                    named = get_named_type(definition.type)
                    self.selections(named, selection.selection_set, below)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = parent if condition is None else self.schema.get_type(condition.name.value)
                if on is not None:
                    self.selections(on, selection.selection_set, each)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    on = self.schema.get_type(fragment.type_condition.name.value)
                    if on is not None:
                        self.selections(on, fragment.selection_set, each)

    def fan_out(self, definition: GraphQLField, node: FieldNode) -> int | None:
        """Nodes the field returns per parent node, or None for one (or a few of a profile)."""
        if "first" in definition.args:
            return self.first(definition, node)
        nullable = get_nullable_type(definition.type)
        if is_list_type(nullable) and get_named_type(definition.type).name == SEGMENT_TYPE:
            self.count.lists_segments = True
            return self.segments
        return None

    def first(self, definition: GraphQLField, node: FieldNode) -> int:
        value: object = definition.args["first"].default_value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                if self.largest:
                    return MAX_PAGE_SIZE
                value = self.variables.get(argument.value.name.value, value)
        if type(value) is not int:
            return MAX_PAGE_SIZE  # a value the field will refuse; until then, the most it may be
        return min(max(value, 0), MAX_PAGE_SIZE)  # the field refuses more itself


def count_nodes(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
    segments: int = 0,
    *,
    largest: bool = False,
) -> NodeCount:
    """The nodes the operation could return, with `segments` segments in the store (and, if
    `largest`, every page size a variable gives at the largest a page may be)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return NodeCount()
    given = {  # the operation's defaults, then what the request gave
        v.variable.name.value: int(v.default_value.value)
        for v in operation.variable_definitions or ()
        if isinstance(v.default_value, IntValueNode)
    } | dict(variables or {})
    walk = _Walk(
        schema,
        fragments_of(document),
        given,
        segments,
        largest,
    )
    root = schema.get_root_type(operation.operation)
    if root is not None:
        walk.selections(root, operation.selection_set, 1)
    return walk.count


def too_many_nodes(count: NodeCount, segments: int) -> LimitExceeded | None:
    """The error for a count past the limits, else None."""
    if count.nodes <= MAX_NODES:
        return None
    of_segments = (
        f", each list of segments the {segments:,} segments there are"
        if count.lists_segments
        else ""
    )
    return LimitExceeded(
        f"the query could return {count.nodes:,} nodes (each page counts its `first` for each "
        f"parent{of_segments}), more than the limit of {MAX_NODES:,}; ask for smaller pages "
        "or fewer nested lists"
    )


_WITHIN: dict[tuple[str, str | None], bool] = {}
"""Per query text and operation: whether it stays within the limit whatever its variables
say, listing no segments. Most requests repeat a few texts; those skip the count."""
_WITHIN_REMEMBERED = 1024


def within_whatever_the_variables(
    schema: GraphQLSchema, query: str | None, operation_name: str | None, document: DocumentNode
) -> bool:
    """Whether the operation stays within the limit with every page size a variable gives at
    the largest a page may be, and lists no segments (whose number changes)."""
    if query is None:
        return False
    key = (query, operation_name)
    known = _WITHIN.get(key)
    if known is None:
        count = count_nodes(schema, document, operation_name, None, largest=True)
        known = not count.lists_segments and count.nodes <= MAX_NODES
        if len(_WITHIN) >= _WITHIN_REMEMBERED:
            _WITHIN.clear()
        _WITHIN[key] = known
    return known


class QueryCost(SchemaExtension):
    """Refuses an operation that could return more than `MAX_NODES` nodes, before it runs.

    It runs as execution starts, after validation, because the count needs the variables'
    values and the number of segments, which a cached validation rule cannot know."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        schema = context.schema._schema
        if (
            document is not None
            and context.result is None
            and not within_whatever_the_variables(
                schema, context.query, context.operation_name, document
            )
        ):
            count = count_nodes(schema, document, context.operation_name, context.variables)
            segments = 0
            if count.lists_segments:
                segments = len(await context.context.loaders.all_segments())
                count = count_nodes(
                    schema, document, context.operation_name, context.variables, segments
                )
            refusal = too_many_nodes(count, segments)
            if refusal is not None:
                error = GraphQLError(str(refusal), original_error=refusal)
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield
