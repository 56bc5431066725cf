"""Consent statements: parsing at the boundary, and the rule that the latest statement wins."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datora_graph.domain.consent import (
    ConsentStatement,
    current_consent,
    parse_consent,
    parse_observation_consent,
    parse_purpose,
)
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry

REGISTRY = IdentifierRegistry.default()
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
ANN = Identifier("email", "ann@acme-mail.com")


def wire(**changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "identifier": {"type": "email", "value": " Ann@Acme-Mail.com "},
        "purpose": "email_marketing",
        "status": "granted",
        "at": "2026-04-01T10:00:00Z",
        "source": "preference-centre",
    }
    statement.update(changes)
    return {k: v for k, v in statement.items() if v is not None}


def statement(status: str, minutes: int, purpose: str = "email_marketing") -> ConsentStatement:
    at = NOW + timedelta(minutes=minutes)
    return ConsentStatement(ANN, purpose, status, at, "web")  # type: ignore[arg-type]


def test_a_statement_is_parsed_with_a_normalised_identifier() -> None:
    parsed = parse_consent(wire(), REGISTRY, NOW)

    assert parsed == ConsentStatement(
        ANN, "email_marketing", "granted", datetime(2026, 4, 1, 10, tzinfo=UTC), "preference-centre"
    )
    assert parsed.granted


def test_a_statement_without_a_time_is_stated_when_received() -> None:
    assert parse_consent(wire(at=None), REGISTRY, NOW).stated_at == NOW


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"status": "maybe"}, "consent[3].status", "'granted' or 'withdrawn'"),
        ({"purpose": "Email Marketing"}, "consent[3].purpose", "not a purpose name"),
        ({"purpose": None}, "consent[3].purpose", "required"),
        ({"source": " "}, "consent[3].source", "non-blank"),
        ({"at": "tomorrow"}, "consent[3].at", "ISO 8601"),
        ({"identifier": {"type": "email", "value": "ann"}}, "consent[3].identifier.value", "email"),
        ({"identifier": {"type": "fax", "value": "1"}}, "consent[3].identifier.type", "unknown"),
        ({"identifier": "email:ann@acme-mail.com"}, "consent[3].identifier", '{"type"'),
        ({"channel": "web"}, "consent[3].channel", "not a known field"),
    ],
)
def test_an_invalid_statement_names_the_field(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_consent(wire(**changes), REGISTRY, NOW, "consent[3]")

    assert caught.value.field == field
    assert reason in caught.value.reason


def test_the_latest_statement_wins_whatever_the_order_they_arrive_in() -> None:
    history = [statement("granted", 0), statement("withdrawn", 10), statement("granted", 20)]

    for order in (history, list(reversed(history)), [history[1], history[2], history[0]]):
        state = current_consent(order)[(ANN.key, "email_marketing")]
        assert (state.status, state.stated_at) == ("granted", NOW + timedelta(minutes=20))


def test_a_withdrawal_wins_over_a_grant_of_the_same_moment() -> None:
    for order in ([statement("granted", 5), statement("withdrawn", 5)],) * 2:
        assert not current_consent(order)[(ANN.key, "email_marketing")].granted
        order.reverse()


def test_of_two_alike_statements_of_one_moment_the_first_source_by_name_decides() -> None:
    def said_by(source: str) -> ConsentStatement:
        return replace(statement("granted", 5), source=source)

    for order in ([said_by("shop"), said_by("crm")], [said_by("crm"), said_by("shop")]):
        assert current_consent(order)[(ANN.key, "email_marketing")].source == "crm"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["granted", "withdrawn"]),
            st.integers(0, 3),
            st.sampled_from(["crm", "shop", "web", "Web", "\u00e9t\u00e9"]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_the_consent_in_force_does_not_depend_on_arrival_order(
    said: list[tuple[str, int, str]], rng: random.Random
) -> None:
    statements = [replace(statement(status, minutes), source=src) for status, minutes, src in said]
    shuffled = list(statements)
    rng.shuffle(shuffled)

    assert current_consent(shuffled) == current_consent(statements)


def test_each_purpose_has_its_own_consent() -> None:
    states = current_consent([statement("granted", 0), statement("withdrawn", 9, "sms")])

    assert states[(ANN.key, "email_marketing")].granted
    assert not states[(ANN.key, "sms")].granted


def test_consent_on_an_observation_defaults_to_its_source_time_and_identifiers() -> None:
    phone = Identifier("phone", "+14155552671")
    wire_phone = {"type": "phone", "value": "(415) 555-2671"}
    items = [
        {"purpose": "sms", "status": "granted", "identifier": wire_phone},
        {"purpose": "profiling", "status": "withdrawn"},
    ]

    found = parse_observation_consent(items, (ANN, phone), "crm", NOW, REGISTRY)

    assert found == [
        ConsentStatement(phone, "sms", "granted", NOW, "crm"),
        ConsentStatement(ANN, "profiling", "withdrawn", NOW, "crm"),
        ConsentStatement(phone, "profiling", "withdrawn", NOW, "crm"),
    ]
    with pytest.raises(InvalidInput, match=r"consent\[0\]\.status"):
        parse_observation_consent([{"purpose": "sms", "status": "?"}], [ANN], "crm", NOW, REGISTRY)


def test_purposes_are_short_lower_case_names() -> None:
    assert parse_purpose("email_marketing") == "email_marketing"
    with pytest.raises(InvalidInput):
        parse_purpose("x" * 65)
