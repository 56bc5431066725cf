"""A rebuild under other settings than the records were ingested with: it stops before
changing anything unless allowed, and the rejections it made go once a rebuild accepts them."""

from __future__ import annotations

from pathlib import Path

import pytest

from datora_graph.domain.errors import RebuildWouldReject
from datora_graph.domain.profiles import RejectionFilter
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

from .loyalty import ingest_loyal, obs, settings


def service(store: GraphStore, tmp_path: Path, *, loyalty: bool) -> IdentityService:
    return IdentityService(store, settings(tmp_path, loyalty=loyalty))


def profiles(identity: IdentityService) -> list[tuple[str, list[str]]]:
    return sorted(
        (p.id, sorted(i.identifier.key for i in p.identifiers)) for p in identity.export_profiles()
    )


def rejected(identity: IdentityService) -> list[tuple[str | None, str]]:
    return [(r.item_id, r.reason) for _, r in identity.rejections(RejectionFilter()).items]


@pytest.fixture
def ingested(store: GraphStore, tmp_path: Path) -> IdentityService:
    return ingest_loyal(store, tmp_path)


def test_a_rebuild_that_would_reject_held_records_stops_and_changes_nothing(
    store: GraphStore, tmp_path: Path, ingested: IdentityService
) -> None:
    before, rejections = profiles(ingested), rejected(ingested)
    plain = service(store, tmp_path, loyalty=False)

    with pytest.raises(RebuildWouldReject) as refused:
        plain.rebuild()

    assert refused.value.rejected == 2
    assert [e.split(":")[0] for e in refused.value.examples] == ["o1", "o3"]
    message = str(refused.value)
    assert "would reject 2 logged observations" in message
    assert "o1: identifiers[1].type: unknown identifier type 'loyalty_id'" in message
    assert "is DATORA_IDENTIFIER_TYPES set as when they were ingested?" in message
    assert "nothing was changed" in message
    assert profiles(plain) == before
    assert rejected(plain) == rejections
    assert store.rebuild_in_progress() is False


def test_a_refusal_names_the_first_few_and_counts_the_rest(
    store: GraphStore, tmp_path: Path
) -> None:
    identity = service(store, tmp_path, loyalty=True)
    identity.ingest_observations([obs(f"o{n}", f"loyalty_id:L-{n}") for n in range(8)])

    with pytest.raises(RebuildWouldReject) as refused:
        service(store, tmp_path, loyalty=False).rebuild()

    assert refused.value.rejected == 8
    assert len(refused.value.examples) == 5
    assert "… and 3 more" in str(refused.value)


def test_an_allowed_rebuild_rejects_and_a_later_one_under_the_settings_accepts_again(
    store: GraphStore, tmp_path: Path, ingested: IdentityService
) -> None:
    before = profiles(ingested)
    plain = service(store, tmp_path, loyalty=False)

    allowed = plain.rebuild(allow_rejections=True)
    assert (allowed.observations, allowed.rejected) == (1, 2)
    assert profiles(plain) == [p for p in before if p[1] == ["email:bob@acme.io"]]
    assert [item for item, _ in rejected(plain)] == ["bad", "o1", "o3"]
    assert store.stats().rejections == 3

    again = plain.rebuild()  # rejects nothing the graph holds now: no need to allow it
    assert again.rejected == 2
    assert [item for item, _ in rejected(plain)] == ["bad", "o1", "o3"]

    restored = ingested.rebuild()
    assert (restored.observations, restored.rejected) == (3, 0)
    assert profiles(ingested) == before
    (only,) = rejected(ingested)
    assert only[0] == "bad"
    assert not only[1].startswith("no longer valid")
    assert store.stats().rejections == 1
