from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from datora_graph.domain.erasure import redacted_text
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_holds import KEPT_HOLDS, KeptHold, joined_live, mark_held
from datora_graph.domain.records import parse_logged_observation, parse_observation

REGISTRY = IdentifierRegistry.default()
HOLD = KeptHold(
    "crm_id:C-1",
    "user_id:U-1",
    "limit",
    "limit: the merge would give one profile 2 user_id identifiers (at most 1 allowed)",
    "reject unless one customer holds both user accounts",
)


def record(*pairs: tuple[str, str], **extra: Any) -> str:
    return json.dumps(
        {
            "id": "o3",
            "source": "crm",
            "observed_at": "2026-05-01T10:00:00Z",
            "identifiers": [{"type": t, "value": v} for t, v in pairs],
            **extra,
        }
    )


def test_a_record_is_marked_once_with_a_link_it_held_as_it_carries_the_ends() -> None:
    sent = record(("crm_id", " C-1 "), ("user_id", "U-1"), ("email", "ann@acme.io"))

    marked = mark_held(sent, HOLD, REGISTRY)

    assert marked is not None
    assert json.loads(marked)[KEPT_HOLDS] == [
        {
            "a": {"type": "crm_id", "value": " C-1 "},
            "b": {"type": "user_id", "value": "U-1"},
            "guard": "limit",
            "reason": HOLD.reason,
            "suggested_action": HOLD.suggested_action,
        }
    ]
    assert mark_held(marked, HOLD, REGISTRY) is None, "marked already"
    assert mark_held(record(("crm_id", "C-1")), HOLD, REGISTRY) is None, "one end only"


def test_a_replay_reads_the_holds_and_a_client_cannot_send_one() -> None:
    marked = str(mark_held(record(("crm_id", "C-1"), ("user_id", "U-1")), HOLD, REGISTRY))
    item = json.loads(marked)
    item[KEPT_HOLDS] += [
        {**item[KEPT_HOLDS][0], "guard": "quarantine"},
        {**item[KEPT_HOLDS][0], "b": {"type": "bogus", "value": "x"}},
        "not a hold",
    ]

    logged = parse_logged_observation(json.dumps(item), REGISTRY, 3)

    assert logged.holds == (HOLD,), "a quarantine's or an unknown guard, an unknown type: left out"
    with pytest.raises(InvalidInput) as refused:
        parse_observation(json.loads(marked), REGISTRY)
    assert refused.value.field == KEPT_HOLDS


def test_a_hold_keeps_whether_its_link_counted_a_hub_join_live() -> None:
    sent = record(("crm_id", "C-1"), ("user_id", "U-1"))
    counted, not_counted = replace(HOLD, joined=True), replace(HOLD, joined=False)

    for hold in (counted, not_counted, HOLD):
        logged = parse_logged_observation(str(mark_held(sent, hold, REGISTRY)), REGISTRY, 3)
        assert logged.holds == (hold,)
    assert "joined" not in json.loads(str(mark_held(sent, HOLD, REGISTRY)))[KEPT_HOLDS][0]


@pytest.mark.parametrize(
    ("seqs", "joined"),
    [
        (((), (2, 5)), True),
        (((5,), ()), True),
        (((), (2, 7)), False),
        (((1, 2, 3), ()), None),
        (((1, 2, 6), ()), False),
    ],
)
def test_a_record_counted_a_join_when_an_end_kept_its_position(
    seqs: tuple[tuple[int, ...], ...], joined: bool | None
) -> None:
    """At position 5, with the first 3 joins of each end kept: not known once an end's are
    all taken before it."""
    assert joined_live(5, seqs, 3) is joined


def test_a_later_erasure_of_an_end_takes_the_hold_with_it() -> None:
    sent = record(("crm_id", "C-1"), ("user_id", "U-1"), ("cookie_id", "k-1"))
    marked = str(mark_held(sent, HOLD, REGISTRY))

    erasing_an_end_drops_the_mark(marked, KEPT_HOLDS, other="cookie_id:k-1", end="user_id:U-1")


def erasing_an_end_drops_the_mark(marked: str, mark: str, *, other: str, end: str) -> None:
    """A later erasure of `other` keeps a record's `mark` as it was, one of `end` drops it."""
    other_erased = redacted_text(marked, {other}, REGISTRY)
    end_erased = redacted_text(marked, {end}, REGISTRY)

    assert other_erased is not None
    assert json.loads(other_erased)[mark] == json.loads(marked)[mark]
    assert end_erased is not None
    assert mark not in json.loads(end_erased)
