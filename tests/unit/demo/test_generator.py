"""The synthetic data generator: deterministic, consistent with its truth, and noisy as real
data is. Every identifier it emits is checked against the real identifier registry."""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.demo.evaluation import evaluate, ideal_partition
from datora_graph.demo.generator import (
    JUNK,
    SHARED,
    SyntheticData,
    ending_by,
    generate,
    main,
    people_for_observations,
    stream,
    write_files,
)
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import parse_event, parse_observation

PEOPLE = 3000


@pytest.fixture(scope="module")
def registry() -> IdentifierRegistry:
    return Settings().identifier_registry()


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return generate(PEOPLE, seed=11)


@pytest.fixture(scope="module")
def rejected(data: SyntheticData, registry: IdentifierRegistry) -> dict[str, str]:
    """Observation ID -> the field the service rejects it for."""
    found = {}
    for item in data.observations:
        try:
            parse_observation(item, registry)
        except InvalidInput as error:
            found[item["id"]] = error.field
    return found


def _dump(data: SyntheticData) -> str:
    return json.dumps([data.observations, data.events, data.truth], sort_keys=False)


def test_the_same_seed_gives_byte_identical_data() -> None:
    assert _dump(generate(150, seed=5)) == _dump(generate(150, seed=5))
    assert _dump(generate(150, seed=5)) != _dump(generate(150, seed=6))


def test_observations_do_not_depend_on_the_event_volume() -> None:
    without_events = [item for kind, item in stream(150, seed=5, events=0) if kind == "observation"]
    assert without_events == generate(150, seed=5).observations
    assert not [kind for kind, _ in stream(150, seed=5, events=0) if kind == "event"]


def test_every_emitted_identifier_normalises_to_its_truth_key(
    data: SyntheticData, registry: IdentifierRegistry, rejected: dict[str, str]
) -> None:
    checked = 0
    for item in data.observations + data.events:
        for identifier in item["identifiers"]:
            try:
                parsed = registry.parse_with_junk(identifier["type"], identifier["value"])
            except InvalidInput:
                assert item["id"] in rejected, f"{identifier} of valid record {item['id']}"
                continue
            person = data.truth.get(parsed.identifier.key)
            assert person is not None, f"{parsed.identifier.key} ({identifier}) has no truth"
            assert parsed.junk == (person == JUNK), parsed.identifier.key
            checked += 1
    assert checked > 5 * PEOPLE


def test_truth_holds_only_emitted_identifiers(
    data: SyntheticData, registry: IdentifierRegistry, rejected: dict[str, str]
) -> None:
    emitted = set()
    for item in data.observations + data.events:
        for identifier in item["identifiers"]:
            with contextlib.suppress(InvalidInput):
                emitted.add(registry.parse(identifier["type"], identifier["value"]).key)
    # a spoiled record's original value is in the truth though only its broken form was sent
    assert len(set(data.truth) - emitted) <= len(rejected)
    people = {p for p in data.truth.values() if not p.startswith("*")}
    assert 0.95 * PEOPLE <= len(people) <= PEOPLE


def test_every_event_and_accepted_observation_parses(
    data: SyntheticData, registry: IdentifierRegistry
) -> None:
    for event in data.events:
        parse_event(event, registry)
    assert {e["type"] for e in data.events} == {
        "page_view",
        "product_view",
        "add_to_cart",
        "purchase",
        "support_call",
        "email_open",
        "app_open",
    }
    purchase = next(e for e in data.events if e["type"] == "purchase")
    assert set(purchase["properties"]) == {"revenue", "currency", "order_id"}


def test_volumes_are_as_documented(data: SyntheticData) -> None:
    observations = len(data.observations)
    assert 6.0 <= observations / PEOPLE <= 7.0
    assert abs(people_for_observations(observations) - PEOPLE) < 0.08 * PEOPLE
    identifiers = sum(len(o["identifiers"]) for o in data.observations)
    assert 2.5 <= identifiers / observations <= 3.5
    assert 3.0 <= len(data.events) / PEOPLE <= 5.0
    assert {o["source"] for o in data.observations} == {
        "web",
        "app",
        "crm",
        "newsletter",
        "callcentre",
        "shop",
        "store_kiosk",
    }


