"""`scripts/serve`, the README's first command: it makes the demo store, prints a key and
commands that work as printed, and stops on bad settings with their names, not a traceback."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.test_cli import cli_env, datora

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve"


@pytest.fixture(autouse=True)
def installed() -> None:
    if not (ROOT / ".venv" / "bin" / "datora").exists():
        pytest.skip("scripts/serve installs into .venv first; run scripts/test, which makes it")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_printed_commands_answer(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(db=str(tmp_path / "demo.db"), port=str(port))
    process = subprocess.Popen(
        [str(SERVE)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Stop with Ctrl-C" in line:
                break
        printed = "".join(lines)
        commands = {
            name: shlex.split(command)
            for name, command in re.findall(r"^  ([a-z -]+):\s+(curl .*)$", printed, re.M)
        }
        assert set(commands) == {
            "try",
            "a profile",
            "its journey",
            "its latest",
            "by its e-mail",
        }, printed
        answers = {name: _curl(command) for name, command in commands.items()}
        metrics = re.search(r"^  metrics:\s+(http://\S+)", printed, re.M)
        assert metrics is not None, printed
        scraped = httpx.get(metrics.group(1), timeout=30)
        token = re.search(r"API key:\s+(dtr_\S+)", printed)
        assert token is not None, printed
        toured = _quick_tour(port, token.group(1))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    assert answers["try"]["profiles"] > 0
    assert scraped.status_code == 200
    assert 'datora_http_requests_total{method="GET",route="/v1/stats",status="200"}' in scraped.text
    profile_id = answers["a profile"]["id"]
    assert answers["by its e-mail"]["id"] == profile_id
    assert answers["its journey"]["events"], "the example has events: a first call shows some"
    latest: Any = answers["its latest"]["events"]
    moments = [e["occurred_at"] for e in latest]
    assert 0 < len(latest) <= 5
    assert moments == sorted(moments, reverse=True), "newest first"
    assert toured["attributes"] == {"first_name": "Bo"}
    identifiers: Any = toured["identifiers"]
    assert {i["value"] for i in identifiers} == {"bo@mail.com", "+14155552671"}


def _curl(command: list[str]) -> dict[str, object]:
    """Runs a printed `curl -H 'Authorization: Bearer …' URL` with httpx, once the server is up."""
    assert command[:2] == ["curl", "-H"], command
    name, _, value = command[2].partition(": ")
    deadline = time.monotonic() + 60
    while True:
        try:
            response = httpx.get(command[3], headers={name: value}, timeout=10)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def _quick_tour(port: int, token: str) -> dict[str, object]:
    """The README's quick tour as written: its POST, then its look-up; answers the profile."""
    readme = (ROOT / "README.md").read_text()
    tour = readme.split("## Quick tour", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    body = re.search(r"-d '(\{.*?\})'", tour, re.S)
    look_up = re.search(r"'localhost:8000(/v1/profiles\?identifier=[^']+)'", tour)
    assert body is not None, tour
    assert look_up is not None, tour
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}"
    posted = httpx.post(f"{base}/v1/observations", content=body.group(1), headers=headers)
    assert posted.status_code == 200, posted.text
    assert posted.json()["accepted"] == 1
    return _curl(["curl", "-H", f"Authorization: Bearer {token}", base + look_up.group(1)])


@pytest.mark.parametrize("made", [False, True], ids=["first run", "store made"])
def test_a_bad_setting_is_named_without_a_traceback(tmp_path: Path, made: bool) -> None:
    db = tmp_path / "demo.db"
    if made:
        datora("demo", "--people", "5", "--db", db)
    env = cli_env(db=str(db), port="abc")

    result = subprocess.run([str(SERVE)], env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 2
    assert "DATORA_PORT: Input should be a valid integer" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_taken_port_stops_it_before_a_key_is_made_or_commands_printed(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    datora("demo", "--people", "5", "--db", db)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = subprocess.run(
            [str(SERVE)],
            env=cli_env(db=str(db), port=str(port)),
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "DATORA_PORT=8080 scripts/serve" in result.stderr
    assert "API key" not in result.stdout, "no curl commands that would reach the other server"
    assert "No API keys yet" in datora("keys", "list", "--db", db).stderr
