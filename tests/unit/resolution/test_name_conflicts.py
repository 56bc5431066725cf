"""The name-conflict guard: an identifier a record ties to a profile of another first name is
quarantined as shared; nicknames, typos and limited types are not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from datora_graph.domain.identifiers import GuardSettings, IdentifierRegistry
from datora_graph.domain.records import KEPT_QUARANTINE_REASON
from datora_graph.domain.survivorship import SurvivorshipRules
from datora_graph.resolution.engine import ResolutionEngine

from .conftest import Observe
from .graph_model import GraphModel, resolve_batch

FAMILY = "email:thelees@mail.io"
ANN_COOKIE, BOB_COOKIE = "cookie_id:ann", "cookie_id:bob"
BOB_USER = "user_id:U-bob"


def named(observe: Observe, *keys: str, name: str) -> object:
    return observe(*keys, source="newsletter", attributes={"first_name": name})


def test_a_record_of_another_name_quarantines_the_identifier_it_shares(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [named(observe, FAMILY, ANN_COOKIE, name="Ann")])
    changeset = resolve_batch(engine, model, [named(observe, FAMILY, BOB_COOKIE, name="Bob")])

    assert not model.same_profile(FAMILY, BOB_COOKIE)
    assert model.same_profile(FAMILY, ANN_COOKIE)
    guard = model.guards[FAMILY]
    assert guard.quarantined
    assert guard.reason == "it was seen with first name 'Bob' while its profile holds 'Ann'"
    assert [g.key for g in changeset.identifier_guards] == [FAMILY]
    (item,) = changeset.review_items
    assert (item.guard, item.a, item.b) == ("quarantine", BOB_COOKIE, FAMILY)
    assert "first name 'Bob'" in item.reason
    assert item.suggested_action == f"reject: the email address {FAMILY} is shared ({guard.reason})"
    assert model.attributes(model.profile_of(BOB_COOKIE)) == {"first_name": "Bob"}
    assert model.attributes(model.profile_of(ANN_COOKIE)) == {"first_name": "Ann"}
    assert model.inconsistencies() == []


@pytest.mark.parametrize("name", ["Ann", "ANN", "Anne", "Annie", "Nan"])
def test_one_persons_name_as_written_elsewhere_links_as_usual(
    engine: ResolutionEngine, model: GraphModel, observe: Observe, name: str
) -> None:
    resolve_batch(engine, model, [named(observe, FAMILY, ANN_COOKIE, name="Ann")])
    resolve_batch(engine, model, [named(observe, FAMILY, BOB_COOKIE, name=name)])

    assert model.same_profile(FAMILY, ANN_COOKIE, BOB_COOKIE)
    assert FAMILY not in model.quarantined()


def test_a_profile_without_a_name_gives_nothing_to_disagree_with(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [observe(FAMILY, ANN_COOKIE)])
    resolve_batch(engine, model, [named(observe, FAMILY, BOB_COOKIE, name="Bob")])

    assert model.same_profile(FAMILY, ANN_COOKIE, BOB_COOKIE)
    assert model.quarantined() == set()


def test_nothing_is_quarantined_when_every_profile_disagrees(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    """No side agrees with the record, so there is nothing to keep apart (a renamed person?)."""
    resolve_batch(engine, model, [named(observe, FAMILY, name="Ann")])
    resolve_batch(engine, model, [named(observe, BOB_COOKIE, name="Cleo")])
    resolve_batch(engine, model, [named(observe, FAMILY, BOB_COOKIE, name="Bob")])

    assert model.quarantined() == set()
    assert model.same_profile(FAMILY, BOB_COOKIE)


def test_an_identifier_of_a_limited_type_is_never_quarantined_for_a_name(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [named(observe, BOB_USER, ANN_COOKIE, name="Robert")])
    resolve_batch(engine, model, [named(observe, BOB_USER, BOB_COOKIE, name="Dave")])

    assert model.quarantined() == set()
    assert model.same_profile(BOB_USER, ANN_COOKIE, BOB_COOKIE)


def test_the_guard_can_be_switched_off(observe: Observe) -> None:
    engine = ResolutionEngine(
        IdentifierRegistry.default(), SurvivorshipRules(), GuardSettings(name_conflicts=False)
    )
    model = GraphModel()
    resolve_batch(engine, model, [named(observe, FAMILY, ANN_COOKIE, name="Ann")])
    resolve_batch(engine, model, [named(observe, FAMILY, BOB_COOKIE, name="Bob")])

    assert model.same_profile(FAMILY, ANN_COOKIE, BOB_COOKIE)
    assert model.quarantined() == set()


def test_a_quarantined_identifier_no_longer_links_later_records(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [named(observe, FAMILY, ANN_COOKIE, name="Ann")])
    resolve_batch(engine, model, [named(observe, FAMILY, BOB_COOKIE, name="Bob")])
    resolve_batch(engine, model, [observe(FAMILY, "phone:+14155550101")])

    assert not model.same_profile(FAMILY, "phone:+14155550101")


def test_the_quarantine_keeps_the_position_of_the_record_that_made_it(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    resolve_batch(engine, model, [named(observe, FAMILY, ANN_COOKIE, name="Ann")])
    resolve_batch(engine, model, [observe(ANN_COOKIE)])
    bob = named(observe, FAMILY, BOB_COOKIE, name="Bob")
    resolve_batch(engine, model, [bob])

    assert model.guards[FAMILY].quarantined_seq == bob.seq == 3


def test_a_record_an_erasure_rewrote_quarantines_again_what_it_quarantined_live(
    engine: ResolutionEngine, model: GraphModel, observe: Observe, registry: IdentifierRegistry
) -> None:
    """Bob's cookie and name went; the record keeps only the family email, which it marks."""
    resolve_batch(engine, model, [named(observe, FAMILY, ANN_COOKIE, name="Ann")])
    family = registry.parse(*FAMILY.split(":", 1))
    rewritten = replace(observe(FAMILY), quarantines=(family,))
    resolve_batch(engine, model, [rewritten])
    resolve_batch(engine, model, [observe(FAMILY, "phone:+14155550101")])

    guard = model.guards[FAMILY]
    assert (guard.quarantined, guard.quarantined_seq) == (True, 2)
    assert guard.reason == KEPT_QUARANTINE_REASON
    assert not model.same_profile(FAMILY, "phone:+14155550101")
    assert model.inconsistencies() == []


