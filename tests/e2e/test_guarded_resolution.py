"""The guards on the real SQLite store, through the service, on the generator's noisiest data
(kiosks, household tablets, junk values, shared family emails and landlines): the guarded
resolver keeps people apart where plain connected components (networkx) fuses them, recall
stays within 2 points of what is reachable, and profiles stay person-sized."""

from __future__ import annotations

from pathlib import Path

from datora_graph.config import Settings
from datora_graph.demo.evaluation import (
    connected_components_baseline,
    evaluate,
    reachable_recall,
)
from datora_graph.demo.generator import MAX_NOISE_SHARED_CONTACTS, generate
from datora_graph.services import IdentityService
from datora_graph.store.sqlite import SqliteStore


def test_guards_keep_people_apart_on_the_noisiest_data(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "graph.db", ingest_batch_size=500)
    data = generate(600, seed=3, shared_contacts=MAX_NOISE_SHARED_CONTACTS)
    store = SqliteStore(settings.db)
    try:
        service = IdentityService(store, settings)
        for start in range(0, len(data.observations), 500):
            service.ingest_observations(data.observations[start : start + 500])
        partition = {
            profile.id: [i.identifier.key for i in profile.identifiers]
            for page in store.iter_profiles()
            for profile in page
        }
        quarantined = {
            i.identifier.key
            for page in store.iter_profiles()
            for profile in page
            for i in profile.identifiers
            if i.quarantined
        }
    finally:
        store.close()
    registry = settings.identifier_registry()

    guarded = evaluate(partition, data.truth)
    naive = evaluate(connected_components_baseline(data.observations, registry), data.truth)
    reachable = reachable_recall(data.observations, registry, data.truth)

    assert naive.precision < 0.05
    assert naive.largest_profile > 1000
    assert guarded.precision > 0.9
    assert reachable - guarded.recall < 0.02
    assert guarded.largest_profile <= 25
    assert quarantined
    assert {data.truth.get(key) for key in quarantined} & {"*shared"}
