"""Domain objects as the parameter rows the Neo4j statements take, and records back as domain
objects. Values are stored exactly as the SQLite store stores them: timestamps as fixed-width
ISO UTC strings (`iso`), so string order is time order and cursors are the same; structured
values (type counts, attributes, candidates, event properties) as canonical JSON strings.

Golden attributes and event properties are also stored as properties Cypher can filter on,
each under a fixed prefix (`attr_city`, `prop_revenue`) and read by key as a parameter
(`p[$key]`), never spelled into a statement. `filterable` says how each JSON value is kept
so that every segment operator answers as it does on SQLite's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, LiteralString, TypeVar

from neo4j import ManagedTransaction, Record

from datora_graph.domain.changeset import (
    AnsweredItem,
    EvidenceUpsert,
    IdentifierGuardState,
    Merge,
    NewIdentifier,
    ProfileState,
    ProfileWrite,
    ReviewItemDraft,
)
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import GoldenProfile, MergeRecord, ProfileIdentifier, ReviewItem
from datora_graph.domain.records import (
    REPLAY_REJECTION_PREFIX,
    Event,
    Observation,
    Rejection,
    from_iso,
    iso,
)
from datora_graph.domain.survivorship import candidates_from_json, candidates_to_json
from datora_graph.domain.traits import to_cents

Row = dict[str, Any]
Fields = Record | Mapping[str, Any]
"""A record, or a map inside one (journey events come as a list of maps)."""
_Item = TypeVar("_Item")
ATTRIBUTE_PREFIX = "attr_"
"""Golden attribute `city` is the profile property `attr_city`."""
PROPERTY_PREFIX = "prop_"
"""Event property `revenue` is the event property `prop_revenue`."""
_INT64 = range(-(2**63), 2**63)


def filterable(value: object) -> object:
    """A JSON value as a Neo4j property that every segment operator reads as SQLite reads the
    JSON: text, numbers and booleans as themselves; an array as its text elements (the only
    ones `contains` can find, and no other operator matches an array); an object, null, or an
    array without text as `[false]`, present but matching no operator but `exists` (a list of
    one boolean, which no text `contains` and no scalar equals, rather than an empty list,
    whose element type a property cannot record)."""
    if isinstance(value, bool | str | float):
        return value
    if isinstance(value, int):
        return value if value in _INT64 else float(value)
    texts = [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
    if texts or value is None or isinstance(value, list | Mapping):
        return texts or [False]
    return str(value)  # what `json.dumps(default=str)` stores on SQLite


def filterable_map(values: Mapping[str, object], prefix: str) -> Row:
    return {f"{prefix}{name}": filterable(value) for name, value in values.items()}


def chunked(items: Sequence[_Item], size: int) -> Iterator[Sequence[_Item]]:
    """`items` in slices of at most `size`: one UNWIND statement each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


UNWIND_ROWS = 10_000
"""Rows one UNWIND statement of `unwind` carries."""


def unwind(
    tx: ManagedTransaction, statement: LiteralString, name: str, items: Sequence[Any]
) -> None:
    """Run an UNWIND statement over `items` (its parameter `name`), a bounded number of rows
    per statement."""
    for chunk in chunked(items, UNWIND_ROWS):
        tx.run(statement, {name: list(chunk)}).consume()


# -- a changeset as rows ------------------------------------------------------------------
def observation_rows(observations: Sequence[Observation], now: str) -> list[Row]:
    return [
        {
            "seq": o.seq,
            "id": o.id,
            "source": o.source,
            "observed_at": iso(o.observed_at),
            "payload": o.raw,
            "received_at": now,
        }
        for o in observations
    ]


def identifier_rows(identifiers: Sequence[NewIdentifier]) -> list[Row]:
    return [
        {
            "key": n.identifier.key,
            "type": n.identifier.type,
            "value": n.identifier.value,
            "profile_id": n.profile_id,
            "junk": n.junk,
            "first_seen": iso(n.first_seen),
        }
        for n in identifiers
    ]


def merge_moves(merges: Sequence[Merge]) -> list[Row]:
    """Each absorbed profile with the profile that survives the whole batch, so alias chains
    never grow and the order of the moves does not matter."""
    parent = {m.absorbed: m.survivor for m in merges}

    def final(profile_id: str) -> str:
        while profile_id in parent:
            profile_id = parent[profile_id]
        return profile_id

    return [{"absorbed": m.absorbed, "survivor": final(m.survivor)} for m in merges]


