"""A rebuild and a migration reproduce the live graph after two erasures in a row over a record
that quarantined an identifier at one of its links (a limit held it).

The first erasure keeps that quarantine for a replay, on the record itself
(`_quarantined_linking_here`), and gives it the reason a replay gives it
(`KEPT_QUARANTINE_REASON`), which no longer says it was made at a link. The second erasure
then reads the quarantine as made before the record: the marks it writes must not follow
that reading. They do not: a record already marked keeps its mark (`redacted_text`,
`mark_quarantined` and `mark_name_checked` look for either mark first), and the only other
reader, the link walk of `erasure_links._links_inside`, then puts the identifier last, which
changes no mark: its link was held there, so it joined nothing into the anchor's profile, and
its own link is one a review item was opened on, whose join the record counted.

A search biased toward two erasures found another shape instead (AE): a hold the first
erasure's person caused, marked by the second past the split that ended it, which the
redaction no longer let name the person; the redacted split now keeps the type of what it
took out (`erasure_decisions.ERASED_MOVES`)."""

from __future__ import annotations

import json
from typing import Any

from datora_graph.domain.kept_holds import KEPT_HOLDS
from datora_graph.domain.kept_links import KEPT_ANSWERS, KEPT_LINKS
from datora_graph.domain.records import (
    KEPT_LINK_QUARANTINES,
    KEPT_NAME_CHECK,
    KEPT_QUARANTINE_REASON,
    KEPT_QUARANTINES,
)

from .replay_world import World

U1, U2, C1, C2 = "user_id:U1", "user_id:U2", "crm_id:C1", "crm_id:C2"
E0, E1, PHONE = "email:e0@x.io", "email:e1@x.io", "phone:+14155552671"
D1, K1, K2 = "device_id:d1", "cookie_id:k1", "cookie_id:k2"


def logged(world: World, seq: int) -> dict[str, Any]:
    """The logged record at log position `seq`, as the erasures left it."""
    entries = world.store.read_log(seq - 1, 1)
    assert entries
    assert entries[0][0] == seq
    parsed: dict[str, Any] = json.loads(entries[0][1])
    return parsed


def marked(record: dict[str, Any], mark: str) -> list[str]:
    """The keys (`type:value`) a logged record keeps under `mark`."""
    return sorted(f"{raw['type']}:{raw['value']}" for raw in record.get(mark, ()))


def links(record: dict[str, Any]) -> list[tuple[str, ...]]:
    """The links a logged record keeps active (`_linked_here`), by key."""
    return sorted(
        tuple(sorted(f"{end['type']}:{end['value']}" for end in (pair["a"], pair["b"])))
        for pair in record.get(KEPT_LINKS, ())
    )


def answered(record: dict[str, Any]) -> list[tuple[str, ...]]:
    """The review items a logged record keeps as answered by it (`_answered_here`), by key."""
    return sorted(
        tuple(sorted(f"{end['type']}:{end['value']}" for end in (pair["a"], pair["b"])))
        for pair in record.get(KEPT_ANSWERS, ())
    )


def reason(world: World, key: str) -> str:
    return world.store.load_snapshot([key]).identifier_guards[key].reason


def test_a_quarantine_kept_at_a_link_stays_there_when_the_next_erasure_rewrites_the_record(
    world: World,
) -> None:
    """d1 was quarantined at the record's link to it (U1 and U2, two user accounts); U2, split
    off and erased, made it so, and the record keeps the quarantine at the link. Erasing k1
    then rewrites the record again (k1 went): d1, read as quarantined before the record now,
    stays kept at the link only; kept before linking too, a replay would order it last and
    hold its link as a quarantine rather than a limit."""
    world.ingest(U1, E0, K1)
    world.ingest(U2, D1)
    world.ingest(E0, D1, K1)
    world.split(U2, (D1, U2))
    world.erase(U2)
    assert reason(world, D1) == KEPT_QUARANTINE_REASON
    assert marked(logged(world, 3), KEPT_LINK_QUARANTINES) == [D1]
    world.ingest(K1, K2)
    world.erase(K1)
    record = logged(world, 3)
    live = world.state()

    assert marked(record, KEPT_LINK_QUARANTINES) == [D1]
    assert marked(record, KEPT_QUARANTINES) == []
    assert D1 in live["quarantined"]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_link_inside_the_second_persons_profile_stays_active_past_a_kept_link_quarantine(
    world: World,
) -> None:
    """The shape the suspicion named: Ann's record (e0, d1, k1, k2) quarantined d1 at its link
    (U1 and U2); the first erasure (U2 with k2, split off d1) rewrote it and kept d1 at that
    link. C2's record had joined e0 and k1 before; with C2 split off and erased, the record's
    link e0-k1 was made inside a profile only C2 had joined, and the second erasure must keep
    it active (`_linked_here`) though it reads d1, between e0 and k1 in the engine's link
    order, as quarantined before the record; and it keeps the record's name check with no
    quarantine before linking: d1 was open when Ann's name was checked."""
    _erase_u2_then_c2(world, rebuild_between=False)


