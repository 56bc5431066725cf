"""The production store: the identity graph in Neo4j 5 (Community or Enterprise, Aura).

Identifiers are `:Identifier` nodes IN a `:Profile`; evidence is one `EVIDENCE` relationship
per identifier pair and source; absorbed profile IDs are `:Alias` nodes OF their survivor;
events CARRY an `:EventKey` per identifier key. Every statement is a file in `cypher/`
(`neo4j_cypher.py`), every value a parameter, every batch a few `UNWIND` statements, and a
changeset one managed transaction, applied in the same order as the SQLite store applies it.

    >>> store = Neo4jStore(Neo4jTarget("bolt://localhost:7687", "neo4j", "secret", "neo4j"))
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, LiteralString

from neo4j import ManagedTransaction, Record
from neo4j.exceptions import ConstraintError

from datora_graph.domain.changeset import (
    Changeset,
    JoinedOpenItem,
    OpenReviewItem,
    ProfileState,
    Snapshot,
)
from datora_graph.domain.errors import Conflict, StoreUnavailable
from datora_graph.domain.profiles import (
    GoldenProfile,
    JourneyPage,
    JourneyQuery,
    MergeRecord,
    RejectionFilter,
    RejectionPage,
    ReviewFilter,
    ReviewPage,
    StoreStats,
)
from datora_graph.domain.records import REPLAY_REJECTION_PREFIX, iso
from datora_graph.store import neo4j_rows as rows
from datora_graph.store.neo4j_access import Neo4jAccess, write_audit
from datora_graph.store.neo4j_activity import recount_activity
from datora_graph.store.neo4j_connection import Neo4jConnection, Neo4jTarget
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_erasure import Neo4jErasure
from datora_graph.store.neo4j_export import Neo4jExport
from datora_graph.store.neo4j_log_index import POSITION as LOG_INDEX_POSITION
from datora_graph.store.neo4j_log_index import Neo4jLogIndex
from datora_graph.store.neo4j_redaction import Neo4jRedaction
from datora_graph.store.neo4j_rekey import Neo4jRekey
from datora_graph.store.neo4j_segments import Neo4jSegments, write_consent
from datora_graph.store.neo4j_steward import STEWARD, Neo4jSteward
from datora_graph.store.neo4j_writer_lock import Neo4jWriterLock

SCHEMA_VERSION = "2"
"""2: filterable attributes and event properties, activity aggregates (neo4j_activity)."""
REBUILD_MARKER = "rebuild_started_at"
KEY_RULES = "key_rules"
REPLAY_MARKED = "replay_rejections_marked_at"
"""Set once the rejections a replay made before they were marked `replay` have been marked."""
REJECTION_SEQ = "next_rejection_seq"
REVIEW_ITEM_ID = "next_review_item_id"
MERGE_ID = "next_merge_id"
CANNOT_LINK_ID = "next_cannot_link_id"
ROWS_PER_STATEMENT = 10_000
"""Rows one UNWIND statement carries; a batch of any size is a few statements."""
DELETES_PER_TRANSACTION = 10_000
"""Derived nodes one transaction of a rebuild forgets, so a reset never outgrows the heap."""

__all__ = ["Neo4jStore", "Neo4jTarget"]


class Neo4jStore(
    Neo4jSegments,
    Neo4jSteward,
    Neo4jErasure,
    Neo4jLogIndex,
    Neo4jRekey,
    Neo4jAccess,
    Neo4jExport,
    Neo4jRedaction,
):
    """`GraphStore` on a Neo4j 5 database (see store/base.py for what each method promises)."""

    def __init__(self, target: Neo4jTarget) -> None:
        self._neo4j = Neo4jConnection(target)
        self._writer_lock = Neo4jWriterLock(self._neo4j)
        try:
            self._prepare()
        except BaseException:
            self._neo4j.close()
            raise

    def _prepare(self) -> None:
        """Constraints and indexes (idempotent), then the schema version check. All of them
        here, at start: a schema command cannot follow the writer fence's check, a data write,
        in one transaction, so none may be left to the first write under the lock."""
        for statement in (*CYPHER.schema(), *STEWARD.schema()):
            self._neo4j.execute_write(_consume(statement))
        wait = max(1, int(self._neo4j.target.timeout_seconds))
        self._neo4j.execute_read(_consume(CYPHER.await_indexes, timeout_seconds=wait))
        stored = self._neo4j.execute_write(
            lambda tx: _single(tx, CYPHER.meta_init, key="schema_version", value=SCHEMA_VERSION)
        )
        if stored is None or stored["value"] != SCHEMA_VERSION:
            found = None if stored is None else stored["value"]
            raise StoreUnavailable(
                f"Neo4j at {self._neo4j.target.uri} holds Datora Graph schema version {found}; "
                f"this release reads version {SCHEMA_VERSION}"
            )
        self._prepare_activity()
        self._mark_replay_rejections()

    def _mark_replay_rejections(self) -> None:
        """Mark the replay's rejections that a release before the mark wrote, once per
        database, page by page in log order: until then a rebuild would not forget them."""
        marked = self._neo4j.execute_read(
            lambda tx: _single(tx, CYPHER.meta_get, key=REPLAY_MARKED)
        )
        if marked is not None:
            return
        after: int | None = -1
        while after is not None:
            after = self._neo4j.execute_write(_mark_page(after))
        now = iso(datetime.now(UTC))
        self._neo4j.execute_write(_consume(CYPHER.meta_set, key=REPLAY_MARKED, value=now))

    # -- ingest ---------------------------------------------------------------------------
    def known_observation_ids(self, ids: Collection[str]) -> set[str]:
        return self._ids_in(CYPHER.known_observation_ids, ids)

    def known_event_ids(self, ids: Collection[str]) -> set[str]:
        return self._ids_in(CYPHER.known_event_ids, ids)

    def _ids_in(self, statement: LiteralString, ids: Collection[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()

        def work(tx: ManagedTransaction) -> set[str]:
            found: set[str] = set()
            for chunk in rows.chunked(wanted, ROWS_PER_STATEMENT):
                found.update(r["id"] for r in tx.run(statement, {"ids": chunk}))
            return found

        return self._neo4j.execute_read(work)

    def last_sequence(self) -> int:
        record = self._neo4j.execute_read(lambda tx: _single(tx, CYPHER.last_sequence))
        return 0 if record is None else int(record["seq"])

    def load_snapshot(self, keys: Collection[str]) -> Snapshot:
        wanted = list(dict.fromkeys(keys))
        return self._neo4j.guarded_read(lambda tx: _snapshot(tx, wanted))

    def open_review_items_between(self, profile_ids: Collection[str]) -> list[OpenReviewItem]:
        wanted = sorted(set(profile_ids))
        return self._neo4j.guarded_read(lambda tx: _open_items_between(tx, wanted))

    def commit(self, changeset: Changeset) -> None:
        if changeset.is_empty():
            return
        now = iso(datetime.now(UTC))
        try:
            with self._neo4j.writing():
                self._neo4j.execute_bulk_write(lambda tx: write_changeset(tx, changeset, now))
        except ConstraintError as exc:
            raise Conflict(
                f"the batch was not stored, nothing of it was kept: {exc.message or exc}"
            ) from exc

    def add_cannot_link(
        self, a: str, b: str, reason: str, created_at: datetime | None = None
    ) -> int:
        first, second = sorted((a, b))
        when = iso(created_at or datetime.now(UTC))

        def work(tx: ManagedTransaction) -> int:
            new_id = _reserve(tx, CANNOT_LINK_ID, 1)
            params = {"a": first, "b": second, "reason": reason, "id": new_id}
            record = _single(tx, CYPHER.upsert_cannot_link, created_at=when, **params)
            assert record is not None, "MERGE always answers with one row"
            return int(record["id"])

        with self._neo4j.writing():
            return self._neo4j.execute_write(work)

    # -- log and rebuild ------------------------------------------------------------------
    def read_log(self, after_seq: int, limit: int) -> Sequence[tuple[int, str]]:
        def work(tx: ManagedTransaction) -> list[tuple[int, str]]:
            result = tx.run(CYPHER.read_log, {"after_seq": after_seq, "limit": limit})
            return [(int(r["seq"]), str(r["payload"])) for r in result]

        return self._neo4j.execute_read(work)

    def reset_derived(self) -> None:
        """The rebuild marker first, then the derived relationships and then the derived nodes,
        in bounded transactions: a crash part way leaves the marker set, and the next rebuild
        forgets the rest. The log index goes too, relationships first: the replay writes it
        again under the current identifier settings (see `GraphStore.reset_derived`)."""
        now = iso(datetime.now(UTC))
        with self._neo4j.writing():
            self._neo4j.execute_write(_consume(CYPHER.meta_set, key=REBUILD_MARKER, value=now))
            while self._neo4j.execute_write(_delete_batch(CYPHER.delete_derived_links_batch)):
                pass
            while self._neo4j.execute_write(_delete_batch(CYPHER.delete_derived_batch)):
                pass
            for statement in (
                CYPHER.delete_replay_rejections_batch,
                CYPHER.delete_log_index_links_batch,
                CYPHER.delete_log_index_keys_batch,
            ):
                forget = _delete_batch(statement)
                while self._neo4j.execute_write(forget):
                    pass
            self._neo4j.execute_write(_consume(CYPHER.meta_delete, key=LOG_INDEX_POSITION))

    def finish_rebuild(self) -> None:
        with self._neo4j.writing():
            self._neo4j.execute_write(_consume(CYPHER.meta_delete, key=REBUILD_MARKER))

    def rebuild_in_progress(self) -> bool:
        record = self._neo4j.execute_read(
            lambda tx: _single(tx, CYPHER.meta_get, key=REBUILD_MARKER)
        )
        return record is not None

    def key_rules(self) -> str | None:
        record = self._neo4j.execute_read(lambda tx: _single(tx, CYPHER.meta_get, key=KEY_RULES))
        return None if record is None else str(record["value"])

    def record_key_rules(self, rules: str) -> None:
        with self._neo4j.writing():
            self._neo4j.execute_write(_consume(CYPHER.meta_set, key=KEY_RULES, value=rules))

    # -- reads ----------------------------------------------------------------------------
    def resolve_profile_ids(self, ids: Collection[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        return self._pairs(CYPHER.resolve_profile_ids, "ids", wanted, "id", "profile_id")

    def profile_ids_for_identifiers(self, keys: Collection[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        return self._pairs(CYPHER.identifier_profiles, "keys", wanted, "key", "profile_id")

    def _pairs(
        self, statement: LiteralString, name: str, values: list[str], key: str, value: str
    ) -> dict[str, str]:
        def work(tx: ManagedTransaction) -> dict[str, str]:
            found: dict[str, str] = {}
            for chunk in rows.chunked(values, ROWS_PER_STATEMENT):
                found.update((r[key], r[value]) for r in tx.run(statement, {name: chunk}))
            return found

        return self._neo4j.execute_read(work)

    def get_profiles(self, ids: Collection[str]) -> dict[str, GoldenProfile]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}

        def work(tx: ManagedTransaction) -> dict[str, GoldenProfile]:
            found: dict[str, GoldenProfile] = {}
            for chunk in rows.chunked(wanted, ROWS_PER_STATEMENT):
                for record in tx.run(CYPHER.get_profiles, {"ids": chunk}):
                    found[record["id"]] = rows.golden_profile(record)
            return found

        return self._neo4j.execute_read(work)

    def iter_profiles(self, batch_size: int = 1000) -> Iterator[list[GoldenProfile]]:
        after = ""
        while True:
            page = self._neo4j.execute_read(_profiles_page(after, batch_size))
            if not page:
                return
            yield page
            after = page[-1].id

    def journey(self, profile_id: str, query: JourneyQuery) -> JourneyPage:
        return self.journeys([profile_id], query)[profile_id]

    def journeys(self, profile_ids: Collection[str], query: JourneyQuery) -> dict[str, JourneyPage]:
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted:
            return {}
        params = _journey_params(query)
        statement = (
            CYPHER.journey_pages_newest_first if query.newest_first else CYPHER.journey_pages
        )

        def work(tx: ManagedTransaction) -> dict[str, list[dict[str, Any]]]:
            found: dict[str, list[dict[str, Any]]] = {}
            for chunk in rows.chunked(wanted, ROWS_PER_STATEMENT):
                result = tx.run(statement, {"profile_ids": chunk, **params})
                found.update((r["profile_id"], r["events"]) for r in result)
            return found

        hits = self._neo4j.execute_read(work)
        return {pid: _journey_page(hits.get(pid, []), query) for pid in wanted}

    def list_rejections(self, query: RejectionFilter) -> RejectionPage:
        params = {"after": query.after, "kind": query.kind, "limit": query.limit + 1}
        found = self._neo4j.execute_read(
            lambda tx: [rows.rejection(r) for r in tx.run(CYPHER.list_rejections, params)]
        )
        items = found[: query.limit]
        next_after = items[-1][0] if len(found) > query.limit else None
        return RejectionPage(items, next_after)

    def kept_rejections(self, fingerprints: Collection[str]) -> set[str]:
        wanted = sorted(set(fingerprints))
        if not wanted:
            return set()

        def work(tx: ManagedTransaction) -> set[str]:
            found: set[str] = set()
            for chunk in rows.chunked(wanted, ROWS_PER_STATEMENT):
                result = tx.run(CYPHER.kept_rejections, {"fingerprints": chunk})
                found.update(str(r["fingerprint"]) for r in result)
            return found

        return self._neo4j.execute_read(work)

    def merge_history(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        return self._merges(CYPHER.merge_history, profile_ids)

    def merges_as_recorded(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        return self._merges(CYPHER.merges_as_recorded, profile_ids)

    def _merges(
        self, statement: LiteralString, profile_ids: Collection[str]
    ) -> dict[str, list[MergeRecord]]:
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted:
            return {}

        def work(tx: ManagedTransaction) -> dict[str, list[MergeRecord]]:
            history: dict[str, list[MergeRecord]] = defaultdict(list)
            for chunk in rows.chunked(wanted, ROWS_PER_STATEMENT):
                for record in tx.run(statement, {"ids": chunk}):
                    history[record["profile_id"]].append(rows.merge_record(record))
            return dict(history)

        return self._neo4j.execute_read(work)

    def joined_open_items(self) -> list[JoinedOpenItem]:
        def work(tx: ManagedTransaction) -> list[JoinedOpenItem]:
            return [
                JoinedOpenItem(r["a"], r["b"], r["opened_a"], r["opened_b"], r["profile_id"])
                for r in tx.run(CYPHER.joined_open_items)
            ]

        return self._neo4j.execute_read(work)

    def upgrade_done(self, name: str) -> bool:
        key = f"upgrade:{name}"
        found = self._neo4j.execute_read(lambda tx: _single(tx, CYPHER.meta_get, key=key))
        return found is not None

    def mark_upgrade_done(self, name: str) -> None:
        now = iso(datetime.now(UTC))
        self._neo4j.execute_write(_consume(CYPHER.meta_set, key=f"upgrade:{name}", value=now))

    def writer_lock(self) -> AbstractContextManager[object]:
        return self._writer_lock

    def list_review_items(self, query: ReviewFilter) -> ReviewPage:
        touching = None if query.touching is None else sorted(set(query.touching))
        params = {
            "after": query.after,
            "status": query.status,
            "limit": query.limit + 1,
            "touching": touching,
        }
        found = self._neo4j.execute_read(
            lambda tx: [rows.review_item(r) for r in tx.run(CYPHER.list_review_items, params)]
        )
        items = found[: query.limit]
        next_after = items[-1].id if len(found) > query.limit else None
        return ReviewPage(items, next_after)

    def stats(self) -> StoreStats:
        record = self._neo4j.guarded_read(lambda tx: _single(tx, CYPHER.stats))
        assert record is not None, "a statement of aggregations always answers with one row"
        by_type = {str(t): int(n) for t, n in sorted(record["identifiers_by_type"])}
        return StoreStats(
            observations=int(record["observations"]),
            events=int(record["events"]),
            rejections=int(record["rejections"]),
            identifiers=sum(by_type.values()),
            profiles=int(record["profiles"]),
            held_links=int(record["held_links"]),
            open_review_items=int(record["open_review_items"]),
            identifiers_by_type=by_type,
        )

    def ping(self) -> None:
        self._neo4j.ping()

    def close(self) -> None:
        """Close the driver and its pool; later calls raise StoreUnavailable. Twice is fine."""
        self._neo4j.close()


# -- units of work ------------------------------------------------------------------------
def write_changeset(tx: ManagedTransaction, changeset: Changeset, now: str) -> None:
    """The whole changeset in one transaction, in the order `Changeset` documents."""
    rows.unwind(
        tx, CYPHER.insert_observations, "rows", rows.observation_rows(changeset.observations, now)
    )
    rows.unwind(
        tx, CYPHER.insert_identifiers, "rows", rows.identifier_rows(changeset.new_identifiers)
    )
    if changeset.merges:
        moves = rows.merge_moves(changeset.merges)
        rows.unwind(tx, CYPHER.move_identifiers, "moves", moves)
        rows.unwind(tx, CYPHER.move_aliases, "moves", moves)
        rows.unwind(tx, CYPHER.put_aliases, "moves", moves)
        rows.unwind(tx, CYPHER.delete_profiles, "ids", [m["absorbed"] for m in moves])
        first = _reserve(tx, MERGE_ID, len(changeset.merges))
        rows.unwind(tx, CYPHER.insert_merges, "rows", rows.merge_rows(changeset.merges, first))
    rows.unwind(tx, CYPHER.upsert_profiles, "rows", rows.profile_rows(changeset.profiles))
    evidence = rows.evidence_rows(changeset.evidence)
    for chunk in rows.chunked(evidence, ROWS_PER_STATEMENT):
        record = _single(tx, CYPHER.upsert_evidence, rows=chunk)
        written = 0 if record is None else int(record["written"])
        if written != len(chunk):
            raise Conflict(
                f"the batch was not stored, nothing of it was kept: {len(chunk) - written} "
                "evidence rows name identifiers that are neither stored nor in the batch"
            )
    if changeset.review_items:
        first = _reserve(tx, REVIEW_ITEM_ID, len(changeset.review_items))
        items = rows.review_item_rows(changeset.review_items, first)
        rows.unwind(tx, CYPHER.insert_review_items, "rows", items)
    rows.unwind(tx, CYPHER.answer_review_items, "rows", rows.answered_rows(changeset.answered))
    guards = rows.identifier_guard_rows(changeset.identifier_guards)
    rows.unwind(tx, CYPHER.set_identifier_guards, "rows", guards)
    rows.unwind(tx, CYPHER.insert_events, "rows", rows.event_rows(changeset.events, now))
    rows.unwind(tx, CYPHER.upsert_key_activity, "rows", rows.key_activity_rows(changeset.events))
    touched = [w.state.id for w in changeset.profiles]
    touched += [m["survivor"] for m in rows.merge_moves(changeset.merges)]
    recount_activity(tx, touched, [e.identifiers[0].key for e in changeset.events])
    if changeset.rejections:
        first = _reserve(tx, REJECTION_SEQ, len(changeset.rejections))
        kept = rows.rejection_rows(changeset.rejections, first)
        rows.unwind(tx, CYPHER.insert_rejections, "rows", kept)
    write_audit(tx, changeset.audit)
    if changeset.consent:
        write_consent(tx, changeset.consent, now)


def _snapshot(tx: ManagedTransaction, keys: list[str]) -> Snapshot:
    identifiers: dict[str, str] = {}
    for chunk in rows.chunked(keys, ROWS_PER_STATEMENT):
        for record in tx.run(CYPHER.identifier_profiles, {"keys": chunk}):
            identifiers[record["key"]] = record["profile_id"]
    profile_ids = sorted(set(identifiers.values()))
    profiles: dict[str, ProfileState] = {}
    for chunk in rows.chunked(profile_ids, ROWS_PER_STATEMENT):
        for record in tx.run(CYPHER.profile_states, {"ids": chunk}):
            profiles[record["id"]] = rows.profile_state(record)
        for record in tx.run(CYPHER.constraint_sides_of_profiles, {"ids": chunk}):
            state = profiles.get(record["profile_id"])
            if state is not None:
                state.constraint_sides.add((int(record["constraint_id"]), int(record["side"])))
    key_sides: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for chunk in rows.chunked(keys, ROWS_PER_STATEMENT):
        for record in tx.run(CYPHER.constraint_sides_of_keys, {"keys": chunk}):
            key_sides[record["key"]].add((int(record["constraint_id"]), int(record["side"])))
    guards = {
        record["key"]: rows.identifier_guard(record)
        for chunk in rows.chunked(keys, ROWS_PER_STATEMENT)
        for record in tx.run(CYPHER.identifier_guards, {"keys": chunk})
    }
    return Snapshot(identifiers, profiles, dict(key_sides), guards)


def _open_items_between(tx: ManagedTransaction, profile_ids: list[str]) -> list[OpenReviewItem]:
    wanted = set(profile_ids)
    return [
        OpenReviewItem(r["a"], r["b"], r["profile_a"], r["profile_b"])
        for chunk in rows.chunked(profile_ids, ROWS_PER_STATEMENT)
        for r in tx.run(CYPHER.open_review_items_of_profiles, {"ids": chunk})
        if r["profile_b"] in wanted
    ]


def _profiles_page(after: str, limit: int) -> Callable[[ManagedTransaction], list[GoldenProfile]]:
    def work(tx: ManagedTransaction) -> list[GoldenProfile]:
        result = tx.run(CYPHER.profiles_page, {"after": after, "limit": limit})
        return [rows.golden_profile(record) for record in result]

    return work


def _delete_batch(statement: LiteralString) -> Callable[[ManagedTransaction], int]:
    """A unit of work deleting one bounded batch with `statement`, answering how many."""

    def work(tx: ManagedTransaction) -> int:
        record = _single(tx, statement, batch_size=DELETES_PER_TRANSACTION)
        return 0 if record is None else int(record["deleted"])

    return work


def _mark_page(after: int) -> Callable[[ManagedTransaction], int | None]:
    """A unit of work marking the replay's rejections of the page after `after`, answering its
    last `seq` (None: no page left)."""

    def work(tx: ManagedTransaction) -> int | None:
        params = {"after": after, "batch_size": DELETES_PER_TRANSACTION}
        record = _single(
            tx, CYPHER.mark_replay_rejections, prefix=REPLAY_REJECTION_PREFIX, **params
        )
        last = None if record is None else record["last"]
        return None if last is None else int(last)

    return work


def _reserve(tx: ManagedTransaction, counter: str, count: int) -> int:
    """The first of `count` fresh IDs from `counter`, reserved in this transaction."""
    record = _single(tx, CYPHER.reserve_ids, counter=counter, count=count)
    assert record is not None, "MERGE always answers with one row"
    return int(record["last"]) - count + 1


def _single(tx: ManagedTransaction, statement: LiteralString, **params: Any) -> Record | None:
    """The one record a statement answers with, or None."""
    return tx.run(statement, params).single()


def _consume(statement: LiteralString, **params: Any) -> Callable[[ManagedTransaction], None]:
    """A unit of work that runs one statement and keeps no result."""

    def work(tx: ManagedTransaction) -> None:
        tx.run(statement, params).consume()

    return work


# -- journeys -----------------------------------------------------------------------------
def _journey_params(query: JourneyQuery) -> dict[str, Any]:
    """The parameters of a journey page beside the profile IDs (the same as SQLite's)."""
    after_at, after_id = query.position() or (None, None)
    return {
        "since": iso(query.since) if query.since else None,
        "until": iso(query.until) if query.until else None,
        "types": sorted(query.types) if query.types else None,
        "after_at": after_at,
        "after_id": after_id,
        "limit": query.first + 1,
    }


def _journey_page(found: list[dict[str, Any]], query: JourneyQuery) -> JourneyPage:
    """A page in the server's own order (journey_pages collects after its ORDER BY): its
    cursor is compared by the server too, and Python orders text by code point where Neo4j
    may not, so a page sorted here again could end where the next one does not begin."""
    shown = found[: query.first]
    end = query.cursor(shown[-1]["occurred_at"], shown[-1]["id"]) if shown else None
    return JourneyPage([rows.event(e) for e in shown], end, len(found) > query.first)
