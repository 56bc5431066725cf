"""`datora erase`, run as a privacy officer runs it: asks first, erases, audits as `cli:<user>`."""

from __future__ import annotations

import getpass
import json
import re
import subprocess
from pathlib import Path

import pytest
from tests.e2e.test_cli import cli_env, datora, datora_executable, write_jsonl
from tests.e2e.test_steward_cli import observation

pytestmark = pytest.mark.slow


def two_people(tmp_path: Path) -> Path:
    db = tmp_path / "erase.db"
    source = write_jsonl(
        tmp_path / "obs.jsonl",
        observation("o1", "email:ann@acme.io", "cookie_id:c-ann", minute=1),
        observation("o2", "email:bob@acme.io", "cookie_id:c-bob", minute=2),
        observation("o3", "email:ann@acme.io", "phone:+14155550101", minute=3),
    )
    datora("ingest", "observations", source, "--db", db)
    return db


def test_erase_asks_then_erases_and_is_audited(tmp_path: Path) -> None:
    db = two_people(tmp_path)

    declined = datora(
        "erase", "email:ann@acme.io", "--reason", "GDPR 9", "--db", db, ok=False, answer="n\n"
    )
    assert declined.returncode != 0
    assert "Erase profile prf_" in declined.stderr
    datora("profile", "show", "email:ann@acme.io", "--db", db)

    erased = json.loads(
        datora("erase", "email:ann@acme.io", "--reason", "GDPR 9", "--yes", "--db", db).stdout
    )

    assert erased["removed"]["identifiers"] == 3
    assert erased["removed"]["observations_removed"] == 2
    shown = datora("profile", "show", "email:ann@acme.io", "--db", db, ok=False)
    assert shown.returncode != 0
    datora("profile", "show", "email:bob@acme.io", "--db", db)
    audit = datora("audit", "--db", db).stdout
    assert "erasure" in audit
    assert f"cli:{getpass.getuser()}" in audit
    again = datora("erase", "email:ann@acme.io", "--reason", "x", "--yes", "--db", db, ok=False)
    assert again.returncode != 0
    assert "ann@acme.io" in again.stderr


def test_erase_warns_of_others_records_that_still_mention_the_person(tmp_path: Path) -> None:
    db = two_people(tmp_path)
    referral = observation("o4", "email:bob@acme.io", minute=4)
    referral["attributes"] = {"referrer_email": "ann@acme.io", "first_name": "Bob"}
    datora("ingest", "observations", write_jsonl(tmp_path / "more.jsonl", referral), "--db", db)

    erased = datora("erase", "email:ann@acme.io", "--reason", "GDPR 10", "--yes", "--db", db)

    assert json.loads(erased.stdout)["mentions"] == {
        "total": 1,
        "items": [{"kind": "observation", "id": "o4", "fields": ["referrer_email"]}],
    }
    warning = " ".join(erased.stderr.split())
    assert "Warning: 1 record of others still mention an erased value in an" in warning
    assert re.search(r"observation\s*│\s*o4\s*│\s*referrer_email", erased.stderr)
    assert "someone else's data" in warning
    said = " ".join((erased.stdout + erased.stderr).split())
    assert said.count("still mention an erased value") == 1, "said once, not logged too"
    assert "ann@acme.io" not in erased.stderr
    audit = " ".join(datora("audit", "--db", db).stdout.split())
    assert "mentions: 1 record of others still mentions an erased value" in audit
    narrow = subprocess.run(
        [datora_executable(), "audit", "--db", str(db)],
        capture_output=True,
        text=True,
        env={**cli_env(), "COLUMNS": "80"},
        timeout=120,
    ).stdout
    assert "  mentions  1 record of others still mentions an erased value" in narrow


def test_erase_prints_no_warning_when_nothing_mentions_the_person(tmp_path: Path) -> None:
    db = two_people(tmp_path)

    erased = datora("erase", "email:bob@acme.io", "--reason", "GDPR 11", "--yes", "--db", db)

    assert json.loads(erased.stdout)["mentions"] == {"total": 0, "items": []}
    assert "Warning" not in erased.stderr
