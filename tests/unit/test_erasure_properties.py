"""An erasure, whatever the records before it, leaves none of the erased profile's identifier
values in the store's files (as sent or as normalised, in any letter case), and every other
profile as it was, and as a rebuild from what the erasure left gives it (same IDs).

The records are random: people seen through several identifiers each, in varied layouts, some
records rejected, a household device shared between people, a junk e-mail, a second CRM ID
that the per-type limit holds apart, events, consent, then a steward's merges, splits and
answered review items. Each person's values are distinct, fixed-width
strings no other value contains, so that one found in a file's bytes can only be theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from datora_graph.config import Settings
from datora_graph.domain.errors import DatoraError
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import GoldenProfile, ReviewFilter
from datora_graph.erasure_service import ErasureService
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.sqlite import SqliteStore

PEOPLE = 4
SHARED_DEVICE = "dev-shared-hall-tablet-01"
JUNK = "test@test.com"


def email(person: int, layout: int) -> str:
    value = f"erasure.person{person}.k7q@mail.test"
    return [value, value.upper(), f"  {value} ", value.title()][layout]


def phone(person: int, layout: int) -> str:
    digits = f"41555501{person}7"
    return [f"+1{digits}", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"+1 {digits}"][layout]


def crm_id(person: int, second: bool) -> str:
    return f"CRM-ERASE-{person}{'B' if second else 'A'}9"


def cookie(person: int) -> str:
    return f"ck-erase-{person}-5c0ffee"


@dataclass(frozen=True)
class Seen:
    """One record of a person: which of their identifiers, laid out how."""

    person: int
    kinds: frozenset[str]
    layout: int
    shared_device: bool
    junk: bool
    rejected: bool
    event: bool
    consent: bool


records = st.lists(
    st.builds(
        Seen,
        person=st.integers(0, PEOPLE - 1),
        kinds=st.frozensets(
            st.sampled_from(["email", "phone", "crm_id", "crm_id_2", "cookie_id"]), min_size=1
        ),
        layout=st.integers(0, 2),
        shared_device=st.booleans(),
        junk=st.booleans(),
        rejected=st.booleans(),
        event=st.booleans(),
        consent=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@dataclass(frozen=True)
class Step:
    """A steward's decision before the erasure: which profiles or item, picked by position."""

    kind: str
    first: int
    second: int
    mask: int


steps = st.lists(
    st.builds(
        Step,
        kind=st.sampled_from(["merge", "split", "accept", "reject"]),
        first=st.integers(0, 50),
        second=st.integers(0, 50),
        mask=st.integers(1, 2**8),
    ),
    max_size=3,
)


def identifiers(seen: Seen) -> list[dict[str, str]]:
    p, layout = seen.person, seen.layout
    values = {
        "email": ("email", email(p, layout)),
        "phone": ("phone", phone(p, layout)),
        "crm_id": ("crm_id", crm_id(p, second=False)),
        "crm_id_2": ("crm_id", crm_id(p, second=True)),
        "cookie_id": ("cookie_id", cookie(p)),
    }
    found = [{"type": t, "value": v} for t, v in (values[k] for k in sorted(seen.kinds))]
    if seen.shared_device:
        found.append({"type": "device_id", "value": SHARED_DEVICE})
    if seen.junk:
        found.append({"type": "email", "value": JUNK})
    return found


def observation(n: int, seen: Seen) -> dict[str, Any]:
    record = {
        "id": f"o{n}",
        "source": "crm",
        "observed_at": f"2026-05-{1 + n % 28:02d}T10:00:00Z",
        "identifiers": identifiers(seen),
        "attributes": {"first_name": f"Name{seen.person}", "city": f"Town{n}"},
    }
    if seen.consent:  # for every identifier the record carries
        record["consent"] = [{"purpose": "email_marketing", "status": "granted"}]
    if seen.rejected:
        record["observed_at"] = "the day before yesterday"
    return record


def purchase(n: int, seen: Seen) -> dict[str, Any]:
    return {
        "id": f"e{n}",
        "type": "purchase",
        "occurred_at": f"2026-06-{1 + n % 28:02d}T10:00:00Z",
        "source": "shop",
        "identifiers": identifiers(seen)[:1],
        "properties": {"revenue": n},
    }


