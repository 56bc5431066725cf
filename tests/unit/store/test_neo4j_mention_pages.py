"""Neo4j's mention search without a server: the pages `cypher/*_mention_page.cypher` answer are
read one after the other, each a read of its own, until one comes back short, and the records
that could mention a value are picked in Python, as on SQLite. The fake answers as the
statements do (the `$rows` records past `$after`, in order, every one of them); the statements
themselves run in the conformance suite."""

from __future__ import annotations

from typing import Any

from datora_graph.domain.mentions import Mention
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_erasure import Neo4jErasure

# As logged: o3's text escapes its `@`; o6 writes the value in capitals with an `I`, which a
# JVM in a Turkish locale lower-cases to a dotless i (U+0131).
REFS = ["Ann@Acme.io", "x", "ANN\\u0040acme.io", "y", "ann@acme.io", "KILIC@ACME.IO"]
OBSERVATIONS = [
    {"seq": seq, "id": f"o{seq}", "payload": '{"attributes": {"ref": "' + ref + '"}}'}
    for seq, ref in enumerate(REFS, 1)
]
EVENTS = [
    {"id": "e1", "properties": '{"to": "ann@acme.io"}'},
    {"id": "e2", "properties": '{"to": "z"}'},
    {"id": "e3", "properties": '{"n": "ANN@ACME.IO"}'},
]


def without_comments(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("//"))


class FakeTx:
    def run(self, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert set(params) == {"after", "rows"}, "the server is sent no search term"
        if statement == CYPHER.observation_mention_page:
            rows, key = OBSERVATIONS, "seq"
        else:
            assert statement == CYPHER.event_mention_page
            rows, key = EVENTS, "id"
        return [r for r in rows if r[key] > params["after"]][: params["rows"]]


class FakeConnection:
    reads = 0

    def execute_read(self, work: Any) -> Any:
        self.reads += 1
        return work(FakeTx())


def test_pages_are_read_until_one_comes_back_short() -> None:
    store = Neo4jErasure()
    store._neo4j = FakeConnection()  # type: ignore[assignment]

    page = store.records_mentioning(["ann@acme.io", "kilic@acme.io"], 10, page_rows=2)

    assert page.items == (
        Mention("observation", "o1", ("ref",)),
        Mention("observation", "o3", ("ref",)),
        Mention("observation", "o5", ("ref",)),
        Mention("observation", "o6", ("ref",)),
        Mention("event", "e1", ("to",)),
        Mention("event", "e3", ("n",)),
    )
    # Observations: 2, 2, 2, then none; events: 2, then 1 (short: the end).
    assert store._neo4j.reads == 6  # type: ignore[attr-defined]


def test_the_server_folds_no_letter_case() -> None:
    """Cypher's toLower may follow the server JVM's locale; the Python filter decides."""
    for statement in (CYPHER.observation_mention_page, CYPHER.event_mention_page):
        query = without_comments(statement).lower()
        assert "tolower" not in query
        assert "toupper" not in query
