"""Steward decisions on every store: slices of the graph, decisions written and undone whole,
the decision log and must-links kept across a rebuild."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from datora_graph.domain.audit import AuditFilter, new_audit_entry
from datora_graph.domain.errors import Conflict
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.domain.steward import (
    Decision,
    GraphSlice,
    KeyPair,
    MergeNote,
    ProfileRecord,
    ReviewState,
    StewardChange,
)
from datora_graph.store.base import GraphStore
from datora_graph.store.steward_rows import slice_to_json

from .builders import at, held_link, merger, seed

ANN = ("crm_id:C-1", "email:ann@acme.io")
KIOSK = ("device_id:kiosk",)
BOB = ("crm_id:C-2",)


def _world(store: GraphStore) -> None:
    """prf_ann absorbed prf_kiosk (an alias now); prf_bob is held apart by a review item."""
    ann = seed(store, "prf_ann", ANN, seq=1, attributes={"first_name": "Ann"})
    kiosk = seed(store, "prf_kiosk", KIOSK, seq=2)
    seed(store, "prf_bob", BOB, seq=3)
    changeset, _ = merger(
        ann.state,
        kiosk.state,
        seq=4,
        link=("email:ann@acme.io", KIOSK[0]),
        attributes={"first_name": "Ann"},
    )
    store.commit(changeset)
    store.commit(held_link(KIOSK[0], BOB[0], "prf_ann", "prf_bob", seq=5))


def _state(store: GraphStore) -> dict[str, Any]:
    """Everything an undo must restore, as comparable values."""
    keys = [*ANN, *KIOSK, *BOB]
    profiles = store.get_profiles(["prf_ann", "prf_bob", "prf_split"])
    return {
        "profiles": {
            pid: (
                p.size,
                dict(p.attributes),
                [i.identifier.key for i in p.identifiers],
                sorted(p.aliases),
            )
            for pid, p in profiles.items()
        },
        "members": store.profile_ids_for_identifiers(keys),
        "aliases": store.resolve_profile_ids(["prf_kiosk", "prf_split"]),
        "review": [
            (i.id, i.status) for i in store.list_review_items(ReviewFilter(status=None)).items
        ],
        "constraints": {k: sorted(v) for k, v in store.load_snapshot(keys).key_constraints.items()},
        "slice": slice_to_json(store.profile_slice(["prf_ann", "prf_bob", "prf_split"])),
        "history": store.merge_history(["prf_ann", "prf_split"]),
    }


def test_a_slice_holds_rows_members_aliases_and_touching_evidence(store: GraphStore) -> None:
    _world(store)

    found = store.profile_slice(["prf_ann"])

    assert [p.id for p in found.profiles] == ["prf_ann"]
    assert found.profiles[0].attributes == {"first_name": "Ann"}
    assert found.profiles[0].size == 3
    assert found.assignments == dict.fromkeys((*ANN, *KIOSK), "prf_ann")
    assert found.aliases == {"prf_kiosk": "prf_ann"}
    pairs = {(e.a, e.b, e.status) for e in found.evidence}
    assert ("crm_id:C-1", "email:ann@acme.io", "active") in pairs
    assert ("device_id:kiosk", "email:ann@acme.io", "active") in pairs
    assert ("crm_id:C-2", "device_id:kiosk", "held") in pairs, "held evidence to another profile"
    assert set(found.first_seen) == set(found.assignments)
    assert store.profile_slice(["prf_nobody"]) == GraphSlice((), {}, {}, (), {}, frozenset())


def _split(store: GraphStore, before: GraphSlice) -> StewardChange:
    """Kiosk moves to a new profile prf_split; its evidence with ann is cut; a cannot-link and
    a must-link are recorded, a merge note written and the review item closed."""
    ann = before.profiles[0]
    part = ProfileRecord("prf_split", 1, {"device_id": 1}, 2, at(2), at(2), False, {}, {})
    kept = replace(ann, size=2, type_counts={"crm_id": 1, "email": 1})
    evidence = tuple(
        replace(e, status="cut") if "device_id:kiosk" in (e.a, e.b) and e.status == "active" else e
        for e in before.evidence
    )
    after = GraphSlice(
        (kept, part),
        {**before.assignments, "device_id:kiosk": "prf_split"},
        before.aliases,
        evidence,
        before.first_seen,
        before.junk,
    )
    decision = Decision(
        "dec_1",
        "split",
        "ann",
        "shared kiosk",
        at(20),
        ("prf_ann",),
        ("prf_ann", "prf_split"),
        before,
        after,
        (ReviewState(1, "crm_id:C-2", "device_id:kiosk", "open"),),
        {"profile_id": "prf_ann"},
    )
    return StewardChange(
        decision,
        after,
        cannot_links=(KeyPair.of("crm_id:C-1", "device_id:kiosk", "split"),),
        must_links=(KeyPair.of("crm_id:C-2", "device_id:kiosk", "same kiosk"),),
        merges=(MergeNote("prf_x", "prf_split", at(20), "note"),),
        review=(ReviewState(1, "crm_id:C-2", "device_id:kiosk", "rejected", "ann", at(20), "no"),),
    )


def test_a_decision_is_applied_and_logged_whole(store: GraphStore) -> None:
    _world(store)
    entry = new_audit_entry("ann", "split", "kiosk", ("prf_ann",), ("prf_ann", "prf_split"))
    change = replace(_split(store, store.profile_slice(["prf_ann"])), audit=(entry,))

    logged = store.apply_steward_change(change)

    assert logged.id == "dec_1"
    assert logged.seq > 0
    assert len(logged.created["cannot_link"]) == 1
    assert len(logged.created["must_link"]) == 1
    assert store.profile_ids_for_identifiers(["device_id:kiosk"]) == {
        "device_id:kiosk": "prf_split"
    }
    assert store.get_profiles(["prf_ann"])["prf_ann"].size == 2
    now = store.profile_slice(["prf_ann", "prf_split"])
    assert slice_to_json(now) == slice_to_json(change.write)
    assert [i.status for i in store.list_review_items(ReviewFilter(status=None)).items] == [
        "rejected"
    ]
    assert store.load_snapshot(["crm_id:C-1"]).key_constraints["crm_id:C-1"]
    assert [m.reason for m in store.merge_history(["prf_split"])["prf_split"]] == ["note"]
    assert store.get_decisions(["dec_1", "dec_x"]) == {"dec_1": logged}
    assert logged.after == change.write
    assert logged.review_before == change.decision.review_before
    assert list(store.list_audit(AuditFilter()).items) == [entry]


def test_writing_the_before_slice_back_restores_exactly(store: GraphStore) -> None:
    _world(store)
    before = _state(store)
    change = _split(store, store.profile_slice(["prf_ann"]))
    logged = store.apply_steward_change(change)
    undo = StewardChange(
        Decision("dec_2", "undo", "ann", "oops", at(21), ("prf_ann", "prf_split"), ("prf_ann",)),
        logged.before,
        remove_profiles=("prf_split",),
        delete_cannot_links=tuple(logged.created["cannot_link"]),
        delete_must_links=tuple(logged.created["must_link"]),
        delete_merges_of="dec_1",
        review=logged.review_before,
        undoes="dec_1",
    )

    store.apply_steward_change(undo)

    assert _state(store) == before
    assert store.get_decisions(["dec_1"])["dec_1"].undone_by == "dec_2"
    entry = new_audit_entry("ann", "undo", "again", subject="dec_3")
    with pytest.raises(Conflict):
        store.apply_steward_change(
            replace(undo, decision=replace(undo.decision, id="dec_3"), audit=(entry,))
        )
    assert "dec_3" not in store.get_decisions(["dec_3"]), "a refused decision leaves nothing"
    assert store.list_audit(AuditFilter(subject="dec_3")).items == []


def test_a_decision_deletes_the_merge_notes_of_the_ids_it_drops(store: GraphStore) -> None:
    """A re-applied split drops an alias live never had with the note of the merge that made
    it (`delete_merges_absorbing`): the notes that absorbed those IDs go, whichever record or
    decision wrote them, and no other; the change's own notes are written after."""
    _world(store)
    store.apply_steward_change(_split(store, store.profile_slice(["prf_ann"])))
    again = MergeNote("prf_kiosk", "prf_split", at(21), "noted again")
    change = StewardChange(
        Decision("dec_2", "split", "ann", "replayed", at(21), ("prf_ann",), ("prf_ann",)),
        GraphSlice(),
        remove_aliases=("prf_kiosk",),
        merges=(again,),
        delete_merges_absorbing=("prf_kiosk", "prf_nobody"),
    )

    store.apply_steward_change(change)

    history = store.merge_history(["prf_ann", "prf_split"])
    assert "prf_ann" not in history, "the note of the record's merge of prf_kiosk is gone"
    assert [(m.absorbed, m.reason) for m in history["prf_split"]] == [
        ("prf_x", "note"),
        ("prf_kiosk", "noted again"),
    ]


