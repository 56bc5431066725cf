"""How the Neo4j store writes a changeset, checked without a server: a transaction that records
what it is asked to run stands in for Neo4j, whose answers to the three statements that answer
(ID reservations and the evidence count) are given here. The conformance suite checks what the
writes mean against a real Neo4j wherever one runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.conformance.builders import at, creation, event, evidence, held_link, rejection

from datora_graph.domain.changeset import Changeset, Merge
from datora_graph.domain.errors import Conflict
from datora_graph.store import neo4j_rows as rows
from datora_graph.store.cypher_files import statement_names
from datora_graph.store.neo4j import ROWS_PER_STATEMENT, write_changeset
from datora_graph.store.neo4j_cypher import CYPHER, Neo4jStatements

NAMES = {getattr(CYPHER, name): name for name in statement_names(Neo4jStatements)}
NOW = "2026-05-01T12:00:00.000000Z"


class _Result:
    def __init__(self, record: dict[str, Any] | None) -> None:
        self._record = record

    def single(self) -> dict[str, Any] | None:
        return self._record

    def consume(self) -> None:
        return None


class RecordingTransaction:
    """Runs nothing; remembers each statement by its file name, with its parameters."""

    def __init__(self, missing_evidence: int = 0) -> None:
        self.runs: list[tuple[str, dict[str, Any]]] = []
        self.counters: dict[str, int] = {}
        self.missing_evidence = missing_evidence

    def run(self, statement: str, parameters: dict[str, Any]) -> _Result:
        name = NAMES[statement]
        self.runs.append((name, parameters))
        if name == "reserve_ids":
            last = self.counters.get(parameters["counter"], 0) + parameters["count"]
            self.counters[parameters["counter"]] = last
            return _Result({"last": last})
        if name == "upsert_evidence":
            return _Result({"written": len(parameters["rows"]) - self.missing_evidence})
        return _Result(None)

    def names(self) -> list[str]:
        return [name for name, _ in self.runs]


def _everything() -> Changeset:
    ann = creation("prf_ann", ["crm_id:C-1", "email:ann@acme.io"], seq=1)
    web = creation("prf_web", ["cookie_id:c-1"], seq=2)
    held = held_link("crm_id:C-1", "crm_id:C-2", "prf_ann", "prf_two", seq=3)
    return Changeset(
        observations=ann.changeset.observations + web.changeset.observations + held.observations,
        new_identifiers=ann.changeset.new_identifiers + web.changeset.new_identifiers,
        merges=[Merge("prf_web", "prf_ann", "obs-2", at(2))],
        profiles=ann.changeset.profiles,
        evidence=[*ann.changeset.evidence, *held.evidence],
        review_items=held.review_items,
        events=[event("ev-1", ["cookie_id:c-1"], at(4))],
        rejections=[rejection("event", '{"id":"bad"}')],
    )


def test_a_changeset_is_written_in_the_documented_order() -> None:
    tx = RecordingTransaction()

    write_changeset(tx, _everything(), NOW)  # type: ignore[arg-type]

    assert tx.names() == [
        "insert_observations",
        "insert_identifiers",
        "move_identifiers",
        "move_aliases",
        "put_aliases",
        "delete_profiles",
        "reserve_ids",
        "insert_merges",
        "upsert_profiles",
        "upsert_evidence",
        "reserve_ids",
        "insert_review_items",
        "insert_events",
        "upsert_key_activity",
        "recount_activity",
        "recount_activity",
        "reserve_ids",
        "insert_rejections",
    ]


def test_the_profiles_a_changeset_touches_and_its_credited_keys_are_recounted() -> None:
    tx = RecordingTransaction()

    write_changeset(tx, _everything(), NOW)  # type: ignore[arg-type]

    recounts = [p for name, p in tx.runs if name == "recount_activity"]
    assert recounts == [{"ids": ["prf_ann"], "keys": []}, {"ids": [], "keys": ["cookie_id:c-1"]}]
    (activity,) = [p for name, p in tx.runs if name == "upsert_key_activity"]
    assert [(r["key"], r["type"], r["events"]) for r in activity["rows"]] == [
        ("cookie_id:c-1", "page_view", 1)
    ]


def test_every_value_travels_as_a_parameter_of_a_statement_from_cypher() -> None:
    tx = RecordingTransaction()

    write_changeset(tx, _everything(), NOW)  # type: ignore[arg-type]

    for name, parameters in tx.runs:
        statement = getattr(CYPHER, name)
        for parameter in parameters:
            assert f"${parameter}" in statement, f"{name} does not take ${parameter}"


def test_thousands_of_identifiers_are_a_few_statements_not_one_per_identifier() -> None:
    keys = [f"cookie_id:c-{n}" for n in range(2 * ROWS_PER_STATEMENT + 5)]
    big = creation("prf_big", keys, seq=1)
    tx = RecordingTransaction()

    write_changeset(tx, big.changeset, NOW)  # type: ignore[arg-type]

    identifier_runs = [p for name, p in tx.runs if name == "insert_identifiers"]
    evidence_runs = [p for name, p in tx.runs if name == "upsert_evidence"]
    assert [len(p["rows"]) for p in identifier_runs] == [ROWS_PER_STATEMENT] * 2 + [5]
    assert [len(p["rows"]) for p in evidence_runs] == [ROWS_PER_STATEMENT] * 2 + [4]
    # identifiers, evidence, the observation, the profile, its activity recount
    assert len(tx.runs) == 3 + 3 + 1 + 1 + 1


def test_nothing_is_run_for_the_parts_a_changeset_does_not_have() -> None:
    tx = RecordingTransaction()

    write_changeset(tx, Changeset(events=[event("ev-1", ["email:ann@acme.io"], at(1))]), NOW)  # type: ignore[arg-type]

    assert tx.names() == ["insert_events", "upsert_key_activity", "recount_activity"]


def test_merges_point_every_absorbed_profile_at_the_last_survivor() -> None:
    merges = [
        Merge("prf_crm", "prf_app", "obs-4", at(4)),
        Merge("prf_web", "prf_crm", "obs-4", at(4)),
    ]
    tx = RecordingTransaction()

    write_changeset(tx, Changeset(merges=merges), NOW)  # type: ignore[arg-type]

    moves = dict(tx.runs)["move_identifiers"]["moves"]
    assert moves == [
        {"absorbed": "prf_crm", "survivor": "prf_app"},
        {"absorbed": "prf_web", "survivor": "prf_app"},
    ]
    history = dict(tx.runs)["insert_merges"]["rows"]
    assert [(m["id"], m["absorbed"], m["survivor"]) for m in history] == [
        (1, "prf_crm", "prf_app"),
        (2, "prf_web", "prf_crm"),
    ]


def test_reserved_ids_number_review_items_and_rejections_in_changeset_order() -> None:
    tx = RecordingTransaction()
    tx.counters = {"next_review_item_id": 7, "next_rejection_seq": 40}
    changeset = _everything()
    changeset.rejections.append(rejection("observation", '{"id":"worse"}'))

    write_changeset(tx, changeset, NOW)  # type: ignore[arg-type]

    assert [r["id"] for r in dict(tx.runs)["insert_review_items"]["rows"]] == [8]
    assert [r["seq"] for r in dict(tx.runs)["insert_rejections"]["rows"]] == [41, 42]


def test_evidence_about_identifiers_that_do_not_exist_fails_the_batch() -> None:
    tx = RecordingTransaction(missing_evidence=1)
    changeset = Changeset(evidence=[evidence("email:a@acme.io", "email:b@acme.io")])

    with pytest.raises(Conflict, match="nothing of it was kept"):
        write_changeset(tx, changeset, NOW)  # type: ignore[arg-type]


def test_rows_carry_the_fixed_width_timestamps_sqlite_stores() -> None:
    ann = creation("prf_ann", ["email:ann@acme.io"], seq=1)

    (row,) = rows.identifier_rows(ann.changeset.new_identifiers)

    assert row["first_seen"] == "2026-05-01T09:01:00.000000Z"