def test_an_item_kept_answered_goes_from_its_record_with_the_next_erased_end(
    world: World,
) -> None:
    """Cy's record (o4, d2 with d1) answered k1-bob live by joining Ann's profile, where her
    email had tied k1, with Bob's; Ann's erasure keeps it answered there (`_answered_here`,
    naming k1 and Bob's email, which o4 does not carry). k1 split off and erased next: the
    log index does not find o4 for k1, the answered item does, and the mark goes with k1's
    value while the rest of the record stays; a replay agrees."""
    ann, bob = "email:ann@x.io", "email:bob@x.io"
    d2 = "device_id:d2"
    world.ingest(ann, K1, d2, first_name="Ann")
    world.ingest(bob, D1, first_name="Bob")
    world.ingest(bob, K1, first_name="Bob")
    world.ingest(d2, D1)
    profile = world.identity.lookup(bob).id
    world.stewards.split_profile(profile, groups=[[ann], [K1, d2, bob, D1]], reason="r", actor="s")
    world.erase(ann)
    assert answered(logged(world, 4)) == [(K1, bob)]

    profile = world.identity.lookup(bob).id
    world.stewards.split_profile(profile, groups=[[K1], [d2, bob, D1]], reason="r", actor="s")
    world.erase(K1)
    live = world.state()

    record = logged(world, 4)
    assert KEPT_ANSWERS not in record
    assert marked(record, "identifiers") == [D1, d2]
    assert not any("k1" in payload for _, payload in world.store.read_log(0, 100))
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_rebuild_between_the_two_erasures_changes_nothing_they_keep(world: World) -> None:
    """As above with a rebuild after the first erasure: the replay gives d1 the kept reason
    too, and the second erasure reads the rebuilt graph as it read the live one."""
    _erase_u2_then_c2(world, rebuild_between=True)


def _erase_u2_then_c2(world: World, *, rebuild_between: bool) -> None:
    world.ingest(U1, E0)
    world.ingest(U2, D1, K2)
    world.ingest(C2, E0, K1)
    world.ingest(E0, D1, K1, K2, first_name="Ann")
    world.split(U2, (D1, U2))
    world.erase(U2)
    assert reason(world, D1) == KEPT_QUARANTINE_REASON
    assert marked(logged(world, 4), KEPT_LINK_QUARANTINES) == [D1]
    if rebuild_between:
        world.identity.rebuild()
        assert reason(world, D1) == KEPT_QUARANTINE_REASON
    world.split(C2, (C2, E0), (C2, K1))
    world.erase(C2)
    record = logged(world, 4)
    live = world.state()

    assert links(record) == [(K1, E0)]
    assert marked(record, KEPT_LINK_QUARANTINES) == [D1]
    assert marked(record, KEPT_QUARANTINES) == []
    assert record.get(KEPT_NAME_CHECK) is True
    assert D1 in live["quarantined"]
    assert world.migrated() == live
    assert world.rebuilt() == live


def test_a_hold_the_first_erased_person_caused_is_not_kept_past_its_split_by_the_next(
    world: World,
) -> None:
    """The hunt's AE (a biased run, seed 7): U1 made the CRM number's record with U2 held (two
    user accounts); a split cut U1 off C1 and the first erasure took U1, keeping the hold on
    that record only, up to the split. C1 and U2 sent again then joined live and answered
    the item. Erasing C2 (held apart from C1 by the first record) looks at the same hold
    again; the split, redacted by the first erasure, no longer names U1, but keeps that it
    took a user account out of C1's profile (`taken_out`): it still ends the span, and the
    later record is not marked held, which a replay would hold."""
    world.ingest(C1, C2, U1)
    world.ingest(C1, U2)
    world.split(C1, (C1, U1))
    world.erase(U1)
    world.ingest(C1, U2)
    world.erase(C2)
    live = world.state()

    assert live["answered"] == [(C1, U2, "o3")]
    assert KEPT_HOLDS not in logged(world, 3)
    assert world.migrated() == live
    assert world.rebuilt() == live
