"""The installed `datora` command, run as a person would: a subprocess, a database in tmp_path."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import damage_table

from datora_graph.store.sqlite_damage import WHAT_TO_DO

pytestmark = pytest.mark.slow  # each command is a fresh Python process


def datora_executable() -> str:
    beside_python = Path(sys.executable).with_name("datora")
    found = str(beside_python) if beside_python.exists() else shutil.which("datora")
    if found is None:
        pytest.fail("the `datora` command is not installed; run `pip install -e .`")
    return found


def cli_env(**settings: str) -> dict[str, str]:
    """The caller's environment with only the given DATORA_* settings, and a wide terminal so
    rich does not wrap the lines the tests read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATORA_")}
    env.update({f"DATORA_{name.upper()}": value for name, value in settings.items()})
    env["COLUMNS"] = "200"
    return env


def datora(
    *args: str | Path, ok: bool = True, answer: str | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    """`answer`: what the person types when the command asks (stdin)."""
    result = subprocess.run(
        [datora_executable(), *map(str, args)],
        input=answer,
        capture_output=True,
        text=True,
        env=cli_env(**settings),
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}{result.stderr}"
    return result


def count(output: str, status: str) -> int:
    match = re.search(rf"\b{status}\b\W*?([\d,]+)", output)
    assert match, f"no {status} count in:\n{output}"
    return int(match.group(1).replace(",", ""))


def write_jsonl(path: Path, *lines: Any) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def obs(item_id: str, *keys: str, at: str = "2026-05-01T10:00:00Z", **attributes: str) -> Any:
    return {
        "id": item_id,
        "source": "crm",
        "observed_at": at,
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
        "attributes": attributes,
    }


def export(db: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in datora("export", "profiles", "--db", db).stdout.splitlines()
    ]


def test_ingest_jsonl_reports_counts_and_rejected_lines(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    source = write_jsonl(
        tmp_path / "crm.jsonl",
        obs("o1", "email:ann@acme.io", "phone:+14155550101", first_name="Ann"),
        obs("o2", "email:bob@acme.io"),
        "",
        obs("o3", "email:not-an-email"),
        '{"id": "o4", "source": "crm", oops}',
        obs("o5", "email:ANN@acme.io", "crm_id:C-1"),
    )

    first = datora("ingest", "observations", source, "--db", db)
    again = datora("ingest", "observations", source, "--db", db)

    assert (count(first.stdout, "accepted"), count(first.stdout, "rejected")) == (3, 2)
    assert "line 4 (id o3): identifiers[0].value: email 'not-an-email'" in first.stdout
    assert "line 5: is not valid JSON" in first.stdout
    assert "datora rejected" in first.stdout
    assert (count(again.stdout, "accepted"), count(again.stdout, "duplicate")) == (0, 3)
    listed = datora("rejected", "--db", db).stdout
    assert re.search(r"\bo3\b.*identifiers\[0\]\.value.*not an email address", listed)
    assert "is not valid JSON (Expecting property name" in listed
    received = datora("rejected", "--payloads", "--db", db).stdout.splitlines()
    assert json.loads(received[0]) == obs("o3", "email:not-an-email")
    assert received[1] == '{"id": "o4", "source": "crm", oops}'
    assert "No rejected items" in datora("rejected", "--kind", "event", "--db", db).stdout
    first_page = datora("rejected", "--kind", "observation", "--limit", "1", "--db", db).stdout
    more = re.search(r"More: datora (.*)", first_page)
    assert more is not None, first_page
    second_page = datora(*shlex.split(more[1])).stdout
    assert "o3" in first_page
    assert "o3" not in second_page
    assert "not valid JSON" in second_page, "the printed command pages the same store and kind"


def test_a_file_is_streamed_in_batches_and_lines_are_counted_across_them(
    tmp_path: Path,
) -> None:
    db = tmp_path / "d.db"
    lines: list[Any] = [obs(f"o{n}", f"cookie_id:c-{n}") for n in range(1, 1001)]
    lines[899] = obs("o900", "phone:12")
    source = write_jsonl(tmp_path / "many.jsonl", *lines)

    result = datora("ingest", "observations", source, "--db", db, ingest_batch_size="64")

    assert (count(result.stdout, "accepted"), count(result.stdout, "rejected")) == (999, 1)
    assert "line 900 (id o900): identifiers[0].value" in result.stdout


def test_ingest_csv_observations_and_events(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    observations = tmp_path / "crm.csv"
    observations.write_text(
        "id,source,observed_at,Email,email_2,phone,first_name,loyalty_tier\n"
        "c1,crm,2026-05-01T10:00:00Z,ann@acme.io,ann.lee@acme-mail.org,,Ann,gold\n"
        'c2,crm,2026-05-02T10:00:00Z,bob@acme.io,,"(415) 555-0199",Bob,\n'
        "c3,crm,2026-05-03T10:00:00Z,,,12,Cy,\n",
        encoding="utf-8",
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "id,type,occurred_at,source,email,revenue\n"
        "e1,purchase,2026-05-04T10:00:00Z,shop,ANN@acme.io,42.50\n"
        "e2,page_view,2026-05-05T10:00:00Z,web,ann.lee@acme-mail.org,\n",
        encoding="utf-8",
    )

    ingested = datora("ingest", "observations", observations, "--db", db).stdout
    ingested_events = datora("ingest", "events", events, "--db", db).stdout
    shown = datora("profile", "show", "email:ann.lee@ACME-mail.org", "--db", db).stdout

    assert (count(ingested, "accepted"), count(ingested, "rejected")) == (2, 1)
    assert "line 4 (id c3): identifiers[0].value: phone '12'" in ingested
    assert count(ingested_events, "accepted") == 2
    for text in ("ann@acme.io", "ann.lee@acme-mail.org", "loyalty_tier", "gold", "purchase"):
        assert text in shown
    assert re.search(r"total revenue\s*│\s*42\.50 USD", shown), "the CSV cell is a number"
    assert re.search(r"orders\s*│\s*1\b", shown), shown
    profiles = {i["value"]: p for p in export(db) for i in p["identifiers"]}
    assert profiles["+14155550199"] == profiles["bob@acme.io"]
    assert profiles["+14155550199"]["attributes"] == {"first_name": "Bob"}


def test_profile_show_lists_the_latest_events_oldest_of_them_first(tmp_path: Path) -> None:
    """Read newest first, one page, and shown in time order: 12 events, the last 10 shown."""
    db = tmp_path / "d.db"
    people = write_jsonl(tmp_path / "o.jsonl", obs("o1", "email:ann@acme.io", "cookie_id:c-1"))
    key = ("email", "ann@acme.io"), ("cookie_id", "c-1")
    events = [
        {
            "id": f"ev-{n:02d}",
            "type": "page_view",
            "occurred_at": f"2026-05-01T10:{n:02d}:00Z",
            "source": "web",
            "identifiers": [dict(zip(("type", "value"), key[n % 2], strict=True))],
        }
        for n in range(1, 13)
    ]
    datora("ingest", "observations", people, "--db", db)
    datora("ingest", "events", write_jsonl(tmp_path / "e.jsonl", *events[::-1]), "--db", db)

    shown = datora("profile", "show", "email:ann@acme.io", "--db", db).stdout
    three = datora("profile", "show", "email:ann@acme.io", "--events", "3", "--db", db).stdout

    listed = re.findall(r"\bev-\d\d\b", shown)
    assert listed == [f"ev-{n:02d}" for n in range(3, 13)], shown
    assert "Latest events (10)" in shown
    assert re.findall(r"\bev-\d\d\b", three) == ["ev-10", "ev-11", "ev-12"], three


def test_a_csv_without_the_required_columns_is_refused_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    db = tmp_path / "d.db"
    source = tmp_path / "crm.csv"
    source.write_text("id,source,email\nc1,crm,ann@acme.io\n", encoding="utf-8")

    result = datora("ingest", "observations", source, "--db", db, ok=False)

    assert result.returncode != 0
    assert "no column observed_at" in result.stderr
    assert not db.exists()


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    missing = tmp_path / "nope.jsonl"

    result = datora("ingest", "events", missing, "--db", db, ok=False)
    unknown = datora("ingest", "events", tmp_path, "--format", "jsonl", "--db", db, ok=False)

    assert result.returncode != 0
    assert f"Cannot open {missing}: no such file" in result.stderr
    assert "Traceback" not in result.stderr
    assert unknown.returncode != 0
    assert "is a directory" in unknown.stderr
    assert not db.exists()


def test_a_csv_that_is_not_utf8_stops_at_the_line(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes(
        b"id,source,observed_at,email,last_name\n"
        b"c1,crm,2026-05-01T10:00:00Z,ann@acme.io,Lee\n"
        b"c2,crm,2026-05-01T10:00:00Z,bo@acme.io,M\xfcller\n"
    )

    result = datora("ingest", "observations", source, "--db", tmp_path / "d.db", ok=False)

    assert result.returncode != 0
    assert "line 3: is not UTF-8 text" in result.stderr
    assert "send it again" in result.stderr


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ('c3,crm,2026-05-01T10:00:00Z,cy@acme.io,"Lee', "opens here and is never closed"),
        ('c3,crm,2026-05-01T10:00:00Z,cy@acme.io,"Le"e', "is followed by more text"),
    ],
)
def test_a_csv_quote_that_would_change_the_data_stops_at_its_row(
    tmp_path: Path, row: str, words: str
) -> None:
    """A lax reader would read `"Le"e` as `Lee`, and let an unclosed quote swallow every row
    after it into one value; both are refused, naming the row."""
    source = tmp_path / "quotes.csv"
    source.write_text(
        "id,source,observed_at,email,last_name\n"
        'c1,crm,2026-05-01T10:00:00Z,ann@acme.io,"Lee, \nsenior"\n'
        f"{row}\n"
        "c4,crm,2026-05-01T10:00:00Z,dee@acme.io,Dee\n",
        encoding="utf-8",
    )
    db = tmp_path / "d.db"

    result = datora("ingest", "observations", source, "--db", db, ok=False, ingest_batch_size="1")

    assert result.returncode != 0
    assert f"line 4: a quoted value {words}" in " ".join(result.stderr.split())
    assert "send it again" in result.stderr
    assert [p["identifiers"] for p in export(db)] == [[{"type": "email", "value": "ann@acme.io"}]]


def test_export_is_complete_and_a_rebuild_gives_the_same_profiles(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    keys = [
        ("email:ann@acme.io", "cookie_id:c-1"),
        ("cookie_id:c-1", "phone:+14155550101"),
        ("email:bob@acme.io",),
        ("email:test@test.com", "device_id:d-7"),
    ]
    source = write_jsonl(
        tmp_path / "o.jsonl",
        *[
            obs(f"o{n}", *k, at=f"2026-05-0{n + 1}T10:00:00Z", city=f"C{n}")
            for n, k in enumerate(keys)
        ],
    )
    datora("ingest", "observations", source, "--db", db)

    before = export(db)
    out_file = tmp_path / "profiles.jsonl"
    datora("export", "profiles", "--out", out_file, "--db", db)
    rebuilt = datora("resolve", "--rebuild", "--db", db).stdout
    after = export(db)

    assert all(set(p) == {"id", "identifiers", "attributes"} for p in before)
    exported_keys = sorted(f"{i['type']}:{i['value']}" for p in before for i in p["identifiers"])
    assert exported_keys == sorted({k for group in keys for k in group})
    ann = next(p for p in before if {"type": "email", "value": "ann@acme.io"} in p["identifiers"])
    assert len(ann["identifiers"]) == 3
    assert ann["attributes"] == {"city": "C1"}
    assert [json.loads(line) for line in out_file.read_text().splitlines()] == before
    assert count(rebuilt, "observations replayed") == 4
    assert count(rebuilt, "profiles") == len(before)
    assert after == before


def test_a_rebuild_under_other_identifier_types_asks_first_and_a_later_one_restores(
    tmp_path: Path,
) -> None:
    """Without the loyalty_id type the rebuild would drop Ann's record, email and all: it
    stops and explains, changing nothing, unless told to go on; rebuilt with the type again,
    the records are back and no longer listed as rejected."""
    db = tmp_path / "d.db"
    loyalty = {"identifier_types": '{"loyalty_id": {"normaliser": "id"}}'}
    source = write_jsonl(
        tmp_path / "o.jsonl",
        obs("o1", "email:ann@acme.io", "loyalty_id:L-1"),
        obs("o2", "email:bob@acme.io"),
        obs("bad", "email:zed@"),
    )
    datora("ingest", "observations", source, "--db", db, **loyalty)
    before = export(db)

    refused = datora("resolve", "--rebuild", "--db", db, ok=False)
    unchanged = export(db)
    allowed = datora("resolve", "--rebuild", "--allow-rejections", "--db", db).stdout
    listed = datora("rejected", "--db", db).stdout
    restored = datora("resolve", "--rebuild", "--db", db, **loyalty).stdout
    stats = datora("stats", "--db", db).stdout

    assert refused.returncode == 1
    assert "would reject 1 logged observation" in refused.stderr
    assert "o1: identifiers[1].type: unknown identifier type 'loyalty_id'" in refused.stderr
    assert "is DATORA_IDENTIFIER_TYPES set as when they were ingested?" in refused.stderr
    assert "--allow-rejections" in refused.stderr
    assert unchanged == before
    assert len(before) == 2
    assert count(allowed, "rejected on replay") == 1
    assert "no longer valid under the current settings" in listed
    assert count(restored, "rejected on replay") == 0
    assert export(db) == before
    assert count(stats, "rejections") == 1  # the client's bad item, rejected at ingest, stays


def test_global_db_option_and_read_commands_need_an_existing_database(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    datora(
        "ingest",
        "observations",
        write_jsonl(tmp_path / "o.jsonl", obs("o1", "email:a@acme.io")),
        "--db",
        db,
    )

    stats = datora("--db", db, "stats").stdout
    missing = datora("stats", "--db", tmp_path / "other.db", ok=False)
    not_found = datora("--db", db, "profile", "show", "email:zed@acme.io", ok=False)

    assert count(stats, "profiles") == 1
    assert missing.returncode != 0
    assert "No database at" in missing.stderr
    assert not (tmp_path / "other.db").exists()
    assert not_found.returncode != 0
    assert "email:zed@acme.io" in not_found.stderr


@pytest.mark.parametrize("db_first", [False, True], ids=["demo --db", "--db demo"])
def test_demo_ingests_a_data_set_and_names_profiles_to_look_at(
    tmp_path: Path, db_first: bool
) -> None:
    """The commands it suggests run as printed, wherever `--db` was given."""
    db = tmp_path / "demo.db"
    args = (
        ("--db", db, "demo", "--people", "25")
        if db_first
        else ("demo", "--people", "25", "--db", db)
    )

    result = datora(*args)

    assert count(result.stdout, "accepted") > 25
    suggested = re.findall(r"datora (profile show prf_\w+ --db \S+)", result.stdout)
    assert len(suggested) == 3, result.stdout
    profile_id = suggested[0].split()[2]
    assert profile_id in datora(*suggested[0].split()).stdout
    assert count(datora("stats", "--db", db).stdout, "events") > 0
    # The data set ends today: the report's last days hold events.
    report = datora("report", "--days", "30", "--db", db).stdout
    assert re.search(r"Events per day.*\n(?:.*\n)*?.*\b20\d\d-\d\d-\d\d\b", report), report


@pytest.mark.parametrize("access_log", ["1", "0"])
def test_serve_answers_over_http(tmp_path: Path, access_log: str) -> None:
    db = tmp_path / "d.db"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [datora_executable(), "serve", "--port", str(port), "--db", str(db)],
        env=cli_env(access_log=access_log),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ready = wait_until_ready(f"http://127.0.0.1:{port}", process)
        looked_up = httpx.get(
            f"http://127.0.0.1:{port}/v1/profiles", params={"identifier": "email:ann@acme.io"}
        )
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)

    assert ready, output
    assert f"http://127.0.0.1:{port}/docs" in output
    assert ('"GET /readyz HTTP/1.1" 200' in output) == (access_log == "1")
    assert looked_up.status_code == 401  # no key; logged all the same
    logged = '"GET /v1/profiles?identifier=email:*** HTTP/1.1" 401'
    assert (logged in output) == (access_log == "1"), output
    assert "acme.io" not in output, "no part of the address is logged"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_stops_within_its_grace_though_a_client_never_finishes_its_request(
    tmp_path: Path, workers: str
) -> None:
    """A body promised and never sent kept uvicorn waiting for ever after SIGTERM; now it
    waits DATORA_SHUTDOWN_GRACE_SECONDS, then drops the request and exits."""
    db = tmp_path / "d.db"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [datora_executable(), "serve", "--workers", workers, "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--db", str(db), "--dev"],
        env=cli_env(shutdown_grace_seconds="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until_ready(f"http://127.0.0.1:{port}", process)
        with socket.create_connection(("127.0.0.1", port)) as stalled:
            stalled.sendall(
                b"POST /v1/observations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                b'\r\nContent-Length: 1000\r\n\r\n{"observations": ['
            )
            time.sleep(0.5)  # the server is reading the body now
            process.terminate()
            started = time.monotonic()
            output, _ = process.communicate(timeout=30)
            stopped_after = time.monotonic() - started
    finally:
        process.kill()

    assert process.returncode is not None, output
    assert stopped_after < 10, output
    # Each worker warns at start, in uvicorn's format (the service's log configuration).
    assert "WARNING:  DEVELOPMENT MODE" in output, output


def start_serve(port: int, *args: str | Path, **settings: str) -> subprocess.Popen[str]:
    """`datora serve --port PORT ARGS…` with the given DATORA_* settings, its stderr and
    stdout read together as text."""
    return subprocess.Popen(
        [datora_executable(), "serve", "--port", str(port), *map(str, args)],
        env=cli_env(**settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_ready(url: str, process: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def test_a_line_nested_too_deeply_is_rejected_alone_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "deep.db"
    source = tmp_path / "deep.jsonl"
    good = json.dumps(obs("o1", "email:ann@acme.io"))
    source.write_text(f"{'[' * 5_000}{']' * 5_000}\n{good}\n", encoding="utf-8")

    result = datora("ingest", "observations", source, "--db", db)

    assert (count(result.stdout, "accepted"), count(result.stdout, "rejected")) == (1, 1)
    assert "line 1: is nested too deeply to read" in result.stdout
    assert "is nested too deeply to read" in datora("rejected", "--db", db).stdout


def test_a_file_line_dated_in_the_future_is_rejected_alone(tmp_path: Path) -> None:
    """File ingest parses in a second process; it refuses a time past the clock and its
    tolerance (DATORA_FUTURE_TOLERANCE_HOURS) as the REST ingest does."""
    tomorrow = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86_400 * 2))
    source = write_jsonl(
        tmp_path / "future.jsonl",
        obs("o1", "email:ann@acme.io"),
        obs("o2", "email:bob@acme.io", at=tomorrow),
    )
    db = tmp_path / "future.db"

    strict = datora("ingest", "observations", source, "--db", db)
    lenient = datora(
        "ingest", "observations", source, "--db", tmp_path / "l.db", future_tolerance_hours="72"
    )

    assert (count(strict.stdout, "accepted"), count(strict.stdout, "rejected")) == (1, 1)
    assert "line 2 (id o2): observed_at: " in strict.stdout
    assert "is in the future" in strict.stdout
    assert count(lenient.stdout, "accepted") == 2


def test_serve_on_a_taken_port_says_so_before_announcing_anything(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = datora("serve", "--port", str(port), "--db", tmp_path / "d.db", ok=False)

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "serving" not in result.stderr
    assert "API key" not in result.stderr


def test_a_csv_revenue_that_is_not_a_number_is_named_whether_its_line_is_taken_or_not(
    tmp_path: Path,
) -> None:
    """The README: such a cell stays text, adds no revenue, and the ingest names its line;
    a line rejected for something else is listed with that reason, the note beside it."""
    events = tmp_path / "e.csv"
    events.write_text(
        "id,type,occurred_at,source,email,revenue\n"
        "e1,purchase,2026-05-01T10:00:00Z,shop,ann@acme.io,42.50\n"
        "e2,purchase,2026-05-01T11:00:00Z,shop,ann@acme.io,lots\n"
        "e3,purchase,2026-05-01T12:00:00Z,shop,bob,about 5\n",
        encoding="utf-8",
    )

    shown = datora("ingest", "events", events, "--db", tmp_path / "d.db").stdout

    assert "Noted:\n  line 3: revenue 'lots' is not a number; kept as text" in shown, shown
    assert (
        "  line 4 (id e3): identifiers[0].value: email 'bob' is not an email address"
        " (expected local@domain.tld) (also noted: revenue 'about 5' is not a number;"
    ) in shown, shown
    assert "line 4: revenue" not in shown


def test_a_damaged_store_is_named_with_what_to_do_not_a_traceback(tmp_path: Path) -> None:
    db, notes = tmp_path / "d.db", tmp_path / "notes.db"
    datora(
        "ingest",
        "observations",
        write_jsonl(tmp_path / "o.jsonl", obs("o1", "email:a@x.io")),
        "--db",
        db,
    )
    damage_table(db)
    notes.write_text("these are notes, not a database\n" * 100, encoding="utf-8")

    exported = datora("export", "profiles", "--db", db, ok=False)
    shown = datora("profile", "show", "email:a@x.io", "--db", db, ok=False)
    not_a_store = datora("stats", "--db", notes, ok=False)

    for result, path, words in [
        (exported, db, "database disk image is malformed"),
        (shown, db, "database disk image is malformed"),
        (not_a_store, notes, "file is not a database"),
    ]:
        assert result.returncode == 1, result.stderr
        assert result.stderr == (
            f"Error: the SQLite store at {path} is damaged ({words}): {WHAT_TO_DO}\n"
        )
