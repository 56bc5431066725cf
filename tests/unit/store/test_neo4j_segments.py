"""How the Neo4j store keeps what segments filter on, checked without a server: golden attributes
and event properties as filterable properties, and the per-key activity sums of a batch of
events (the conformance suite checks the answers against a real Neo4j wherever one runs)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conformance.builders import creation, event
from tests.conformance.segment_world import day, purchase

from datora_graph.domain.traits import CreditedEvent, TraitSettings, summarise, to_cents
from datora_graph.store import neo4j_rows as rows
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_segments import code_point_key


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Leeds", "Leeds"),
        (41, 41),
        (41.5, 41.5),
        (True, True),
        (["vip", 1, {"a": 1}, "newsletter"], ["vip", "newsletter"]),
        ({"street": "Main"}, [False]),
        (None, [False]),
        ([1, 2], [False]),
        (2**70, float(2**70)),
    ],
    ids=["text", "integer", "real", "boolean", "array", "object", "null", "no_text", "huge"],
)
def test_json_values_are_kept_as_properties_every_operator_reads_as_sqlite_does(
    value: object, kept: object
) -> None:
    assert rows.filterable(value) == kept
    assert type(rows.filterable(value)) is type(kept)


def test_profiles_carry_their_attributes_under_a_prefix_and_the_types_they_hold() -> None:
    ann = creation("prf_ann", ["email:ann@acme.io", "crm_id:C-1"], seq=1)
    write = ann.changeset.profiles[0]
    write = type(write)(write.state, {"city": "Leeds", "tags": ["vip"]}, write.updated_at)

    (row,) = rows.profile_rows([write])

    assert row["filterable"] == {"attr_city": "Leeds", "attr_tags": ["vip"]}
    assert row["identifier_types"] == ["crm_id", "email"]


def test_events_are_credited_to_the_identifier_they_name_first() -> None:
    bought = purchase("e1", ("cookie_id:c-1", "email:ann@acme.io"), day(1), 19.999)

    (row,) = rows.event_rows([bought], "2026-05-01T00:00:00.000000Z")

    assert row["credited_key"] == "cookie_id:c-1"
    assert row["revenue_cents"] == 2000
    assert row["filterable"]["prop_revenue"] == 19.999
    assert row["keys"] == ["cookie_id:c-1", "email:ann@acme.io"]


def test_a_batch_of_events_is_summed_per_key_and_type_as_the_domain_sums_them() -> None:
    events = [
        purchase("e1", ("email:ann@acme.io",), day(3), 10),
        purchase("e2", ("email:ann@acme.io", "cookie_id:c-1"), day(1), 5.5),
        event("e3", ["email:ann@acme.io"], day(2), properties={"revenue": "lots"}),
        purchase("e4", ("cookie_id:c-1",), day(4), 1),
    ]

    found = {(r["key"], r["type"]): r for r in rows.key_activity_rows(events)}

    assert set(found) == {
        ("email:ann@acme.io", "purchase"),
        ("email:ann@acme.io", "page_view"),
        ("cookie_id:c-1", "purchase"),
    }
    ann = found[("email:ann@acme.io", "purchase")]
    expected = summarise(
        [
            CreditedEvent(e.type, e.occurred_at, to_cents(e.properties["revenue"]))
            for e in events[:2]
        ],
        TraitSettings(),
    )
    assert expected is not None
    assert (ann["events"], ann["revenue_cents"]) == (expected.events, expected.revenue_cents)
    assert (ann["first_at"], ann["last_at"]) == (
        "2026-05-02T09:00:00.000000Z",
        "2026-05-04T09:00:00.000000Z",
    )
    assert found[("email:ann@acme.io", "page_view")]["revenue_cents"] == 0


def test_a_batch_sum_past_what_the_driver_sends_as_an_integer_goes_as_a_float() -> None:
    """93,000 purchases at the largest revenue on one key pass 2^63 cents: the driver would
    refuse the integer and fail the batch before the statement's own overflow rule ran."""
    events = [purchase(f"e{n}", ("email:ann@acme.io",), day(1), 10**12) for n in range(93_000)]

    [row] = rows.key_activity_rows(events)

    assert row["events"] == 93_000
    assert isinstance(row["revenue_cents"], float)
    assert row["revenue_cents"] == 93_000 * 10**14


@given(st.text(max_size=8), st.text(max_size=8))
def test_a_sources_code_point_key_orders_as_python_orders_text(a: str, b: str) -> None:
    """Consent's tie rule compares sources by these keys on Neo4j, which may order text by
    UTF-16 units: "\\uff21cme" and "\\U0001f600shop" order one way by code point, the other way
    by UTF-16."""
    assert (code_point_key(a) < code_point_key(b)) == (a < b)
    assert (code_point_key(a) == code_point_key(b)) == (a == b)


def test_the_code_point_key_orders_where_utf16_would_not() -> None:
    wide, astral = "\uff21cme", "\U0001f600shop"

    assert wide < astral
    assert wide.encode("utf-16-be") > astral.encode("utf-16-be")
    assert code_point_key(wide) < code_point_key(astral)


def test_the_consent_in_force_is_write_locked_before_it_is_compared() -> None:
    """Neo4j reads committed data without a lock, and a REST consent call writes outside the
    writer lock: a comparison in `WITH ... WHERE` before any write to the node let two
    transactions both compare with the same old statement, and the later commit put back the
    older one. A SET of its own (not ON CREATE) must lock the node before the WHERE reads it."""
    code = "\n".join(
        line for line in CYPHER.upsert_consent.splitlines() if not line.startswith("//")
    )
    lock = re.search(r"^SET c\.", code, re.MULTILINE)
    compare = re.search(r"^WHERE .*c\.stated_at", code, re.MULTILINE)

    assert compare is not None
    assert lock is not None
    assert lock.start() < compare.start()
