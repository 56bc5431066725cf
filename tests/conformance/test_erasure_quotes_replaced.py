"""An erasure's report counts the copies of a steward's reason quoting the person it replaced
(`ErasureCounts.quotes_replaced`): each merge note, cannot-link, must-link and review
resolution rewritten, the same on every store, and its audit entry keeps the count."""

from __future__ import annotations

from datora_graph.domain.audit import AuditFilter
from datora_graph.domain.erasure import ErasureCounts
from datora_graph.domain.profiles import ReviewFilter
from datora_graph.erasure_service import ErasureService

from .replay_world import World

QUOTE = "same household as e0@x.io"


def _erase_e0(world: World) -> ErasureCounts:
    """Erase e0; the audit entry must keep the count the report gives."""
    report = ErasureService(world.identity).erase_profile("email:e0@x.io", reason="r", actor="s")
    counts = report.counts
    [entry] = world.store.list_audit(AuditFilter(action="erasure")).items
    assert entry.details["quotes_replaced"] == counts.quotes_replaced
    return counts


def test_a_merge_quoting_the_person_counts_its_note_and_its_must_link(world: World) -> None:
    """k1's and U1's profiles merged quoting e0: the merge note and the must-link are
    rewritten (the decision is not counted here, nor its audit entry)."""
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1")
    world.ingest("user_id:U1")
    world.stewards.merge_profiles("cookie_id:k1", "user_id:U1", reason=QUOTE, actor="s")

    assert _erase_e0(world).quotes_replaced == 2


def test_a_merge_quoting_the_person_counts_the_item_it_accepted(world: World) -> None:
    """The merge also accepts the held link of C1 and C2 (`merged by decision …: …`): its
    resolution is the third text rewritten."""
    world.ingest("email:e0@x.io")
    world.ingest("crm_id:C2", "cookie_id:k3", "crm_id:C1")
    world.stewards.merge_profiles("cookie_id:k3", "crm_id:C2", reason=QUOTE, actor="s")
    assert world.store.list_review_items(ReviewFilter("accepted", 0, 10)).items, "the premise"

    assert _erase_e0(world).quotes_replaced == 3


def test_a_split_quoting_the_person_counts_its_cannot_link(world: World) -> None:
    """A split of k1 from U1 quoting e0 makes one cannot-link, and no note or must-link."""
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1", "user_id:U1")
    profile = world.identity.lookup("user_id:U1").id
    world.stewards.split_profile(
        profile, cut_edges=[("cookie_id:k1", "user_id:U1")], reason=QUOTE, actor="s"
    )

    assert _erase_e0(world).quotes_replaced == 1


def test_an_erasure_no_decision_quoted_replaces_none(world: World) -> None:
    """A merge whose reason does not quote e0 keeps its note and must-link as they were."""
    world.ingest("email:e0@x.io")
    world.ingest("cookie_id:k1")
    world.ingest("user_id:U1")
    world.stewards.merge_profiles("cookie_id:k1", "user_id:U1", reason="same house", actor="s")

    assert _erase_e0(world).quotes_replaced == 0
