"""How the Neo4j store writes a steward decision, checked without a server: a transaction that
records what it is asked to run stands in for Neo4j. Each statement gets exactly the
parameters and row fields its Cypher file reads. The conformance suite checks what the writes
mean against a real Neo4j wherever one runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from tests.conformance.builders import at

from datora_graph.domain.errors import Conflict
from datora_graph.domain.steward import (
    Decision,
    EvidenceEdge,
    GraphSlice,
    KeyPair,
    MergeNote,
    ProfileRecord,
    ReviewState,
    StewardChange,
)
from datora_graph.store.cypher_files import statement_names
from datora_graph.store.neo4j_cypher import CYPHER, Neo4jStatements
from datora_graph.store.neo4j_steward import STEWARD, StewardStatements, _write_change

NAMES = {getattr(CYPHER, n): n for n in statement_names(Neo4jStatements)}
NAMES.update({getattr(STEWARD, n): n for n in statement_names(StewardStatements)})
TEXTS = {name: text for text, name in NAMES.items()}


class _Result:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self._records = records

    def single(self) -> dict[str, Any] | None:
        return self._records[0] if self._records else None

    def consume(self) -> None:
        return None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._records)


class RecordingTransaction:
    def __init__(self) -> None:
        self.runs: list[tuple[str, dict[str, Any]]] = []
        self.counters: dict[str, int] = {}

    def run(self, statement: str, parameters: dict[str, Any]) -> _Result:
        name = NAMES[statement]
        self.runs.append((name, parameters))
        if name == "reserve_ids":
            last = self.counters.get(parameters["counter"], 0) + parameters["count"]
            self.counters[parameters["counter"]] = last
            return _Result([{"last": last}])
        if name.startswith("steward_insert_") and name.endswith("_links"):
            return _Result([{"id": row["id"]} for row in parameters["rows"]])
        if name == "steward_mark_undone":
            return _Result([{"marked": 1}])
        return _Result([])


def _change() -> StewardChange:
    profile = ProfileRecord("prf_1", 1, {"email": 1}, 1, at(1), at(2), False, {"a": 1}, {})
    edge = EvidenceEdge("email:a@x.io", "email:b@x.io", "crm", 2, at(1), at(2), "observed", "cut")
    after = GraphSlice(
        (profile,),
        {"email:a@x.io": "prf_1"},
        {"prf_old": "prf_1"},
        (edge,),
        {"email:a@x.io": at(1)},
    )
    decision = Decision("dec_1", "split", "ann", "kiosk", at(3), ("prf_1",), ("prf_1",))
    return StewardChange(
        decision,
        after,
        remove_profiles=("prf_2",),
        remove_aliases=("prf_3",),
        cannot_links=(KeyPair.of("email:b@x.io", "email:a@x.io", "split"),),
        must_links=(KeyPair.of("email:a@x.io", "email:c@x.io", "same"),),
        merges=(MergeNote("prf_2", "prf_1", at(3), "steward merge"),),
        review=(ReviewState(4, "email:a@x.io", "email:b@x.io", "rejected", "ann", at(3), "no"),),
        delete_cannot_links=(7,),
        delete_must_links=(8,),
        delete_merges_of="dec_0",
        reverse_merges=(("prf_5", "prf_6"),),
        delete_merges_absorbing=("prf_4",),
        delete_evidence=(("email:a@x.io", "email:c@x.io", "steward"),),
        undoes="dec_0",
    )


def _fields_read(text: str, name: str) -> set[str]:
    return set(re.findall(rf"\b{name}\.([a-z_]+)", text))


def test_a_decision_is_one_run_of_each_statement_in_order() -> None:
    tx = RecordingTransaction()

    _write_change(tx, _change(), "2026-05-01T12:00:00.000000Z")  # type: ignore[arg-type]

    names = [name for name, _ in tx.runs if name != "reserve_ids"]
    assert names == [
        "steward_write_profiles",
        "steward_assign_identifiers",
        "steward_delete_aliases",
        "put_aliases",
        "steward_delete_evidence",
        "steward_put_evidence",
        "delete_profiles",
        "recount_activity",
        "steward_insert_cannot_links",
        "steward_insert_must_links",
        "steward_reverse_merges",
        "steward_delete_merges_absorbing",
        "insert_merges",
        "steward_delete_cannot_links",
        "steward_delete_must_links",
        "steward_delete_merges_of",
        "steward_set_review_items",
        "steward_insert_decision",
        "steward_mark_undone",
    ]


def test_every_statement_gets_the_parameters_and_row_fields_it_reads() -> None:
    tx = RecordingTransaction()

    _write_change(tx, _change(), "2026-05-01T12:00:00.000000Z")  # type: ignore[arg-type]

    for name, parameters in tx.runs:
        text = TEXTS[name].split("\n")
        body = "\n".join(line for line in text if not line.startswith("//"))
        assert set(re.findall(r"\$([a-z_]+)", body)) == set(parameters), name
        for list_name, values in parameters.items():
            if isinstance(values, list) and values and isinstance(values[0], dict):
                alias = re.search(rf"UNWIND \${list_name} AS ([a-z_]+)", body)
                assert alias is not None, name
                wanted = _fields_read(body, alias.group(1))
                assert wanted <= set(values[0]), (name, wanted - set(values[0]))


def test_a_decision_not_to_record_writes_no_log_entry() -> None:
    tx = RecordingTransaction()
    change = _change()

    _write_change(tx, StewardChange(change.decision, change.write, record=False), "now")  # type: ignore[arg-type]

    assert [name for name, _ in tx.runs] == [
        "steward_write_profiles",
        "steward_assign_identifiers",
        "put_aliases",
        "steward_put_evidence",
        "recount_activity",
    ], "the graph is written all the same, with no decision (no ID reserved for one)"


class DoubledPairTransaction(RecordingTransaction):
    """Neo4j as it answers when the review states leave a pair with two open items."""

    def run(self, statement: str, parameters: dict[str, Any]) -> _Result:
        result = super().run(statement, parameters)
        if NAMES[statement] == "steward_set_review_items":
            return _Result([{"a": "email:a@x.io", "b": "email:b@x.io", "open_ids": [9, 4]}])
        return result


def test_an_undo_that_would_open_a_second_item_of_a_pair_is_refused_as_on_sqlite() -> None:
    """Neo4j has no unique index of open pairs, as SQLite has: without the check, an undo
    opened its item again beside a newer open item of the pair, and the queue showed the link
    twice; a steward resolving one left the other open over a decided pair."""
    reopen = ReviewState(4, "email:a@x.io", "email:b@x.io", "open")
    change = replace(_change(), review=(reopen,))

    with pytest.raises(Conflict, match=r"review items \[4, 9\] .* open together"):
        _write_change(DoubledPairTransaction(), change, "now")  # type: ignore[arg-type]


def test_the_open_pair_check_reads_after_the_states_are_set_and_only_for_opened_items() -> None:
    body = _code(STEWARD.steward_set_review_items)

    assert body.index("SET r.status") < body.index("WHERE row.status = 'open'")
    assert body.index("WHERE row.status = 'open'") < body.index("MATCH (o:ReviewItem")
    assert "size(open_ids) > 1" in body


def _code(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("//"))


def test_the_steward_indexes_are_idempotent_and_run_on_community() -> None:
    for statement in STEWARD.schema():
        code = "\n".join(line for line in statement.splitlines() if not line.startswith("//"))
        assert code.lstrip().startswith("CREATE ")
        assert "IF NOT EXISTS" in code
        assert "NODE KEY" not in code
    assert len(STEWARD.schema()) == 6


class AnsweringTransaction(RecordingTransaction):
    """Answers the slice statements with one profile of two identifiers."""

    def run(self, statement: str, parameters: dict[str, Any]) -> _Result:
        name = NAMES[statement]
        self.runs.append((name, parameters))
        answers: dict[str, list[dict[str, Any]]] = {
            "steward_slice_profiles": [
                {
                    "id": "prf_1",
                    "size": 2,
                    "type_counts": '{"email":2}',
                    "created_seq": 1,
                    "created_at": "2026-05-01T09:01:00.000000Z",
                    "updated_at": "2026-05-01T09:02:00.000000Z",
                    "junk": False,
                    "attributes": '{"first_name":"Ann"}',
                    "candidates": "{}",
                }
            ],
            "steward_slice_identifiers": [
                {
                    "key": k,
                    "profile_id": "prf_1",
                    "first_seen": "2026-05-01T09:01:00.000000Z",
                    "junk": False,
                }
                for k in ("email:a@x.io", "email:b@x.io")
            ],
            "steward_slice_aliases": [{"alias": "prf_0", "profile_id": "prf_1"}],
            "steward_slice_evidence": [
                {
                    "a": "email:a@x.io",
                    "b": "email:b@x.io",
                    "source": "crm",
                    "count": 2,
                    "first_seen": "2026-05-01T09:01:00.000000Z",
                    "last_seen": "2026-05-01T09:02:00.000000Z",
                    "kind": "observed",
                    "status": "active",
                    "score": None,
                }
            ],
        }
        return _Result(answers.get(name, []))


def test_a_slice_is_read_in_four_statements() -> None:
    from datora_graph.store.neo4j_steward import _slice

    tx = AnsweringTransaction()

    found = _slice(tx, ["prf_1"])  # type: ignore[arg-type]

    assert [name for name, _ in tx.runs] == [
        "steward_slice_profiles",
        "steward_slice_identifiers",
        "steward_slice_aliases",
        "steward_slice_evidence",
    ]
    assert tx.runs[-1][1] == {"keys": ["email:a@x.io", "email:b@x.io"]}
    assert found.profiles[0].attributes == {"first_name": "Ann"}
    assert found.members("prf_1") == ["email:a@x.io", "email:b@x.io"]
    assert found.aliases == {"prf_0": "prf_1"}
    assert [(e.a, e.b, e.count) for e in found.evidence] == [("email:a@x.io", "email:b@x.io", 2)]
