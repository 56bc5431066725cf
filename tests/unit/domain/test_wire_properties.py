"""Whatever a client sends, parsing it accepts it or refuses it naming a field, the fast path
and the wire model agree, and what is accepted reads back the same from the log.

A bulk file or a REST batch reaches `parse_observation` and `parse_event` item by item; an
exception other than InvalidInput would stop a batch with an internal error instead of
keeping the item as rejected. Well-formed items take a fast path that skips the pydantic model
(domain/records.py): it must accept exactly what the model accepts and read it the same (a
mapping proxy always takes the model's path). A rebuild reads the log's payload again, without
the `latest` gate: an accepted record must read back as it was accepted, or a rebuild would
resolve another graph than live.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import (
    Event,
    Observation,
    parse_event,
    parse_logged_observation,
    parse_observation,
)

REGISTRY = IdentifierRegistry.default()
LATEST = datetime(2026, 12, 1, tzinfo=UTC)
MISSING = object()
"""A field left out."""

ODD = st.sampled_from([None, 5, 2.5, True, [], {}, ["x"], {"a": 1}, "", " "])
"""A value of the wrong kind, or empty."""
NAMES = st.one_of(
    st.sampled_from(["o1", "crm-7", " o1 ", "ünï", "x" * 300, "a\nb"]),
    st.text(min_size=1, max_size=8),
    ODD,
)
SOURCES = st.one_of(st.sampled_from(["crm", " crm ", "web\t", "x" * 101]), ODD)
TIMESTAMPS = st.one_of(
    st.sampled_from(
        [
            "2026-05-01T10:00:00Z",
            "2026-05-01T10:00Z",
            "2026-05-01T10:00:00.5Z",
            "2026-05-01T10:00:00.1234567Z",
            "2026-05-01T10:00:00+02:00",
            "2026-05-01T10:00:00-00:00",
            "2026-05-01T10:00:00",
            "2026-05-01",
            "2026-05-01T10",
            "20260501T100000Z",
            "2026-W18-5T10:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-05-01T24:00:00Z",
            "2026-05-01 10:00:00Z",
            "2026-05-01t10:00:00z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2027-01-01T00:00:00Z",
            "2026-05-01T10:00:00+14:00",
            "2026-05-01T10:00:00+25:00",
        ]
    ),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    ODD,
    st.integers(),
)
TYPES = st.one_of(
    st.sampled_from(["email", "phone", "crm_id", "device_id", "cookie_id", "EMAIL", "fax"]), ODD
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "Ann@Acme.io",
            " ann@acme.io ",
            "not-an-email",
            "test@test.com",
            "+1 415 555 2671",
            "(415) 555-2671",
            "0000000000",
            "00000000-0000-0000-0000-000000000000",
            "C-1",
            "a\x00b",
            "x" * 400,
        ]
    ),
    st.text(max_size=12),
    ODD,
    st.integers(),
)
IDENTIFIER = st.one_of(
    st.fixed_dictionaries({"type": TYPES, "value": VALUES}),
    st.fixed_dictionaries({"type": TYPES, "value": VALUES, "extra": ODD}),
    st.fixed_dictionaries({"type": TYPES}),
    ODD,
)
IDENTIFIERS = st.one_of(st.lists(IDENTIFIER, max_size=4), ODD)
ATTRIBUTE_NAMES = st.sampled_from(
    ["first_name", "last_name", "city", "birth_date", "gender", "country", "loyalty", "", " x "]
)
ATTRIBUTE_VALUES = st.one_of(
    st.sampled_from([" Ann ", "1990-01-01", "1990-13-45", "F", "de", "Zürich"]),
    st.text(max_size=6),
    ODD,
    st.integers(),
)
ATTRIBUTES = st.one_of(st.dictionaries(ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, max_size=4), ODD)
CONSENT = st.one_of(
    st.lists(
        st.fixed_dictionaries(
            {"purpose": st.sampled_from(["email_marketing", "", "Bad Purpose", 5])},
            optional={
                "status": st.sampled_from(["granted", "withdrawn", "maybe", None]),
                "at": TIMESTAMPS,
                "source": SOURCES,
            },
        ),
        max_size=2,
    ),
    ODD,
)
PROPERTIES = st.one_of(
    st.dictionaries(
        st.sampled_from(["revenue", "order_id", "", "x"]),
        st.one_of(
            ODD,
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=4),
        ),
        max_size=3,
    ),
    ODD,
)


def mostly(good: st.SearchStrategy[Any], *others: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` six times in eight, the `others` in the rest (`st.one_of` weighs each branch
    alike, however often it is given)."""
    choices = [good] * 6 + list(others) * (2 // len(others) if len(others) <= 2 else 1)
    return st.sampled_from(range(len(choices))).flatmap(lambda n: choices[n])


def record(
    fields: Mapping[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]],
) -> st.SearchStrategy[dict[str, Any]]:
    """Each field mostly well-formed (the first strategy), else odd (the second) or left out;
    now and then with a field the wire format lacks."""
    drawn = st.fixed_dictionaries(
        {name: mostly(good, odd, st.just(MISSING)) for name, (good, odd) in fields.items()}
    )
    extra = mostly(st.just({}), st.dictionaries(st.sampled_from(["_x", "y"]), ODD, min_size=1))
    return st.builds(
        lambda given, more: {k: v for k, v in {**given, **more}.items() if v is not MISSING},
        drawn,
        extra,
    )


