"""What an erasure keeps of a steward decision that named the person."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from datora_graph.domain.erasure import mentions_any
from datora_graph.domain.erasure_decisions import (
    ERASED_MOVES,
    REDACTED_REASON,
    redact_decision,
    redacted_by,
    stands_in,
    taken_out,
)
from datora_graph.domain.steward import (
    Decision,
    DecisionKind,
    EvidenceEdge,
    GraphSlice,
    ProfileRecord,
    ReviewState,
)
from datora_graph.domain.survivorship import AttributeCandidate
from datora_graph.store.steward_rows import decision_body

ANN = ("email:ann@acme.io", "cookie_id:c-ann")
BOB = ("email:bob@acme.io", "crm_id:C-2")
AT = datetime(2026, 5, 1, tzinfo=UTC)


def record(profile_id: str, first_name: str) -> ProfileRecord:
    candidate = AttributeCandidate(json.dumps(first_name), "crm", 1, "2026-05-01", "2026-05-01")
    return ProfileRecord(
        profile_id, 2, {}, 1, AT, AT, False, {"first_name": first_name},
        {"first_name": [candidate]},
    )  # fmt: skip


def edge(a: str, b: str, status: str = "active") -> EvidenceEdge:
    a, b = sorted((a, b))
    return EvidenceEdge(a, b, "crm", 1, AT, AT, "observed", status)


def state(members: dict[str, str], *edges: EvidenceEdge) -> GraphSlice:
    """A slice whose profiles are the values of `members` (identifier → profile)."""
    names = {"prf_ann": "Ann", "prf_bob": "Bob", "prf_all": "Ann"}
    profiles = tuple(record(p, names[p]) for p in sorted(set(members.values())))
    return GraphSlice(
        profiles, members, {"prf_old": "prf_bob"}, edges, dict.fromkeys(members, AT),
        frozenset(),
    )  # fmt: skip


def decision(
    kind: DecisionKind, details: dict[str, Any], before: GraphSlice, after: GraphSlice
) -> Decision:
    return Decision(
        "dec_1", kind, "steward", "duplicates", AT,
        tuple(p.id for p in before.profiles), tuple(p.id for p in after.profiles),
        before, after, (ReviewState(7, ANN[0], BOB[0], "open"),), details,
        {"cannot_link": [3]}, None, 4,
    )  # fmt: skip


def split_of_ann_from_bob() -> Decision:
    together = dict.fromkeys((*ANN, *BOB), "prf_all")
    apart = {**dict.fromkeys(ANN, "prf_ann"), **dict.fromkeys(BOB, "prf_bob")}
    link = edge(ANN[0], BOB[0])
    return decision(
        "split",
        {"profile_id": "prf_all", "parts": {"prf_ann": list(ANN), "prf_bob": list(BOB)},
         "log_position": 9},
        state(together, link, edge(*ANN), edge(*BOB)),
        state(apart, edge(ANN[0], BOB[0], "cut"), edge(*ANN), edge(*BOB)),
    )  # fmt: skip


def redact(d: Decision, keys: tuple[str, ...] = ANN) -> Decision | None:
    return redact_decision(d, keys, "aud_1", mentions_any)


def test_a_decision_that_never_named_the_person_is_kept_as_it_is() -> None:
    original = split_of_ann_from_bob()

    assert redact(original, ("email:cy@acme.io",)) is original


def test_a_split_keeps_the_parts_of_the_others_under_their_ids_and_nothing_of_the_person() -> None:
    redacted = redact(split_of_ann_from_bob())

    assert redacted is not None
    assert redacted.details["parts"] == {"prf_bob": list(BOB)}
    assert (redacted.details["profile_id"], redacted.details["log_position"]) == ("prf_all", 9)
    assert redacted_by(redacted) == "aud_1"
    assert redacted.review_before == ()
    assert redacted.created == {"cannot_link": [3]}
    kept = decision_body(redacted, redacted.created)
    for text in ("ann@acme.io", "c-ann", "Ann"):
        assert text not in kept, text
    after = redacted.after.profile("prf_bob")
    assert after is not None
    assert after.attributes == {"first_name": "Bob"}, "never held Ann"
    assert {e.a for e in redacted.after.evidence} | {e.b for e in redacted.after.evidence} == {*BOB}


def test_a_redacted_split_still_tells_it_took_the_person_out_by_type_only() -> None:
    """A later erasure asks whether the split cut an identifier a guard counts off Bob's
    profile (`erasure_holds._cut_off`): it did, Ann's, and still does without her values."""
    original = split_of_ann_from_bob()

    redacted = redact(original)

    assert redacted is not None
    assert taken_out(original, BOB[0]) == set(ANN)
    assert redacted.details[ERASED_MOVES] == [
        {"type": "cookie_id", "before": "prf_all", "after": "prf_ann"},
        {"type": "email", "before": "prf_all", "after": "prf_ann"},
    ]
    assert taken_out(redacted, BOB[0]) == {"cookie_id:(erased 1)", "email:(erased 2)"}
    assert taken_out(redacted, BOB[1]) == taken_out(redacted, BOB[0])


