"""Segment definitions are stored; segments are evaluated by the store, each kind of condition
with the semantics the README documents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from datora_graph.domain.errors import Conflict, InvalidInput, NotFound
from datora_graph.domain.segments import (
    MAX_CONDITIONS,
    MAX_IN_VALUES,
    Segment,
    parse_definition,
)
from datora_graph.store.base import GraphStore

from .builders import T0
from .segment_world import AS_OF, PEOPLE, build_world, consent, day, members, query


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    build_world(store)
    return store


def segment(segment_id: str, name: str, definition: dict[str, Any], **kw: Any) -> Segment:
    return Segment(
        id=segment_id,
        name=name,
        description=kw.get("description", ""),
        definition=parse_definition(definition),
        purpose=kw.get("purpose"),
        created_at=T0,
        updated_at=T0,
    )


def test_segments_are_stored_listed_updated_and_deleted(store: GraphStore) -> None:
    buyers = segment("seg_1", "Buyers", {"event": {"type": "purchase"}}, purpose="email_marketing")
    leeds = segment("seg_2", "Leeds", {"attribute": "city", "eq": "Leeds"}, description="north")
    store.create_segment(buyers)
    store.create_segment(leeds)

    assert store.get_segments(["seg_1", "seg_2", "seg_x"]) == {"seg_1": buyers, "seg_2": leeds}
    assert store.list_segments() == [buyers, leeds]
    assert store.segment_by_name("Leeds") == leeds
    assert store.segment_by_name("leeds") is None

    renamed = replace(leeds, name="Yorkshire", purpose="sms", updated_at=day(1))
    store.update_segment(renamed)
    assert store.get_segments(["seg_2"]) == {"seg_2": renamed}

    assert store.delete_segment("seg_1") is True
    assert store.delete_segment("seg_1") is False
    assert store.list_segments() == [renamed]


def test_segment_names_are_unique_and_updates_need_a_segment(store: GraphStore) -> None:
    store.create_segment(segment("seg_1", "Buyers", {"all": []}))
    store.create_segment(segment("seg_2", "Others", {"all": []}))

    with pytest.raises(Conflict, match="Buyers"):
        store.create_segment(segment("seg_3", "Buyers", {"all": []}))
    with pytest.raises(Conflict):
        store.update_segment(segment("seg_2", "Buyers", {"all": []}))
    with pytest.raises(NotFound):
        store.update_segment(segment("seg_9", "Nobody", {"all": []}))
    assert [s.name for s in store.list_segments()] == ["Buyers", "Others"]


def test_junk_profiles_are_never_members_and_do_not_count(world: GraphStore) -> None:
    size = world.segment_sizes([query({"all": []})])[0]

    assert members(world, {"all": []}) == PEOPLE
    assert (size.size, size.people) == (3, 3)
    assert (
        members(world, {"event": {"type": "purchase", "where": {"revenue": {"gt": 500}}}}) == set()
    )


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"attribute": "city", "eq": "Leeds"}, {"prf_ann"}),
        ({"attribute": "city", "ne": "Leeds"}, {"prf_bob", "prf_cy"}),
        ({"not": {"attribute": "city", "eq": "Leeds"}}, {"prf_bob", "prf_cy"}),
        ({"attribute": "city", "in": ["Leeds", "Oslo", "Rome"]}, {"prf_ann", "prf_bob"}),
        ({"attribute": "city", "contains": "sl"}, {"prf_bob"}),
        ({"attribute": "tags", "contains": "vip"}, {"prf_ann"}),
        ({"attribute": "tags", "contains": "vi"}, set()),
        ({"attribute": "age", "gt": 40}, {"prf_ann"}),
        ({"attribute": "age", "eq": "41"}, {"prf_bob"}),
        ({"attribute": "age", "in": [41]}, {"prf_ann"}),
        ({"attribute": "city", "lt": "M"}, {"prf_ann"}),
        ({"attribute": "city", "exists": False}, {"prf_cy"}),
        ({"attribute": "city", "exists": True}, {"prf_ann", "prf_bob"}),
        ({"not": {"attribute": "age", "lte": 41}}, {"prf_bob", "prf_cy"}),
    ],
)
def test_attribute_comparisons_are_exact_and_typed(
    world: GraphStore, definition: dict[str, Any], expected: set[str]
) -> None:
    assert members(world, definition) == expected


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"event": {"type": "purchase"}}, {"prf_ann", "prf_bob"}),
        ({"event": {"type": "purchase", "at_least": 2}}, {"prf_ann"}),
        ({"event": {"type": "purchase", "at_least": 4}}, set()),
        ({"event": {"type": "page_view", "at_least": 3}}, {"prf_cy"}),
        # the window is (as_of - days, as_of]: day 30 is just outside 10 days, inside 11
        ({"event": {"type": "purchase", "at_least": 2, "within_days": 10}}, set()),
        ({"event": {"type": "purchase", "at_least": 2, "within_days": 11}}, {"prf_ann"}),
        ({"event": {"type": "purchase", "within_days": 30}}, {"prf_ann"}),
        (
            {"event": {"type": "purchase", "where": {"revenue": {"gte": 30}}}},
            {"prf_ann", "prf_bob"},
        ),
        (
            {"event": {"type": "purchase", "at_least": 2, "where": {"revenue": {"gt": 15}}}},
            {"prf_ann"},
        ),
        ({"event": {"type": "purchase", "where": {"currency": {"in": ["EUR"]}}}}, set()),
        (
            {"event": {"type": "purchase", "where": {"coupon": {"exists": False}}}},
            {"prf_ann", "prf_bob"},
        ),
        ({"not": {"event": {"type": "page_view"}}}, {"prf_bob"}),
    ],
)
def test_event_conditions_count_credited_events_in_the_window(
    world: GraphStore, definition: dict[str, Any], expected: set[str]
) -> None:
    assert members(world, definition) == expected


def test_a_window_ends_at_the_evaluation_time(world: GraphStore) -> None:
    recent = {"event": {"type": "purchase", "within_days": 7}}

    assert members(world, recent, as_of=AS_OF) == {"prf_ann"}
    assert members(world, recent, as_of=day(8)) == {"prf_bob"}
    assert members(world, recent, as_of=day(0.5)) == set()


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({"trait": "total_revenue", "gte": 60.5}, {"prf_ann", "prf_bob"}),
        ({"trait": "total_revenue", "gt": 60.5}, {"prf_bob"}),
        ({"trait": "order_count", "eq": 3}, {"prf_ann"}),
        ({"trait": "order_count", "lt": 1}, {"prf_cy"}),
        ({"trait": "event_count", "gte": 3}, {"prf_ann", "prf_cy"}),
        ({"trait": "average_order_value", "lt": 25}, {"prf_ann"}),
        ({"trait": "average_order_value", "ne": 100}, {"prf_ann", "prf_cy"}),
        ({"not": {"trait": "average_order_value", "gte": 0}}, {"prf_cy"}),
        ({"trait": "engagement_score", "eq": 61}, {"prf_ann"}),
        ({"trait": "recency_days", "lte": 2}, {"prf_cy"}),
        ({"trait": "first_seen", "lt": "2026-05-01T09:01:30Z"}, {"prf_ann"}),
        ({"trait": "last_seen", "gte": "2026-06-08T00:00:00Z"}, {"prf_cy"}),
        ({"trait": "data_quality", "gte": 0.2}, {"prf_ann", "prf_bob"}),
        ({"trait": "customer_lifetime_value", "gt": 250}, {"prf_bob"}),
        ({"trait": "purchase_frequency", "eq": 3}, {"prf_ann"}),
    ],
)
def test_trait_conditions_use_the_computed_traits(
    world: GraphStore, definition: dict[str, Any], expected: set[str]
) -> None:
    assert members(world, definition) == expected


def test_identifier_and_consent_conditions(world: GraphStore) -> None:
    world.record_consent(
        [
            consent("email:ann@acme.io", "email_marketing", "granted", day(1)),
            consent("email:ann@acme.io", "email_marketing", "withdrawn", day(2)),
            consent("email:bob@acme.io", "email_marketing", "granted", day(3)),
            consent("email:bob@acme.io", "email_marketing", "withdrawn", day(3)),
            consent("phone:+14155550101", "sms", "granted", day(3)),
        ]
    )

    assert members(world, {"identifier": "phone"}) == {"prf_bob"}
    assert members(world, {"identifier": "email"}) == {"prf_ann", "prf_bob"}
    assert members(world, {"consent": "email_marketing"}) == set()
    assert members(world, {"consent": "sms"}) == {"prf_bob"}
    assert members(world, {"consent": {"purpose": "sms", "identifier": "email"}}) == set()

    world.record_consent([consent("email:ann@acme.io", "email_marketing", "granted", day(4))])
    assert members(world, {"consent": "email_marketing"}) == {"prf_ann"}
    assert members(world, {"not": {"consent": "email_marketing"}}) == {"prf_bob", "prf_cy"}


def test_the_issue_example(world: GraphStore) -> None:
    world.record_consent([consent("email:ann@acme.io", "email_marketing", "granted", day(1))])
    example = {
        "all": [
            {"event": {"type": "purchase", "at_least": 2, "within_days": 30}},
            {"identifier": "email"},
            {"consent": "email_marketing"},
        ]
    }

    assert members(world, example) == {"prf_ann"}
    assert members(world, {"any": [example, {"identifier": "cookie_id"}]}) == {"prf_ann", "prf_cy"}


DEFINITIONS: list[dict[str, Any]] = [
    {"all": []},
    {"any": []},
    {"attribute": "city", "ne": "Leeds"},
    {"event": {"type": "purchase", "at_least": 2, "within_days": 11}},
    {"event": {"type": "purchase", "where": {"revenue": {"gte": 30}}}},
    {"event": {"type": "page_view", "at_least": 2}},
    {"trait": "total_revenue", "gte": 60.5},
    {"consent": "email_marketing"},
    {"not": {"consent": {"purpose": "sms", "identifier": "phone"}}},
    {"any": [{"identifier": "phone"}, {"attribute": "tags", "contains": "vip"}]},
]


def test_the_sizes_of_no_segments_are_none(world: GraphStore) -> None:
    assert world.segment_sizes([]) == []


def test_sizes_of_many_segments_in_one_pass_agree_with_each_alone(world: GraphStore) -> None:
    world.record_consent([consent("email:ann@acme.io", "email_marketing", "granted", day(1))])
    together = world.segment_sizes([query(d) for d in DEFINITIONS])

    assert [s.size for s in together] == [len(members(world, d)) for d in DEFINITIONS]
    assert {s.people for s in together} == {3}


def test_memberships_of_given_profiles_agree_with_the_segments(world: GraphStore) -> None:
    world.record_consent([consent("phone:+14155550101", "sms", "granted", day(1))])
    queries = {f"s{n}": query(d) for n, d in enumerate(DEFINITIONS)}

    found = world.segment_memberships([*PEOPLE, "prf_junk", "prf_nobody"], queries)

    for name, definition in zip(queries, DEFINITIONS, strict=True):
        in_segment = {pid for pid, names in found.items() if name in names}
        assert in_segment == members(world, definition), definition
    assert "prf_junk" not in found
    assert "prf_nobody" not in found


def test_member_pages_follow_the_cursor(world: GraphStore) -> None:
    first = world.segment_members(query({"all": []}), 2, None)
    second = world.segment_members(query({"all": []}), 2, first.end_cursor)

    assert (list(first.profile_ids), first.has_next_page) == (["prf_ann", "prf_bob"], True)
    assert (list(second.profile_ids), second.has_next_page) == (["prf_cy"], False)
    empty = world.segment_members(query({"any": []}), 5, None)
    assert (list(empty.profile_ids), empty.end_cursor, empty.has_next_page) == ([], None, False)
    with pytest.raises(InvalidInput, match="after"):
        world.segment_members(query({"all": []}), 2, "not-a-cursor")


def test_an_export_streams_contacts_with_consent_for_the_purpose(world: GraphStore) -> None:
    world.record_consent(
        [
            consent("email:ann@acme.io", "email_marketing", "granted", day(1)),
            consent("email:bob@acme.io", "email_marketing", "withdrawn", day(1)),
            consent("email:test@test.com", "email_marketing", "granted", day(1)),
        ]
    )

    def export(definition: dict[str, Any], kind: str, purpose: str | None) -> list[str]:
        batches = world.iter_segment_contacts(query(definition), kind, purpose, batch_size=1)
        return [f"{c.profile_id} {c.identifier.key}" for batch in batches for c in batch]

    assert export({"all": []}, "email", "email_marketing") == ["prf_ann email:ann@acme.io"]
    assert export({"all": []}, "email", None) == [
        "prf_ann email:ann@acme.io",
        "prf_bob email:bob@acme.io",
    ]
    assert export({"all": []}, "phone", None) == ["prf_bob phone:+14155550101"]
    assert export({"all": []}, "phone", "email_marketing") == []
    assert export({"attribute": "city", "eq": "Oslo"}, "email", None) == [
        "prf_bob email:bob@acme.io"
    ]


def test_user_values_cannot_change_the_query(world: GraphStore) -> None:
    """Values travel as parameters: quotes, SQL and JSON-path syntax are just text."""
    hostile = [
        {"attribute": "city", "eq": "Leeds' OR 1=1 --"},
        {"attribute": "city); DROP TABLE profiles; --", "exists": True},
        {"attribute": "$.city", "exists": True},
        {"event": {"type": "purchase' OR '1'='1", "within_days": 30}},
        {"event": {"type": "x", "where": {"a' OR 1=1 --": {"eq": "b"}}}},
        {"consent": {"purpose": "sms", "identifier": "email"}},
    ]

    for definition in hostile:
        assert members(world, definition) == set(), definition
    assert members(world, {"all": []}) == PEOPLE


def _widest(leaf: dict[str, Any], terms_per_leaf: int) -> dict[str, Any]:
    """`any` of as many copies of `leaf` as a definition may hold (MAX_CONDITIONS counts the
    `any`, each leaf and each comparison of an event's `where`)."""
    return {"any": [leaf] * ((MAX_CONDITIONS - 1) // terms_per_leaf)}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        pytest.param(
            {
                "event": {
                    "type": "purchase",
                    "where": {f"p{n}": {"ne": n} for n in range(MAX_CONDITIONS - 1)},
                }
            },
            {"prf_ann", "prf_bob"},
            id="one event with the most comparisons",
        ),
        pytest.param(
            _widest({"attribute": "city", "in": list(range(MAX_IN_VALUES))}, 1),
            set(),
            id="the most in lists of the most values",
        ),
        pytest.param(
            _widest(
                {"event": {"type": "purchase", "where": {"revenue": {"gte": 0}, "x": {"ne": 1}}}},
                3,
            ),
            {"prf_ann", "prf_bob"},
            id="the most event conditions",
        ),
        pytest.param(
            _widest({"not": {"trait": "total_revenue", "lt": 1}}, 2),
            {"prf_ann", "prf_bob"},
            id="the most trait conditions",
        ),
    ],
)
def test_the_largest_definitions_the_language_allows_evaluate(
    world: GraphStore, definition: dict[str, Any], expected: set[str]
) -> None:
    assert members(world, definition) == expected
