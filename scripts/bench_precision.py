"""Resolution quality on the generator's noisiest data: the guarded engine beside plain
connected components. A script, not a test.

    scripts/bench --only precision [--people 20000] [--out bench/precision.json]

The noisiest data is the generator's default noise (kiosks used by hundreds, household
tablets, junk values, typos and formatting variants) with every multi-person household also
sharing a family email and a landline (`shared_contacts=1`). The observations are resolved by
the engine in log order, in batches, against an in-memory graph of the same snapshots a store
gives (the engine's outcome does not depend on how the log is cut).

Figures (pairwise, over identifiers the truth gives to a person):
- precision and recall of the guarded engine, and of networkx connected components;
- reachable recall: the recall of connected components over the evidence once every
  identifier the truth marks as shared or junk is removed (`reachable_recall`), the ceiling
  for any resolution that does not link through shared identifiers;
- the largest profile (every identifier counted).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datora_graph.config import Settings
from datora_graph.demo.evaluation import (
    connected_components_baseline,
    evaluate,
    reachable_recall,
)
from datora_graph.demo.generator import MAX_NOISE_SHARED_CONTACTS, generate
from datora_graph.domain.changeset import Changeset, IdentifierGuardState, Snapshot
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.records import Observation, parse_observation
from datora_graph.resolution.engine import ResolutionEngine

BATCH = 5_000
TARGET_PRECISION = 0.995
RECALL_GAP_POINTS = 2.0


def bench_precision(
    people: int, seed: int, shared_contacts: float = MAX_NOISE_SHARED_CONTACTS
) -> dict[str, Any]:
    settings = Settings()
    registry = settings.identifier_registry()
    data = generate(people, seed, shared_contacts=shared_contacts)
    log: list[Observation] = []
    for raw in data.observations:
        try:
            log.append(parse_observation(raw, registry).with_seq(len(log) + 1))
        except InvalidInput:
            continue
    engine = ResolutionEngine(registry, settings.survivorship_rules(), settings.guard_settings())
    started = time.perf_counter()
    partition, guards, review_items = _resolve(engine, log)
    seconds = time.perf_counter() - started
    guarded = evaluate(list(partition.items()), data.truth)
    naive = evaluate(connected_components_baseline(data.observations, registry), data.truth)
    reachable = reachable_recall(data.observations, registry, data.truth)
    return {
        "people": people,
        "observations": len(log),
        "shared_contacts": shared_contacts,
        "guards": {
            "hub_max_profiles": settings.hub_max_profiles,
            "max_profile_identifiers": settings.max_profile_identifiers,
            "name_conflicts": settings.name_conflicts,
        },
        "resolve_seconds": round(seconds, 2),
        "guarded": guarded.to_dict(),
        "reachable_recall": reachable,
        "recall_gap_points": round((reachable - guarded.recall) * 100, 2),
        "connected_components": naive.to_dict(),
        "quarantined_identifiers": sum(1 for g in guards.values() if g.quarantined),
        "review_items": review_items,
        "meets_target": guarded.precision >= TARGET_PRECISION
        and (reachable - guarded.recall) * 100 <= RECALL_GAP_POINTS,
    }


def _resolve(
    engine: ResolutionEngine, log: list[Observation]
) -> tuple[dict[str, str], dict[str, IdentifierGuardState], int]:
    """Resolve the log in batches against an in-memory graph: key → profile, guard states and
    the number of review items opened."""
    owner: dict[str, str] = {}
    profiles: dict[str, Any] = {}
    guards: dict[str, IdentifierGuardState] = {}
    pairs: set[tuple[str, str]] = set()
    for start in range(0, len(log), BATCH):
        batch = log[start : start + BATCH]
        keys = {i.key for o in batch for i in o.identifiers}
        known = {k: owner[k] for k in keys if k in owner}
        snapshot = Snapshot(
            known,
            {pid: profiles[pid] for pid in set(known.values())},
            identifier_guards={k: guards[k] for k in keys if k in guards},
        )
        _apply(engine.resolve(batch, snapshot), owner, profiles, guards, pairs)
    return owner, guards, len(pairs)


def _apply(
    changeset: Changeset,
    owner: dict[str, str],
    profiles: dict[str, Any],
    guards: dict[str, IdentifierGuardState],
    pairs: set[tuple[str, str]],
) -> None:
    members: dict[str, list[str]] = defaultdict(list)
    if changeset.merges:
        for key, pid in owner.items():
            members[pid].append(key)
    for new in changeset.new_identifiers:
        owner[new.identifier.key] = new.profile_id
    for merge in changeset.merges:
        for key in members.pop(merge.absorbed, []):
            owner[key] = merge.survivor
            members[merge.survivor].append(key)
        profiles.pop(merge.absorbed, None)
    for write in changeset.profiles:
        profiles[write.state.id] = write.state
    for guard in changeset.identifier_guards:
        guards[guard.key] = guard
    pairs.update((item.a, item.b) for item in changeset.review_items)


def write(path: Path, result: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def table(result: Mapping[str, Any]) -> str:
    g, cc = result["guarded"], result["connected_components"]
    return "\n".join(
        [
            f"precision on {result['observations']:,} observations "
            f"({result['people']:,} people, shared_contacts={result['shared_contacts']})",
            f"{'':24}{'precision':>10}{'recall':>9}{'largest':>9}",
            f"{'guarded engine':24}{g['precision']:>10.4f}{g['recall']:>9.4f}"
            f"{g['largest_profile']:>9}",
            f"{'connected components':24}{cc['precision']:>10.4f}{cc['recall']:>9.4f}"
            f"{cc['largest_profile']:>9}",
            f"reachable recall {result['reachable_recall']:.4f} "
            f"(gap {result['recall_gap_points']} points); "
            f"quarantined {result['quarantined_identifiers']}, "
            f"review items {result['review_items']}",
        ]
    )
