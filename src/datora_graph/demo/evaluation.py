"""Scoring a resolution against ground truth: pairwise precision, recall and F1.

A partition puts identifier keys into profiles. Two identifiers of one person are a true pair;
two identifiers in one profile are a predicted pair. Precision is the share of predicted pairs
that are true, recall the share of true pairs that are predicted. Pairs are counted from a
contingency table (profile x person, summing n*(n-1)/2), never enumerated, so a million
identifiers score in seconds.

Only identifiers whose truth is a person are scored: shared identifiers (household tablets,
kiosks) and junk ones belong to nobody, and neither do values the truth does not know.

    >>> truth = {"email:a@x.com": "p1", "phone:+14155552671": "p1", "email:b@x.com": "p2"}
    >>> merged = {"prf_1": ["email:a@x.com", "phone:+14155552671", "email:b@x.com"]}
    >>> evaluate(merged, truth).precision  # 1 of the 3 pairs in prf_1 is one person's
    0.3333333333333333
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import parse_observation

Partition = Mapping[str, Iterable[str]] | Iterable[tuple[str, str]]
"""Profile ID -> identifier keys, or `(identifier_key, profile_id)` pairs."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How a partition compares with the truth.

    `profiles`, `largest_profile` and `identifiers` count every identifier of the partition;
    the pair counts and the ratios count only the `scored` ones (whose truth is a person)."""

    precision: float
    recall: float
    f1: float
    profiles: int
    largest_profile: int
    identifiers: int
    scored: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(partition: Partition, truth: Mapping[str, str]) -> Evaluation:
    """Pairwise precision/recall/F1 of `partition` against `truth` (key -> person ID, or a value
    starting with `*` for shared and junk identifiers, which are not scored)."""
    seen: set[str] = set()
    sizes: Counter[str] = Counter()
    cells: Counter[tuple[str, str]] = Counter()
    for key, profile in assignments(partition):
        if key in seen:
            raise ValueError(f"identifier {key!r} is in more than one profile of the partition")
        seen.add(key)
        sizes[profile] += 1
        person = truth.get(key)
        if person is not None and not person.startswith("*"):
            cells[(profile, person)] += 1
    scored_sizes: Counter[str] = Counter()
    person_sizes: Counter[str] = Counter()
    for (profile, person), count in cells.items():
        scored_sizes[profile] += count
        person_sizes[person] += count
    correct = _pairs(cells.values())
    predicted = _pairs(scored_sizes.values())
    true = _pairs(person_sizes.values())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Evaluation(
        precision=precision,
        recall=recall,
        f1=f1,
        profiles=len(sizes),
        largest_profile=max(sizes.values(), default=0),
        identifiers=len(seen),
        scored=sum(person_sizes.values()),
        true_pairs=true,
        predicted_pairs=predicted,
        correct_pairs=correct,
    )


def assignments(partition: Partition) -> Iterator[tuple[str, str]]:
    """`(identifier_key, profile_id)` pairs of either form of partition."""
    if isinstance(partition, Mapping):
        for profile, keys in partition.items():
            for key in keys:
                yield key, profile
    else:
        yield from partition


def identifier_groups(
    observations: Iterable[Mapping[str, Any]], registry: IdentifierRegistry
) -> Iterator[tuple[str, ...]]:
    """The normalised identifier keys of each observation the service would accept."""
    for raw in observations:
        try:
            observation = parse_observation(raw, registry)
        except InvalidInput:
            continue
        yield tuple(identifier.key for identifier in observation.identifiers)


def components_of(
    groups: Iterable[Iterable[str]], keep: Callable[[str], bool] | None = None
) -> dict[str, list[str]]:
    """Connected components (networkx) of the graph linking the keys seen together in a group;
    keys for which `keep` is false are left out. Components are named `cc1`, `cc2`, ..."""
    graph = nx.Graph()
    for group in groups:
        keys = [key for key in group if keep is None or keep(key)]
        if not keys:
            continue
        graph.add_node(keys[0])
        graph.add_edges_from((keys[0], other) for other in keys[1:])
    return {
        f"cc{n}": sorted(component)
        for n, component in enumerate(nx.connected_components(graph), start=1)
    }


def connected_components_baseline(
    observations: Iterable[Mapping[str, Any]], registry: IdentifierRegistry
) -> dict[str, list[str]]:
    """The naive resolution: every identifier seen together is one person, junk and shared
    identifiers included, with no guard. What Datora Graph must do better than."""
    return components_of(identifier_groups(observations, registry))


def ideal_partition(
    observations: Iterable[Mapping[str, Any]],
    registry: IdentifierRegistry,
    truth: Mapping[str, str],
) -> dict[str, list[str]]:
    """The best partition the observations allow: components once every identifier that is
    not a person's (shared, junk, unknown) is removed."""
    return components_of(identifier_groups(observations, registry), keep=person_key(truth))


def reachable_recall(
    observations: Iterable[Mapping[str, Any]],
    registry: IdentifierRegistry,
    truth: Mapping[str, str],
) -> float:
    """The recall of `ideal_partition`: a person whose identifiers are never seen together
    cannot be resolved into one profile, so this is the ceiling for any resolution."""
    return evaluate(ideal_partition(observations, registry, truth), truth).recall


def person_key(truth: Mapping[str, str]) -> Callable[[str], bool]:
    """A predicate: is this key's truth a person (not shared, junk or unknown)?"""

    def is_person(key: str) -> bool:
        person = truth.get(key)
        return person is not None and not person.startswith("*")

    return is_person


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)
