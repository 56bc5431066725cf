"""How the Neo4j store talks to Neo4j: one driver, managed transactions, errors
(`neo4j_transactions`), a writer lock with its fence (`neo4j_writer_lock`), a commit guard
(`neo4j_commit_guard`); `Neo4jConnection` is the three in one.

Neo4j reads are read-committed: a read may see part of a changeset that commits while it
runs. Reads that must see a changeset whole or not at all (`guarded_read`) check a commit
guard, a version on a :Meta node that a write makes odd in a transaction of its own before it
starts and even again once it has committed, and read again when a write overlapped them. A
mark holds for a lease its writer's heartbeats extend, so one a crashed writer left stops
readers for that lease only (`neo4j_commit_guard`).

One flag means one write in flight at a time: had two overlapped, the end of the first would
make the version even while the second still commits, and a read then could see half of it. So
only writes made under the writer lock (`neo4j_writer_lock`) mark the guard, and they take
turns; a holder the lock was taken from cannot end its successor's mark either, since its end
is fenced like its writes. Writes made beside the lock (a REST consent call, segment
definitions, erased-record fingerprints from a migration) change nothing a guarded read reads
(stats, graph counts, snapshots, profile slices) and leave the guard alone: a write that
changes what those read must be made under the lock, as every cycle of ingest, rebuild,
steward decision and erasure is (`datora migrate` alone writes its target directly, as the
only writer of that database).
"""

from __future__ import annotations

from datora_graph.store.neo4j_commit_guard import GuardedTransactions
from datora_graph.store.neo4j_transactions import Neo4jTarget
from datora_graph.store.neo4j_writer_lock import WriterLockHold

__all__ = ["Neo4jConnection", "Neo4jTarget", "WriterLockHold"]


class Neo4jConnection(GuardedTransactions):
    """A driver with its pool, opened and checked on construction: units of work, the
    writer lock and the commit guard, as the Neo4j store's modules use them."""
