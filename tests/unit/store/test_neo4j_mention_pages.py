"""Neo4j's mention search without a server: the pages `cypher/*_mentioning.cypher` answer are
read one after the other, each a read of its own, until one reads nothing. The fake answers
as the statements do (a page of `$rows` past `$after`, its `last`, its candidates under
`toLower(text) CONTAINS term`); the statements themselves run in the conformance suite."""

from __future__ import annotations

from typing import Any

from datora_graph.domain.mentions import Mention
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_erasure import Neo4jErasure

# As logged: o3's text escapes its `@`.
REFS = ["Ann@Acme.io", "x", "ANN\\u0040acme.io", "y", "ann@acme.io"]
OBSERVATIONS = [
    {"seq": seq, "id": f"o{seq}", "payload": '{"attributes": {"ref": "' + ref + '"}}'}
    for seq, ref in enumerate(REFS, 1)
]
EVENTS = [
    {"id": "e1", "properties": '{"to": "ann@acme.io"}'},
    {"id": "e2", "properties": '{"to": "z"}'},
    {"id": "e3", "properties": '{"n": "ANN@ACME.IO"}'},
]


class FakeTx:
    def run(self, statement: str, params: dict[str, Any]) -> FakeTx:
        if statement == CYPHER.observations_mentioning:
            rows, key, text = OBSERVATIONS, "seq", "payload"
        else:
            rows, key, text = EVENTS, "id", "properties"
        page = [r for r in rows if r[key] > params["after"]][: params["rows"]]
        found = [r for r in page if any(t in r[text].lower() for t in params["terms"])]
        # collect's order is not relied on
        self.answer = {"last": page[-1][key] if page else None, "found": found[::-1]}
        return self

    def single(self, strict: bool) -> dict[str, Any]:
        return self.answer


class FakeConnection:
    reads = 0

    def execute_read(self, work: Any) -> Any:
        self.reads += 1
        return work(FakeTx())


def test_pages_are_read_until_one_reads_nothing() -> None:
    store = Neo4jErasure()
    store._neo4j = FakeConnection()  # type: ignore[assignment]

    page = store.records_mentioning(["ann@acme.io"], 10, page_rows=2)

    assert page.items == (
        Mention("observation", "o1", ("ref",)),
        Mention("observation", "o3", ("ref",)),
        Mention("observation", "o5", ("ref",)),
        Mention("event", "e1", ("to",)),
        Mention("event", "e3", ("n",)),
    )
    # Observations: 2, 2, 1, then none; events: 2, 1, then none.
    assert store._neo4j.reads == 7  # type: ignore[attr-defined]
