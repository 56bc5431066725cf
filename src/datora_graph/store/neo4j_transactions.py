"""How the Neo4j store talks to Neo4j: one driver, managed transactions, errors.

Every unit of work runs through the driver's managed transactions (`execute_read`,
`execute_write`), which retry transient failures and lost connections for up to the configured
timeout; each transaction is also bounded by that timeout on the server. Failures that mean the
store cannot serve (unreachable, credentials refused, no such database) become
`StoreUnavailable` naming the URI.

The sessions share one bookmark manager: it waits for the bookmarks the last holder of the
writer lock handed over (`neo4j_writer_lock`), and notes this process's own, to hand over in
turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from neo4j import (
    Bookmarks,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    Session,
    unit_of_work,
)
from neo4j.exceptions import (
    AuthError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.exceptions import ConfigurationError as DriverConfigurationError

from datora_graph.domain.errors import ConfigurationError, StoreUnavailable

_Result = TypeVar("_Result")
Work = Callable[[ManagedTransaction], _Result]

URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
TRANSACTION_TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOut"
"""The server's own `db.transaction.timeout` ended a transaction."""
OUR_TIMEOUT = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
"""A transaction's own timeout, which this connection sets, ended it."""
SECURITY = "Neo.ClientError.Security."


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    """Where the store lives and how to reach it (from `DATORA_NEO4J_*`)."""

    uri: str
    user: str
    password: str
    database: str
    pool_size: int = 50
    timeout_seconds: float = 30.0
    lock_timeout_seconds: float = 3600.0
    guard_lease_seconds: float = 15.0


class Neo4jTransactions:
    """A driver with its pool, opened and checked on construction."""

    def __init__(self, target: Neo4jTarget) -> None:
        self.target = target
        self._closed = False
        scheme = target.uri.partition("://")[0]
        if scheme not in URI_SCHEMES:
            raise ConfigurationError(
                f"DATORA_NEO4J_URI={target.uri!r}: the scheme must be one of "
                f"{', '.join(URI_SCHEMES)} (for example bolt://localhost:7687)"
            )
        try:
            self._driver: Driver = GraphDatabase.driver(
                target.uri,
                auth=(target.user, target.password),
                max_connection_pool_size=target.pool_size,
                connection_timeout=target.timeout_seconds,
                connection_acquisition_timeout=target.timeout_seconds,
                max_transaction_retry_time=target.timeout_seconds,
            )
        except (ValueError, DriverConfigurationError) as exc:
            raise ConfigurationError(f"DATORA_NEO4J_URI={target.uri!r}: {exc}") from exc
        self._handed_over = Bookmarks.from_raw_values(())
        self._own_bookmarks = Bookmarks.from_raw_values(())
        self._bookmark_updates = 0
        self._bookmarks = GraphDatabase.bookmark_manager(
            bookmarks_supplier=self._bookmarks_handed_over,
            bookmarks_consumer=self._note_own_bookmarks,
        )
        try:
            self.ping()
        except ValueError as exc:
            self._driver.close()
            raise ConfigurationError(f"DATORA_NEO4J_URI={target.uri!r}: {exc}") from exc
        except BaseException:
            self._driver.close()
            raise

    # -- units of work --------------------------------------------------------------------
    def execute_read(self, work: Work[_Result]) -> _Result:
        """Run `work` in one managed read transaction (retried on transient failures)."""
        with self._errors(), self._session() as session:
            return session.execute_read(self._bounded(work))

    def execute_write(self, work: Work[_Result], timeout: float | None = None) -> _Result:
        """Run `work` in one managed write transaction (retried on transient failures), so it
        commits whole or not at all; the server ends it after `timeout` seconds (default: the
        connection's timeout). Wrap writes readers must not see half of in `writing()`, and make
        them under the writer lock (see `neo4j_connection`). A write of the thread holding
        the writer lock checks the fence first."""
        with self._errors(), self._session() as session:
            return session.execute_write(self._bounded(self.write_unit(work), timeout))

    def execute_bulk_write(self, work: Work[_Result]) -> _Result:
        """`execute_write` for one large write made under the writer lock (a batch's
        changeset, a page of the log index): a busy server may take longer than the usual 30 s
        over 25,000 observations, so it is bounded by the lock's timeout instead."""
        return self.execute_write(work, timeout=self.target.lock_timeout_seconds)

    def write_unit(self, work: Work[_Result]) -> Work[_Result]:
        """`work` as a write runs it: the writer lock's fence check and the commit guard's
        lease check wrap it in the layers above (`neo4j_writer_lock`, `neo4j_commit_guard`)."""
        return work

    def _bookmarks_handed_over(self) -> Bookmarks:
        return self._handed_over

    def _note_own_bookmarks(self, bookmarks: Bookmarks) -> None:
        self._own_bookmarks = bookmarks
        self._bookmark_updates += 1

    # -- lifecycle ------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise StoreUnavailable, naming the URI and the reason, unless Neo4j answers and
        accepts the credentials."""
        self._check_open()
        with self._errors():
            self._driver.verify_connectivity()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._driver.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable(f"the Neo4j store at {self.target.uri} is closed")

    @contextmanager
    def _session(self) -> Iterator[Session]:
        self._check_open()
        with self._driver.session(
            database=self.target.database, bookmark_manager=self._bookmarks
        ) as session:
            yield session

    def _bounded(self, work: Work[_Result], timeout: float | None = None) -> Work[_Result]:
        """`work` as a unit of work the server ends after `timeout` (default: the timeout)."""

        def unit(tx: ManagedTransaction) -> _Result:
            return work(tx)

        limit = self.target.timeout_seconds if timeout is None else timeout
        return unit_of_work(timeout=limit)(unit)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver failures that mean the store cannot serve, as StoreUnavailable."""
        where = f"Neo4j at {self.target.uri}"
        try:
            yield
        except AuthError as exc:
            raise StoreUnavailable(
                f"{where} refused the credentials of user {self.target.user!r} "
                f"(DATORA_NEO4J_USER, DATORA_NEO4J_PASSWORD): {exc.message or exc}"
            ) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"{where} cannot be reached: {exc}") from exc
        except TransientError as exc:
            raise StoreUnavailable(
                f"{where} stayed unavailable through the retries of "
                f"{self.target.timeout_seconds:g} s: {exc.message or exc}"
            ) from exc
        except Neo4jError as exc:
            if exc.code == DATABASE_NOT_FOUND:
                raise StoreUnavailable(
                    f"{where} has no database {self.target.database!r} (DATORA_NEO4J_DATABASE)"
                ) from exc
            if (exc.code or "").startswith(SECURITY):
                raise StoreUnavailable(
                    f"{where} does not let user {self.target.user!r} do what the store needs "
                    f"(schema, reads and writes on {self.target.database!r}): {exc.message}"
                ) from exc
            if exc.code == OUR_TIMEOUT:
                raise StoreUnavailable(
                    f"{where} did not finish a transaction within its time limit: "
                    f"{self.target.timeout_seconds:g} s (DATORA_NEO4J_TIMEOUT_SECONDS), or "
                    f"{self.target.lock_timeout_seconds:g} s for a batch's commit "
                    "(DATORA_NEO4J_LOCK_TIMEOUT_SECONDS)"
                ) from exc
            if exc.code == TRANSACTION_TIMED_OUT:
                raise StoreUnavailable(
                    f"{where} ended a transaction at the server's own limit "
                    f"(db.transaction.timeout in neo4j.conf): {exc.message or exc}"
                ) from exc
            raise
