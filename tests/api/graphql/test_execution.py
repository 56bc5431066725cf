"""The short way for plain fields (api/graphql/execution.py) gives the answers stock Strawberry
gives: the same data, the same errors at the same paths, in the same field order, for the
README's examples, the benchmark's query, masked personal data, and hypothesis-drawn
selections of a profile's fields with aliases, repeats and fragments."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import sys
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datora_graph.api.auth import DEV_PRINCIPAL, Principal
from datora_graph.api.graphql.context import DatoraContext
from datora_graph.api.graphql.execution import PlainFieldExecutor
from datora_graph.api.graphql.schema import DatoraSchema, build_schema, schema
from datora_graph.config import Settings
from datora_graph.demo.generator import stream
from datora_graph.segment_service import SegmentService
from datora_graph.services import IdentityService
from datora_graph.store import open_store

from .test_readme_examples import readme_examples

STOCK = build_schema(execution_context_class=None)
READER = Principal("reader", frozenset({"read"}))
"""Reads without `read:pii`: identifier values and attributes come masked."""

BENCH_SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "bench_graphql.py"


def bench_query() -> str:
    """The query `scripts/bench graphql` times, read from the script."""
    spec = importlib.util.spec_from_file_location("bench_graphql", BENCH_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    query: str = module.QUERY
    return query


PROFILE_WITH_JOURNEY = bench_query()


@dataclass
class Demo:
    service: IdentityService
    segments: SegmentService
    profile_ids: list[str]
    ann_alias: str = ""
    """The ID absorbed when Ann's cookie joined her profile (the README's `IngestAnn`)."""

    def context(self, principal: Principal = DEV_PRINCIPAL) -> DatoraContext:
        return DatoraContext(self.service, self.segments, principal)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    config = Settings(db=Path(tmp_path_factory.mktemp("execution")) / "datora.db")
    store = open_store(config)
    service = IdentityService(store, config)
    items = list(stream(30, seed=5, events=4))
    service.ingest_stream("observation", (i for kind, i in items if kind == "observation"))
    service.ingest_stream("event", (i for kind, i in items if kind == "event"))
    ids = [p.id for page in store.iter_profiles(100) for p in page]
    demo = Demo(service, SegmentService(store, config), ids)
    try:
        # Ann, whom the README's examples ask about, in the README's own mutation.
        ingested = asyncio.run(
            STOCK.execute(readme_examples()["IngestAnn"], context_value=demo.context())
        )
        assert ingested.errors is None, ingested.errors
        assert ingested.data is not None
        assert ingested.data["ingestEvents"] == {"accepted": 2}
        [demo.ann_alias] = service.find_profile("crm_id", "C-42").aliases
        yield demo
    finally:
        store.close()


def both_ways(
    document: str, context: DatoraContext, variables: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    """The answers of the short way and of stock Strawberry, as comparable plain values."""

    def run(on: DatoraSchema) -> Any:
        result = asyncio.run(on.execute(document, variables, context_value=context))
        errors = [(e.message, e.path, e.extensions) for e in result.errors or []]
        return result.data, errors

    return run(schema), run(STOCK)


def same_answers(document: str, demo: Demo, **variables: Any) -> Any:
    fast, stock = both_ways(document, demo.context(), variables)
    assert fast == stock
    assert list(_keys(fast[0])) == list(_keys(stock[0]))  # the field order too
    return fast


def _keys(data: Any) -> Iterator[str]:
    """Every key of an answer, depth first, in order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item)


def test_the_schema_executes_with_the_short_way(demo: Demo) -> None:
    assert schema.execution_context_class is PlainFieldExecutor
    assert STOCK.execution_context_class is not PlainFieldExecutor


def test_the_benchmark_query_gives_the_stock_answer_for_every_profile(demo: Demo) -> None:
    with_events = 0
    for profile_id in demo.profile_ids:
        data, errors = same_answers(PROFILE_WITH_JOURNEY, demo, id=profile_id)
        assert errors == []
        with_events += bool(data["profile"]["journey"]["edges"])
    assert with_events > 10  # the comparison covered real journeys, not empty pages


def test_masked_personal_data_is_masked_the_same_way(demo: Demo) -> None:
    reader = demo.context(READER)
    fast, stock = both_ways(PROFILE_WITH_JOURNEY, reader, {"id": demo.profile_ids[0]})

    assert fast == stock
    identifiers = fast[0]["profile"]["identifiers"]
    assert identifiers
    assert {i["value"] for i in identifiers} == {"***"}


def test_errors_come_at_the_same_paths(demo: Demo) -> None:
    data, errors = same_answers(
        """query { profile(id: "prf_missing") { id }
                   profileByIdentifier(type: "nosuchtype", value: "x") { id } }""",
        demo,
    )
    assert data is None or data.get("profile") is None
    assert errors  # an unknown type is refused: both ways name it at the same path