def test_a_second_erasure_keeps_what_the_first_kept_of_a_split() -> None:
    cy = "email:cy@acme.io"
    three = replace(
        split_of_ann_from_bob(),
        before=state({**dict.fromkeys((*ANN, *BOB), "prf_all"), cy: "prf_all"}),
        after=state(
            {**dict.fromkeys(ANN, "prf_ann"), **dict.fromkeys(BOB, "prf_bob"), cy: "prf_bob"}
        ),
    )
    parts = {"prf_ann": list(ANN), "prf_bob": [*BOB, cy]}
    three = replace(three, details={**three.details, "parts": parts})

    once = redact(three)
    assert once is not None
    twice = redact(once, (BOB[0],))

    assert twice is not None
    assert [m["type"] for m in twice.details[ERASED_MOVES]] == ["cookie_id", "email", "email"]
    assert taken_out(twice, cy) == {"cookie_id:(erased 1)", "email:(erased 2)"}, "Bob stayed"
    assert taken_out(twice, BOB[1]) == taken_out(twice, cy)


def test_a_split_redacted_before_the_moves_were_kept_reads_as_it_did() -> None:
    """A store whose erasure kept no `ERASED_MOVES`: the split tells only what it names."""
    redacted = redact(split_of_ann_from_bob())
    assert redacted is not None
    details = {k: v for k, v in redacted.details.items() if k != ERASED_MOVES}

    assert taken_out(replace(redacted, details=details), BOB[0]) == set()


def test_a_split_with_only_the_person_left_in_it_goes() -> None:
    assert redact(split_of_ann_from_bob(), (*ANN, *BOB)) is None


def test_a_rejection_with_the_person_on_one_side_goes_and_one_without_stays() -> None:
    apart = {**dict.fromkeys(ANN, "prf_ann"), **dict.fromkeys(BOB, "prf_bob")}
    held = state(apart, edge(ANN[1], BOB[1], "held"))
    rejected = decision(
        "review_reject", {"item_id": 7, "a": ANN[1], "b": BOB[1], "log_position": 3},
        held, held,
    )  # fmt: skip

    assert redact(rejected) is None
    assert redact(rejected, ("email:cy@acme.io",)) is rejected


CY = "phone:+14155552671"
"""Another identifier of Ann's profile, linked to the one the merge names."""


def merge_of_ann_into_bob() -> Decision:
    """A steward's merge of Ann's profile (ANN[0] and CY) into Bob's, naming ANN[0]."""
    apart = {ANN[0]: "prf_ann", CY: "prf_ann", **dict.fromkeys(BOB, "prf_bob")}
    merged = dict.fromkeys(apart, "prf_bob")
    return decision(
        "manual_merge", {"a": ANN[0], "b": BOB[0], "log_position": 5},
        state(apart, edge(ANN[0], CY)), state(merged, edge(ANN[0], BOB[0])),
    )  # fmt: skip


def test_a_merge_the_person_was_one_end_of_is_named_by_another_identifier_of_that_end() -> None:
    merge = merge_of_ann_into_bob()

    redacted = redact(merge, (ANN[0],))
    alone = redact(merge, (ANN[0], CY))

    assert redacted is not None
    assert (redacted.details["a"], redacted.details["b"]) == (CY, BOB[0])
    assert redacted.details["stand_ins"] == ["a"]
    assert stands_in(redacted), "no steward linked the stand-in: a replay writes no link"
    assert not stands_in(merge)
    assert alone is None, "nothing of that end is left to merge"


def test_an_end_that_stood_in_once_stands_in_after_another_erasure() -> None:
    merge = merge_of_ann_into_bob()

    once = redact(merge, (ANN[0],))
    assert once is not None
    twice = redact(once, (BOB[0],))

    assert twice is not None
    assert (twice.details["a"], twice.details["b"]) == (CY, BOB[1])
    assert twice.details["stand_ins"] == ["a", "b"]


def test_a_reason_quoting_the_person_is_replaced() -> None:
    original = split_of_ann_from_bob()
    told = replace(original, reason="ANN@acme.io is two people")

    redacted = redact(told)
    untouched = redact(original)

    assert redacted is not None
    assert redacted.reason == REDACTED_REASON
    assert untouched is not None
    assert untouched.reason == "duplicates"
