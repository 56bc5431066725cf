"""A killed ingest loses nothing and duplicates nothing: resuming it gives the same profiles.

`datora ingest observations` commits one batch at a time. The test SIGKILLs it part-way through
a file, runs the same command again to completion, and compares the profile export, the log
and the consent the observations carried with those of an uninterrupted ingest of the same file
into a second database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from datora_graph.demo.generator import people_for_observations, stream
from datora_graph.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow

OBSERVATIONS = 6_000
BATCH_SIZE = 200
KILL_AFTER = 1_000
"""Committed observations after which the first run is killed: several batches in, far from
the end."""
COMMAND_TIMEOUT = 300.0
CONSENT_EVERY = 5
"""Every fifth observation carries a consent statement, as a newsletter sign-up would."""


def _datora() -> list[str]:
    script = shutil.which("datora", path=str(Path(sys.executable).parent))
    if script is not None:
        return [script]
    return [sys.executable, "-c", "from datora_graph.cli import app; app()"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATORA_")}
    env.update(DATORA_STORE="sqlite", DATORA_INGEST_BATCH_SIZE=str(BATCH_SIZE))
    return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*_datora(), *args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"datora {' '.join(args)} failed:\n{result.stderr}"
    return result


def _committed(db: Path) -> int:
    """Observations in the log, read without taking any lock the writer needs; 0 until the
    database and its tables exist."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1.0)) as connection:
            row = connection.execute("SELECT count(*) FROM observations").fetchone()
        return int(row[0])
    except sqlite3.Error:
        return 0


def _write_observations(path: Path) -> int:
    people = people_for_observations(OBSERVATIONS)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for kind, item in stream(people, seed=23, events=0):
            if kind == "observation":
                if count % CONSENT_EVERY == 0:
                    item["consent"] = [{"purpose": "email_marketing", "status": "granted"}]
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
                count += 1
    return count


def _kill_part_way(file: Path, db: Path) -> int:
    """Start an ingest, SIGKILL it once some of the file is committed; returns how much was."""
    process = subprocess.Popen(
        [*_datora(), "ingest", "observations", str(file), "--db", str(db)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + COMMAND_TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        if _committed(db) >= KILL_AFTER:
            break
        time.sleep(0.003)
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, (
        "the ingest was not killed part-way (it ended first with "
        f"{process.returncode}; make OBSERVATIONS larger):\n{stderr}"
    )
    return _committed(db)


def _export(db: Path) -> list[str]:
    return sorted(_run("export", "profiles", "--db", str(db)).stdout.splitlines())


def test_a_killed_ingest_resumes_to_the_same_profiles(tmp_path: Path) -> None:
    file = tmp_path / "observations.jsonl"
    total = _write_observations(file)
    interrupted, uninterrupted = tmp_path / "interrupted.db", tmp_path / "uninterrupted.db"

    committed = _kill_part_way(file, interrupted)
    _assert_no_process_outlives_it(str(interrupted))
    _run("ingest", "observations", str(file), "--db", str(interrupted))
    _run("ingest", "observations", str(file), "--db", str(uninterrupted))

    assert KILL_AFTER <= committed < total * 0.9
    profiles = _export(uninterrupted)
    assert len(profiles) > 100
    assert _export(interrupted) == profiles
    stores = [SqliteStore(interrupted), SqliteStore(uninterrupted)]
    try:
        resumed, straight = (store.stats() for store in stores)
        assert list(stores[0].read_log(0, total)) == list(stores[1].read_log(0, total))
        consent = [
            sorted(
                (
                    (c.identifier.key, c.purpose, c.granted, c.stated_at, c.source)
                    for page in store.iter_consent_statements()
                    for c in page
                ),
            )
            for store in stores
        ]
    finally:
        for store in stores:
            store.close()
    assert resumed == straight
    assert straight.observations + straight.rejections == total
    assert len(consent[1]) >= total // CONSENT_EVERY // 2
    assert consent[0] == consent[1]


def _assert_no_process_outlives_it(marker: str) -> None:
    """The parser process of a killed ingest must notice and exit (within a few polls)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    deadline = time.monotonic() + 15
    while True:
        alive = []
        for entry in proc.iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
                status = (entry / "status").read_text()
            except OSError:
                continue
            if marker in cmdline and "State:\tZ" not in status:
                alive.append(entry.name)
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not alive, f"processes {alive} of the killed ingest are still running"
