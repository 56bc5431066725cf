"""`datora access`, run as a privacy officer runs it: the answer to a new owner-only file (or
stdout), never over an existing file, audited as `cli:<user>`."""

from __future__ import annotations

import getpass
import json
import stat
from pathlib import Path

import pytest
from tests.e2e.test_cli import datora
from tests.e2e.test_erase_cli import two_people

pytestmark = pytest.mark.slow


def test_access_writes_the_answer_to_a_new_owner_only_file_and_is_audited(
    tmp_path: Path,
) -> None:
    db = two_people(tmp_path)
    out = tmp_path / "ann.json"

    made = datora("access", "email:ann@acme.io", "--reason", "DSAR 3", "--out", out, "--db", db)
    again = datora(
        "access", "email:ann@acme.io", "--reason", "DSAR 3", "--out", out, "--db", db, ok=False
    )
    to_stdout = datora("access", "phone:+14155550101", "--reason", "DSAR 4", "--db", db)
    audit = datora("audit", "--action", "access_request", "--json", "--db", db).stdout

    document = json.loads(out.read_text())
    assert [o["id"] for o in document["observations"]] == ["o1", "o3"]
    assert "bob" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert made.stdout == ""
    assert f"to {out}: 3 identifiers, 2 observations, 0 events" in made.stderr
    assert again.returncode == 1
    assert f"Error: {out} exists: name a new file" in again.stderr
    assert json.loads(to_stdout.stdout)["profile"] == document["profile"]
    entries = [json.loads(line) for line in audit.splitlines()]
    assert [(e["actor"], e["reason"]) for e in entries] == [
        (f"cli:{getpass.getuser()}", "DSAR 4"),
        (f"cli:{getpass.getuser()}", "DSAR 3"),
    ]


def test_access_to_nobody_leaves_no_file(tmp_path: Path) -> None:
    db = two_people(tmp_path)
    out = tmp_path / "nobody.json"

    refused = datora(
        "access", "email:nobody@acme.io", "--reason", "DSAR 5", "--out", out, "--db", db, ok=False
    )

    assert refused.returncode == 1
    assert "Error:" in refused.stderr
    assert not out.exists()
