"""Segments, consent, traits and insights on the embedded store: a mixin of `SqliteStore`.

It brings its own tables and triggers (`sqlite_segments_sql.SCHEMA`, created when the store
opens) and reads the graph tables of `sqlite_sql`. Definitions are compiled by
`sqlite_segment_compiler` into one statement per question: a size, a page of members, an
export; the sizes of several segments are read in one transaction, a statement each, so each
gets the plan that suits it.

An export streams from a connection of its own, in one read transaction, so it is a
consistent snapshot however long the client takes to read it, and it can be read from any
thread (a streaming HTTP response moves between threads).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from datora_graph.domain.consent import ConsentState, ConsentStatement, ConsentStatus
from datora_graph.domain.errors import Conflict, InvalidInput, NotFound
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.insights import (
    VALUE_EDGES,
    DailyEvents,
    GraphCounts,
    ValueDistribution,
    ValueKind,
    percentile_offsets,
    value_buckets,
)
from datora_graph.domain.records import iso
from datora_graph.domain.segments import (
    MemberPage,
    Segment,
    SegmentContact,
    SegmentQuery,
    SegmentSize,
)
from datora_graph.domain.traits import ActivitySummary, TraitFacts, TraitSettings, to_milli
from datora_graph.store import sqlite_segments_sql as q
from datora_graph.store import sqlite_sql as core
from datora_graph.store.segment_rows import (
    member_cursor,
    member_page,
    segment_from_row,
    segment_row,
)
from datora_graph.store.sqlite_segment_compiler import SegmentCompiler, json_path


class SqliteSegments:
    """The segment half of `SqliteStore`; see store/base.py for what each method promises."""

    path: Path
    _writer: sqlite3.Connection
    _write_lock: threading.RLock
    _materialised: object = None
    """The trait settings the stored aggregates are known to fold in (None: not checked)."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _connect(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _check_open(self) -> None:
        raise NotImplementedError

    # -- schema and trait settings ----------------------------------------------------------
    def _open_segments(self) -> None:
        """Create the tables and triggers; credit the stored events when the activity tables
        are new (a store that predates them, or an older layout of them)."""
        version = self._writer.execute(q.GET_META, ("activity_version",)).fetchone()
        if version is not None and version[0] != q.ACTIVITY_VERSION:
            with self._transaction() as db:
                for statement in q.DROP_ACTIVITY:
                    db.execute(statement)
        self._writer.executescript(q.SCHEMA)
        self._consent_names_profiles()
        if version is not None and version[0] == q.ACTIVITY_VERSION:
            return
        with self._transaction() as db:
            if _stored_trait_settings(db)[1] is None:
                _write_trait_settings(db, TraitSettings())
            db.execute(q.CREDIT_STORED_EVENTS)
            db.execute(q.SET_META, ("activity_version", q.ACTIVITY_VERSION))

    def _consent_names_profiles(self) -> None:
        """Consent recorded before consent rows named their profile gets the column, filled."""
        columns = {row[0] for row in self._writer.execute(q.CONSENT_COLUMNS)}
        if "profile_id" not in columns:
            with self._transaction() as db:
                db.execute(q.DROP_OLD_CONSENT_INDEX)
                db.execute(q.ADD_CONSENT_PROFILE)
                db.execute(q.FILL_CONSENT_PROFILES)
        self._writer.execute(q.CONSENT_INDEX)

    def configure_traits(self, settings: TraitSettings) -> None:
        wanted = settings.materialised()
        if self._materialised == wanted:
            return
        with self._transaction() as db:
            if _stored_trait_settings(db) != wanted:
                _write_trait_settings(db, settings)
                for statement in q.RECOUNT_ALL_ACTIVITY:
                    db.execute(statement)
        self._materialised = wanted

    # -- segment definitions ----------------------------------------------------------------
    def create_segment(self, segment: Segment) -> None:
        try:
            with self._transaction() as db:
                db.execute(q.INSERT_SEGMENT, segment_row(segment))
        except sqlite3.IntegrityError:
            raise Conflict(f"a segment named {segment.name!r} already exists") from None

    def update_segment(self, segment: Segment) -> None:
        try:
            with self._transaction() as db:
                changed = db.execute(q.UPDATE_SEGMENT, segment_row(segment)).rowcount
        except sqlite3.IntegrityError:
            raise Conflict(f"another segment is named {segment.name!r}") from None
        if not changed:
            raise NotFound(f"no segment has the ID {segment.id!r}")

    def delete_segment(self, segment_id: str) -> bool:
        with self._transaction() as db:
            return bool(db.execute(q.DELETE_SEGMENT, (segment_id,)).rowcount)

    def get_segments(self, ids: Collection[str]) -> dict[str, Segment]:
        if not ids:
            return {}
        with self._read() as db:
            rows = db.execute(q.GET_SEGMENTS, (json.dumps(list(ids)),)).fetchall()
        return {row[0]: _segment(row) for row in rows}

    def segment_by_name(self, name: str) -> Segment | None:
        with self._read() as db:
            row = db.execute(q.SEGMENT_BY_NAME, (name,)).fetchone()
        return None if row is None else _segment(row)

    def list_segments(self) -> list[Segment]:
        with self._read() as db:
            return [_segment(row) for row in db.execute(q.LIST_SEGMENTS)]

    # -- segment evaluation -----------------------------------------------------------------
    def segment_sizes(self, queries: Sequence[SegmentQuery]) -> list[SegmentSize]:
        """Each size by its own statement, so SQLite may drive each from its most selective
        set, all in one read transaction (one snapshot, one count of people)."""
        if not queries:
            return []
        statements = [self._size_statement(query) for query in queries]
        self._use_traits(queries)
        with self._read() as db:
            people = int(db.execute(q.COUNT_PEOPLE).fetchone()[0])
            sizes = [int(db.execute(sql, params).fetchone()[0]) for sql, params in statements]
        return [SegmentSize(size, people) for size in sizes]

    def _size_statement(self, query: SegmentQuery) -> tuple[str, dict[str, object]]:
        compiler = _compiler([query])
        condition = compiler.condition(query.definition)
        statement = q.SEGMENT_SIZE.format(
            join=_join(compiler),
            people=_people(compiler),
            condition=condition,
        )
        return statement, compiler.params

    def segment_members(self, query: SegmentQuery, first: int, after: str | None) -> MemberPage:
        compiler = _compiler([query])
        condition = compiler.condition(query.definition)
        statement = q.SEGMENT_PAGE.format(
            join=_join(compiler), people=_people(compiler), condition=condition
        )
        params = {**compiler.params, "after": member_cursor(after), "limit": first + 1}
        self._use_traits([query])
        with self._read() as db:
            ids = [row[0] for row in db.execute(statement, params)]
        return member_page(ids, first)

    def segment_memberships(
        self, profile_ids: Collection[str], queries: Mapping[str, SegmentQuery]
    ) -> dict[str, list[str]]:
        if not profile_ids or not queries:
            return {}
        compiler = _compiler(queries.values(), correlated=True)
        columns = "".join(
            q.SEGMENT_MEMBERSHIP_COLUMN.format(condition=compiler.condition(query.definition))
            for query in queries.values()
        )
        statement = q.SEGMENT_MEMBERSHIP.format(
            columns=columns, join=_join(compiler), people=_people(compiler)
        )
        params = {**compiler.params, "profile_ids": json.dumps(list(profile_ids))}
        self._use_traits(queries.values())
        names = list(queries)
        with self._read() as db:
            rows = db.execute(statement, params).fetchall()
        return {row[0]: [names[n] for n, hit in enumerate(row[1:]) if hit] for row in rows}

    def iter_segment_contacts(
        self,
        query: SegmentQuery,
        identifier_type: str,
        purpose: str | None,
        batch_size: int = 1000,
    ) -> Iterator[list[SegmentContact]]:
        compiler = _compiler([query])
        condition = compiler.condition(query.definition)
        members = q.SEGMENT_IDS.format(
            join=_join(compiler),
            people=_people(compiler),
            condition=condition,
        )
        statement = q.SEGMENT_CONTACTS.format(members=members)
        params = {
            **compiler.params,
            "contact_low": f"{identifier_type}:",
            "contact_high": f"{identifier_type};",
            "purpose": purpose,
        }
        self._use_traits([query])
        self._check_open()
        connection = self._connect()
        try:
            connection.execute("PRAGMA query_only = ON")
            connection.execute("BEGIN")
            cursor = connection.execute(statement, params)
        except BaseException:
            connection.close()
            raise
        return _stream_contacts(connection, cursor, batch_size)

    def _use_traits(self, queries: Collection[SegmentQuery]) -> None:
        """Stored aggregates must fold in the settings a query computes traits with."""
        for query in queries:
            self.configure_traits(query.traits)

    # -- consent ----------------------------------------------------------------------------
    def record_consent(self, statements: Sequence[ConsentStatement]) -> None:
        rows = consent_rows(statements, iso(datetime.now(UTC)))
        with self._transaction() as db:
            write_consent(db, rows)

    def consent_of_identifiers(self, keys: Collection[str]) -> dict[str, list[ConsentState]]:
        if not keys:
            return {}
        found: dict[str, list[ConsentState]] = defaultdict(list)
        with self._read() as db:
            for key, *rest in db.execute(q.CONSENT_OF_IDENTIFIERS, (json.dumps(list(keys)),)):
                found[key].append(_consent_state(key, *rest))
        return dict(found)

    def consent_of_profiles(self, profile_ids: Collection[str]) -> dict[str, list[ConsentState]]:
        if not profile_ids:
            return {}
        found: dict[str, list[ConsentState]] = defaultdict(list)
        with self._read() as db:
            rows = db.execute(q.CONSENT_OF_PROFILES, (json.dumps(list(profile_ids)),))
            for profile_id, key, *rest in rows:
                found[profile_id].append(_consent_state(key, *rest))
        return dict(found)

    # -- traits -----------------------------------------------------------------------------
    def trait_facts(self, profile_ids: Collection[str]) -> dict[str, TraitFacts]:
        if not profile_ids:
            return {}
        with self._read() as db:
            rows = db.execute(q.TRAIT_PROFILES, (json.dumps(list(profile_ids)),)).fetchall()
        return {row[0]: _trait_facts(row) for row in rows}

    # -- insights ---------------------------------------------------------------------------
    def graph_counts(self) -> GraphCounts:
        with self._read() as db:
            profiles, people = db.execute(q.COUNT_PROFILES_AND_PEOPLE).fetchone()
            by_type = {str(t): int(n) for t, n in db.execute(core.IDENTIFIERS_BY_TYPE)}
            return GraphCounts(
                profiles=int(profiles),
                people=int(people),
                identifiers=sum(by_type.values()),
                identifiers_by_type=by_type,
                merges=int(db.execute(q.COUNT_MERGES).fetchone()[0]),
                held_links=int(db.execute(core.COUNT_HELD_LINKS).fetchone()[0]),
                open_review_items=int(db.execute(core.COUNT_OPEN_REVIEW_ITEMS).fetchone()[0]),
                profile_sizes={int(s): int(n) for s, n in db.execute(q.PROFILE_SIZES)},
            )

    def attribute_completeness(self, names: Sequence[str]) -> dict[str, float]:
        params = {f"a{n}": json_path(name) for n, name in enumerate(names)}
        columns = "".join(q.ATTRIBUTE_PRESENT.format(path=f":a{n}") for n in range(len(names)))
        with self._read() as db:
            row = db.execute(q.ATTRIBUTE_COMPLETENESS.format(columns=columns), params).fetchone()
        people = int(row[0])
        return {name: (int(row[n + 1]) / people if people else 0.0) for n, name in enumerate(names)}

    def value_distribution(
        self, kind: ValueKind, as_of: datetime, traits: TraitSettings
    ) -> ValueDistribution:
        compiler = SegmentCompiler(as_of, traits)
        name = "total_revenue" if kind == "revenue" else "customer_lifetime_value"
        values = q.BUYER_VALUES.format(value=compiler.trait(name))
        edges = {f"e{n}": float(edge) for n, edge in enumerate(VALUE_EDGES)}
        last = len(VALUE_EDGES) - 1
        bucket = "CASE " + "".join(f"WHEN v < :e{n + 1} THEN {n} " for n in range(last))
        histogram = q.VALUE_HISTOGRAM.format(bucket=bucket + f"ELSE {last} END", values=values)
        self.configure_traits(traits)
        with self._read() as db:
            rows = db.execute(histogram, {**compiler.params, **edges}).fetchall()
            count = sum(int(r[1]) for r in rows)
            if not count:
                return ValueDistribution.empty(kind)
            ranks = percentile_offsets(count)
            ranked = q.VALUES_AT_RANKS.format(values=values)
            params = {**compiler.params, "ranks": json.dumps(sorted(set(ranks.values())))}
            at_rank = {int(r): float(v) for r, v in db.execute(ranked, params)}
        total = sum(float(r[2]) for r in rows)
        return ValueDistribution(
            kind=kind,
            count=count,
            total=total,
            mean=total / count,
            minimum=min(float(r[3]) for r in rows),
            maximum=max(float(r[4]) for r in rows),
            percentiles={p: at_rank[r] for p, r in ranks.items()},
            buckets=value_buckets({int(r[0]): int(r[1]) for r in rows}),
        )

    def events_per_day(self, since: datetime, until: datetime) -> list[DailyEvents]:
        params = {"since": iso(since), "until": iso(until)}
        with self._read() as db:
            rows = db.execute(q.EVENTS_PER_DAY, params).fetchall()
        return [
            DailyEvents(date.fromisoformat(day), event_type, int(events), int(cents) / 100)
            for day, event_type, events, cents in rows
        ]