def test_a_small_share_of_observations_is_invalid(rejected: dict[str, str]) -> None:
    share = len(rejected) / (PEOPLE * 6.5)
    assert 0.002 <= share <= 0.01
    fields = Counter(re.sub(r"\[\d+\]", "[]", field) for field in rejected.values())
    assert fields["observed_at"] > 0
    assert fields["identifiers[].value"] > 0


def test_identifiers_come_in_several_formats(data: SyntheticData) -> None:
    raw: defaultdict[str, set[str]] = defaultdict(set)
    for item in data.observations:
        for identifier in item["identifiers"]:
            raw[identifier["type"]].add(identifier["value"])
    emails = raw["email"]
    assert any(e.startswith("mailto:") for e in emails)
    assert any(e != e.strip() for e in emails)
    assert any(e != e.lower() and "mailto" not in e.lower() for e in emails)

    def layout(phone: str) -> str:
        return re.sub(r"\d", "9", phone)

    examples = ("(415) 555-2671", "+1 415-555-2671", "415.555.2671", "001 415 555 2671")
    assert {layout(e) for e in examples} <= {layout(p) for p in raw["phone"]}
    assert any(d != d.lower() for d in raw["device_id"])


def test_real_people_never_use_reserved_example_domains(data: SyntheticData) -> None:
    for key, person in data.truth.items():
        if key.startswith("email:") and not person.startswith("*"):
            assert key.rpartition("@")[2] not in {"example.com", "example.org", "example.net"}


def test_shared_devices_are_used_by_several_accounts(data: SyntheticData) -> None:
    shared = {key for key, person in data.truth.items() if person == SHARED}
    accounts: defaultdict[str, set[str]] = defaultdict(set)
    for item in data.observations:
        keys = {f"{i['type']}:{i['value'].strip().lower()}" for i in item["identifiers"]}
        for key in keys & shared:
            accounts[key] |= {k for k in keys if k.startswith("user_id:")}
    users = sorted(len(a) for a in accounts.values())
    assert users, "no shared device was used"
    assert sum(1 for n in users if 2 <= n <= 4) > 20  # household tablets
    assert users[-1] >= 15  # a public kiosk


def test_junk_values_of_every_kind_are_present(data: SyntheticData) -> None:
    junk = {key for key, person in data.truth.items() if person == JUNK}
    assert {"email:test@test.com", "phone:0000000000", "user_id:guest"} <= junk
    assert "device_id:00000000-0000-0000-0000-000000000000" in junk
    assert any(key.endswith("@example.com") for key in junk)


def test_names_carry_typos_and_nicknames(
    data: SyntheticData, registry: IdentifierRegistry, rejected: dict[str, str]
) -> None:
    names: defaultdict[str, set[str]] = defaultdict(set)
    for item in data.observations:
        first = item.get("attributes", {}).get("first_name")
        if first is None or item["id"] in rejected:
            continue
        key = registry.parse(item["identifiers"][0]["type"], item["identifiers"][0]["value"]).key
        names[data.truth[key]].add(first)
    assert sum(1 for variants in names.values() if len(variants) > 1) > 0.1 * len(names)


def test_some_events_arrive_before_the_observation_of_their_identifier() -> None:
    observed: set[str] = set()
    early = 0
    for kind, item in stream(300, seed=2):
        values = {i["value"] for i in item.get("identifiers", [])}
        if kind == "observation":
            observed |= values
        elif kind == "event" and not values & observed:
            early += 1
    assert early > 10


def test_the_truth_of_an_identifier_is_told_before_any_record_carrying_it(
    registry: IdentifierRegistry,
) -> None:
    told: set[str] = set()
    for kind, item in stream(2500, seed=3, events=0.2):  # more than one chunk
        if kind == "truth":
            assert item["key"] not in told
            told.add(item["key"])
            continue
        for identifier in item["identifiers"]:
            try:
                key = registry.parse(identifier["type"], identifier["value"]).key
            except InvalidInput:
                continue
            assert key in told


