"""The index from identifier to logged observation on Neo4j: a mixin of `Neo4jStore` (see
log_index.py for why it exists and who fills it).

Each identifier key a logged observation carried is a `(:LogKey {key})`, unique on key, and
the observation points at it: `(:Observation)-[:CARRIED]->(:LogKey)`, so the observations of a
profile's identifiers are one index seek per key. The log position the index is filled up to
is a `:Meta` value (`log_keys_through`). A rebuild's reset deletes both (relationships first,
`delete_log_index_links_batch`), since the keys are made under the identifier settings of the
time, and the replay writes the index again as it goes. An erasure deletes the erased keys'
`:LogKey` nodes (`erase_log_keys`, in `neo4j_erasure.py`), and an observation it deletes takes
its `CARRIED` relationships along.

A page is indexed only past the position already filled, read under a write lock on that
`:Meta` node (`log_index_claim`): a page read before another catch-up indexed it, and before
an erasure then removed a person's keys, would put them back.

Filling the index is not marked in the commit guard (`Neo4jConnection.writing`): no guarded
read (`stats`, a batch's snapshot) reads it, and marking every page would make them read again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from neo4j import ManagedTransaction

from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_rows import Row, chunked

POSITION = "log_keys_through"
"""The `:Meta` key holding the log position the index is filled up to."""
ROWS_PER_STATEMENT = 10_000
"""Observations (or keys, when reading) one UNWIND statement carries."""


class Neo4jLogIndex:
    """The log-index part of `Neo4jStore`; see store/base.py for what each method promises."""

    _neo4j: Neo4jConnection

    def log_index_position(self) -> int:
        record = self._neo4j.execute_read(
            lambda tx: tx.run(CYPHER.meta_get, {"key": POSITION}).single()
        )
        return 0 if record is None else int(record["value"])

    def index_log(self, rows: Sequence[tuple[str, int]], after_seq: int, through_seq: int) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            claimed = tx.run(CYPHER.log_index_claim, {"key": POSITION}).single()
            filled = 0 if claimed is None else int(claimed["value"])
            if through_seq <= filled:
                return True
            if filled < after_seq:
                between = {"filled": filled, "after": after_seq}
                if tx.run(CYPHER.log_entry_before_page, between).single() is not None:
                    return False
            carried = log_key_rows([(key, seq) for key, seq in rows if seq > filled])
            for chunk in chunked(carried, ROWS_PER_STATEMENT):
                tx.run(CYPHER.index_log, {"rows": list(chunk)}).consume()
            tx.run(CYPHER.meta_set, {"key": POSITION, "value": int(through_seq)}).consume()
            return True

        return self._neo4j.execute_bulk_write(work)  # a page of 25,000 observations, ~75,000 keys

    def logged_observations_with(self, keys: Collection[str]) -> list[tuple[int, str]]:
        wanted = sorted(set(keys))
        if not wanted:
            return []

        def work(tx: ManagedTransaction) -> list[tuple[int, str]]:
            found: dict[int, str] = {}
            for chunk in chunked(wanted, ROWS_PER_STATEMENT):
                result = tx.run(CYPHER.logged_observations_with, {"keys": list(chunk)})
                found.update((int(r["seq"]), str(r["payload"])) for r in result)
            return sorted(found.items())

        return self._neo4j.execute_read(work)


def log_key_rows(rows: Sequence[tuple[str, int]]) -> list[Row]:
    """`(key, seq)` pairs as one row per log position with its keys, in log order and each key
    once, so a statement finds each observation once and takes its locks in the same order as
    any other transaction indexing the same page."""
    keys: defaultdict[int, set[str]] = defaultdict(set)
    for key, seq in rows:
        keys[int(seq)].add(key)
    return [{"seq": seq, "keys": sorted(keys[seq])} for seq in sorted(keys)]
