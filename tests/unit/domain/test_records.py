"""Parsing observations and events from their wire format: the field of every error, and the
normalisation of timestamps, identifiers and attributes."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import pytest

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry
from datora_graph.domain.records import (
    ATTRIBUTES_REDACTED,
    KEPT_JOINS,
    KEPT_LINK_QUARANTINES,
    KEPT_NAME_CHECK,
    KEPT_QUARANTINES,
    MAX_IDENTIFIERS,
    MAX_NAME_LENGTH,
    MAX_NESTING,
    UNLINKED,
    Rejection,
    UnreadableLine,
    iso,
    item_id_of,
    parse_event,
    parse_logged_observation,
    parse_observation,
    utc,
)

REGISTRY = IdentifierRegistry.default()


def observation(**changes: Any) -> dict[str, Any]:
    """A valid wire observation with `changes`; a change to `...` removes the field."""
    raw: dict[str, Any] = {
        "id": "crm-42",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [
            {"type": "email", "value": "Ann@Acme.io"},
            {"type": "crm_id", "value": "C-42"},
        ],
        "attributes": {"first_name": "Ann"},
    }
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not ...}


def event(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "ev-1",
        "type": "purchase",
        "occurred_at": "2026-05-01T10:05:00Z",
        "source": "shop",
        "identifiers": [{"type": "cookie_id", "value": "k-1"}],
        "properties": {"revenue": 42.5, "items": [{"sku": "A"}]},
    }
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not ...}


def observation_error(raw: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_observation(raw, REGISTRY)
    return caught.value


# -- observations -------------------------------------------------------------------------------
def test_a_valid_observation_is_parsed_and_normalised() -> None:
    parsed = parse_observation(observation(source=" crm "), REGISTRY)

    assert parsed.id == "crm-42"
    assert parsed.source == "crm"
    assert parsed.observed_at == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert parsed.identifiers == (Identifier("email", "ann@acme.io"), Identifier("crm_id", "C-42"))
    assert parsed.junk == frozenset()
    assert parsed.attributes == {"first_name": "Ann"}
    assert parsed.seq == 0
    assert parsed.with_seq(7).seq == 7
    assert parsed.with_seq(7).identifiers == parsed.identifiers


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        pytest.param(observation(id=...), "id", "is required", id="id-missing"),
        pytest.param(observation(id=""), "id", "must not be empty", id="id-empty"),
        pytest.param(
            observation(id=42),
            "id",
            "must be text in double quotes, got the number 42",
            id="id-number",
        ),
        pytest.param(observation(id="x" * 257), "id", "at most 256", id="id-too-long"),
        pytest.param(observation(source=...), "source", "is required", id="source-missing"),
        pytest.param(
            observation(observed_at="yesterday"),
            "observed_at",
            "must be an ISO 8601 date-time such as",
            id="time-garbage",
        ),
        pytest.param(observation(observed_at=...), "observed_at", "is required", id="time-missing"),
        pytest.param(
            observation(identifiers=[]),
            "identifiers",
            "must hold at least one item, got an empty list",
            id="no-identifiers",
        ),
        pytest.param(
            observation(identifiers=[{"type": "email", "value": "a@acme.io"}] * 51),
            "identifiers",
            f"at most {MAX_IDENTIFIERS}",
            id="too-many-identifiers",
        ),
        pytest.param(
            observation(identifiers="ann@acme.io"),
            "identifiers",
            "must be a list [...], got 'ann@acme.io'",
            id="not-a-list",
        ),
        pytest.param(
            observation(
                identifiers=[
                    {"type": "email", "value": "ann@acme.io"},
                    {"type": "phone", "value": "12"},
                ]
            ),
            "identifiers[1].value",
            "phone '12' is not a valid phone number",
            id="bad-phone",
        ),
        pytest.param(
            observation(identifiers=[{"type": "email", "value": "ann@acme.io"}, {"type": "email"}]),
            "identifiers[1].value",
            "is required",
            id="value-missing",
        ),
        pytest.param(
            observation(
                identifiers=[
                    {"type": "email", "value": "ann@acme.io"},
                    {"type": "crm_id", "value": 42},
                ]
            ),
            "identifiers[1].value",
            "must be text in double quotes, got the number 42",
            id="value-number",
        ),
        pytest.param(
            observation(
                identifiers=[
                    {"type": "email", "value": "ann@acme.io"},
                    {"type": "fax", "value": "1"},
                ]
            ),
            "identifiers[1].type",
            "unknown identifier type 'fax'",
            id="unknown-type",
        ),
        pytest.param(
            observation(
                identifiers=[
                    {"type": "email", "value": "ann@acme.io"},
                    {"type": "email", "value": "bob@acme.io", "label": "work"},
                ]
            ),
            "identifiers[1].label",
            "is not a known field",
            id="extra-identifier-field",
        ),
        pytest.param(observation(tags=["vip"]), "tags", "is not a known field", id="extra-field"),
        pytest.param(
            observation(attributes={"birth_date": "1990-13-01"}),
            "attributes.birth_date",
            "'1990-13-01' is not a date (YYYY-MM-DD)",
            id="bad-birth-date",
        ),
        pytest.param(
            observation(attributes={"first_name": ["Ann"]}),
            "attributes.first_name",
            "must be text, got a list",
            id="standard-attribute-list",
        ),
        pytest.param(
            observation(attributes=["first_name"]),
            "attributes",
            "must be a JSON object {...}, got a list",
            id="attrs",
        ),
        pytest.param(["not", "an", "object"], "", "must be a JSON object, got a list", id="list"),
    ],
)
def test_an_invalid_observation_names_the_field(raw: object, field: str, reason: str) -> None:
    error = observation_error(raw)

    assert error.field == field
    assert reason in error.reason


@pytest.mark.parametrize("source", ["", "   "], ids=["empty", "blank"])
def test_a_blank_source_is_rejected(source: str) -> None:
    error = observation_error(observation(source=source))

    assert error.field == "source"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        pytest.param("2026-05-01T10:00:00", datetime(2026, 5, 1, 10, tzinfo=UTC), id="naive"),
        pytest.param("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC), id="zulu"),
        pytest.param(
            "2026-05-01T12:00:00+02:00", datetime(2026, 5, 1, 10, tzinfo=UTC), id="offset"
        ),
        pytest.param(
            "2026-05-01T10:00:00.123456",
            datetime(2026, 5, 1, 10, 0, 0, 123456, tzinfo=UTC),
            id="microseconds",
        ),
        pytest.param("2026-05-01", datetime(2026, 5, 1, tzinfo=UTC), id="date-alone"),
    ],
)
def test_timestamps_are_stored_in_utc_and_naive_ones_taken_as_utc(
    sent: str, stored: datetime
) -> None:
    parsed = parse_observation(observation(observed_at=sent), REGISTRY)

    assert parsed.observed_at == stored
    assert parsed.observed_at.utcoffset() is not None
    assert parsed.observed_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_identifiers_that_normalise_alike_are_collapsed_in_order() -> None:
    parsed = parse_observation(
        observation(
            identifiers=[
                {"type": "email", "value": "Ann@Acme.io"},
                {"type": "phone", "value": "(415) 555-2671"},
                {"type": "email", "value": " ann@acme.io"},
                {"type": "phone", "value": "+1 415 555 2671"},
                {"type": "email", "value": "mailto:ANN@ACME.IO"},
            ]
        ),
        REGISTRY,
    )

    assert [i.key for i in parsed.identifiers] == ["email:ann@acme.io", "phone:+14155552671"]


def test_junk_identifiers_are_kept_and_marked() -> None:
    parsed = parse_observation(
        observation(
            identifiers=[
                {"type": "email", "value": "TEST@test.com"},
                {"type": "phone", "value": "000-000-0000"},
                {"type": "crm_id", "value": "C-42"},
            ]
        ),
        REGISTRY,
    )

    assert [i.key for i in parsed.identifiers] == [
        "email:test@test.com",
        "phone:0000000000",
        "crm_id:C-42",
    ]
    assert parsed.junk == {Identifier("email", "test@test.com"), Identifier("phone", "0000000000")}


def test_standard_attributes_are_cleaned_and_others_kept_as_given() -> None:
    parsed = parse_observation(
        observation(
            attributes={
                "first_name": "  Ann   Marie ",
                "last_name": "",
                "street": "   ",
                "city": None,
                "country": " no ",
                "postcode": 1234,
                "birth_date": " 1990-01-02 ",
                "loyalty_tier": " Gold ",
                "preferences": {"channels": ["sms", "email"], "opt_in": False},
                "score": 0,
            }
        ),
        REGISTRY,
    )

    assert parsed.attributes == {
        "first_name": "Ann Marie",
        "country": "NO",
        "postcode": "1234",
        "birth_date": "1990-01-02",
        "loyalty_tier": " Gold ",
        "preferences": {"channels": ["sms", "email"], "opt_in": False},
        "score": 0,
    }


NOT_A_TIME = "must be an ISO 8601 time such as 2026-05-01T10:00:00Z, got "


@pytest.mark.parametrize(
    ("sent", "got"),
    [
        pytest.param(1714557600, "a number", id="epoch-seconds"),
        pytest.param(1714557600123, "a number", id="epoch-milliseconds"),
        pytest.param(1714557600.5, "a number", id="epoch-fraction"),
        pytest.param("1714557600", "a number as text ('1714557600')", id="epoch-as-text"),
        pytest.param("20260501", "a number as text ('20260501')", id="digits-as-text"),
        pytest.param(True, "true/false", id="boolean"),
        pytest.param(None, "null", id="null"),
        pytest.param(["2026-05-01T10:00:00Z"], "a list", id="list"),
        pytest.param({"at": "2026-05-01T10:00:00Z"}, "an object", id="object"),
    ],
)
def test_a_time_is_iso_8601_text_and_never_a_number(sent: object, got: str) -> None:
    """Pydantic would read a number, or text of one, as Unix epoch seconds: the wire format
    promises ISO 8601, and a source sending milliseconds would land in the year 56,000."""
    observed = observation_error(observation(observed_at=sent))
    with pytest.raises(InvalidInput) as occurred:
        parse_event(event(occurred_at=sent), REGISTRY)

    assert (observed.field, observed.reason) == ("observed_at", NOT_A_TIME + got)
    assert (occurred.value.field, occurred.value.reason) == ("occurred_at", NOT_A_TIME + got)


@pytest.mark.parametrize(
    ("sent", "got"),
    [
        pytest.param(1714557600, "a number", id="epoch-seconds"),
        pytest.param("1714557600", "a number as text ('1714557600')", id="epoch-as-text"),
        pytest.param(False, "true/false", id="boolean"),
    ],
)
def test_a_consent_statement_time_is_iso_8601_text_too(sent: object, got: str) -> None:
    statement = {
        "identifier": {"type": "email", "value": "ann@acme.io"},
        "purpose": "sms",
        "status": "granted",
        "at": sent,
        "source": "crm",
    }
    error = observation_error(observation(consent=[statement]))

    assert (error.field, error.reason) == ("consent[0].at", NOT_A_TIME + got)


@pytest.mark.parametrize(
    ("name", "sent", "stored"),
    [
        pytest.param("first_name", 5, "5", id="text-integer"),
        pytest.param("postcode", 1234, "1234", id="postcode-integer"),
        pytest.param("street", 12.5, "12.5", id="text-fraction"),
        pytest.param("gender", True, "true", id="text-true"),
        pytest.param("city", False, "false", id="text-false"),
        pytest.param("country", " no ", "NO", id="country-upper"),
        pytest.param("birth_date", " 1990-04-01 ", "1990-04-01", id="date-text"),
        pytest.param("birth_date", "19900401", "1990-04-01", id="date-basic-form"),
    ],
)
def test_a_text_attribute_takes_a_number_or_true_false_as_its_json_text(
    name: str, sent: object, stored: str
) -> None:
    parsed = parse_observation(observation(attributes={name: sent}), REGISTRY)

    assert parsed.attributes == {name: stored}


@pytest.mark.parametrize(
    ("name", "sent", "reason"),
    [
        pytest.param(
            "birth_date",
            19900401,
            'must be a date as text, YYYY-MM-DD such as "1990-04-01", got a number',
            id="date-number",
        ),
        pytest.param(
            "birth_date",
            True,
            'must be a date as text, YYYY-MM-DD such as "1990-04-01", got true/false',
            id="date-boolean",
        ),
        pytest.param(
            "birth_date", "1990-04-31", "'1990-04-31' is not a date (YYYY-MM-DD)", id="date-bad"
        ),
        pytest.param("first_name", ["Ann"], "must be text, got a list", id="text-list"),
        pytest.param("city", {"name": "Leeds"}, "must be text, got an object", id="text-object"),
        pytest.param(
            "city",
            float("inf"),
            "holds inf, which is not a JSON number (NaN or Infinity)",
            id="text-infinity",
        ),
    ],
)
def test_a_standard_attribute_that_cannot_be_text_is_rejected_naming_it(
    name: str, sent: object, reason: str
) -> None:
    error = observation_error(observation(attributes={name: sent}))

    assert (error.field, error.reason) == (f"attributes.{name}", reason)


def test_the_raw_payload_reads_back_as_what_was_sent() -> None:
    """A rebuild parses the log again from `raw`, so it must hold the item exactly."""
    sent = observation(attributes={"first_name": " Ånn ", "score": 1.5, "tags": ["a", None]})

    assert json.loads(parse_observation(sent, REGISTRY).raw) == sent


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(observation(), id="plain"),
        pytest.param(observation(observed_at="2026-05-01T12:00:00.5+02:00"), id="offset"),
        pytest.param(observation(observed_at="2026-05-01T10:00:00"), id="naive"),
        pytest.param(observation(attributes=...), id="no-attributes"),
        pytest.param(
            observation(
                identifiers=[
                    {"type": "email", "value": " TEST@test.com "},
                    {"type": "phone", "value": "(415) 555-2671"},
                    {"type": "email", "value": "ann@acme.io"},
                    {"type": "email", "value": "Ann@Acme.io"},
                ],
                attributes={"birth_date": "1990-01-02", "country": "no", "city": ""},
            ),
            id="junk-duplicates-attributes",
        ),
    ],
)
def test_the_fast_path_and_the_validating_path_agree(raw: dict[str, Any]) -> None:
    """Plain dicts skip the pydantic model; any other mapping goes through it."""
    fast = parse_observation(raw, REGISTRY)
    validated = parse_observation(MappingProxyType(raw), REGISTRY)

    assert dataclasses.replace(fast, raw="") == dataclasses.replace(validated, raw="")


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"],
    ids=["after-9999", "before-year-1"],
)
def test_a_timestamp_that_leaves_the_calendar_in_utc_is_rejected(moment: str) -> None:
    error = observation_error(observation(observed_at=moment))

    assert error.field == "observed_at"
    with pytest.raises(InvalidInput) as caught:
        parse_event(event(occurred_at=moment), REGISTRY)
    assert caught.value.field == "occurred_at"


# -- events ---------------------------------------------------------------------------------------
def test_a_valid_event_is_parsed() -> None:
    parsed = parse_event(event(type=" purchase ", occurred_at="2026-05-01T10:05:00"), REGISTRY)

    assert parsed.id == "ev-1"
    assert parsed.type == "purchase"
    assert parsed.occurred_at == datetime(2026, 5, 1, 10, 5, tzinfo=UTC)
    assert parsed.identifiers == (Identifier("cookie_id", "k-1"),)
    assert parsed.properties == {"revenue": 42.5, "items": [{"sku": "A"}]}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        pytest.param(event(id=...), "id", id="id-missing"),
        pytest.param(event(type=None), "type", id="type-null"),
        pytest.param(event(occurred_at="soon"), "occurred_at", id="time-garbage"),
        pytest.param(event(identifiers=[]), "identifiers", id="no-identifiers"),
        pytest.param(
            event(
                identifiers=[
                    {"type": "cookie_id", "value": "k-1"},
                    {"type": "email", "value": "nope"},
                ]
            ),
            "identifiers[1].value",
            id="bad-email",
        ),
        pytest.param(event(observed_at="2026-05-01"), "observed_at", id="observation-field"),
        pytest.param(event(properties=[1]), "properties", id="properties-list"),
    ],
)
def test_an_invalid_event_names_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_event(raw, REGISTRY)

    assert caught.value.field == field


@pytest.mark.parametrize("name", ["type", "source"])
def test_a_blank_event_type_or_source_is_rejected(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_event(event(**{name: "   "}), REGISTRY)

    assert caught.value.field == name


# -- helpers --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 5, 1, 10, tzinfo=UTC), "2026-05-01T10:00:00.000000Z"),
        (datetime(2026, 5, 1, 9, 30), "2026-05-01T09:30:00.000000Z"),
        (datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "0999-01-02T03:04:05.000006Z"),
    ],
    ids=["aware", "naive-taken-as-utc", "year-before-1000"],
)
def test_iso_is_fixed_width_utc(moment: datetime, text: str) -> None:
    assert iso(moment) == text
    assert len(iso(moment)) == len("2026-05-01T10:00:00.000000Z")


def test_iso_strings_sort_in_time_order() -> None:
    moments = [
        datetime(2026, 5, 1, 10, tzinfo=UTC),
        datetime(2026, 5, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 5, 1, 9, 30),
        datetime(2026, 5, 1, 11, tzinfo=timezone(timedelta(hours=2))),
    ]

    assert [iso(m) for m in sorted(moments, key=utc)] == sorted(iso(m) for m in moments)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"id": "o-1"}, "o-1"),
        ({"id": 42}, "42"),
        ({"id": True}, None),
        ({"id": None}, None),
        ({"id": "x" * 300}, "x" * 256),
        (["o-1"], None),
    ],
)
def test_the_item_id_of_a_rejected_item_is_kept_when_usable(
    raw: object, expected: str | None
) -> None:
    assert item_id_of(raw) == expected


def test_a_rejection_resent_has_the_same_fingerprint() -> None:
    def rejection(payload: str, minute: int) -> Rejection:
        at = datetime(2026, 5, 1, 10, minute, tzinfo=UTC)
        return Rejection("observation", "o-1", "observed_at", "is required", payload, at)

    assert rejection("{}", 1).fingerprint == rejection("{}", 2).fingerprint
    assert rejection("{}", 1).fingerprint != rejection('{"id":"o-1"}', 1).fingerprint


# -- nesting and unreadable lines ---------------------------------------------------------------
def nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def test_values_nesting_up_to_the_bound_are_kept() -> None:
    parsed = parse_observation(observation(attributes={"note": nested(MAX_NESTING)}), REGISTRY)
    stored = parse_event(event(properties={"cart": nested(MAX_NESTING)}), REGISTRY)

    assert parsed.attributes["note"] == nested(MAX_NESTING)
    assert stored.properties["cart"] == nested(MAX_NESTING)


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5_000])
def test_a_value_nesting_past_the_bound_is_refused_naming_it(depth: int) -> None:
    attribute = observation_error(observation(attributes={"note": nested(depth)}))
    with pytest.raises(InvalidInput) as property_:
        parse_event(event(properties={"total": 1, "cart": nested(depth)}), REGISTRY)

    assert attribute.field == "attributes.note"
    assert property_.value.field == "properties.cart"
    assert f"more than {MAX_NESTING} deep" in attribute.reason


def test_an_unreadable_line_is_refused_with_the_readers_reason() -> None:
    line = UnreadableLine('{"id": oops}\n', "is not valid JSON (Expecting value at character 8)")

    error = observation_error(line)

    assert (error.field, error.reason) == ("", line.reason)
    assert line == '{"id": oops}'


@pytest.mark.parametrize(
    ("raw", "kind"), [(None, "null"), (3, "a number"), (True, "true/false"), ([1], "a list")]
)
def test_an_item_that_is_no_object_is_named_in_json_words(raw: object, kind: str) -> None:
    assert observation_error(raw).reason == f"must be a JSON object, got {kind}"


# -- times in the future ------------------------------------------------------------------------
LATEST = datetime(2026, 5, 2, tzinfo=UTC)


def test_a_time_up_to_the_latest_taken_is_kept() -> None:
    parsed = parse_observation(
        observation(observed_at="2026-05-02T00:00:00Z"), REGISTRY, latest=LATEST
    )

    assert parsed.observed_at == LATEST


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (observation(observed_at="2026-05-02T00:00:01Z"), "observed_at"),
        (observation(observed_at="3525-09-06T00:59:25Z"), "observed_at"),
        (
            observation(
                consent=[
                    {"purpose": "email_marketing", "status": "granted", "at": "2126-01-01T00:00Z"}
                ]
            ),
            "consent[0].at",
        ),
    ],
)
def test_a_time_past_the_latest_taken_is_refused_naming_it(
    item: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_observation(item, REGISTRY, latest=LATEST)

    assert refused.value.field == field
    assert "is in the future" in refused.value.reason
    assert "2026-05-02T00:00:00.000000Z" in refused.value.reason


def test_an_event_in_the_future_is_refused_and_a_replay_takes_any_time() -> None:
    future = event(occurred_at="2027-01-01T00:00:00Z")

    with pytest.raises(InvalidInput) as refused:
        parse_event(future, REGISTRY, latest=LATEST)

    assert refused.value.field == "occurred_at"
    assert parse_event(future, REGISTRY).occurred_at.year == 2027
    assert parse_observation(observation(observed_at="3525-01-01T00:00:00Z"), REGISTRY)


# -- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["x" * (MAX_NAME_LENGTH + 1), 'nick"name', "back\\slash", "tab\t"])
def test_an_attribute_property_or_event_type_a_segment_could_not_name_is_refused(
    name: str,
) -> None:
    attribute = observation_error(observation(attributes={name: "v"}))
    with pytest.raises(InvalidInput) as property_:
        parse_event(event(properties={name: 1}), REGISTRY)
    with pytest.raises(InvalidInput) as type_:
        parse_event(event(type=name), REGISTRY)

    assert (attribute.field, property_.value.field, type_.value.field) == (
        "attributes",
        "properties",
        "type",
    )
    assert f"1-{MAX_NAME_LENGTH} characters without quotes" in attribute.reason
    assert len(attribute.reason) < 200


def test_names_a_segment_can_use_are_kept() -> None:
    names = {"Favourite colour": "blue", "x" * MAX_NAME_LENGTH: 1, "größe": "M", "a.b-c/d": 2}

    parsed = parse_observation(observation(attributes=names), REGISTRY)

    assert dict(parsed.attributes) == names


@pytest.mark.parametrize(
    ("revenue", "why"),
    [
        *(
            (r, "must be between -1,000,000,000,000 and 1,000,000,000,000")
            for r in (10**12 + 1, -(10**13), 1e300, 10**400)
        ),
        *((r, "is not a JSON number") for r in (float("inf"), float("-inf"), float("nan"))),
    ],
)
def test_an_event_with_a_revenue_no_sum_can_hold_is_refused(revenue: float, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_event(event(properties={"revenue": revenue}), REGISTRY)

    assert refused.value.field == "properties.revenue"
    assert why in refused.value.reason


@pytest.mark.parametrize("revenue", [10**12, -(10**12), 0, 42.5, "lots", None, True])
def test_an_event_revenue_within_the_bound_or_not_a_number_is_kept(revenue: object) -> None:
    parsed = parse_event(event(properties={"revenue": revenue}), REGISTRY)

    assert parsed.properties == {"revenue": revenue}


def test_a_logged_record_marks_what_it_quarantined_and_a_client_cannot() -> None:
    kept = [{"type": "email", "value": "Ann@Acme.io"}, {"type": "bogus", "value": "x"}]
    joined = [{"type": "crm_id", "value": " C-42 "}]
    at_link = [{"type": "cookie_id", "value": "k-1"}]
    payload = json.dumps(
        observation(
            **{
                KEPT_QUARANTINES: kept,
                KEPT_LINK_QUARANTINES: at_link,
                KEPT_JOINS: joined,
                UNLINKED: True,
            }
        )
    )

    logged = parse_logged_observation(payload, REGISTRY, 7)
    plain = parse_logged_observation(json.dumps(observation()), REGISTRY, 8)

    assert logged.seq == 7
    assert [i.key for i in logged.quarantines] == ["email:ann@acme.io"], "bogus: no such type"
    assert [i.key for i in logged.link_quarantines] == ["cookie_id:k-1"]
    assert [i.key for i in logged.joins] == ["crm_id:C-42"]
    assert logged.unlinked
    assert logged.raw == payload
    assert (plain.quarantines, plain.link_quarantines, plain.joins) == ((), (), ())
    assert not plain.unlinked
    assert observation_error(observation(**{KEPT_QUARANTINES: kept})).field == KEPT_QUARANTINES


def test_a_logged_record_keeps_its_name_check_and_a_client_cannot_ask_for_it() -> None:
    payload = json.dumps(observation(**{KEPT_NAME_CHECK: True}))

    logged = parse_logged_observation(payload, REGISTRY, 7)

    assert logged.name_checked
    assert logged.quarantines == ()
    assert not parse_logged_observation(json.dumps(observation()), REGISTRY, 8).name_checked
    assert observation_error(observation(**{KEPT_NAME_CHECK: True})).field == KEPT_NAME_CHECK


def test_a_client_cannot_send_the_mark_a_redaction_writes() -> None:
    """`_attributes_redacted_here` dates a profile in a replay: only a redaction writes it,
    and a client that sends it is told the field is not one of the wire format's."""
    error = observation_error({**observation(), ATTRIBUTES_REDACTED: True})

    assert error.field == ATTRIBUTES_REDACTED


def test_a_logged_record_reads_the_mark_a_redaction_writes() -> None:
    payload = json.dumps({**observation(), ATTRIBUTES_REDACTED: True})

    assert parse_logged_observation(payload, REGISTRY, 3).attributes_redacted
    assert not parse_logged_observation(json.dumps(observation()), REGISTRY, 3).attributes_redacted