def test_the_ideal_partition_never_mixes_people(
    data: SyntheticData, registry: IdentifierRegistry
) -> None:
    """Only shared and junk identifiers bridge people: without them every component is one
    person's. A record mixing two people's identifiers would break this."""
    quality = evaluate(ideal_partition(data.observations, registry, data.truth), data.truth)
    assert quality.precision == 1.0
    assert 0.85 < quality.recall < 1.0


def test_write_files_writes_the_stream_as_json_lines(tmp_path: Path) -> None:
    counts = write_files(tmp_path, 40, seed=4)
    data = generate(40, seed=4)
    lines: dict[str, list[Any]] = {}
    for name in ("observations", "events", "truth"):
        text = (tmp_path / f"{name}.jsonl").read_text()
        lines[name] = [json.loads(line) for line in text.splitlines()]
    assert lines["observations"] == data.observations
    assert lines["events"] == data.events
    assert {t["key"]: t["person"] for t in lines["truth"]} == data.truth
    assert counts == {
        "observation": len(data.observations),
        "event": len(data.events),
        "truth": len(data.truth),
    }


def test_main_sizes_the_data_set_by_observations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--observations", "650", "--events", "0", "--out", str(tmp_path)])
    assert "100 people" in capsys.readouterr().out
    assert (tmp_path / "events.jsonl").read_text() == ""
    assert (tmp_path / "observations.jsonl").read_text().count("\n") > 500


def test_shared_family_contacts_are_off_by_default_and_join_people_when_on(
    registry: IdentifierRegistry,
) -> None:
    def family_contacts(truth: dict[str, str]) -> set[str]:
        return {
            k for k, p in truth.items() if p == SHARED and k.split(":")[0] in {"email", "phone"}
        }

    assert not family_contacts(generate(400, seed=8).truth)
    data = generate(400, seed=8, shared_contacts=0.5)
    family = family_contacts(data.truth)
    people: defaultdict[str, set[str]] = defaultdict(set)
    for item in data.observations:
        with contextlib.suppress(InvalidInput):
            keys = [i.key for i in parse_observation(item, registry).identifiers]
            for contact in family.intersection(keys):
                people[contact] |= {
                    data.truth[k] for k in keys if not data.truth[k].startswith("*")
                }
    assert sum(1 for members in people.values() if len(members) >= 2) >= 5
    ideal = ideal_partition(data.observations, registry, data.truth)
    assert evaluate(ideal, data.truth).precision == 1.0


def test_the_demo_data_set_moved_to_end_today_keeps_every_interval() -> None:
    data = generate(500)  # enough people for observations spoiled without a time
    now = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)

    moved = ending_by(data, now)

    def times(d: SyntheticData) -> list[datetime]:
        return [
            datetime.fromisoformat(o["observed_at"]) for o in d.observations if "observed_at" in o
        ] + [datetime.fromisoformat(e["occurred_at"]) for e in d.events]

    before, after = times(data), times(moved)
    shifts = {b - a for a, b in zip(before, after, strict=True)}
    assert len(shifts) == 1, "one shift for all"
    [shift] = shifts
    assert shift.total_seconds() % 86_400 == 0, "whole days: times of day stay"
    assert now - timedelta(days=1) < max(after) <= now
    kept = [o for o in moved.observations if o.get("observed_at", "").endswith("-05:00")]
    assert kept, "the call centre's local times keep their offset"
    assert moved.truth == data.truth
    timeless = [o["id"] for o in data.observations if "observed_at" not in o]
    assert timeless, "the noise spoils some observations by leaving out their time"
    assert timeless == [o["id"] for o in moved.observations if "observed_at" not in o]
    assert [e["id"] for e in moved.events] == [e["id"] for e in data.events]