def test_a_quarantine_an_erased_record_kept_from_a_held_link_is_made_at_that_link(
    engine: ResolutionEngine, model: GraphModel, observe: Observe, registry: IdentifierRegistry
) -> None:
    """Live, Ann's cookie was open when the record's name was checked (its profile has no
    name, so it agreed, and the family email was found shared), and quarantined only when
    its link to Bob's user ID was held (the erased user ID of its profile made the limit)."""
    resolve_batch(engine, model, [named(observe, BOB_USER, FAMILY, name="Bob")])
    resolve_batch(engine, model, [observe(ANN_COOKIE)])
    cookie = registry.parse(*ANN_COOKIE.split(":", 1))
    rewritten = replace(
        named(observe, FAMILY, ANN_COOKIE, BOB_USER, name="Ann"), link_quarantines=(cookie,)
    )
    resolve_batch(engine, model, [rewritten])

    assert model.guards[FAMILY].reason.startswith("it was seen with first name 'Ann'")
    guard = model.guards[ANN_COOKIE]
    assert (guard.quarantined, guard.quarantined_seq) == (True, 3)
    assert guard.reason == KEPT_QUARANTINE_REASON
    assert not model.same_profile(ANN_COOKIE, BOB_USER)
    assert model.inconsistencies() == []


def test_a_record_an_erasure_rewrote_counts_again_the_joins_it_counted_live(
    engine: ResolutionEngine, model: GraphModel, observe: Observe, registry: IdentifierRegistry
) -> None:
    """Bob's email went; the record keeps only the kiosk, which it marks as joined here."""
    kiosk = "device_id:kiosk-7"
    resolve_batch(engine, model, [observe(ANN_COOKIE, kiosk)])
    rewritten = replace(observe(kiosk), joins=(registry.parse(*kiosk.split(":", 1)),))
    resolve_batch(engine, model, [rewritten])

    guard = model.guards[kiosk]
    assert (guard.joins, guard.join_seqs, guard.quarantined) == (1, (2,), False)
    assert model.inconsistencies() == []


def test_a_record_whose_anchor_an_erasure_removed_links_nothing(
    engine: ResolutionEngine, model: GraphModel, observe: Observe
) -> None:
    rewritten = replace(observe(ANN_COOKIE, BOB_COOKIE, FAMILY), unlinked=True)
    resolve_batch(engine, model, [rewritten])

    assert not model.same_profile(ANN_COOKIE, BOB_COOKIE)
    assert not model.same_profile(ANN_COOKIE, FAMILY)
    assert model.inconsistencies() == []
