"""Neo4j's mention search without a server: the pages `cypher/*_mention_page.cypher` answer are
read one after the other, each a read of its own, until one comes back short, and the records
that could mention a value (steward decisions by their snapshots' attributes) are picked in
Python, as on SQLite. The fake answers as the
statements do (the `$rows` records past `$after`, in order, every one of them); the statements
themselves run in the conformance suite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from datora_graph.domain.mentions import Mention
from datora_graph.domain.steward import Decision, GraphSlice, ProfileRecord
from datora_graph.domain.survivorship import AttributeCandidate
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_erasure import Neo4jErasure
from datora_graph.store.steward_rows import decision_body

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
AT = datetime(2026, 5, 1, tzinfo=UTC)


def decision_row(seq: int, attributes: dict[str, Any], candidate: str) -> dict[str, Any]:
    """A logged split whose snapshot of Bob's profile holds `attributes` and one candidate."""
    bob = ProfileRecord(
        "prf_bob", 1, {"email": 1}, 1, AT, AT, False, attributes,
        {"nick": [AttributeCandidate(candidate, "crm", 1, "2026-05-01", "2026-05-01")]},
    )  # fmt: skip
    snapshot = GraphSlice((bob,), {"email:bob@acme.io": "prf_bob"})
    decision = Decision(f"dec_{seq}", "split", "s", "r", AT, ("prf_bob",), ("prf_bob",), snapshot)
    body = decision_body(decision, {})
    return {"seq": seq, "id": decision.id, "kind": "split", "body": body, "undone_by": None}


DECISIONS = [
    decision_row(1, {}, '"KILIC@ACME.IO"'),
    decision_row(2, {"ref": "x"}, '"y"'),
    decision_row(3, {"ref": "Ann@Acme.io"}, '"z"'),
]


def without_comments(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("//"))


class FakeTx:
    def run(self, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert set(params) == {"after", "rows"}, "the server is sent no search term"
        if statement == CYPHER.observation_mention_page:
            rows, key = OBSERVATIONS, "seq"
        elif statement == CYPHER.decision_mention_page:
            rows, key = DECISIONS, "seq"
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
        Mention("decision", "dec_1", ("nick",)),
        Mention("decision", "dec_3", ("ref",)),
    )
    # Observations: 2, 2, 2, then none; events: 2, then 1 (short: the end); decisions: the same.
    assert store._neo4j.reads == 8  # type: ignore[attr-defined]


def test_the_server_folds_no_letter_case() -> None:
    """Cypher's toLower may follow the server JVM's locale; the Python filter decides."""
    for statement in (
        CYPHER.observation_mention_page,
        CYPHER.event_mention_page,
        CYPHER.decision_mention_page,
    ):
        query = without_comments(statement).lower()
        assert "tolower" not in query
        assert "toupper" not in query