GOOD_TIME = st.one_of(
    st.sampled_from(["2026-05-01T10:00:00Z", "2026-05-01T10:00:00+02:00"]),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 11, 30)).map(
        lambda d: d.replace(tzinfo=UTC).isoformat()
    ),
)
GOOD_IDENTIFIER = st.sampled_from(
    [
        ("email", "Ann@Acme.io"),
        ("email", " bob@x.io "),
        ("email", "test@test.com"),
        ("phone", "+1 415 555 2671"),
        ("phone", "(415) 555-2671"),
        ("phone", "0000000000"),
        ("crm_id", "C-1"),
        ("device_id", "d-9"),
        ("cookie_id", " k1 "),
    ]
).map(lambda pair: {"type": pair[0], "value": pair[1]})
GOOD_ATTRIBUTES = st.dictionaries(
    st.sampled_from(["first_name", "city", "birth_date", "gender", "loyalty"]),
    st.sampled_from([" Ann ", "Zürich", "1990-01-01", "F", "", "gold"]),
    max_size=3,
)
observations = record(
    {
        "id": (st.sampled_from(["o1", "crm-7", " o1 ", "ünï"]), NAMES),
        "source": (st.sampled_from(["crm", "web"]), SOURCES),
        "observed_at": (GOOD_TIME, TIMESTAMPS),
        "identifiers": (
            st.lists(mostly(GOOD_IDENTIFIER, IDENTIFIER), min_size=1, max_size=3),
            IDENTIFIERS,
        ),
        "attributes": (GOOD_ATTRIBUTES, ATTRIBUTES),
        "consent": (st.just([{"purpose": "email_marketing", "status": "granted"}]), CONSENT),
    }
)
events = record(
    {
        "id": (st.sampled_from(["v1", "ord-9"]), NAMES),
        "type": (st.sampled_from(["purchase", "page_view"]), ODD),
        "occurred_at": (GOOD_TIME, TIMESTAMPS),
        "source": (st.sampled_from(["shop"]), SOURCES),
        "identifiers": (
            st.lists(mostly(GOOD_IDENTIFIER, IDENTIFIER), min_size=1, max_size=3),
            IDENTIFIERS,
        ),
        "properties": (st.fixed_dictionaries({"revenue": st.integers(0, 500)}), PROPERTIES),
    }
)

Parsed = Observation | Event


def outcome(parse: Callable[[Any], Parsed], raw: Any) -> tuple[str, Any]:
    """("accepted", the record without its log payload) or ("refused", the message naming
    the field); any other exception fails the test."""
    try:
        parsed = parse(raw)
    except InvalidInput as refused:
        return "refused", (refused.field, str(refused))
    return "accepted", replace(parsed, raw="") if isinstance(parsed, Observation) else parsed


def names_its_field(result: tuple[str, Any]) -> bool:
    if result[0] != "refused":
        return True
    field, message = result[1]
    return bool(field) and message.startswith(f"{field}: ")


def answered_alike(parse: Callable[[Any], Parsed], raw: dict[str, Any]) -> tuple[str, Any]:
    """The outcome of `raw` on the fast path, checked to name its field when refused and to
    be the wire model's (a mapping proxy always takes the model's path)."""
    fast = outcome(parse, raw)
    event(fast[0])
    assert names_its_field(fast), fast
    assert fast == outcome(parse, MappingProxyType(raw))
    return fast


@settings(max_examples=300)
@given(observations)
def test_an_observation_is_accepted_or_refused_alike_on_both_paths_and_reads_back(
    raw: dict[str, Any],
) -> None:
    def parse(item: Any) -> Observation:
        return parse_observation(item, REGISTRY, latest=LATEST)

    if answered_alike(parse, raw)[0] == "accepted":
        accepted = parse(raw)
        assert parse_logged_observation(accepted.raw, REGISTRY, 7) == accepted.with_seq(7)


@settings(max_examples=300)
@given(events)
def test_an_event_is_accepted_or_refused_alike_on_both_paths(raw: dict[str, Any]) -> None:
    def parse(item: Any) -> Event:
        return parse_event(item, REGISTRY, latest=LATEST)

    answered_alike(parse, raw)
