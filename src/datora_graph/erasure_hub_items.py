"""The hub items an erasure rewrites as the quarantine that holds their link in a replay.

A record whose link an identifier's hub joins held live (`hub: k2 would join 4 profiles`)
quarantined it there. Where the erasure takes the profiles that made those joins, the record
keeps the quarantine as a mark (`_quarantined_linking_here`), and a replay quarantines the
identifier at that link and holds it as a quarantine, not a hub, whose count it could not
reach again. Live, the identifier is quarantined again with the kept reason; its hub item
now reads as that quarantine too (guard, reason, suggested action), so a rebuild or a
migration ends with the item live has, and no count of profiles the erasure took is left.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator

from datora_graph.domain.erasure import ReviewRewrite
from datora_graph.domain.record_marks import KEPT_QUARANTINE_REASON
from datora_graph.resolution.guards import quarantine_refusal
from datora_graph.services import guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.store.base import GraphStore


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
