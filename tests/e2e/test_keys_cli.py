"""`datora keys`, `datora audit` and `datora serve --dev`, run as a person would: subprocesses
against a database in tmp_path, with the keys used on a real server over HTTP."""

from __future__ import annotations

import getpass
import json
import re
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
from tests.conftest import ServeApp
from tests.e2e.test_cli import cli_env, datora, datora_executable, start_serve, wait_until_ready

from datora_graph.api import create_app
from datora_graph.config import Settings

pytestmark = pytest.mark.slow  # each command is a fresh Python process

ME = f"cli:{getpass.getuser()}"


def test_a_key_is_created_listed_used_and_revoked(tmp_path: Path, serve_app: ServeApp) -> None:
    db = tmp_path / "d.db"

    created = datora(
        "keys", "create", "crm-sync", "--scope", "ingest", "--scope", "read", "--db", db
    )
    token = created.stdout.strip()
    listed = datora("keys", "list", "--db", db).stdout

    assert token.startswith("dtr_")
    assert len(token) > 40
    assert "shown only once" in created.stderr
    assert "crm-sync" in listed
    assert "ingest, read" in listed
    assert f"…{token[-4:]}" in listed
    assert token not in listed
    with serve_app(create_app(Settings(db=db))) as url:
        headers = {"Authorization": f"Bearer {token}"}
        before = httpx.get(f"{url}/v1/stats", headers=headers)
        datora("keys", "revoke", "crm-sync", "--db", db)
        after = httpx.get(f"{url}/v1/stats", headers=headers)

    assert before.status_code == 200
    assert after.status_code == 401
    assert "revoked" in after.json()["error"]["message"]


def test_key_mistakes_are_named(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    datora("keys", "create", "web", "--scope", "read", "--db", db)

    unknown_scope = datora("keys", "create", "x", "--scope", "write", "--db", db, ok=False)
    taken = datora("keys", "create", "web", "--scope", "read", "--db", db, ok=False)
    no_such = datora("keys", "revoke", "nobody", "--db", db, ok=False)
    unknown_action = datora("audit", "--action", "splt", "--db", db, ok=False)

    assert unknown_scope.returncode == 1
    assert "Error: --scope: unknown scope 'write'; known: ingest, read" in unknown_scope.stderr
    listed = "Error: --action: 'splt' is not one of access_request, backup, erasure,"
    assert listed in unknown_action.stderr
    assert "'web' exists" in taken.stderr
    assert "no API key is named 'nobody'" in no_such.stderr


def test_key_changes_and_exports_are_in_the_audit_log(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    observations = tmp_path / "o.jsonl"
    observations.write_text(
        json.dumps(
            {
                "id": "o1",
                "source": "crm",
                "observed_at": "2026-05-01T09:00:00Z",
                "identifiers": [{"type": "email", "value": "ann@acme.io"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    datora("ingest", "observations", observations, "--db", db)
    datora("keys", "create", "web", "--scope", "read", "--db", db)
    datora("keys", "revoke", "web", "--db", db)
    datora("segment", "define", "All", "--definition", '{"identifier": "email"}', "--db", db)
    datora("segment", "export", "All", "--out", tmp_path / "all.csv", "--db", db)

    everything = datora("audit", "--db", db).stdout
    revokes = datora("audit", "--action", "key_revoke", "--db", db).stdout
    bad = datora("audit", "--action", "dance", "--db", db, ok=False)
    pages, after = [], []
    while True:
        page = datora("audit", "--json", "--limit", "2", *after, "--db", db)
        pages.append([json.loads(line)["id"] for line in page.stdout.splitlines()])
        cursor = re.search(r"--after (\S+)", page.stderr)
        if cursor is None:
            break
        after = ["--after", cursor[1]]
    not_a_cursor = datora("audit", "--after", "bogus", "--db", db, ok=False)

    rows = [line for line in everything.splitlines() if ME in line]
    assert [
        action
        for row in rows
        for action in ("segment_export", "key_revoke", "key_create")
        if action in row
    ] == ["segment_export", "key_revoke", "key_create"]
    assert "key_revoke" in revokes
    assert "key_create" not in revokes
    assert "'dance' is not one of" in bad.stderr
    whole = [
        json.loads(line)["id"] for line in datora("audit", "--json", "--db", db).stdout.splitlines()
    ]
    assert len(pages) > 1
    assert [entry for page in pages for entry in page] == whole, "each entry once, in order"
    assert "--after: is not a cursor this service issued" in not_a_cursor.stderr


@pytest.mark.parametrize("log_level", ["info", "warning"])
def test_serve_dev_mode_needs_no_key_and_says_so(tmp_path: Path, log_level: str) -> None:
    """It says so on the terminal and in the log: the service's own lines (the warning, an
    erasure's audit line) come in uvicorn's format, at DATORA_LOG_LEVEL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = start_serve(port, "--dev", "--db", tmp_path / "d.db", log_level=log_level)
    try:
        url = f"http://127.0.0.1:{port}"
        ready = wait_until_ready(url, process)
        stats = httpx.get(f"{url}/v1/stats") if ready else None
        if ready:
            ann = {"type": "email", "value": "ann@acme.io"}
            observation = {"id": "o1", "source": "crm", "identifiers": [ann]}
            httpx.post(
                f"{url}/v1/observations",
                json={"observations": [{**observation, "observed_at": "2026-05-01T10:00:00Z"}]},
            ).raise_for_status()
            httpx.post(
                f"{url}/v1/erasures", json={"profile": "email:ann@acme.io", "reason": "request"}
            ).raise_for_status()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)

    assert ready, output
    assert stats is not None
    assert stats.status_code == 200
    assert stats.headers["x-datora-dev-mode"] == "no authentication"
    assert "authentication is OFF" in output
    assert "WARNING:  DEVELOPMENT MODE: authentication is OFF" in output, output
    audit_line = r"^INFO: +erased profile prf_\w+ for dev-mode: identifiers 1, "
    audited = re.search(audit_line, output, re.MULTILINE)
    assert (audited is not None) == (log_level == "info"), output
    assert ("INFO:" in output) == (log_level == "info"), output
    assert "acme.io" not in output


def test_audit_and_segment_list_keep_ids_whole_in_a_narrow_terminal(tmp_path: Path) -> None:
    """A steward copies decision and profile IDs out of these listings into the next command."""
    db = tmp_path / "narrow.db"
    datora("demo", "--people", "40", "--db", db)
    datora(
        "segment",
        "define",
        "Reachable by e-mail",
        "--definition",
        '{"identifier": "email"}',
        "--purpose",
        "email_marketing",
        "--db",
        db,
    )

    def narrow(*args: str) -> str:
        env = {**cli_env(), "COLUMNS": "80"}
        command = [datora_executable(), *args, "--db", str(db)]
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    entries = [json.loads(line) for line in narrow("audit", "--json", "--limit", "5").splitlines()]
    audit = narrow("audit", "--limit", "5")
    segments = narrow("segment", "list")

    ids = {entry["subject"] for entry in entries} | {
        profile for entry in entries for profile in entry["before"] + entry["after"]
    }
    assert len(entries) == 5
    assert any(i.startswith("prf_") for i in ids), ids
    assert all(i in audit for i in ids), audit
    assert max(len(line) for line in audit.splitlines()) <= 80
    [segment_id] = set(re.findall(r"seg_[0-9a-f]{16}", segments))
    assert "%" in segments.split(segment_id, 1)[1].splitlines()[0], "the share is shown whole"
