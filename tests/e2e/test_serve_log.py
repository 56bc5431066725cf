"""`datora serve` with DATORA_LOG_FORMAT=json, as a log collector reads it: every log line,
uvicorn's and the service's, one JSON object; the access line's fields under their own keys
(the target masked as in the text line); an incident's ID under `incident`."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import httpx
import pytest
from tests.conftest import damage_table
from tests.e2e.test_cli import datora, start_serve, wait_until_ready
from tests.e2e.test_erase_cli import two_people

pytestmark = pytest.mark.slow

LEVEL_PREFIX = re.compile(r"(DEBUG|INFO|WARNING|ERROR|CRITICAL):|Traceback")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_json_log_lines_carry_the_access_fields_and_the_incident(
    tmp_path: Path, workers: str
) -> None:
    db = two_people(tmp_path)
    ann = datora("profile", "show", "email:ann@acme.io", "--db", db).stdout.split("prf_")[1]
    damage_table(db)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = start_serve(port, "--dev", "--db", db, "--workers", workers, log_format="json")
    try:
        url = f"http://127.0.0.1:{port}"
        ready = wait_until_ready(url, process)
        looked_up = httpx.get(f"{url}/v1/profiles", params={"identifier": "email:ann@acme.io"})
        profile_id = "prf_" + ann.split()[0].strip()
        damaged = httpx.get(f"{url}/v1/profiles/{profile_id}")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)

    assert ready, output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    text_lines = [line for line in output.splitlines() if not line.startswith("{")]
    # The terminal's banner and warning box are the command's, not log lines.
    assert not [line for line in text_lines if LEVEL_PREFIX.match(line)], text_lines
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert {
        "method": "GET",
        "target": "/v1/profiles?identifier=email:***",
        "status": looked_up.status_code,
    }.items() <= next(a for a in access if a["target"].startswith("/v1/profiles?")).items()
    assert damaged.status_code == 503, damaged.text
    incident = damaged.json()["error"]["incident"]
    (failed,) = [line for line in lines if line.get("incident") == incident]
    assert failed["level"] == "ERROR"
    assert failed["logger"] == "datora_graph.api.incidents"
    assert "is damaged (database disk image is malformed)" in failed["message"]
    assert "acme.io" not in output