def merge_rows(merges: Sequence[Merge], first_id: int) -> list[Row]:
    return [
        {
            "id": first_id + n,
            "absorbed": m.absorbed,
            "survivor": m.survivor,
            "observation_id": m.observation_id,
            "at": iso(m.at),
            "reason": m.reason,
        }
        for n, m in enumerate(merges)
    ]


def identifier_guard_rows(guards: Sequence[IdentifierGuardState]) -> list[Row]:
    return [
        {
            "key": g.key,
            "joins": g.joins,
            "quarantined": g.quarantined,
            "reason": g.reason,
            "quarantined_seq": g.quarantined_seq,
            "join_seqs": list(g.join_seqs),
        }
        for g in guards
    ]


def identifier_guard(record: Fields) -> IdentifierGuardState:
    return IdentifierGuardState(
        record["key"],
        int(record["joins"]),
        bool(record["quarantined"]),
        record["reason"] or "",
        int(record["quarantined_seq"] or 0),
        tuple(int(seq) for seq in record["join_seqs"] or ()),
    )


def profile_rows(profiles: Sequence[ProfileWrite]) -> list[Row]:
    return [
        {
            "id": w.state.id,
            "size": w.state.size,
            "type_counts": json.dumps(w.state.type_counts, sort_keys=True),
            "created_seq": w.state.created_seq,
            "created_at": iso(w.state.created_at),
            "updated_at": iso(w.updated_at),
            "junk": w.state.junk,
            "attributes": json.dumps(w.attributes, sort_keys=True, ensure_ascii=False),
            "candidates": candidates_to_json(w.state.candidates),
            "filterable": filterable_map(w.attributes, ATTRIBUTE_PREFIX),
            "identifier_types": sorted(t for t, n in w.state.type_counts.items() if n > 0),
        }
        for w in profiles
    ]


def evidence_rows(evidence: Sequence[EvidenceUpsert]) -> list[Row]:
    return [
        {
            "a": e.a,
            "b": e.b,
            "source": e.source,
            "count": e.count,
            "first_seen": iso(e.first_seen),
            "last_seen": iso(e.last_seen),
            "kind": e.kind,
            "status": e.status,
            "score": e.score,
        }
        for e in evidence
    ]


def answered_rows(items: Sequence[AnsweredItem]) -> list[Row]:
    return [{"a": i.a, "b": i.b, "observation_id": i.observation_id} for i in items]


def review_item_rows(items: Sequence[ReviewItemDraft], first_id: int) -> list[Row]:
    return [
        {
            "id": first_id + n,
            "kind": r.kind,
            "a": r.a,
            "b": r.b,
            "profile_a": r.profile_a,
            "profile_b": r.profile_b,
            "reason": r.reason,
            "observation_id": r.observation_id,
            "guard": r.guard,
            "source": r.source,
            "suggested_action": r.suggested_action,
            "constraint_id": r.constraint_id,
            "created_at": iso(r.created_at),
        }
        for n, r in enumerate(items)
    ]


def event_rows(events: Sequence[Event], now: str) -> list[Row]:
    return [
        {
            "id": e.id,
            "type": e.type,
            "occurred_at": iso(e.occurred_at),
            "source": e.source,
            "identifiers": json.dumps(
                [[i.type, i.value] for i in e.identifiers], ensure_ascii=False
            ),
            "properties": json.dumps(e.properties, sort_keys=True, ensure_ascii=False, default=str),
            "received_at": now,
            "keys": list(dict.fromkeys(i.key for i in e.identifiers)),
            "credited_key": e.identifiers[0].key,
            "revenue_cents": to_cents(e.properties.get("revenue")),
            "filterable": filterable_map(e.properties, PROPERTY_PREFIX),
        }
        for e in events
    ]


def key_activity_rows(events: Sequence[Event]) -> list[Row]:
    """The batch's events summed per credited identifier key and type (see domain/traits.py:
    an event counts once, for the identifier it names first)."""
    return activity_sums(
        (e.identifiers[0].key, e.type, iso(e.occurred_at), to_cents(e.properties.get("revenue")))
        for e in events
    )


