"""Execution with a short way for plain fields (nearly all of a journey page's ~400 fields),
and without graphql-core's reference cycle between the executor and its resolver helpers.

graphql-core completes every field the same way: a resolve-info object, the resolver (for a
plain Strawberry field, one that only reads an attribute), an awaitable check, then value
completion through the non-null, list, leaf and object cases. For a field that is a plain
attribute read of a scalar or enum, all of that comes to `coerce(getattr(source, name))`,
and that is what `PlainFieldExecutor` does for such fields, several times faster.

Only the way to an answer that graphql-core would give is shortened, never the answer: a
field with a resolver, arguments, field extensions (personal-data masks) or schema
middleware, or whose type is not a leaf, goes the usual way, and so does every plain field
whose value turns out null, an exception, or a value the scalar refuses, so that every error
is raised, located and reported exactly as graphql-core does it. tests/api/graphql/
test_execution.py runs the README's queries, the benchmark's and hypothesis-drawn selections
both ways and compares the answers.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


@dataclass(frozen=True, slots=True)
class _PlainLeaf:
    """How to complete one plain leaf field: read `attribute` with `read`, then `coerce`."""

    read: Callable[[Any, str], Any]
    attribute: str
    coerce: Callable[[Any], Any]


_Plan = tuple[tuple[str, FieldDetailsList, _PlainLeaf | None], ...]
"""Per response name, in order: the field group and its short way (None: the usual way)."""


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, completing plain leaf fields the short way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[GroupedFieldSet, _Plan | None]] = {}
        self.async_helpers = _helpers_of(weakref.ref(self))

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        usual: dict[str, FieldDetailsList] = {}
        for response_name, field_details_list, leaf in plan:
            if leaf is not None:
                completed = _complete_plain(leaf, source_value)
                if completed is not _USUAL_WAY:
                    results[response_name] = completed
                    continue
            usual[response_name] = field_details_list
            results[response_name] = Undefined  # keeps the response's field order
        if not usual:
            return results
        rest = super().execute_fields(parent_type, source_value, path, usual, position_context)
        if self.is_awaitable(rest):

            async def merged() -> dict[str, Any]:
                results.update(await rest)
                return _without_undefined(results)

            return merged()
        results.update(rest)  # type: ignore[arg-type]
        return _without_undefined(results)

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> _Plan | None:
        """The plan of a field set, made once per execution: graphql-core collects a type's
        subfields once per selection, so every item of a list shares one field set, and a
        field set belongs to one parent type."""
        key = id(grouped_field_set)
        known = self._plans.get(key)
        if known is not None:
            return known[1]
        plan: _Plan | None = None
        if not self._has_middleware():
            steps = tuple(
                (name, details, self._plain_leaf(parent_type, details))
                for name, details in grouped_field_set.items()
            )
            if any(leaf is not None for _, _, leaf in steps):
                plan = steps
        # The field set is kept alive with its plan so that its id is not reused.
        self._plans[key] = (grouped_field_set, plan)
        return plan

    def _has_middleware(self) -> bool:
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    def _plain_leaf(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _PlainLeaf | None:
        node = field_details_list[0].node
        if node.arguments or (len(field_details_list) != 1 and _differ(field_details_list)):
            return None
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is None or field_def.args:
            return None
        strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(strawberry_field, StrawberryField):
            return None
        if not getattr(field_def.resolve, "_is_default", False):
            return None  # a resolver, an extension or an exception handler
        if not strawberry_field.is_basic_field or strawberry_field.python_name is None:
            return None
        leaf = _leaf_type(field_def.type)
        if leaf is None:
            return None
        return _PlainLeaf(
            strawberry_field.default_resolver,
            strawberry_field.python_name,
            leaf.coerce_output_value,
        )


def _helpers_of(executor: weakref.ref[PlainFieldExecutor]) -> GraphQLResolveInfoHelpers:
    """The helpers graphql-core hands resolvers, reaching the executor through a weak
    reference. graphql-core's own are bound methods of the executor, kept by the executor: a
    reference cycle, which left every request's executor, context, loaders and journey pages
    to the garbage collector's full passes (30-100 ms pauses under load) instead of being
    freed when the request ended."""

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return _alive(executor).gather_async_work(values)

    def track(values: Sequence[Awaitable[Any]]) -> None:
        _alive(executor).track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def _alive(executor: weakref.ref[PlainFieldExecutor]) -> PlainFieldExecutor:
    found = executor()
    if found is None:
        raise RuntimeError("a resolver used the execution helpers after the execution ended")
    return found


_USUAL_WAY = object()
"""A plain field whose value needs graphql-core's own handling (null, error, refused)."""


def _complete_plain(leaf: _PlainLeaf, source: Any) -> Any:
    try:
        value = leaf.read(source, leaf.attribute)
        if value is None or value is Undefined or isinstance(value, Exception):
            return _USUAL_WAY
        coerced = leaf.coerce(value)
    except Exception:
        return _USUAL_WAY  # graphql-core reads it again and reports the error its way
    if coerced is None or coerced is Undefined:
        return _USUAL_WAY
    return coerced


def _leaf_type(field_type: GraphQLOutputType) -> GraphQLLeafType | None:
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    return inner if is_leaf_type(inner) else None


def _differ(field_details_list: FieldDetailsList) -> bool:
    """Field nodes merged under one response name: plain only if they are alike."""
    first = field_details_list[0]
    return any(
        d.node.arguments or d.fragment_variable_values is not first.fragment_variable_values
        for d in field_details_list[1:]
    )


def _without_undefined(results: dict[str, Any]) -> dict[str, Any]:
    """graphql-core leaves out a field it could not find in the schema (`Undefined`)."""
    if any(value is Undefined for value in results.values()):
        return {k: v for k, v in results.items() if v is not Undefined}
    return results
