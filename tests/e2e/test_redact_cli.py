"""`datora redact`, run as a privacy officer runs it after an erasure warned of a record of
someone else still writing the erased value: asks first, redacts, audits as `cli:<user>`."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from tests.e2e.test_cli import datora, write_jsonl
from tests.e2e.test_steward_cli import observation

pytestmark = pytest.mark.slow


def bob_refers_ann(tmp_path: Path) -> Path:
    """Ann, erased; Bob's record still names her email as his referrer."""
    db = tmp_path / "redact.db"
    bob = observation("o2", "email:bob@acme.io", minute=2)
    bob["attributes"] = {"referrer_email": "ann@acme.io", "city": "Paris"}
    source = write_jsonl(
        tmp_path / "obs.jsonl", observation("o1", "email:ann@acme.io", minute=1), bob
    )
    datora("ingest", "observations", source, "--db", db)
    erased = datora("erase", "email:ann@acme.io", "--reason", "GDPR 9", "--yes", "--db", db)
    assert "datora redact observation|event ID --field NAME" in " ".join(erased.stderr.split())
    return db


def test_redact_asks_then_takes_the_field_out_and_is_audited(tmp_path: Path) -> None:
    db = bob_refers_ann(tmp_path)
    command = ["redact", "observation", "o2", "--field", "referrer_email", "--reason", "GDPR 9"]

    declined = datora(*command, "--db", db, ok=False, answer="n\n")
    assert declined.returncode != 0
    assert "Remove referrer_email from observation o2?" in declined.stderr
    assert "referrer_email" in datora("profile", "show", "email:bob@acme.io", "--db", db).stdout

    done = datora(*command, "--yes", "--db", db)

    answer = json.loads(done.stdout)
    assert (answer["kind"], answer["record_id"], answer["fields"]) == (
        "observation",
        "o2",
        ["referrer_email"],
    )
    assert len(answer["profiles_recomputed"]) == 1
    assert "removed attribute referrer_email from observation o2" in done.stderr
    shown = datora("profile", "show", "email:bob@acme.io", "--db", db).stdout
    assert "referrer_email" not in shown
    assert "Paris" in shown
    audit = [json.loads(line) for line in datora("audit", "--json", "--db", db).stdout.splitlines()]
    entry = next(e for e in audit if e["action"] == "redaction")
    assert entry["actor"] == f"cli:{getpass.getuser()}"
    assert "ann@acme.io" not in json.dumps(entry)


def test_redact_names_the_field_a_record_does_not_have(tmp_path: Path) -> None:
    db = bob_refers_ann(tmp_path)

    refused = datora(
        "redact",
        "observation",
        "o2",
        "--field",
        "town",
        "--reason",
        "r",
        "--yes",
        "--db",
        db,
        ok=False,
    )

    assert refused.returncode != 0
    assert "fields[0]: observation o2 has no attribute 'town'" in " ".join(refused.stderr.split())