def files_mention(db: Path, needles: set[str]) -> dict[str, set[str]]:
    """Which needles each of the store's files holds, letter case ignored."""
    found: dict[str, set[str]] = {}
    for path in db.parent.glob(f"{db.name}*"):
        data = path.read_bytes().lower()
        if hits := {n for n in needles if n.strip().lower().encode() in data}:
            found[path.name] = hits
    return found


def decide(service: IdentityService, step: Step) -> None:
    """Apply `step` where it applies; a decision the steward service refuses is skipped."""
    steward = StewardService(service)
    ids = sorted(p.id for p in service.export_profiles() if not p.junk)
    items = service.store.list_review_items(ReviewFilter()).items
    try:
        if step.kind == "merge" and len(ids) > 1:
            a, b = ids[step.first % len(ids)], ids[step.second % len(ids)]
            if a != b:
                steward.merge_profiles(a, b, reason="same person", actor="steward")
                event("merged")
        elif step.kind == "split" and ids:
            profile = service.get_profile(ids[step.first % len(ids)])
            keys = sorted(i.identifier.key for i in profile.identifiers)
            part = [k for n, k in enumerate(keys) if step.mask >> (n % 8) & 1]
            rest = [k for k in keys if k not in part]
            if part and rest:
                steward.split_profile(profile.id, [part, rest], reason="two people", actor="s")
                event("split")
        elif step.kind in ("accept", "reject") and items:
            item = items[step.first % len(items)]
            steward.resolve_review_item(
                item.id, step.kind == "accept", reason="looked", actor="steward"
            )
            event(f"review item: {step.kind}ed")
    except DatoraError as refused:
        event(f"{step.kind} refused: {type(refused).__name__}")


@contextmanager
def recorded(seen: list[Seen], decisions: list[Step]) -> Iterator[IdentityService]:
    """A service over a new store holding the records `seen` describes, their events, and the
    steward decisions applied after them; closed afterwards."""
    with TemporaryDirectory() as folder:
        config = Settings(db=Path(folder) / "s.db")
        store = SqliteStore(config.db)
        try:
            service = IdentityService(store, config)
            service.ingest_observations([observation(n, s) for n, s in enumerate(seen)])
            service.ingest_events([purchase(n, s) for n, s in enumerate(seen) if s.event])
            for step in decisions:
                decide(service, step)
            yield service
        finally:
            store.close()


def profiles(exported: Iterable[GoldenProfile]) -> dict[str, tuple[Any, ...]]:
    """Each profile's identifiers and attributes, by its ID: what must stay as it was."""
    return {
        p.id: (sorted(i.identifier.key for i in p.identifiers), sorted(p.attributes.items()))
        for p in exported
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seen=records, decisions=steps, whom=st.integers(0, 10_000))
def test_an_erasure_leaves_no_identifier_value_of_the_profile_and_the_others_as_they_were(
    seen: list[Seen], decisions: list[Step], whom: int
) -> None:
    with recorded(seen, decisions) as service:
        db = service.settings.db
        before = {p.id: p for p in service.export_profiles()}
        erasable = sorted(
            (pid, i.identifier.key)
            for pid, p in before.items()
            for i in p.identifiers
            if not i.junk and not p.junk
        )
        if not erasable:
            return  # no profile but junk's: every record rejected, or junk alone
        profile_id, reference = erasable[whom % len(erasable)]
        erased = {i.identifier for i in before[profile_id].identifiers}
        values = {identifier.value for identifier in erased}
        as_sent = {
            sent["value"]
            for s in seen
            for sent in identifiers(s)
            if _normalised(service, sent) in erased
        }
        others = profiles(p for p in before.values() if p.id != profile_id)
        assert files_mention(db, values).keys(), "the search finds them before"

        ErasureService(service).erase_profile(reference, reason="request", actor="dpo")

        assert files_mention(db, values | as_sent) == {}
        assert profiles(service.export_profiles()) == others
        service.rebuild()  # from the log and decisions as the erasure left them
        assert profiles(service.export_profiles()) == others


def _normalised(service: IdentityService, sent: dict[str, str]) -> Identifier:
    return service.registry.parse_with_junk(sent["type"], sent["value"], field="v").identifier