@pytest.mark.parametrize(
    "name", ["AnnWithJourney", "AnnPurchases", "ProfileById", "ReviewQueue", "Report"]
)
def test_the_readme_queries_give_the_stock_answers(demo: Demo, name: str) -> None:
    document = readme_examples()[name].replace("asOf ", "")  # the report's clock moves on
    variables = {"id": demo.ann_alias} if "$id" in document else {}

    data, errors = same_answers(document, demo, **variables)

    assert errors == []
    shows_what_the_readme_shows(name, data)


def shows_what_the_readme_shows(name: str, data: dict[str, Any]) -> None:
    """The answer carries what the README's example shows for Ann, not an empty page."""
    if name == "AnnWithJourney":
        ann = data["profileByIdentifier"]
        assert ann["attributes"] == {"first_name": "Ann", "last_name": "Lee", "city": "Leeds"}
        assert [e["node"]["id"] for e in ann["journey"]["edges"]] == ["ev-1", "ev-2"]
    elif name == "AnnPurchases":
        edges = data["profileByIdentifier"]["journey"]["edges"]
        assert [e["node"]["id"] for e in edges] == ["ev-2"]
    elif name == "ProfileById":
        ann = data["profile"]
        assert ann["identifiers"] == [{"value": "ann.lee@acme-mail.com", "junk": False}]
        assert [m["observationId"] for m in ann["mergeHistory"]] == ["web-8"]
    elif name == "ReviewQueue":
        kinds = [e["node"]["kind"] for e in data["reviewQueue"]["edges"]]
        assert "held_link" in kinds  # crm-43's claim on Ann's email
    else:
        report = data["insights"]
        assert report["counts"]["profiles"] > 0
        assert report["counts"]["openReviewItems"] >= 1
        assert report["revenue"]["count"] >= 1  # Ann's purchase, at least


# -- drawn selections ---------------------------------------------------------------------------
EVENT_FIELDS = ["id", "type", "occurredAt", "source", "properties", "__typename"]
IDENTIFIER_FIELDS = ["type", "value", "key", "junk", "firstSeen", "quarantined", "__typename"]
PROFILE_FIELDS = ["id", "aliases", "attributes", "size", "createdAt", "updatedAt", "junk"]
PAGE_INFO_FIELDS = ["endCursor", "hasNextPage", "hasPreviousPage", "startCursor"]


def selection(fields: list[str]) -> st.SearchStrategy[str]:
    """Some of `fields`, some aliased (an alias may repeat a field or shadow another's name),
    some in an inline fragment."""
    one = st.tuples(st.sampled_from(fields), st.sampled_from(["", "a", "b", "id"]))

    def text(picked: list[tuple[str, str]], in_fragment: bool) -> str:
        parts = [f"{alias}: {name}" if alias else name for name, alias in picked]
        if in_fragment and len(parts) > 1:
            return f"{parts[0]} ... @include(if: true) {{ {' '.join(parts[1:])} }}"
        return " ".join(parts)

    return st.builds(text, st.lists(one, min_size=1, max_size=6), st.booleans())


@st.composite
def profile_queries(draw: st.DrawFn) -> str:
    parts = [draw(selection(PROFILE_FIELDS))]
    if draw(st.booleans()):
        parts.append(f"identifiers {{ {draw(selection(IDENTIFIER_FIELDS))} }}")
    if draw(st.booleans()):
        first = draw(st.integers(1, 8))
        node = draw(selection(EVENT_FIELDS))
        extra = " identifiers { type value }" if draw(st.booleans()) else ""
        page_info = draw(selection(PAGE_INFO_FIELDS))
        parts.append(
            f"journey(first: {first}) {{ edges {{ cursor node {{ {node}{extra} }} }} "
            f"pageInfo {{ {page_info} }} }}"
        )
    return "query($id: ID!) { profile(id: $id) { " + " ".join(parts) + " } }"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=profile_queries(), pick=st.integers(min_value=0))
def test_any_selection_of_a_profile_gives_the_stock_answer(
    demo: Demo, query: str, pick: int
) -> None:
    profile_id = demo.profile_ids[pick % len(demo.profile_ids)]
    fast, stock = both_ways(query, demo.context(), {"id": profile_id})

    assert fast == stock, query
    assert list(_keys(fast[0])) == list(_keys(stock[0])), query


def test_a_request_leaves_nothing_for_the_garbage_collector(demo: Demo) -> None:
    """The executor, the context and its loaders are freed when the request ends, by reference
    counting: left to the collector, they made its full passes stall the server for 80-100 ms
    under load (see api/gc_tuning.py)."""
    context = demo.context()
    context_ref, loaders_ref = weakref.ref(context), weakref.ref(context.loaders)
    gc.collect()
    gc.disable()
    try:
        result = asyncio.run(
            schema.execute(PROFILE_WITH_JOURNEY, {"id": demo.profile_ids[0]}, context_value=context)
        )
        assert result.errors is None
        del context, result
        assert loaders_ref() is None
        assert context_ref() is None
    finally:
        gc.enable()
