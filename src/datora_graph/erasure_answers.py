"""The review items an erasure keeps answered where live answered them, and the marks of them
it takes out when an end is the one erased.

A kept record may have answered an item live by joining its ends' profiles through the erased
person: its own identifier (the person's record, rewritten to keep a user ID), or a profile the
person had tied an end into (Ann's email held her cookie in her profile). Live, the erasure
leaves the ends in one profile and the item answered by that record; a replay without the
person would meet two profiles there and leave the item open. Live already shows the join and
who answered, so the erasure marks the answering record with the item's pair (`_answered_here`,
domain/kept_links.py), which reveals nothing more; a replay merges the two ends' profiles at
that record. The mark goes on the answering record, never the holding one (the hunt's V).
An item whose answering record goes whole (it carried only the person) has no place for one:
it stays answered live and open in a replay (T's family, still open).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from datora_graph.domain.erasure import LogRedaction
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_links import KeptLink, answers_without, mark_answered
from datora_graph.erasure_links import ReachedRecord
from datora_graph.steward_changes import review_items_touching
from datora_graph.store.base import GraphStore


def with_kept_answers(
    store: GraphStore,
    registry: IdentifierRegistry,
    keys: Collection[str],
    reached: Sequence[ReachedRecord],
    redactions: Sequence[LogRedaction],
) -> list[LogRedaction]:
    """`redactions` with every reached record that is kept (the person's own as rewritten)
    marked with the items it answered live whose ends are others' (`mark_answered`). The
    items are looked for among those touching an identifier a reached record carries: the
    ends' profiles met at the answering record, which the person's identifiers reached. A
    record whose links a replay makes join the ends anyway merges nothing more at the mark."""
    marked = {r.seq: r for r in redactions}
    by_id = {record.observation_id: record for record in reached}
    carried = sorted({key for record in reached for key in record.carried} - set(keys))
    for item in review_items_touching(store, carried, status="answered"):
        record = by_id.get(item.answered_by)
        if record is None or item.a in keys or item.b in keys:
            continue
        known = marked.get(record.seq, LogRedaction(record.seq, record.payload, item.answered_by))
        if known.payload is None:
            continue  # it went whole: no place for a mark (T's family, still open)
        payload = mark_answered(known.payload, KeptLink(item.a, item.b), registry)
        if payload is not None:
            marked[record.seq] = replace(known, payload=payload)
    return list(marked.values())


def without_erased_answers(
    store: GraphStore,
    registry: IdentifierRegistry,
    keys: Collection[str],
    redactions: Sequence[LogRedaction],
) -> list[LogRedaction]:
    """`redactions` with the items an earlier erasure kept as answered (`_answered_here`)
    taken out of the records that answered them where an end is among the erased `keys`: the
    record need not carry the end, so the log index does not find it; the item does (its
    `answered_by`), until this erasure deletes it."""
    marked = {r.seq: r for r in redactions}
    by_id = {r.observation_id: r for r in redactions}
    for item in review_items_touching(store, sorted(keys), status="answered"):
        known = by_id.get(item.answered_by)
        if known is None:
            logged = store.logged_observation(item.answered_by)
            if logged is None:
                continue
            known = LogRedaction(logged[0], logged[1], item.answered_by)
        if known.payload is None:
            continue
        payload = answers_without(known.payload, keys, registry)
        if payload is not None:
            known = marked[known.seq] = by_id[item.answered_by] = replace(known, payload=payload)
    return list(marked.values())