def _stream_contacts(
    connection: sqlite3.Connection, cursor: sqlite3.Cursor, batch_size: int
) -> Iterator[list[SegmentContact]]:
    """Batches of the export's rows; the connection closes when the stream ends or is closed."""
    try:
        while rows := cursor.fetchmany(batch_size):
            yield [SegmentContact(r[0], Identifier(r[1], r[2])) for r in rows]
    finally:
        connection.close()


def consent_rows(
    statements: Sequence[ConsentStatement], recorded_at: str
) -> list[dict[str, object]]:
    """The parameters `write_consent` takes, one row per statement; `recorded_at` as `iso`
    writes it."""
    return [
        {
            "key": s.identifier.key,
            "purpose": s.purpose,
            "granted": int(s.granted),
            "stated_at": iso(s.stated_at),
            "source": s.source,
            "recorded_at": recorded_at,
        }
        for s in statements
    ]


def write_consent(db: sqlite3.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record consent statements inside the caller's transaction (rows from `consent_rows`):
    `record_consent`, and the commit of a changeset for the consent its observations carried.
    Resent statements are ignored, so replaying the log in a rebuild records nothing twice."""
    db.executemany(q.INSERT_CONSENT_STATEMENT, rows)
    db.executemany(q.UPSERT_CONSENT, rows)


def _compiler(queries: Collection[SegmentQuery], correlated: bool = False) -> SegmentCompiler:
    """One compiler for every query of a statement: they share the evaluation time."""
    first = next(iter(queries), None)
    if first is None:
        raise InvalidInput("segments", "no segment to evaluate")
    for query in queries:
        if query.as_of != first.as_of or query.traits != first.traits:
            raise InvalidInput("as_of", "segments evaluated together share one time and settings")
    return SegmentCompiler(first.as_of, first.traits, correlated)


def _join(compiler: SegmentCompiler) -> str:
    return q.SUMMARY_JOIN if compiler.uses_activity else ""


def _people(compiler: SegmentCompiler) -> str:
    return q.PEOPLE_BY_SCAN if compiler.reads_attributes else q.PEOPLE


def _segment(row: Sequence[Any]) -> Segment:
    return segment_from_row(dict(zip(_SEGMENT_COLUMNS, row, strict=True)))


_SEGMENT_COLUMNS = q.SEGMENT_COLUMNS


def _consent_state(
    key: str, purpose: str, granted: int, stated_at: str, source: str
) -> ConsentState:
    status: ConsentStatus = "granted" if granted else "withdrawn"
    return ConsentState(
        Identifier.from_key(key), purpose, status, datetime.fromisoformat(stated_at), source
    )


def _trait_facts(row: Sequence[Any]) -> TraitFacts:
    activity = None
    if row[5] is not None:
        activity = ActivitySummary(
            events=int(row[5]),
            orders=int(row[6]),
            revenue_cents=int(row[7]),
            engagement_milli=int(row[8]),
            first_at=datetime.fromisoformat(row[9]),
            last_at=datetime.fromisoformat(row[10]),
            events_by_type={str(k): int(v) for k, v in json.loads(row[11]).items()},
        )
    return TraitFacts(
        profile_id=row[0],
        created_at=datetime.fromisoformat(row[1]),
        updated_at=datetime.fromisoformat(row[2]),
        attribute_names=frozenset(json.loads(row[3])),
        identifier_types=frozenset(t for t, n in json.loads(row[4]).items() if n > 0),
        activity=activity,
    )


_Materialised = tuple[tuple[tuple[str, int], ...], int | None, tuple[str, ...]]


def _stored_trait_settings(db: sqlite3.Connection) -> _Materialised:
    scores = tuple((str(t), int(s)) for t, s in db.execute(q.READ_EVENT_SCORES))
    default = db.execute(q.READ_TRAIT_SETTING, ("default_score_milli",)).fetchone()
    orders = tuple(str(row[0]) for row in db.execute(q.READ_ORDER_TYPES))
    return (scores, None if default is None else int(default[0]), orders)


def _write_trait_settings(db: sqlite3.Connection, settings: TraitSettings) -> None:
    db.execute(q.CLEAR_EVENT_SCORES)
    db.execute(q.CLEAR_ORDER_TYPES)
    db.executemany(q.INSERT_EVENT_SCORE, list(settings.scores_milli().items()))
    db.executemany(q.INSERT_ORDER_TYPE, [(t,) for t in sorted(set(settings.order_event_types))])
    db.execute(
        q.SET_TRAIT_SETTING, ("default_score_milli", str(to_milli(settings.default_event_score)))
    )
