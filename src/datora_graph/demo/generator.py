"""Synthetic people seen through many channels, with the ground truth of who is who.

Each person has a name, a birth date, a household address, one or two emails and phones and,
depending on their habits, a CRM customer number, an app account (`user_id`) with devices, and
browser cookies. Each channel sees a few of these together:

    web         cookie_id; email after a login, sometimes user_id
    app         device_id + user_id, sometimes email or phone
    crm         crm_id + email + phone; name, birth date, gender, address
    newsletter  email, sometimes the sign-up page's cookie_id; first_name; consent to e-mail
                marketing for the e-mail
    callcentre  phone, crm_id sometimes, an email or a junk value typed by the agent
    shop        email + user_id (or `guest`) + cookie_id or device_id, phone sometimes;
                name, address

Noise: formatting variants of one identifier (`mailto:`, case, spaces, seven phone layouts,
upper-case iOS device IDs), name typos and nicknames, mistyped email domains, household tablets
shared by 2-4 people (each logging in with their own user_id), public kiosks used by hundreds,
junk values (`test@test.com`, `0000000000`, zeroed advertising IDs, `guest`), and about 0.5%
invalid records (malformed email or phone, missing `observed_at`, impossible birth date).

`stream(people, seed)` yields `(kind, item)` pairs and holds one chunk of households in memory:

    ("truth", {"key": "email:ann.lee@gmail.com", "person": "p0000001"})
    ("observation", {"id": ..., "source": ..., "observed_at": ..., "identifiers": [...]})
    ("event", {"id": ..., "type": "purchase", "occurred_at": ..., ...})

The truth of every identifier of a chunk comes before the chunk's records; `person` is a person
ID, `*shared` or `*junk`; deliberately malformed values have no truth. Within a chunk records
are in time order (page views under a cookie often precede the login that links it); every
chunk spans the whole period, so the log as a whole is only roughly in time order, like a
back-filled one. The same arguments give byte-identical output, and the observations do not
depend on `events` (events draw from a random stream of their own).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from datora_graph.demo.channels import JUNK, SHARED, Channels, Identifier, StreamKind

__all__ = [
    "JUNK",
    "OBSERVATIONS_PER_PERSON",
    "SHARED",
    "Identifier",
    "StreamKind",
    "SyntheticData",
    "generate",
    "main",
    "people_for_observations",
    "stream",
    "write_files",
]

OBSERVATIONS_PER_PERSON = 6.5
"""Measured average; `people_for_observations` divides by it."""

_CHUNK_PEOPLE = 2_000
MAX_NOISE_SHARED_CONTACTS = 1.0
"""`--noise max`: the share of multi-person households sharing a family email and landline."""


@dataclass(frozen=True, slots=True)
class SyntheticData:
    """A whole small data set in memory: wire observations, wire events, and the truth."""

    observations: list[dict[str, Any]]
    events: list[dict[str, Any]]
    truth: dict[str, str]


def people_for_observations(observations: int) -> int:
    """How many people to generate for about `observations` observations."""
    return max(1, round(observations / OBSERVATIONS_PER_PERSON))


def generate(people: int, seed: int = 7, *, shared_contacts: float = 0.0) -> SyntheticData:
    """A data set of `people` people, with events, all in memory (for demos and tests)."""
    data = SyntheticData([], [], {})
    for kind, item in stream(people, seed, shared_contacts=shared_contacts):
        if kind == "observation":
            data.observations.append(item)
        elif kind == "event":
            data.events.append(item)
        else:
            data.truth[item["key"]] = item["person"]
    return data


def ending_by(data: SyntheticData, latest: datetime) -> SyntheticData:
    """`data` moved by whole days so its last observation or event falls on or before
    `latest` (the demo's: today), with every interval between them kept. The generator's own
    calendar (`PERIOD_START`) stays fixed so the tests and the benchmark see the same data;
    a person trying the demo sees a recent journey, and "within 30 days" finds someone."""
    times = [
        datetime.fromisoformat(item[name])
        for items, name in ((data.observations, "observed_at"), (data.events, "occurred_at"))
        for item in items
        if name in item  # a spoiled observation (`noise.spoil`) may have none
    ]
    if not times:
        return data
    last = max(times)
    days = (latest.astimezone(UTC).date() - last.astimezone(UTC).date()).days
    if last + timedelta(days=days) > latest:
        days -= 1
    shift = timedelta(days=days)
    return SyntheticData(
        [_moved(o, "observed_at", shift) for o in data.observations],
        [_moved(e, "occurred_at", shift) for e in data.events],
        data.truth,
    )


def _moved(item: dict[str, Any], name: str, shift: timedelta) -> dict[str, Any]:
    """`item` with its time `name` moved by `shift`, written as it was (`Z`, or its own
    offset); an item without one (spoiled on purpose) as it is."""
    if name not in item:
        return item
    text = item[name]
    moved = datetime.fromisoformat(text) + shift
    written = moved.strftime("%Y-%m-%dT%H:%M:%SZ") if text.endswith("Z") else moved.isoformat()
    return {**item, name: written}


def stream(
    people: int, seed: int = 7, *, events: float = 1.0, shared_contacts: float = 0.0
) -> Iterator[tuple[StreamKind, dict[str, Any]]]:
    """Yield truth, observations and events for `people` people, a chunk at a time.

    `events` scales how many events are made (0 for none, which is fastest).
    `shared_contacts` is the share of households of two or more that also share a family
    email and a home landline, used in orders, newsletters, the CRM and calls: harder data,
    where only the guards keep the members apart. At 0 (the default) it draws nothing, so the
    default data set does not depend on this option."""
    if people < 0 or events < 0 or not 0 <= shared_contacts <= 1:
        raise ValueError("people and events must not be negative, shared_contacts in [0, 1]")
    channels = Channels(people, seed, events, shared_contacts)
    for key in channels.kiosk_keys:
        yield "truth", {"key": key, "person": SHARED}
    while channels.made < people:
        truth, records = channels.chunk(min(_CHUNK_PEOPLE, people - channels.made))
        for key, person in truth.items():
            yield "truth", {"key": key, "person": person}
        records.sort(key=lambda record: (record[0], record[1]))
        for _, _, kind, item in records:
            yield kind, item


def write_files(
    directory: Path, people: int, seed: int = 7, events: float = 1.0, shared_contacts: float = 0.0
) -> dict[str, int]:
    """Write `observations.jsonl`, `events.jsonl` and `truth.jsonl`; returns the line counts."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {"observation": 0, "event": 0, "truth": 0}
    names = {"observation": "observations", "event": "events", "truth": "truth"}
    handles = {kind: (directory / f"{name}.jsonl").open("w") for kind, name in names.items()}
    try:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for kind, item in stream(people, seed, events=events, shared_contacts=shared_contacts):
            handles[kind].write(dumps(item) + "\n")
            counts[kind] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic data set with ground truth.")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--people", type=int, help="how many people")
    size.add_argument("--observations", type=int, help="about how many observations")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=float, default=1.0, help="event volume factor, 0 for none")
    parser.add_argument(
        "--shared-contacts",
        type=float,
        default=0.0,
        help="share of multi-person households sharing a family email and landline (0-1)",
    )
    parser.add_argument(
        "--noise",
        choices=["default", "max"],
        default="default",
        help="max: the noisiest data (every multi-person household shares a family email and "
        "landline, on top of kiosks, tablets, junk and typos); overrides --shared-contacts",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    args = parser.parse_args(argv)
    if args.noise == "max":
        args.shared_contacts = MAX_NOISE_SHARED_CONTACTS
    people = args.people if args.people is not None else people_for_observations(args.observations)
    started = time.perf_counter()
    counts = write_files(args.out, people, args.seed, args.events, args.shared_contacts)
    print(
        f"{people} people: {counts['observation']} observations, {counts['event']} events, "
        f"{counts['truth']} truth entries in {args.out} ({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