def test_a_decision_turns_a_merge_note_the_other_way_round(store: GraphStore) -> None:
    """A re-applied split finds the replay merged the split profile into the profile live
    merged into it (an erasure made the other one the larger): `reverse_merges` turns that
    note round, keeping its observation, time and reason, before the notes absorbing the
    dropped aliases go (`delete_merges_absorbing`), so it is not deleted with them."""
    _world(store)
    [noted] = store.merge_history(["prf_ann"])["prf_ann"]
    change = StewardChange(
        Decision("dec_2", "split", "ann", "replayed", at(21), ("prf_ann",), ("prf_ann",)),
        GraphSlice(),
        reverse_merges=(("prf_kiosk", "prf_ann"), ("prf_bob", "prf_ann")),
        delete_merges_absorbing=("prf_kiosk",),
    )

    store.apply_steward_change(change)

    history = store.merge_history(["prf_ann"])
    assert history == {"prf_ann": [replace(noted, absorbed="prf_ann", survivor="prf_kiosk")]}, (
        "listed under prf_ann still, prf_kiosk being its alias; no note of prf_bob made"
    )


def test_a_decision_writes_a_note_under_the_record_that_made_it(store: GraphStore) -> None:
    """A re-applied split writes the notes an erasure kept live that no replay makes again
    (`KEPT_MERGES`) under the record or decision that made them live, not its own ID; a
    note naming none is the change's own."""
    _world(store)
    kept = MergeNote("prf_bob", "prf_ann", at(5), "observed evidence", observation_id="o_7")
    own = MergeNote("prf_carl", "prf_ann", at(21), "noted")
    change = StewardChange(
        Decision("dec_2", "split", "ann", "replayed", at(21), ("prf_ann",), ("prf_ann",)),
        GraphSlice(),
        merges=(kept, own),
    )

    store.apply_steward_change(change)

    noted = {m.absorbed: m.observation_id for m in store.merge_history(["prf_ann"])["prf_ann"]}
    assert noted["prf_bob"] == "o_7"
    assert noted["prf_carl"] == "dec_2"


