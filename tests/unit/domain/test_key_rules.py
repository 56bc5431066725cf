"""The key rules of a deployment's identifier settings, and what a steward is told changed."""

from __future__ import annotations

import json

import pytest

from datora_graph.config import Settings
from datora_graph.domain.key_rules import (
    KEY_RULES_VERSION,
    key_rule_changes,
    key_rules,
    rekey_event,
    rekeyed,
)


def rules(**settings: object) -> str:
    return key_rules(Settings(**settings).identifier_registry())  # type: ignore[arg-type]


def test_the_same_settings_give_the_same_rules_whatever_order_they_are_written_in() -> None:
    one = rules(junk={"phone": ["0800 000", "4155550101"], "email": ["x@acme.io"]})
    other = rules(junk={"email": ["x@acme.io"], "phone": ["4155550101", "0800 000"]})
    assert one == other
    assert key_rule_changes(one, other) == []
    assert json.loads(one)["version"] == KEY_RULES_VERSION


def test_limits_priorities_and_guards_are_not_key_rules() -> None:
    plain = rules()
    assert plain == rules(
        identifier_types={"email": {"limit": 1, "priority": 5}}, hub_max_profiles=9
    )


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        (
            {"default_region": "GB"},
            [  # and `1234567890`, junk, now has a form: a valid number in GB
                "phone: normaliser normalise_phone_US → normalise_phone_GB",
                "phone: junk values added (+441234567890)",
            ],
        ),
        (
            {"identifier_types": {"cookie_id": {"normaliser": "lower"}}},
            ["cookie_id: normaliser normalise_plain_id → normalise_lower_id"],
        ),
        (
            {"identifier_types": {"loyalty_id": {"normaliser": "id"}}},
            ["identifier type loyalty_id added"],
        ),
        (
            {"junk": {"crm_id": ["c-0", "c-1", "c-2", "c-3", "c-4"]}},
            ["crm_id: junk values added (c-0, c-1, c-2 and 2 more)"],
        ),
    ],
)
def test_a_change_of_what_makes_a_key_is_named(changed: dict[str, object], said: list[str]) -> None:
    assert key_rule_changes(rules(), rules(**changed)) == said


def test_the_way_back_is_named_too() -> None:
    loyal = rules(identifier_types={"loyalty_id": {"normaliser": "id"}}, junk={"crm_id": ["c-0"]})
    assert key_rule_changes(loyal, rules()) == [
        "identifier type loyalty_id removed",
        "crm_id: junk values removed (c-0)",
    ]


def test_another_release_or_a_damaged_record_is_said_to_differ() -> None:
    current = rules()
    older = json.dumps({**json.loads(current), "version": KEY_RULES_VERSION - 1})
    assert key_rule_changes(older, current) == [
        "this release of Datora Graph normalises identifiers differently (rules version "
        f"{KEY_RULES_VERSION - 1} → {KEY_RULES_VERSION})"
    ]
    assert key_rule_changes("not json", current) == [
        "the key rules recorded in the store are unreadable"
    ]


def test_stored_keys_are_parsed_again_under_the_current_rules() -> None:
    registry = Settings().identifier_registry()
    stored = [
        "phone:4155550101",  # a junk form, no longer junk: E.164 now
        "phone:+14155550101",  # as the rules make it
        "email:ann@acme.io",
        "loyalty_id:L-1",  # a type no longer known: kept as it is
        "phone:12",  # a value refused now: kept as it is
        "not a key",
    ]
    assert rekeyed(stored, registry) == {"phone:4155550101": "phone:+14155550101"}
    assert rekeyed(rekeyed(stored, registry).values(), registry) == {}


def test_an_event_names_each_new_key_once_where_the_first_of_its_forms_was() -> None:
    changes = {"phone:4155550101": "phone:+14155550101", "crm_id:C-1": "crm_id:c-1"}
    stored = json.dumps(
        [["phone", "4155550101"], ["email", "ann@acme.io"], ["phone", "+14155550101"]]
    )

    event = rekey_event(stored, changes)

    assert json.loads(event.identifiers) == [["phone", "+14155550101"], ["email", "ann@acme.io"]]
    assert (event.gone, event.added, event.credited) == (
        ("phone:4155550101",),
        (),
        "phone:+14155550101",
    )
    kept = rekey_event(json.dumps([["email", "ann@acme.io"], ["crm_id", "C-1"]]), changes)
    assert (kept.gone, kept.added, kept.credited) == (("crm_id:C-1",), ("crm_id:c-1",), None)
