"""File ingest on two cores (`bulk.py`) stores exactly what ingesting the file in one process
stores: the same log, profiles, evidence and rejections, the same report, the same lines."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from datora_graph.bulk import ParsedObservationFile
from datora_graph.config import Settings
from datora_graph.demo.generator import people_for_observations, stream
from datora_graph.ingest_files import UnreadableFile, open_record_file
from datora_graph.services import IdentityService, IngestReport
from datora_graph.store.sqlite import SqliteStore

BATCH_SIZE = 250
TABLES = {
    "observations": "seq, id, source, observed_at, payload",
    "identifiers": "key, type, value, profile_id, junk, first_seen",
    "profiles": "id, size, type_counts, created_seq, created_at, updated_at, junk, attributes, "
    "candidates",
    "aliases": "alias, profile_id",
    "evidence": "a, b, source, count, first_seen, last_seen, kind, status, score",
    "review_items": "id, kind, a, b, profile_a, profile_b, reason, observation_id, status, "
    "guard, source, suggested_action",
    "identifier_guards": "key, joins, quarantined, reason",
    "merges": "id, absorbed, survivor, observation_id, at, reason",
    "rejections": "seq, kind, item_id, field, reason, payload",
}


def _observations_file(path: Path, count: int) -> Path:
    lines = []
    for kind, item in stream(people_for_observations(count), seed=11, events=0):
        if kind == "observation":
            lines.append(json.dumps(item, ensure_ascii=False))
    lines[7] = "{not json"
    lines[30] = json.dumps({"id": "bad-1", "source": "web", "identifiers": []})
    lines.insert(50, lines[40])  # a duplicate
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row, with the observation log's payloads decoded: the bulk path keeps each line
    as it was written, the one-process path an encoding of the same JSON."""
    with closing(sqlite3.connect(db)) as connection:
        tables = {
            table: connection.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()
            for table, columns in TABLES.items()
        }
    tables["observations"] = [(*row[:-1], json.loads(row[-1])) for row in tables["observations"]]
    return tables


def _payloads(db: Path) -> dict[str, str]:
    with closing(sqlite3.connect(db)) as connection:
        return dict(connection.execute("SELECT id, payload FROM observations"))


def _ingest_in_one_process(file: Path, db: Path) -> IngestReport:
    settings = Settings(db=db, ingest_batch_size=BATCH_SIZE)
    store = SqliteStore(db)
    try:
        with open_record_file(file, "observation", settings.identifier_registry().types) as f:
            return IdentityService(store, settings).ingest_stream("observation", f)
    finally:
        store.close()


def _ingest_on_two_cores(file: Path, db: Path) -> tuple[IngestReport, ParsedObservationFile]:
    settings = Settings(db=db, ingest_batch_size=BATCH_SIZE)
    with ParsedObservationFile(file, settings) as parsed:
        store = SqliteStore(db)
        try:
            report = IdentityService(store, settings).ingest_parsed_stream(parsed)
        finally:
            store.close()
    return report, parsed


def test_the_parsed_file_is_stored_as_one_process_stores_it(tmp_path: Path) -> None:
    file = _observations_file(tmp_path / "observations.jsonl", 2_000)

    expected = _ingest_in_one_process(file, tmp_path / "one.db")
    report, parsed = _ingest_on_two_cores(file, tmp_path / "two.db")

    assert (report.accepted, report.duplicates, report.rejected) == (
        expected.accepted,
        expected.duplicates,
        expected.rejected,
    )
    assert report.results == expected.results
    assert report.duplicates == 1
    assert report.rejected >= 2
    assert _tables(tmp_path / "two.db") == _tables(tmp_path / "one.db")
    written = {json.loads(line)["id"]: line for line in file.read_text().splitlines()[:7]}
    assert written.items() <= _payloads(tmp_path / "two.db").items()
    assert parsed.bytes_read == parsed.size == file.stat().st_size
    bad = next(r for r in report.results if r.id == "bad-1")
    assert parsed.line_of(bad.index) == 31
    assert "is not valid JSON" in parsed.problems[7]


def test_a_file_read_twice_is_all_duplicates_the_second_time(tmp_path: Path) -> None:
    file = _observations_file(tmp_path / "observations.jsonl", 600)
    first, _ = _ingest_on_two_cores(file, tmp_path / "x.db")

    again, _ = _ingest_on_two_cores(file, tmp_path / "x.db")

    assert again.accepted == 0
    assert again.duplicates == first.accepted + first.duplicates


def test_a_csv_without_the_required_columns_fails_on_opening(tmp_path: Path) -> None:
    file = tmp_path / "crm.csv"
    file.write_text("id,email\nc-1,ann@acme.io\n")

    with pytest.raises(UnreadableFile, match="has no column source, observed_at"):
        ParsedObservationFile(file, Settings(db=tmp_path / "x.db"))


def test_batches_before_an_unreadable_csv_line_are_stored(tmp_path: Path) -> None:
    good = [f"c-{n},crm,2026-05-01T10:00:00Z,c{n}@acme-mail.io\r\n" for n in range(10)]
    file = tmp_path / "crm.csv"
    file.write_bytes(
        b"id,source,observed_at,email\r\n" + "".join(good).encode() + b"c-x,crm,\xff\xfe\r\n"
    )
    settings = Settings(db=tmp_path / "x.db", ingest_batch_size=4)

    with ParsedObservationFile(file, settings) as parsed:
        store = SqliteStore(settings.db)
        try:
            with pytest.raises(UnreadableFile, match="line 12: is not UTF-8"):
                IdentityService(store, settings).ingest_parsed_stream(parsed)
            assert store.stats().observations == 8
        finally:
            store.close()