def test_the_log_pages_and_survives_a_rebuild(store: GraphStore) -> None:
    _world(store)
    change = _split(store, store.profile_slice(["prf_ann"]))
    store.apply_steward_change(change)
    for n in range(2, 5):
        store.apply_steward_change(
            StewardChange(replace(change.decision, id=f"dec_{n}"), GraphSlice())
        )

    first = store.list_decisions(0, 3)
    assert [d.id for d in first.decisions] == ["dec_1", "dec_2", "dec_3"]
    assert first.next_after is not None
    rest = store.list_decisions(first.next_after, 3)
    assert [d.id for d in rest.decisions] == ["dec_4"]
    assert rest.next_after is None

    store.reset_derived()
    store.finish_rebuild()

    assert [d.id for d in store.list_decisions(0, 10).decisions] == [
        f"dec_{n}" for n in range(1, 5)
    ]
    assert store.load_snapshot(["crm_id:C-1"]).key_constraints["crm_id:C-1"]


def test_a_decision_not_to_record_leaves_the_log_alone(store: GraphStore) -> None:
    _world(store)
    change = _split(store, store.profile_slice(["prf_ann"]))

    store.apply_steward_change(replace(change, record=False))

    assert store.list_decisions(0, 10).decisions == []
    assert store.profile_ids_for_identifiers(["device_id:kiosk"])["device_id:kiosk"] == "prf_split"


def test_a_decision_that_would_open_a_second_item_of_a_pair_is_refused(store: GraphStore) -> None:
    """At most one item of a pair is open, on either store: a reopening beside a newer open item
    of its pair is a Conflict, and nothing of the decision is kept."""
    _world(store)
    [first] = store.list_review_items(ReviewFilter()).items
    close = ReviewState(first.id, first.a, first.b, "rejected", "ann", at(20), "two people")
    store.apply_steward_change(
        StewardChange(
            Decision("dec_1", "review_reject", "ann", "no", at(20), (), ()),
            GraphSlice(),
            review=(close,),
        )
    )
    store.commit(held_link(KIOSK[0], BOB[0], "prf_ann", "prf_bob", seq=6, source="web"))
    reopen = ReviewState(first.id, first.a, first.b, "open")

    with pytest.raises(Conflict):
        store.apply_steward_change(
            StewardChange(
                Decision("dec_2", "undo", "ann", "oops", at(21), (), ()),
                GraphSlice(),
                review=(reopen,),
                undoes="dec_1",
            )
        )

    items = store.list_review_items(ReviewFilter(status=None)).items
    assert [(i.id == first.id, i.status) for i in items] == [(True, "rejected"), (False, "open")]
    assert store.get_decisions(["dec_1"])["dec_1"].undone_by is None
