"""Why identifiers are one profile, and how they could be taken apart: networkx on the evidence.

A profile's evidence subgraph is small (a person has tens of identifiers), so each question
loads it into a `networkx.Graph` whose nodes are identifier keys and whose edges are identifier
pairs, every stored evidence row of the pair (one per source) kept on the edge:

    >>> paths = explain(edges, "email:ann@acme.io", "cookie_id:c-9")      # doctest: +SKIP
    >>> [step.a for step in paths[0].steps]                               # doctest: +SKIP

Only `active` evidence joins identifiers into a profile, so only it is walked; `held` and
`cut` rows are shown on an edge that also has active evidence, never walked on their own.

networkx is imported inside the functions that walk a graph: loading it takes about a fifth of
a second, which every command line run and worker start would otherwise pay, and only steward
decisions and explanations walk a graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.steward import EvidenceEdge

if TYPE_CHECKING:
    import networkx as nx

MAX_PATHS = 5
"""`explain` answers at most this many paths: the shortest first, which a person can read."""
MAX_CUTS = 5


@dataclass(frozen=True, slots=True)
class EvidenceLink:
    """The evidence joining two identifiers, all sources together (`a < b`)."""

    a: str
    b: str
    evidence: tuple[EvidenceEdge, ...]

    @property
    def count(self) -> int:
        return sum(e.count for e in self.evidence if e.status == "active")

    @property
    def last_seen(self) -> datetime:
        return max(e.last_seen for e in self.evidence)

    @property
    def sources(self) -> list[str]:
        return sorted({e.source for e in self.evidence})


@dataclass(frozen=True, slots=True)
class EvidencePath:
    """A chain of links from one identifier to another, in walking order."""

    keys: tuple[str, ...]
    links: tuple[EvidenceLink, ...]


@dataclass(frozen=True, slots=True)
class SplitProposal:
    """Links whose removal leaves `a` and `b` in different parts, and the parts it leaves."""

    kind: str
    """`bridge` (one link on every path) or `minimum_cut` (the fewest links that separate)."""
    links: tuple[EvidenceLink, ...]
    groups: tuple[tuple[str, ...], ...]


def evidence_graph(edges: Iterable[EvidenceEdge], members: Collection[str] = ()) -> nx.Graph:
    """The active evidence among `members` (every identifier when empty) as a graph; each edge
    keeps every row of its pair in `rows`. Members without evidence are isolated nodes."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(members))
    rows: dict[tuple[str, str], list[EvidenceEdge]] = {}
    for edge in edges:
        if members and (edge.a not in members or edge.b not in members):
            continue
        rows.setdefault((edge.a, edge.b), []).append(edge)
    for (a, b), pair in sorted(rows.items()):
        if any(e.status == "active" for e in pair):
            ordered = tuple(sorted(pair, key=lambda e: e.source))
            graph.add_edge(a, b, rows=ordered, count=sum(e.count for e in ordered))
    return graph


def _link(graph: nx.Graph, x: str, y: str) -> EvidenceLink:
    a, b = sorted((x, y))
    return EvidenceLink(a, b, graph.edges[a, b]["rows"])


def _require(graph: nx.Graph, key: str, name: str) -> None:
    if key not in graph:
        raise InvalidInput(name, f"{key!r} is not an identifier of this profile")


def explain(
    edges: Iterable[EvidenceEdge],
    a: str,
    b: str,
    members: Collection[str] = (),
    limit: int = MAX_PATHS,
) -> list[EvidencePath]:
    """The evidence paths joining `a` and `b`, shortest first (ties by key order), at most
    `limit`; empty when nothing active joins them."""
    import networkx as nx

    graph = evidence_graph(edges, members)
    _require(graph, a, "a")
    _require(graph, b, "b")
    if a == b or not nx.has_path(graph, a, b):
        return []
    found: list[EvidencePath] = []
    for keys in itertools.islice(nx.shortest_simple_paths(graph, a, b), limit):
        links = tuple(_link(graph, x, y) for x, y in itertools.pairwise(keys))
        found.append(EvidencePath(tuple(keys), links))
    return found


def _tree_weight(pair: Sequence[EvidenceEdge]) -> tuple[int, str]:
    """Heavier evidence is more trustworthy: more sightings first, then the more recent."""
    active = [e for e in pair if e.status == "active"]
    return sum(e.count for e in active), max(e.last_seen for e in active).isoformat()


def why_merged(edges: Iterable[EvidenceEdge], members: Collection[str]) -> list[EvidenceLink]:
    """The evidence spanning tree of a profile: a maximum spanning forest over active evidence
    weighted by (sighting count, then last seen), so each identifier is shown joined by its
    strongest, then freshest, evidence. Kruskal on the order below keeps it deterministic."""
    import networkx as nx

    graph = evidence_graph(edges, members)
    ranked = sorted(
        graph.edges(data=True),
        key=lambda e: (_tree_weight(e[2]["rows"]), e[0], e[1]),
        reverse=True,
    )
    forest = nx.utils.UnionFind(graph.nodes)
    tree: list[EvidenceLink] = []
    for x, y, _ in ranked:
        if forest[x] != forest[y]:
            forest.union(x, y)
            tree.append(_link(graph, x, y))
    return sorted(tree, key=lambda link: (link.a, link.b))


def components(
    edges: Iterable[EvidenceEdge], members: Collection[str], cut: Collection[tuple[str, str]] = ()
) -> list[tuple[str, ...]]:
    """The connected parts of `members` over active evidence without the `cut` pairs, each
    sorted, in order of their smallest key."""
    import networkx as nx

    graph = evidence_graph(edges, members)
    graph.remove_edges_from([tuple(sorted(pair)) for pair in cut])
    return sorted(tuple(sorted(part)) for part in nx.connected_components(graph))


def split_proposals(
    edges: Iterable[EvidenceEdge],
    members: Collection[str],
    a: str,
    b: str,
    limit: int = MAX_CUTS,
) -> list[SplitProposal]:
    """Ways to separate `a` from `b`: each bridge on a path between them (one link whose
    removal splits the profile), then a minimum edge cut (fewest links, weighted by nothing:
    every link counts once). Each proposal lists the parts it would leave."""
    import networkx as nx

    graph = evidence_graph(edges, members)
    _require(graph, a, "a")
    _require(graph, b, "b")
    if a == b:
        raise InvalidInput("b", "is the same identifier as a")
    if not nx.has_path(graph, a, b):
        return []
    proposals: list[SplitProposal] = []
    # A bridge that separates a from b lies on every path between them, so on this one.
    on_path = {tuple(sorted(pair)) for pair in itertools.pairwise(nx.shortest_path(graph, a, b))}
    for x, y in sorted(tuple(sorted(edge)) for edge in nx.bridges(graph)):
        if (x, y) not in on_path or len(proposals) >= limit:
            continue
        trial = graph.copy()
        trial.remove_edge(x, y)
        proposals.append(_proposal("bridge", graph, trial, [(x, y)]))
    cut = sorted(tuple(sorted(edge)) for edge in nx.minimum_edge_cut(graph, a, b))
    if len(cut) > 1 or not proposals:
        trial = graph.copy()
        trial.remove_edges_from(cut)
        proposals.append(_proposal("minimum_cut", graph, trial, cut))
    return proposals[:limit]


def _proposal(
    kind: str, graph: nx.Graph, trial: nx.Graph, cut: Sequence[tuple[str, str]]
) -> SplitProposal:
    import networkx as nx

    groups = sorted(tuple(sorted(part)) for part in nx.connected_components(trial))
    return SplitProposal(kind, tuple(_link(graph, x, y) for x, y in cut), tuple(groups))
