"""Traits and insights on Neo4j: the activity aggregates and the reports read from them, a mixin
of `Neo4jStore`.

**The model** (the same sums as SQLite's `identifier_activity` and `profile_activity`): every
event keeps the identifier key it is credited to (`credited_key`, the identifier it names
first) and its revenue in cents; `:KeyActivity {key, type}` sums the credited events of one
key and type and is never rewritten by merges, splits or rebuilds; each profile holds the
sums over its identifiers (`act_*` properties), recounted by `recount_activity` in the
transaction of every changeset that touches the profile or its identifiers' events. Order
types and event scores are folded into those sums; the `:TraitSettings` node holds the ones
they were computed with, and changing them recounts every profile, a page per transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any

from neo4j import ManagedTransaction, Record

from datora_graph.domain.insights import (
    PERCENTILES,
    VALUE_EDGES,
    Bucket,
    DailyEvents,
    ValueDistribution,
    ValueKind,
)
from datora_graph.domain.records import iso
from datora_graph.domain.traits import ActivitySummary, TraitFacts, TraitSettings, to_milli
from datora_graph.store import neo4j_segment_compiler as compiler
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_rows import ATTRIBUTE_PREFIX, chunked
from datora_graph.store.neo4j_segment_compiler import SegmentCompiler, fill

ROWS_PER_STATEMENT = 10_000
PROFILES_PER_RECOUNT = 5_000
"""Profiles one transaction of a full recount (changed trait settings) recounts."""

_Materialised = tuple[tuple[tuple[str, int], ...], int, tuple[str, ...]]


class Neo4jActivity:
    """The traits and insights part of `Neo4jStore`; see store/base.py for the promises."""

    _neo4j: Neo4jConnection
    _writer_lock: AbstractContextManager[object]
    _materialised: _Materialised | None = None
    """The trait settings the stored aggregates are known to fold in (None: not checked)."""

    def _prepare_activity(self) -> None:
        """The :TraitSettings node with the defaults, when the database has none."""
        params = settings_params(TraitSettings())
        self._neo4j.execute_write(lambda tx: tx.run(CYPHER.trait_settings_init, params).consume())

    def configure_traits(self, settings: TraitSettings) -> None:
        wanted = settings.materialised()
        if self._materialised == wanted:
            return
        record = self._neo4j.execute_read(lambda tx: tx.run(CYPHER.trait_settings_get).single())
        if record is None or _stored(record) != wanted or not record["recounted"]:
            # Under the writer lock: a page recounted while an ingest commits would read the
            # activity from before it and write totals that leave its events out.
            held = self._neo4j.holds_writer_lock()
            with nullcontext() if held else self._writer_lock, self._neo4j.writing():
                self._set_settings(settings, recounted=False)
                after: str | None = ""
                while after is not None:
                    after = self._neo4j.execute_write(_recount_page(after))
                self._set_settings(settings, recounted=True)
        self._materialised = wanted

    def _set_settings(self, settings: TraitSettings, recounted: bool) -> None:
        params = {**settings_params(settings), "recounted": recounted}
        self._neo4j.execute_write(lambda tx: tx.run(CYPHER.trait_settings_set, params).consume())

    def trait_facts(self, profile_ids: Collection[str]) -> dict[str, TraitFacts]:
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted:
            return {}

        def work(tx: ManagedTransaction) -> dict[str, TraitFacts]:
            found: dict[str, TraitFacts] = {}
            for chunk in chunked(wanted, ROWS_PER_STATEMENT):
                for record in tx.run(CYPHER.trait_facts, {"ids": chunk}):
                    found[record["id"]] = _trait_facts(record)
            return found

        return self._neo4j.execute_read(work)

    # -- insights -----------------------------------------------------------------------------
    def attribute_completeness(self, names: Sequence[str]) -> dict[str, float]:
        keys = [ATTRIBUTE_PREFIX + name for name in names]
        record = self._neo4j.execute_read(
            lambda tx: tx.run(CYPHER.attribute_completeness, {"keys": keys}).single()
        )
        assert record is not None, "a statement of aggregations always answers with one row"
        people = int(record["people"])
        having = {str(key): int(n) for key, n in record["present"]}
        return {
            name: (having.get(ATTRIBUTE_PREFIX + name, 0) / people if people else 0.0)
            for name in names
        }

    def value_distribution(
        self, kind: ValueKind, as_of: datetime, traits: TraitSettings
    ) -> ValueDistribution:
        compiled = SegmentCompiler("value_distribution", as_of, traits)
        trait = "total_revenue" if kind == "revenue" else "customer_lifetime_value"
        statement = fill(CYPHER.buyer_values, compiler.VALUE, compiled.value(trait))
        params = {
            **compiled.params,
            "edges": [float(edge) for edge in VALUE_EDGES],
            "percentiles": list(PERCENTILES),
        }
        self.configure_traits(traits)
        record = self._neo4j.execute_read(lambda tx: tx.run(statement, params).single())
        if record is None or not int(record["count"]):
            return ValueDistribution.empty(kind)
        count, total = int(record["count"]), float(record["total"])
        return ValueDistribution(
            kind=kind,
            count=count,
            total=total,
            mean=total / count,
            minimum=float(record["minimum"]),
            maximum=float(record["maximum"]),
            percentiles={int(p): float(v) for p, v in record["percentiles"]},
            buckets=[
                Bucket(lower, VALUE_EDGES[n + 1] if n + 1 < len(VALUE_EDGES) else None, int(c))
                for n, (lower, (c, _sum)) in enumerate(
                    zip(VALUE_EDGES, record["buckets"], strict=True)
                )
            ],
        )

    def events_per_day(self, since: datetime, until: datetime) -> list[DailyEvents]:
        params = {"since": iso(since), "until": iso(until)}
        found = self._neo4j.execute_read(lambda tx: list(tx.run(CYPHER.events_per_day, params)))
        return [
            DailyEvents(
                date.fromisoformat(r["day"]), r["type"], int(r["events"]), int(r["cents"]) / 100
            )
            for r in found
        ]


def recount_activity(
    tx: ManagedTransaction, profile_ids: Collection[str], keys: Collection[str]
) -> None:
    """Recount, inside the caller's transaction, the aggregates of `profile_ids` and of the
    profiles holding `keys`. Every write that moves identifiers between profiles, creates them
    or credits events to them calls this (a changeset; a steward's split or merge must too)."""
    ids, wanted = sorted(set(profile_ids)), sorted(set(keys))
    for chunk in chunked(ids, ROWS_PER_STATEMENT):
        tx.run(CYPHER.recount_activity, {"ids": chunk, "keys": []}).consume()
    for chunk in chunked(wanted, ROWS_PER_STATEMENT):
        tx.run(CYPHER.recount_activity, {"ids": [], "keys": chunk}).consume()


def settings_params(settings: TraitSettings) -> dict[str, Any]:
    scores = settings.scores_milli()
    return {
        "order_types": sorted(set(settings.order_event_types)),
        "score_types": list(scores),
        "score_milli": list(scores.values()),
        "default_milli": to_milli(settings.default_event_score),
    }


def _stored(record: Record) -> _Materialised:
    scores = tuple(zip(record["score_types"], record["score_milli"], strict=True))
    return (
        tuple((str(t), int(s)) for t, s in scores),
        int(record["default_milli"]),
        tuple(str(t) for t in record["order_types"]),
    )


def _recount_page(after: str) -> Callable[[ManagedTransaction], str | None]:
    """A unit of work recounting the page of profiles after `after`; answers the last ID of
    the page, or None when there was none."""

    def work(tx: ManagedTransaction) -> str | None:
        params = {"after": after, "limit": PROFILES_PER_RECOUNT}
        ids = [str(r["id"]) for r in tx.run(CYPHER.profile_ids_page, params)]
        if not ids:
            return None
        recount_activity(tx, ids, ())
        return ids[-1]

    return work


def _trait_facts(record: Record) -> TraitFacts:
    activity = None
    if record["events"] is not None:
        activity = ActivitySummary(
            events=int(record["events"]),
            orders=int(record["orders"]),
            revenue_cents=int(record["revenue_cents"]),
            engagement_milli=int(record["engagement_milli"]),
            first_at=datetime.fromisoformat(record["first_at"]),
            last_at=datetime.fromisoformat(record["last_at"]),
            events_by_type={
                str(t): int(n) for t, n in zip(record["types"], record["type_events"], strict=True)
            },
        )
    return TraitFacts(
        profile_id=record["id"],
        created_at=datetime.fromisoformat(record["created_at"]),
        updated_at=datetime.fromisoformat(record["updated_at"]),
        attribute_names=frozenset(json.loads(record["attributes"])),
        identifier_types=frozenset(
            t for t, n in json.loads(record["type_counts"]).items() if n > 0
        ),
        activity=activity,
    )
