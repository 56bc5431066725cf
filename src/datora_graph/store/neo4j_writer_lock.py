"""The Neo4j store's writer lock, which keeps the read-resolve-commit cycles of every thread
and process writing one Neo4j database apart.

Neo4j serialises transactions, not cycles: two processes ingesting at once (`datora ingest`
beside `datora serve --workers 4` taking REST batches) would each commit a changeset computed
from a graph the other had already changed, and lose merges. The lock is a transaction that
holds a :Meta node write-locked for the length of a cycle (`Neo4jConnection.take_writer_lock`),
so Neo4j's own lock manager makes the others wait, and a holder that dies releases it when the
server rolls its transaction back. The threads of one process queue on a thread lock first
(`CrossProcessLock`) rather than each holding a connection open while it waits.
"""

from __future__ import annotations

from datora_graph.store.cross_process_lock import CrossProcessLock
from datora_graph.store.neo4j_connection import Neo4jConnection, WriterLockHold


class Neo4jWriterLock(CrossProcessLock):
    """Held by one thread of one process at a time, across every process on the database."""

    def __init__(self, connection: Neo4jConnection) -> None:
        super().__init__()
        self._connection = connection
        self._hold: WriterLockHold | None = None

    def _take(self) -> None:
        self._hold = self._connection.take_writer_lock()

    def _give_back(self, *, clean: bool) -> None:
        """Hands over this process's bookmarks whether or not the block ended `clean`: a
        block can fail after a commit."""
        hold, self._hold = self._hold, None
        if hold is not None:
            self._connection.release_writer_lock(hold)
