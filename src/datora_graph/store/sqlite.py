"""The embedded store: the whole identity graph in one SQLite file, nothing to install or start.

WAL mode lets reads run beside the one writer; each `commit` is one transaction, so a crash
mid-batch leaves the state of the batch before it. Reads use a connection per thread, writes
one connection guarded by a lock.

    >>> store = SqliteStore(Path("datora.db"))      # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from datora_graph.domain.changeset import (
    Changeset,
    IdentifierGuardState,
    OpenReviewItem,
    ProfileState,
    Snapshot,
)
from datora_graph.domain.erasure import Erasure, ErasureCounts
from datora_graph.domain.errors import Conflict, StoreUnavailable
from datora_graph.domain.records import REPLAY_REJECTION_PREFIX, iso
from datora_graph.domain.survivorship import candidates_from_json
from datora_graph.store import sqlite_rekey
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.process_lock import ProcessLock
from datora_graph.store.sqlite_access import SqliteAccess
from datora_graph.store.sqlite_changeset import FrozenCandidates, frozen, write_changeset
from datora_graph.store.sqlite_damage import damage_in, damaged_store
from datora_graph.store.sqlite_erasure import SqliteErasedRecords, erase_in
from datora_graph.store.sqlite_export import SqliteExport
from datora_graph.store.sqlite_ids import reserve_ids
from datora_graph.store.sqlite_log_index import SqliteLogIndex, forget_log_index
from datora_graph.store.sqlite_reads import SqliteReads
from datora_graph.store.sqlite_redaction import SqliteRedaction
from datora_graph.store.sqlite_segments import SqliteSegments
from datora_graph.store.sqlite_steward import SqliteSteward
from datora_graph.store.sqlite_tables import (
    looks_like_a_store,
    lost_tables,
    record_tables,
    tables_in,
)
from datora_graph.store.wal_checkpointer import WalCheckpointer

REBUILD_MARKER = "rebuild_started_at"
KEY_RULES = "key_rules"
READ_DEADLINE_CHECK_INSTRUCTIONS = 100_000
"""SQLite calls the read deadline's check every this many virtual machine steps (well under a
millisecond of work apart)."""
WRITER_CACHE_KIB = 256 * 1024
"""Page cache of the one writing connection; each reading connection keeps 64 MiB."""


class SqliteStore(
    SqliteSegments,
    SqliteSteward,
    SqliteLogIndex,
    SqliteAccess,
    SqliteExport,
    SqliteErasedRecords,
    SqliteReads,
    SqliteRedaction,
):
    """`GraphStore` on a local SQLite file (see store/base.py for what each method promises)."""

    def __init__(
        self,
        path: Path,
        synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
        read_timeout_seconds: float = 0,
    ) -> None:
        self.path = Path(path)
        self._synchronous = synchronous
        self._read_timeout = read_timeout_seconds
        """A read transaction running longer is stopped (0: never)."""
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._process_lock = ProcessLock(Path(f"{self.path}-writer.lock"))
        self._closed = False
        self._stored_candidates: dict[str, tuple[FrozenCandidates, str]] = {}
        """The candidates of the last snapshot as loaded and as stored: a profile whose
        candidates the batch left equal is written back without encoding them again."""
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._check_is_a_store()
            self._writer = self._connect()
            self._writer.execute("PRAGMA wal_autocheckpoint = 0")
            # A bulk batch dirties pages all over the identifier, evidence and profile
            # B-trees; a page cache smaller than that set spills dirty pages to the WAL
            # mid-transaction and writes them again at commit.
            self._writer.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
            self._writer.executescript(sql.SCHEMA)
            self._add_review_item_columns()
            self._update_profiles_layout()
            self._check_schema_version()
            self._open_segments()
            record_tables(self._writer)
            self._checkpointer = WalCheckpointer(self._connect)
            self._checkpointer.start()
        except (sqlite3.Error, OSError) as exc:
            if (damage := damage_in(exc)) is not None:
                raise damaged_store(self.path, damage) from exc
            raise StoreUnavailable(f"cannot open the SQLite store at {self.path}: {exc}") from exc

    # -- connections ----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        connection.execute("PRAGMA journal_mode = WAL")
        # Deleted content is overwritten with zeros, whatever SQLite was built with (its own
        # default is off): an erasure must not leave the person's values in free pages.
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute(f"PRAGMA synchronous = {self._synchronous}")
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("PRAGMA cache_size = -65536")
        return connection

    def _reader(self) -> sqlite3.Connection:
        self._check_open()
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            connection.execute("PRAGMA query_only = ON")
            if self._read_timeout > 0:
                self._local.deadline = math.inf
                connection.set_progress_handler(
                    ReadDeadline(self._local), READ_DEADLINE_CHECK_INSTRUCTIONS
                )
            self._local.connection = connection
            with self._readers_lock:
                self._readers.append(connection)
        return connection

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same committed state. One that
        runs past the read timeout is stopped (SQLite interrupts the statement running) and
        reported as StoreUnavailable, naming the setting."""
        connection = self._reader()
        timed = self._read_timeout > 0
        if timed:
            self._local.deadline = time.monotonic() + self._read_timeout
        connection.execute("BEGIN")
        try:
            yield connection
        except sqlite3.OperationalError as exc:
            if timed and time.monotonic() > self._local.deadline and "interrupt" in str(exc):
                raise StoreUnavailable(
                    f"the read ran longer than {self._read_timeout:g} s "
                    "(DATORA_READ_TIMEOUT_SECONDS) and was stopped; ask for less (a narrower "
                    "segment, fewer segments at once) or raise the limit"
                ) from exc
            raise
        finally:
            if timed:
                self._local.deadline = math.inf
            if connection.in_transaction:
                connection.execute("COMMIT")

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable(f"the SQLite store at {self.path} is closed")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            self._check_open()
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    def writer_lock(self) -> AbstractContextManager[object]:
        return self._process_lock

    def erase(self, erasure: Erasure) -> ErasureCounts:
        self._steward_schema()
        self._access_schema()
        self._log_index_schema()
        with self._transaction() as db:
            counts = erase_in(db, erasure)
        self._forget_old_pages()
        return counts

    def _forget_old_pages(self) -> None:
        """After an erasure or a redaction: the write-ahead log's frames from before it go."""
        with self._write_lock:
            self._check_open()
            self._checkpointer.forget(self._writer)

    def _check_is_a_store(self) -> None:
        """Refuse another program's database (which the schema would be added to) and a store
        that lost one of its tables (which the schema would create again, empty)."""
        if not self.path.exists():
            return  # a new store
        # A connection that changes nothing: the writer's would turn on WAL in the file.
        plain = sqlite3.connect(self.path)
        try:
            tables = tables_in(plain)
            if not tables:
                return  # an empty file: a new store
            if not looks_like_a_store(tables):
                raise StoreUnavailable(
                    f"{self.path} is a SQLite database of another program, not a Datora "
                    f"Graph store (it holds {_listed(tables)}): name the store's file with "
                    "--db or DATORA_DB"
                )
            lost = lost_tables(plain, tables)
        finally:
            plain.close()
        if lost:
            missing = (
                f"the tables {_listed(lost)} are"
                if len(lost) > 1
                else f"the table {_listed(lost)} is"
            )
            raise damaged_store(self.path, f"{missing} missing")

    def _add_review_item_columns(self) -> None:
        """Store files written before review items carried guard, source, suggested action and
        the observation that answered them,
        or before quarantines kept their log position, get those columns (defaults for the
        rows already there), so they open unchanged."""
        for listing, additions in (
            (sql.REVIEW_ITEM_COLUMNS, sql.ADD_REVIEW_ITEM_COLUMNS),
            (sql.GUARD_COLUMNS, sql.ADD_GUARD_COLUMNS),
        ):
            present = {row[0] for row in self._writer.execute(listing)}
            for column, statement in additions.items():
                if column not in present:
                    self._writer.execute(statement)

    def _update_profiles_layout(self) -> None:
        """Store files written before profiles were a rowid table, or before they counted
        their standard attributes, get today's layout."""
        layout = self._writer.execute(sql.PROFILES_LAYOUT).fetchone()
        if layout is not None and "WITHOUT ROWID" in layout[0].upper():
            with self._transaction() as db:
                for statement in sql.PROFILES_TO_ROWID_TABLE:
                    db.execute(statement)
        columns = {row[0] for row in self._writer.execute(sql.LIST_PROFILE_COLUMNS)}
        if "standard_attributes" not in columns:
            with self._transaction() as db:
                for statement in sql.ADD_STANDARD_ATTRIBUTES:
                    db.execute(statement)

    def _check_schema_version(self) -> None:
        row = self._writer.execute(sql.GET_META, ("schema_version",)).fetchone()
        if row is None:
            self._writer.execute(sql.SET_META, ("schema_version", sql.SCHEMA_VERSION))
        elif row[0] != sql.SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{self.path} has schema version {row[0]}; this release reads version "
                f"{sql.SCHEMA_VERSION}"
            )

    # -- ingest ---------------------------------------------------------------------------
    def known_observation_ids(self, ids: Collection[str]) -> set[str]:
        return self._ids_in(sql.KNOWN_OBSERVATION_IDS, ids)

    def known_event_ids(self, ids: Collection[str]) -> set[str]:
        return self._ids_in(sql.KNOWN_EVENT_IDS, ids)

    def _ids_in(self, statement: str, ids: Collection[str]) -> set[str]:
        if not ids:
            return set()
        with self._write_lock:
            self._check_open()
            rows = self._writer.execute(statement, (json.dumps(sorted(ids)),)).fetchall()
        return {row[0] for row in rows}

    def last_sequence(self) -> int:
        with self._write_lock:
            self._check_open()
            return int(self._writer.execute(sql.LAST_SEQUENCE).fetchone()[0])

    def load_snapshot(self, keys: Collection[str]) -> Snapshot:
        keys_json = json.dumps(sorted(keys))  # in order: each lookup lands near the last
        with self._write_lock:
            self._check_open()
            db = self._writer
            identifiers = dict(db.execute(sql.SNAPSHOT_IDENTIFIERS, (keys_json,)))
            profile_ids = json.dumps(sorted(set(identifiers.values())))
            profiles: dict[str, ProfileState] = {}
            stored: dict[str, tuple[FrozenCandidates, str]] = {}
            for row in db.execute(sql.SNAPSHOT_PROFILES, (profile_ids,)):
                candidates = candidates_from_json(row[6])
                stored[row[0]] = (frozen(candidates), row[6])
                profiles[row[0]] = ProfileState(
                    id=row[0],
                    size=row[1],
                    type_counts=json.loads(row[2]),
                    created_seq=row[3],
                    created_at=datetime.fromisoformat(row[4]),
                    candidates=candidates,
                    junk=bool(row[5]),
                    updated_at=datetime.fromisoformat(row[7]),
                )
            self._stored_candidates = stored
            for constraint_id, side, profile_id in db.execute(
                sql.SNAPSHOT_CONSTRAINT_SIDES, {"ids": profile_ids}
            ):
                profiles[profile_id].constraint_sides.add((constraint_id, side))
            key_sides: dict[str, set[tuple[int, int]]] = defaultdict(set)
            for constraint_id, side, key in db.execute(
                sql.KEY_CONSTRAINT_SIDES, {"keys": keys_json}
            ):
                key_sides[key].add((constraint_id, side))
            guards = {
                row[0]: IdentifierGuardState(
                    row[0],
                    row[1],
                    bool(row[2]),
                    row[3],
                    row[4],
                    tuple(int(seq) for seq in row[5].split(",") if seq),
                )
                for row in db.execute(sql.SNAPSHOT_IDENTIFIER_GUARDS, (keys_json,))
            }
        return Snapshot(identifiers, profiles, dict(key_sides), guards)

    def open_review_items_between(self, profile_ids: Collection[str]) -> list[OpenReviewItem]:
        ids = json.dumps(sorted(profile_ids))
        with self._write_lock:
            self._check_open()
            found = self._writer.execute(sql.OPEN_REVIEW_ITEMS_BETWEEN, {"ids": ids})
            return [OpenReviewItem(*row) for row in found]

    def commit(self, changeset: Changeset) -> None:
        now = iso(datetime.now(UTC))
        if changeset.audit:
            self._access_schema()
        try:
            with self._transaction() as db:
                write_changeset(db, changeset, now, self._stored_candidates)
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"the batch was not stored, nothing of it was kept: {exc}") from exc

    def add_cannot_link(
        self, a: str, b: str, reason: str, created_at: datetime | None = None
    ) -> int:
        first, second = sorted((a, b))
        when = iso(created_at or datetime.now(UTC))
        with self._transaction() as db:
            fresh = reserve_ids(db, "cannot_link", 1)
            row = db.execute(
                sql.INSERT_CANNOT_LINK, (fresh, first, second, reason, when)
            ).fetchone()
        return int(row[0])

    # -- log and rebuild ------------------------------------------------------------------
    def read_log(self, after_seq: int, limit: int) -> Sequence[tuple[int, str]]:
        with self._read() as db:
            return [(int(s), str(p)) for s, p in db.execute(sql.READ_LOG, (after_seq, limit))]

    def reset_derived(self) -> None:
        # The resolutions of the review items that go: a replay closes its own items again.
        self._steward_schema()
        self._log_index_schema()
        with self._transaction() as db:
            for statement in (*sql.RESET_DERIVED, "DELETE FROM review_resolutions"):
                db.execute(statement)
            forget_log_index(db)
            db.execute(sql.RESET_REPLAY_REJECTIONS, {"prefix": REPLAY_REJECTION_PREFIX})
            db.execute(sql.SET_META, (REBUILD_MARKER, iso(datetime.now(UTC))))

    def finish_rebuild(self) -> None:
        with self._transaction() as db:
            db.execute(sql.DELETE_META, (REBUILD_MARKER,))

    def rebuild_in_progress(self) -> bool:
        with self._read() as db:
            return db.execute(sql.GET_META, (REBUILD_MARKER,)).fetchone() is not None

    def key_rules(self) -> str | None:
        with self._read() as db:
            row = db.execute(sql.GET_META, (KEY_RULES,)).fetchone()
        return None if row is None else str(row[0])

    def record_key_rules(self, rules: str) -> None:
        with self._transaction() as db:
            db.execute(sql.SET_META, (KEY_RULES, rules))

    def stored_record_keys(self, after: str, limit: int) -> list[str]:
        with self._read() as db:
            return sqlite_rekey.stored_record_keys(db, after, limit)

    def rekey_records(self, changes: Mapping[str, str]) -> None:
        if changes:
            with self._transaction() as db:
                sqlite_rekey.rekey_records(db, changes)

    def upgrade_done(self, name: str) -> bool:
        with self._read() as db:
            return db.execute(sql.GET_META, (f"upgrade:{name}",)).fetchone() is not None

    def mark_upgrade_done(self, name: str) -> None:
        with self._transaction() as db:
            db.execute(sql.SET_META, (f"upgrade:{name}", iso(datetime.now(UTC))))

    # -- health and shutdown --------------------------------------------------------------
    def ping(self) -> None:
        try:
            with self._read() as db:
                db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(
                f"the SQLite store at {self.path} cannot be read: {exc}"
            ) from exc

    def close(self) -> None:
        """Close every connection; later calls raise StoreUnavailable. Closing twice is fine."""
        if self._closed:
            return
        self._closed = True
        self._checkpointer.stop()
        with self._readers_lock:
            for connection in self._readers:
                connection.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()
        self._process_lock.close()


class ReadDeadline:
    """A reading connection's progress handler: non-zero (stop the statement) once the read
    transaction running on this thread is past its deadline. A class, not a closure over the
    store: the connection keeps it for its lifetime."""

    def __init__(self, local: threading.local) -> None:
        self._local = local

    def __call__(self) -> int:
        return int(time.monotonic() > self._local.deadline)


def _listed(tables: set[str] | frozenset[str], most: int = 5) -> str:
    names = sorted(tables)
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
