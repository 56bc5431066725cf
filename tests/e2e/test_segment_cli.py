"""`datora segment`, `datora consent` and `datora report`, run as a person would."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from datora_graph.store.sqlite import SqliteStore
from datora_graph.store.sqlite_backup import back_up

pytestmark = pytest.mark.slow  # each command is a fresh Python process

AS_OF = "2026-06-01T00:00:00Z"


def datora(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).with_name("datora")
    command = str(beside_python) if beside_python.exists() else shutil.which("datora")
    assert command, "the `datora` command is not installed; run `pip install -e .`"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATORA_")}
    env["COLUMNS"] = "200"
    result = subprocess.run(
        [command, *map(str, args)], capture_output=True, text=True, env=env, timeout=120
    )
    if ok:
        assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}{result.stderr}"
    return result


def jsonl(path: Path, *items: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def observation(item_id: str, email: str, city: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": email}],
        "attributes": {"city": city},
    }


def purchase(item_id: str, email: str, day: int, revenue: float) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "purchase",
        "occurred_at": f"2026-05-{day:02d}T12:00:00Z",
        "source": "shop",
        "identifiers": [{"type": "email", "value": email}],
        "properties": {"revenue": revenue, "currency": "USD"},
    }


@pytest.fixture
def db(shop: Path, tmp_path: Path) -> Path:
    """Three shoppers: Ann bought twice, Bob once, Cy never; this test's own copy."""
    return back_up(shop, tmp_path / "shop.db").path


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shoppers' store, ingested once for the module (two `datora` runs), then copied."""
    tmp_path = tmp_path_factory.mktemp("shop")
    path = tmp_path / "shop.db"
    people = jsonl(
        tmp_path / "people.jsonl",
        observation("o1", "ann@acme.io", "Leeds"),
        observation("o2", "bob@acme.io", "Oslo"),
        observation("o3", "cy@acme.io", "Leeds"),
    )
    orders = jsonl(
        tmp_path / "orders.jsonl",
        purchase("e1", "ann@acme.io", 20, 40),
        purchase("e2", "ann@acme.io", 25, 60.5),
        purchase("e3", "bob@acme.io", 21, 15),
    )
    datora("ingest", "observations", people, "--db", path)
    datora("ingest", "events", orders, "--db", path)
    return path


def test_define_list_and_export_a_segment_with_consent(db: Path, tmp_path: Path) -> None:
    buyers = '{"event": {"type": "purchase", "within_days": 30}}'
    defined = datora(
        "segment", "define", "Buyers", "--definition", buyers, "--purpose", "email_marketing",
        "--db", db,
    )  # fmt: skip
    assert "Defined segment seg_" in defined.stdout
    assert "(Buyers)" in defined.stdout

    consent = jsonl(
        tmp_path / "consent.jsonl",
        {
            "identifier": {"type": "email", "value": "ANN@acme.io"},
            "purpose": "email_marketing",
            "status": "granted",
            "source": "web",
        },
    )
    assert (
        "Recorded 1 consent statement\n" in datora("consent", "record", consent, "--db", db).stdout
    )

    listed = datora("segment", "list", "--as-of", AS_OF, "--db", db).stdout
    assert "Buyers" in listed
    assert "email_marketing" in listed
    assert " 2 " in listed
    assert "66.7%" in listed

    out = tmp_path / "buyers.csv"
    written = datora("segment", "export", "Buyers", "--as-of", AS_OF, "--out", out, "--db", db)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert [row[1:] for row in rows] == [["type", "value"], ["email", "ann@acme.io"]]
    assert rows[1][0].startswith("prf_")
    assert "Wrote 1 email contacts with consent for email_marketing" in written.stderr

    redefined = datora(
        "segment", "define", "Buyers", "--definition", buyers, "--replace", "--db", db
    )
    assert "Updated segment" in redefined.stdout
    assert "exports only contacts consented to email_marketing" in redefined.stdout, "kept"
    kept = datora("segment", "export", "Buyers", "--as-of", AS_OF, "--format", "jsonl", "--db", db)
    assert [json.loads(line)["value"] for line in kept.stdout.splitlines()] == ["ann@acme.io"]
    unconsented = datora(
        "segment", "define", "Buyers", "--definition", buyers, "--purpose", "none",
        "--replace", "--db", db,
    )  # fmt: skip
    assert "no consent purpose" in unconsented.stdout
    everyone = datora(
        "segment", "export", "Buyers", "--as-of", AS_OF, "--format", "jsonl", "--db", db
    )
    values = sorted(json.loads(line)["value"] for line in everyone.stdout.splitlines())
    assert values == ["ann@acme.io", "bob@acme.io"]

    assert "Deleted segment seg_" in datora("segment", "delete", "Buyers", "--db", db).stdout
    assert "No segments yet" in datora("segment", "list", "--db", db).stdout


def test_an_invalid_definition_names_the_bad_part(db: Path) -> None:
    bad = '{"all": [{"identifier": "email"}, {"event": {"type": "purchase", "within_days": 0}}]}'

    result = datora("segment", "define", "Broken", "--definition", bad, "--db", db, ok=False)

    assert result.returncode == 1
    assert "definition.all[1].event.within_days" in result.stderr
    assert "No segments yet" in datora("segment", "list", "--db", db).stdout


