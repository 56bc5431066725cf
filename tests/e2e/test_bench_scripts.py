"""The benchmark scripts still run and write their figures, each on a tiny data set.

Nothing here is timed: the figures themselves come from full-size runs recorded in the README.
What this guards against is a script that no longer runs (`scripts/bench phases` wrapped a
method that had changed shape, and nobody knew until the next time someone measured)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def run(script: str, *args: str | Path, out: Path) -> dict[str, Any]:
    scratch = out.parent / "scratch"  # the script's temporary files, TMPDIR of it and its server
    scratch.mkdir()
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / script), *map(str, args), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(out) in result.stdout, "the script says where its results are"
    # A full-size run's data set is gigabytes: nothing is left behind unless asked to keep it.
    assert not list(scratch.iterdir()), f"{script} left {sorted(scratch.iterdir())} behind"
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert figures["machine"]["cores"] >= 1
    return figures


def test_ingest_bench_measures_throughput_quality_and_rest_latency(tmp_path: Path) -> None:
    figures = run("bench.py", "--sizes", "1500", "--rest-requests", "30", out=tmp_path / "b.json")

    [ingest_run] = figures["runs"]
    assert ingest_run["observations"] > 1000
    assert ingest_run["observations_accepted"] <= ingest_run["observations"]
    assert 0 < ingest_run["reachable_recall"] <= 1
    assert figures["rest"]["requests"] == 30
    assert 0 < figures["rest"]["p50_ms"] <= figures["rest"]["p99_ms"]
    # Measured on a server whose log index is up to date, as it is once a server has run.
    assert (
        figures["rest"]["log_index_before"]["observations"] == ingest_run["observations_accepted"]
    )


def test_precision_bench_compares_the_engine_with_connected_components(tmp_path: Path) -> None:
    figures = run("bench.py", "--only", "precision", "--people", "200", out=tmp_path / "p.json")

    guarded, plain = figures["guarded"], figures["connected_components"]
    assert guarded["identifiers"] == plain["identifiers"], "both resolve the same data"
    assert guarded["precision"] > plain["precision"]
    assert guarded["correct_pairs"] <= guarded["predicted_pairs"]


def test_graphql_bench_measures_closed_loop_and_paced_latency(tmp_path: Path) -> None:
    figures = run(
        "bench_graphql.py",
        *("--profiles", "200", "--clients", "3", "--requests", "20", "--warmup", "3"),
        *("--sample-size", "10", "--rates", "20"),
        out=tmp_path / "g.json",
    )

    assert figures["log_index_before"]["observations"] == figures["dataset"]["observations"]
    for sample in ("full_pages", "random"):
        runs = figures["latency"][sample]
        assert set(runs) == {"closed_loop", "paced_20_per_s"}
        for measured in runs.values():
            assert measured["requests"] == 20
            assert 0 < measured["p50_ms"] <= measured["p99_ms"] <= measured["max_ms"]


@pytest.mark.parametrize("copies", ["1", "2"])
def test_segment_bench_builds_its_graph_and_times_every_segment(
    tmp_path: Path, copies: str
) -> None:
    figures = run(
        "segment_bench.py",
        *("--profiles", "400", "--db", tmp_path / "s.db", "--repeats", "1"),
        *("--copies", copies),
        out=tmp_path / "s.json",
    )

    segments = figures["evaluation"]["segments"]
    assert len(segments) >= 5
    assert any(s["size"] > 0 for s in segments.values())
    assert all(0 <= s["share"] <= 1 for s in segments.values())


def test_phase_bench_accounts_for_the_ingest_phase_by_phase(tmp_path: Path) -> None:
    figures = run("bench_phases.py", "--observations", "3000", out=tmp_path / "phases.json")

    phases = figures["phases_us_per_observation"]
    assert figures["accepted"] > 2000
    assert {"engine: resolve observations", "commit: rows and bookkeeping"} <= set(phases)
    assert all(us >= 0 for us in phases.values())


def test_journey_bench_compares_the_former_page_statements_with_the_current(
    tmp_path: Path,
) -> None:
    figures = run(
        "bench_journey.py",
        *("--events", "2000", "--repeat", "1", "--ingest-people", "100", "--ingest-rounds", "1"),
        out=tmp_path / "j.json",
    )

    assert figures["events"] == 2000
    assert figures["identifiers"] == 49
    assert len(figures["pages"]) == 16, "eight pages, alone and in a batch"
    # A time ratio of one run (--repeat 1) may round to 0.0 on a loaded machine, where a pause
    # lands in the current statement's only run; the instruction counts do not depend on load.
    assert all(
        page["rows"] > 0 and page["former_ms"] > 0 and page["former_instructions_ratio"] > 0
        for page in figures["pages"]
    )
    typed = [page for page in figures["pages"] if "only" in page["page"] or " and " in page["page"]]
    assert len(typed) == 6
    assert all(page["filtered_ms"] > 0 and page["per_type_ms"] > 0 for page in typed)
    assert not any("SCAN ei" in step or "SCAN x" in step for step in figures["current_plan"])
    assert any("event_identifiers_by_type" in step for step in figures["typed_plan"])
    ingest = figures["event_ingest"]
    assert ingest["events"] > 0
    assert ingest["events_per_s_with_index"] > 0
    assert ingest["events_per_s_without_index"] > 0