def activity_sums(credits: Iterable[tuple[str, str, str, int | None]]) -> list[Row]:
    """`upsert_key_activity` rows of credits (credited key, event type, time as `iso` writes
    it, revenue in cents or None), one per key and type."""
    sums: dict[tuple[str, str], Row] = {}
    for credited, event_type, at, revenue in credits:
        cents = revenue or 0
        key = (credited, event_type)
        found = sums.get(key)
        if found is None:
            sums[key] = {
                "key": credited,
                "type": event_type,
                "events": 1,
                "revenue_cents": cents,
                "first_at": at,
                "last_at": at,
            }
            continue
        found["events"] += 1
        found["revenue_cents"] += cents
        found["first_at"] = min(found["first_at"], at)
        found["last_at"] = max(found["last_at"], at)
    for row in sums.values():
        # The driver sends no integer of 64 bits or more; upsert_key_activity goes on in
        # floating point past 2^63 cents as it is.
        if not -(2**63) <= row["revenue_cents"] < 2**63:
            row["revenue_cents"] = float(row["revenue_cents"])
    return list(sums.values())


def rejection_rows(rejections: Sequence[Rejection], first_seq: int) -> list[Row]:
    """`replay` marks the rejections a replay of the log made (True, else None: no property),
    which a rebuild forgets by index rather than by their reason."""
    return [
        {
            "seq": first_seq + n,
            "kind": r.kind,
            "item_id": r.item_id,
            "field": r.field,
            "reason": r.reason,
            "payload": r.payload,
            "fingerprint": r.fingerprint,
            "received_at": iso(r.received_at),
            "replay": made_by_replay(r) or None,
        }
        for n, r in enumerate(rejections)
    ]


def made_by_replay(rejection: Rejection) -> bool:
    return rejection.kind == "observation" and rejection.reason.startswith(REPLAY_REJECTION_PREFIX)


# -- records as domain objects ------------------------------------------------------------
def profile_state(record: Fields) -> ProfileState:
    return ProfileState(
        id=record["id"],
        size=record["size"],
        type_counts=json.loads(record["type_counts"]),
        created_seq=record["created_seq"],
        created_at=from_iso(record["created_at"]),
        candidates=candidates_from_json(record["candidates"]),
        junk=bool(record["junk"]),
        updated_at=from_iso(record["updated_at"]),
    )


def golden_profile(record: Fields) -> GoldenProfile:
    identifiers = sorted(
        (
            ProfileIdentifier(
                Identifier(i["type"], i["value"]),
                bool(i["junk"]),
                from_iso(i["first_seen"]),
                bool(i.get("quarantined")),
            )
            for i in record["identifiers"]
        ),
        key=lambda p: (p.identifier.type, p.identifier.value),
    )
    return GoldenProfile(
        id=record["id"],
        attributes=json.loads(record["attributes"]),
        size=record["size"],
        created_at=from_iso(record["created_at"]),
        updated_at=from_iso(record["updated_at"]),
        identifiers=identifiers,
        aliases=sorted(record["aliases"]),
        junk=bool(record["junk"]),
    )


def event(record: Fields) -> Event:
    return Event(
        id=record["id"],
        type=record["type"],
        occurred_at=from_iso(record["occurred_at"]),
        source=record["source"],
        identifiers=tuple(Identifier(t, v) for t, v in json.loads(record["identifiers"])),
        properties=json.loads(record["properties"]),
    )


def rejection(record: Fields) -> tuple[int, Rejection]:
    return record["seq"], Rejection(
        record["kind"],
        record["item_id"],
        record["field"],
        record["reason"],
        record["payload"],
        from_iso(record["received_at"]),
    )


def review_item(record: Fields) -> ReviewItem:
    return ReviewItem(
        record["id"],
        record["kind"],
        record["a"],
        record["b"],
        record["profile_a"],
        record["profile_b"],
        record["reason"],
        record["observation_id"],
        record["status"],
        from_iso(record["created_at"]),
        guard=record["guard"],
        source=record["source"],
        suggested_action=record["suggested_action"],
        answered_by=record["answered_by"],
        constraint_id=record["constraint_id"],
        resolution=record["resolution"],
    )


def merge_record(record: Fields) -> MergeRecord:
    return MergeRecord(
        record["absorbed"],
        record["survivor"],
        record["observation_id"],
        from_iso(record["at"]),
        record["reason"],
    )