def test_exporting_an_unknown_segment_fails_with_the_reason(db: Path) -> None:
    result = datora("segment", "export", "Nobody", "--db", db, ok=False)

    assert result.returncode == 1
    assert "no segment has the ID or name 'Nobody'" in result.stderr


def test_the_report_prints_every_section(db: Path, tmp_path: Path) -> None:
    definition = tmp_path / "leeds.json"
    definition.write_text('{"attribute": "city", "eq": "Leeds"}')
    datora("segment", "define", "Leeds", "--definition", f"@{definition}", "--db", db)

    report = datora("report", "--as-of", AS_OF, "--days", "40", "--db", db).stdout

    for section in (
        "Datora Graph report at 2026-06-01 00:00 UTC",
        "Identity graph",
        "Cluster sizes",
        "Completeness",
        "Segments",
        "Revenue per buyer",
        "CLV per buyer",
        "Events per day (40 days)",
    ):
        assert section in report, section
    assert "Leeds" in report
    assert "66.7%" in report
    assert "115.50" in report  # total revenue: 40 + 60.50 + 15
    assert "2026-05-25" in report


def test_consent_on_observations_in_a_file_is_recorded(tmp_path: Path) -> None:
    """The bulk path parses in a second process: the statements must cross it too."""
    path = tmp_path / "signups.db"
    signed_up = observation("o1", "dee@acme.io", "York")
    signed_up["consent"] = [{"purpose": "email_marketing", "status": "granted"}]
    people = jsonl(tmp_path / "signups.jsonl", signed_up, observation("o2", "eve@acme.io", "Hull"))
    datora("ingest", "observations", people, "--db", path)

    store = SqliteStore(path)
    try:
        states = store.consent_of_identifiers(["email:dee@acme.io", "email:eve@acme.io"])
    finally:
        store.close()
    assert list(states) == ["email:dee@acme.io"]
    assert (states["email:dee@acme.io"][0].status, states["email:dee@acme.io"][0].source) == (
        "granted",
        "crm",
    )


def test_the_demo_has_consented_contacts_to_export(tmp_path: Path) -> None:
    """A new user's first segment export of the demo writes the newsletter sign-ups' e-mails,
    and only those: the demo's consent comes from signing up."""
    path = tmp_path / "demo.db"
    datora("demo", "--people", "40", "--db", path)
    datora(
        "segment", "define", "Reachable", "--definition", '{"identifier": "email"}',
        "--purpose", "email_marketing", "--db", path,
    )  # fmt: skip

    exported = datora("segment", "export", "Reachable", "--format", "jsonl", "--db", path)

    values = {json.loads(line)["value"] for line in exported.stdout.splitlines()}
    store = SqliteStore(path)
    try:
        emails = [
            i.identifier.key
            for page in store.iter_profiles()
            for profile in page
            for i in profile.identifiers
            if i.identifier.type == "email" and not i.junk
        ]
        consent = store.consent_of_identifiers(emails)
    finally:
        store.close()
    granted = {
        key.partition(":")[2]
        for key, states in consent.items()
        if any(s.purpose == "email_marketing" and s.granted for s in states)
    }
    assert values, exported.stderr
    assert values == granted
    assert len(values) < len(emails)


def test_a_definition_or_consent_file_that_is_no_json_is_refused_saying_why(
    db: Path, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5_000 + "]" * 5_000, encoding="utf-8")
    consent = tmp_path / "consent.jsonl"
    consent.write_bytes(b'{"purpose": "email_marketing"}\n{"purpose": "\xff"}\n')

    defined = datora("segment", "define", "Deep", "--definition", f"@{deep}", "--db", db, ok=False)
    recorded = datora("consent", "record", consent, "--db", db, ok=False)

    assert (defined.returncode, recorded.returncode) == (2, 2)
    assert "--definition: is nested too deeply to read" in defined.stderr
    assert "line 2: is not UTF-8 text" in recorded.stderr
    assert "Traceback" not in defined.stderr + recorded.stderr


def test_a_consent_file_with_an_invalid_line_names_it_and_records_nothing(
    db: Path, tmp_path: Path
) -> None:
    good = {
        "identifier": {"type": "email", "value": "ann@acme.io"},
        "purpose": "email_marketing",
        "status": "granted",
        "source": "web",
    }
    consent = tmp_path / "consent.jsonl"
    consent.write_text(
        json.dumps(good) + "\n\n" + json.dumps({**good, "status": "nope"}) + "\n",
        encoding="utf-8",
    )

    refused = datora("consent", "record", consent, "--db", db, ok=False)

    assert refused.returncode != 0
    assert f"{consent} line 3: status: " in refused.stderr, refused.stderr
    assert "nothing recorded" in refused.stderr
    store = SqliteStore(db)
    try:
        assert store.consent_of_identifiers(["email:ann@acme.io"]) == {}
    finally:
        store.close()
