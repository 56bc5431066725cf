"""The segment filter language: JSON in, typed conditions out, errors naming the JSON path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.segments import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    AllOf,
    AnyOf,
    AttributeCondition,
    Comparison,
    ConsentCondition,
    EventCondition,
    IdentifierCondition,
    Not,
    PropertyCondition,
    SegmentSize,
    TraitCondition,
    conditions_of,
    definition_to_json,
    new_segment_id,
    parse_definition,
)

TYPES = ("crm_id", "user_id", "email", "phone", "device_id", "cookie_id")

REPEAT_BUYERS = {
    "all": [
        {"event": {"type": "purchase", "at_least": 2, "within_days": 30}},
        {"identifier": "email"},
        {"consent": "email_marketing"},
    ]
}


def test_the_issue_example_parses_into_typed_conditions() -> None:
    assert parse_definition(REPEAT_BUYERS, TYPES) == AllOf(
        (
            EventCondition("purchase", at_least=2, within_days=30),
            IdentifierCondition("email"),
            ConsentCondition("email_marketing"),
        )
    )


def test_every_kind_of_condition_parses() -> None:
    raw = {
        "any": [
            {"attribute": "city", "in": ["Leeds", "Oslo"]},
            {"not": {"attribute": "tags", "contains": "vip"}},
            {"trait": "last_seen", "gte": "2026-05-01T10:00:00+02:00"},
            {"trait": "average_order_value", "lt": 20.5},
            {"event": {"type": "purchase", "where": {"revenue": {"gte": 20}}}},
            {"consent": {"purpose": "sms", "identifier": "phone"}},
            {"attribute": "newsletter", "eq": True},
            {"attribute": "birth_date", "exists": False},
        ]
    }

    parsed = parse_definition(raw, TYPES)

    assert parsed == AnyOf(
        (
            AttributeCondition("city", Comparison("in", ("Leeds", "Oslo"))),
            Not(AttributeCondition("tags", Comparison("contains", "vip"))),
            TraitCondition("last_seen", Comparison("gte", datetime(2026, 5, 1, 8, tzinfo=UTC))),
            TraitCondition("average_order_value", Comparison("lt", 20.5)),
            EventCondition(
                "purchase", where=(PropertyCondition("revenue", Comparison("gte", 20)),)
            ),
            ConsentCondition("sms", "phone"),
            AttributeCondition("newsletter", Comparison("eq", True)),
            AttributeCondition("birth_date", Comparison("exists", False)),
        )
    )
    assert len(conditions_of(parsed)) == 10


@pytest.mark.parametrize(
    "raw",
    [
        REPEAT_BUYERS,
        {"not": {"any": [{"trait": "first_seen", "lt": "2026-01-01T00:00:00.000000Z"}]}},
        {"event": {"type": "page_view", "at_least": 3, "where": {"url": {"contains": "/sale"}}}},
        {"consent": {"purpose": "sms", "identifier": "phone"}},
        {"all": []},
    ],
)
def test_the_canonical_json_parses_back_to_the_same_conditions(raw: dict[str, Any]) -> None:
    parsed = parse_definition(raw, TYPES)

    assert parse_definition(definition_to_json(parsed), TYPES) == parsed


def test_defaults_are_written_out_in_the_canonical_json() -> None:
    parsed = parse_definition({"event": {"type": "purchase"}})

    assert definition_to_json(parsed) == {"event": {"type": "purchase", "at_least": 1}}


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (
            {"all": [{"identifier": "email"}, {"event": {"type": "purchase", "within_days": 0}}]},
            "definition.all[1].event.within_days",
            "whole number from 1",
        ),
        ({"event": {"type": "purchase", "at_least": 1.5}}, "definition.event.at_least", "whole"),
        ({"event": {"at_least": 2}}, "definition.event.type", "required"),
        ({"event": {"type": "purchase", "times": 2}}, "definition.event.times", "not known"),
        (
            {"event": {"type": "purchase", "where": {"revenue": {"gte": True}}}},
            "definition.event.where.revenue.gte",
            "number or text",
        ),
        (
            {"event": {"type": "purchase", "where": {"revenue": {"above": 1}}}},
            "definition.event.where.revenue.above",
            "not an operator",
        ),
        ({"attribute": "city"}, "definition", "exactly one operator"),
        ({"attribute": "city", "eq": "a", "ne": "b"}, "definition", "exactly one operator"),
        ({"attribute": "city", "between": [1, 2]}, "definition.between", "not an operator"),
        ({"attribute": 'ci"ty', "eq": "x"}, "definition.attribute", "without quotes"),
        ({"attribute": "city", "eq": None}, "definition.eq", "got null"),
        ({"attribute": "city", "eq": {"a": 1}}, "definition.eq", "an object"),
        ({"attribute": "tags", "in": []}, "definition.in", "non-empty list"),
        ({"attribute": "tags", "in": ["a", ["b"]]}, "definition.in[1]", "a list"),
        ({"attribute": "city", "contains": 3}, "definition.contains", "text"),
        ({"attribute": "n", "eq": 2**63}, "definition.eq", "9,223,372,036,854,775,807"),
        ({"attribute": "n", "lt": -(2**63) - 1}, "definition.lt", "must be between"),
        ({"attribute": "n", "in": [1, 10**400]}, "definition.in[1]", "must be between"),
        ({"trait": "total_revenue", "gt": 10**30}, "definition.gt", "must be between"),
        (
            {"event": {"type": "purchase", "where": {"revenue": {"gte": 2**64}}}},
            "definition.event.where.revenue.gte",
            "must be between",
        ),
        ({"attribute": "city", "exists": "yes"}, "definition.exists", "true or false"),
        ({"trait": "wealth", "gt": 1}, "definition.trait", "not a trait"),
        ({"trait": "total_revenue", "gt": "100"}, "definition.gt", "compares with a number"),
        ({"trait": "total_revenue", "in": [1]}, "definition.in", "not an operator here"),
        ({"trait": "first_seen", "gt": "last week"}, "definition.gt", "ISO 8601"),
        ({"identifier": "fax"}, "definition.identifier", "unknown identifier type"),
        ({"identifier": "Email"}, "definition.identifier", "type name"),
        ({"consent": "Email Marketing"}, "definition.consent", "not a purpose name"),
        ({"consent": {"purpose": "sms", "via": "x"}}, "definition.consent.via", "not known"),
        ({"consent": {"identifier": "email"}}, "definition.consent.purpose", "required"),
        ({"all": {"identifier": "email"}}, "definition.all", "list of conditions"),
        ({"not": []}, "definition.not", "JSON object"),
        ({"any": [{"everything": True}]}, "definition.any[0].everything", "not a condition"),
        ({"identifier": "email", "consent": "sms"}, "definition", "several conditions"),
        ("email", "definition", "JSON object"),
        ({}, "definition", "JSON object"),
    ],
)
def test_an_invalid_definition_names_the_bad_part(raw: Any, field: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_definition(raw, TYPES)

    assert caught.value.field == field
    assert reason in caught.value.reason


def test_definitions_are_bounded_in_depth_and_size() -> None:
    deep: dict[str, Any] = {"identifier": "email"}
    for _ in range(MAX_DEPTH):
        deep = {"not": deep}
    wide = {"any": [{"identifier": "email"}] * MAX_CONDITIONS}

    with pytest.raises(InvalidInput, match="nest at most"):
        parse_definition(deep)
    with pytest.raises(InvalidInput, match=f"at most {MAX_CONDITIONS} conditions"):
        parse_definition(wide)


def test_each_comparison_of_an_event_where_counts_as_a_condition() -> None:
    """SQLite refused one event with about 500 comparisons: the query was too large."""
    where = {f"p{n}": {"eq": n} for n in range(MAX_CONDITIONS)}

    with pytest.raises(InvalidInput) as caught:
        parse_definition({"event": {"type": "purchase", "where": where}})

    assert caught.value.field == f"definition.event.where.p{MAX_CONDITIONS - 1}"
    assert "counting each comparison of an event's where" in caught.value.reason
    del where[f"p{MAX_CONDITIONS - 1}"]
    widest = parse_definition({"event": {"type": "purchase", "where": where}})
    assert isinstance(widest, EventCondition)
    assert len(widest.where) == MAX_CONDITIONS - 1


def test_identifier_types_are_checked_only_when_known() -> None:
    assert parse_definition({"identifier": "loyalty_id"}) == IdentifierCondition("loyalty_id")


def test_a_segment_share_counts_people_and_is_zero_for_an_empty_graph() -> None:
    assert SegmentSize(25, 100).share == 0.25
    assert SegmentSize(0, 0).share == 0.0


def test_segment_ids_are_fresh_and_prefixed() -> None:
    first, second = new_segment_id(), new_segment_id()

    assert first != second
    assert first.startswith("seg_")
    assert len(first) == 20


def test_an_error_shows_what_it_got_cut_short() -> None:
    sent = {"city": {"in": [f"c{n}" for n in range(1000)]}}

    with pytest.raises(InvalidInput) as refused:
        parse_definition({"attribute": sent, "eq": "x"})

    assert refused.value.field == "definition.attribute"
    assert "got {'city': {'in': ['c0', " in refused.value.reason
    assert refused.value.reason.endswith("…")
    assert len(refused.value.reason) < 200
