"""The review items an erasure rewrites at the identifiers it quarantines again.

Where the erasure takes what made an identifier shared, it keeps the quarantine (a mark on the
record that made it, `_quarantined_here` or `_quarantined_linking_here`) with a reason naming
no one (`KEPT_QUARANTINE_REASON`), and a replay holds the identifier's links by it. The items
of others held there live must read as the replay's do:

- An item held by the quarantine quoted its old reason, which may quote the erased person's
  first name. It is written again whole as that quarantine's item (`quarantine_item_rewrites`):
  replacing the guard's current reason inside it left the rest of the text where a split had
  changed the reason since (`… holds 'Bob', 'Bob'` against `… holds 'Bob'`: `, 'Bob')` stayed).
- A record's link held by the hub bound (`hub: k2 would join 4 profiles`) quarantined the
  identifier there; the erasure took profiles it had joined, so a replay quarantines it at that
  link by its mark and holds the link as a quarantine, not a hub, whose count it could not
  reach again. That item reads as the quarantine too, guard included,
  and no count of profiles the erasure took is left.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping

from datora_graph.domain.erasure import ReviewRewrite, requote
from datora_graph.domain.profiles import ReviewItem
from datora_graph.domain.record_marks import KEPT_QUARANTINE_REASON
from datora_graph.resolution.guards import quarantine_refusal
from datora_graph.services import guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.store.base import GraphStore


def quarantine_item_rewrites(
    store: GraphStore, requarantined: Collection[str], keys: Collection[str]
) -> Iterator[ReviewRewrite]:
    """The review items of others (no end among the erased `keys`) at a `requarantined`
    identifier, read once: one held by its quarantine, or by the hub bound at the link of the
    record that quarantined it there, as that quarantine's item now (`_kept_item`); another
    with the quarantine's old reason replaced where it quotes it (`requote`)."""
    if not requarantined:
        return
    positions = guard_positions(store, requarantined)
    guards = store.load_snapshot(requarantined).identifier_guards
    old = [guards[k].reason for k in requarantined if k in guards]
    hub_records = {
        key: _record_at(store, positions.quarantined.get(key, 0)) for key in positions.at_links
    }
    erased = set(keys)
    for item in review_items_touching(store, requarantined, status=None):
        if erased & {item.a, item.b}:
            continue  # it goes whole
        kept = _kept_item(item, requarantined, hub_records)
        if kept is not None:
            yield kept
            continue
        reason, action = requote(item.reason, old), requote(item.suggested_action, old)
        if (reason, action) != (item.reason, item.suggested_action):
            yield ReviewRewrite(item.id, reason, action)


def _kept_item(
    item: ReviewItem, requarantined: Collection[str], hub_records: Mapping[str, str | None]
) -> ReviewRewrite | None:
    """`item` as the kept quarantine holds it in a replay: held by that quarantine (its old
    reason may quote the person), or by the hub bound at the record that quarantined the
    identifier at that link (guard too); None for another item."""
    for key in (item.a, item.b):
        kept = quarantine_refusal(key, key.split(":", 1)[0], KEPT_QUARANTINE_REASON)
        held = item.guard == "quarantine" and key in requarantined
        if held and item.reason.startswith(f"quarantine: {key} is quarantined ("):
            if (item.reason, item.suggested_action) == (kept.reason, kept.suggested_action):
                return None
            return ReviewRewrite(item.id, kept.reason, kept.suggested_action)
        at_hub = item.guard == "hub" and item.reason.startswith(f"hub: {key} ")
        if at_hub and key in hub_records and item.observation_id == hub_records[key]:
            return ReviewRewrite(item.id, kept.reason, kept.suggested_action, "quarantine")
    return None


def _record_at(store: GraphStore, seq: int) -> str | None:
    """The ID of the record logged at `seq`; None when none is (0: not known)."""
    entries = store.read_log(seq - 1, 1) if seq > 0 else []
    if not entries or entries[0][0] != seq:
        return None
    return str(json.loads(entries[0][1])["id"])
