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
  reach again. That item reads as the quarantine too, guard included (`hub_item_rewrites`),
  and no count of profiles the erasure took is left.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator

from datora_graph.domain.erasure import ReviewRewrite, requote
from datora_graph.domain.record_marks import KEPT_QUARANTINE_REASON
from datora_graph.resolution.guards import quarantine_refusal
from datora_graph.services import guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.store.base import GraphStore


def quarantine_item_rewrites(
    store: GraphStore, requarantined: Collection[str], keys: Collection[str]
) -> Iterator[ReviewRewrite]:
    """The review items of others (no end among the erased `keys`) at a `requarantined`
    identifier that quote its reason: one held by its quarantine as that quarantine's item
    now, another with the reason replaced where it quotes it (`requote`)."""
    if not requarantined:
        return
    guards = store.load_snapshot(requarantined).identifier_guards
    old = [guards[k].reason for k in requarantined if k in guards]
    erased = set(keys)
    for item in review_items_touching(store, requarantined, status=None):
        if erased & {item.a, item.b}:
            continue  # it goes whole
        held = next((k for k in (item.a, item.b) if _held_by(item.reason, k)), None)
        if item.guard == "quarantine" and held is not None and held in requarantined:
            kept = quarantine_refusal(held, held.split(":", 1)[0], KEPT_QUARANTINE_REASON)
            reason, action = kept.reason, kept.suggested_action
        else:
            reason, action = requote(item.reason, old), requote(item.suggested_action, old)
        if (reason, action) != (item.reason, item.suggested_action):
            yield ReviewRewrite(item.id, reason, action)


def _held_by(reason: str, key: str) -> bool:
    """Whether an item's `reason` says the quarantine of `key` holds it."""
    return reason.startswith(f"quarantine: {key} is quarantined (")


def hub_item_rewrites(
    store: GraphStore, requarantined: Collection[str], keys: Collection[str]
) -> Iterator[ReviewRewrite]:
    """The review items of others (no end among the erased `keys`) held by the hub guard at
    a `requarantined` identifier quarantined at a link, made by the record that quarantined
    it, rewritten as held by that quarantine (`KEPT_QUARANTINE_REASON`)."""
    positions = guard_positions(store, requarantined)
    erased = set(keys)
    for key in sorted(positions.at_links):
        seq = positions.quarantined.get(key, 0)
        entries = store.read_log(seq - 1, 1) if seq > 0 else []
        if not entries or entries[0][0] != seq:
            continue
        record = str(json.loads(entries[0][1])["id"])
        refusal = quarantine_refusal(key, key.split(":", 1)[0], KEPT_QUARANTINE_REASON)
        for item in review_items_touching(store, [key], status=None):
            if (
                item.guard == "hub"
                and item.observation_id == record
                and item.reason.startswith(f"hub: {key} ")
                and not erased & {item.a, item.b}
            ):
                yield ReviewRewrite(item.id, refusal.reason, refusal.suggested_action, "quarantine")
