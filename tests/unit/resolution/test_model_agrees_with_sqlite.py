"""`GraphModel`, against which the engine's properties are checked, ends as the embedded store
ends: the same random logs, cut into the same batches and resolved by the same engine against
each, leave the same profile IDs for every identifier, the same golden attributes and junk
flags, the same open review items and the same quarantined identifiers. Without this, a
property could hold of the model and not of the store that serves it."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from datora_graph.domain.profiles import ReviewFilter
from datora_graph.domain.records import Observation
from datora_graph.resolution.engine import ResolutionEngine
from datora_graph.services import answer_stored_items
from datora_graph.store.sqlite import SqliteStore

from .graph_model import GraphModel, resolve_in_batches
from .test_engine_properties import ENGINE, GUARDED, TIGHT, Spec, all_keys, build_log, cuts_for


def batches(log: Sequence[Observation], cuts: Sequence[int]) -> list[Sequence[Observation]]:
    """The log cut as `resolve_in_batches` cuts it."""
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(log)}), len(log)]
    return [log[start:end] for start, end in itertools.pairwise(bounds)]


def resolve_in_store(
    engine: ResolutionEngine, store: SqliteStore, log: Sequence[Observation], cuts: Sequence[int]
) -> None:
    """What the service does with each batch: snapshot what it touches, resolve, commit."""
    for batch in batches(log, cuts):
        keys = {i.key for o in batch for i in o.identifiers}
        snapshot = store.load_snapshot(keys)
        store.commit(answer_stored_items(store, snapshot, engine.resolve(batch, snapshot)))


@settings(max_examples=150, deadline=None)
@given(log_specs=GUARDED, data=st.data())
def test_the_model_ends_as_the_embedded_store_ends(
    log_specs: list[Spec], data: st.DataObject
) -> None:
    log = build_log(log_specs)
    cuts = data.draw(cuts_for(log), label="cuts")
    engine = data.draw(st.sampled_from([ENGINE, TIGHT]), label="engine")
    model = GraphModel()
    resolve_in_batches(engine, model, log, cuts)

    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "agree.db")
        try:
            resolve_in_store(engine, store, log, cuts)
            keys = sorted(all_keys(log))
            placed = store.profile_ids_for_identifiers(keys)
            profiles = store.get_profiles(set(placed.values()))
            snapshot = store.load_snapshot(keys)
            review = store.list_review_items(ReviewFilter(None, limit=10_000)).items
        finally:
            store.close()

    assert placed == {key: model.profile_of(key) for key in keys}
    assert {pid: dict(p.attributes) for pid, p in profiles.items()} == {
        pid: model.attributes(pid) for pid in model.profiles
    }
    assert {pid: p.junk for pid, p in profiles.items()} == {
        pid: stored.state.junk for pid, stored in model.profiles.items()
    }
    assert {(i.a, i.b) for i in review if i.status == "open"} == set(model.review_items) - set(
        model.answered
    )
    assert {(i.a, i.b): i.answered_by for i in review if i.status == "answered"} == model.answered
    guards = snapshot.identifier_guards
    assert {key for key, guard in guards.items() if guard.quarantined} == model.quarantined()
