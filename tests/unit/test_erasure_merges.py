"""What an erasure keeps of the merge notes in a decision it redacts: the pure parts, without a
store (erasure_merges.py; the conformance replay tests drive the rest)."""

from __future__ import annotations

from datetime import UTC, datetime

from datora_graph.domain.erasure import mentions_any
from datora_graph.domain.erasure_decisions import KEPT_MERGES, OWN_MERGES, REDACTED_REASON
from datora_graph.domain.steward import Decision
from datora_graph.erasure_merges import kept_notes, own_notes, scrubbed_reason, without_erased_notes

AT = "2026-05-01T10:00:00Z"


def note(absorbed: str, survivor: str, made_by: str | None = None) -> dict[str, object]:
    return {
        "absorbed": absorbed,
        "survivor": survivor,
        "observation_id": made_by,
        "at": AT,
        "reason": "steward merge: r",
    }


def decision(kind: str = "manual_merge", **details: object) -> Decision:
    when = datetime(2026, 5, 1, tzinfo=UTC)
    return Decision("dec_1", kind, "s", "r", when, ("prf_a", "prf_b"), ("prf_a",), details=details)


def test_a_later_erasure_takes_the_own_notes_naming_its_profiles() -> None:
    kept = decision(**{OWN_MERGES: [note("prf_b", "prf_a"), note("prf_c", "prf_a")]})

    pruned = without_erased_notes(kept, ["prf_c", "prf_x"])

    assert [(n.absorbed, n.survivor) for n in own_notes(pruned) or []] == [("prf_b", "prf_a")]
    assert without_erased_notes(pruned, ["prf_x"]) is pruned


def test_the_last_own_note_taken_leaves_an_empty_list_not_none() -> None:
    """An empty list says live keeps no note of the decision: a replay writes none, where a
    decision no erasure redacted (None) notes what it merges."""
    kept = decision(**{OWN_MERGES: [note("prf_b", "prf_a")]})

    pruned = without_erased_notes(kept, ["prf_a"])

    assert own_notes(pruned) == []
    assert own_notes(decision()) is None


def test_a_split_keeps_its_notes_of_others_apart_from_a_merges_own() -> None:
    split = decision("split", **{KEPT_MERGES: [note("prf_b", "prf_a", "o4")]})

    pruned = without_erased_notes(split, ["prf_b"])

    assert kept_notes(pruned) == []
    assert OWN_MERGES not in pruned.details
    assert [n.observation_id for n in kept_notes(split)] == ["o4"]


def test_a_reason_is_scrubbed_where_it_quotes_the_person_not_where_an_id_holds_the_value() -> None:
    keys = ["device_id:d1"]
    # A decision ID is random hex, where a short value such as d1 may stand by chance.
    by_chance = "undo of split dec_85b46a1e5e584b888d1e: r"
    quoting = "steward merge: same kiosk d1 as the other"

    assert mentions_any(by_chance, keys), "the premise: the raw text would match"
    assert scrubbed_reason(by_chance, keys, mentions_any) == by_chance
    assert scrubbed_reason(quoting, keys, mentions_any) == REDACTED_REASON


def test_the_notes_a_quoting_decision_made_lose_their_reason_wherever_they_are_kept() -> None:
    """Live replaces the reason of every note a decision quoting the person made
    (`Erasure.note_reasons`), whatever the note's text: a split keeping one (named by its
    decision), and a merge keeping its own (named by none), say so too."""
    split = decision("split", **{KEPT_MERGES: [note("prf_b", "prf_a", "dec_9")]})
    merge = decision(**{OWN_MERGES: [note("prf_b", "prf_a")]})

    assert without_erased_notes(split, [], ["dec_1"]) is split
    assert [n.reason for n in kept_notes(without_erased_notes(split, [], ["dec_9"]))] == [
        REDACTED_REASON
    ]
    assert [n.reason for n in own_notes(without_erased_notes(merge, [], ["dec_1"])) or []] == [
        REDACTED_REASON
    ]
    assert scrubbed_reason("steward merge: r", ["device_id:d1"], mentions_any, True) == (
        REDACTED_REASON
    )
