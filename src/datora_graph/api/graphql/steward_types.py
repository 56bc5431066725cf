"""GraphQL types of the steward fields: evidence paths, spanning trees, split proposals and
decisions, as thin views over `resolution.explain` and `domain.steward`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from datora_graph.api.graphql.access import PersonalData
from datora_graph.api.graphql.types import Identifier
from datora_graph.domain.identifiers import Identifier as DomainIdentifier
from datora_graph.domain.pii import mask_key
from datora_graph.domain.steward import Decision as DomainDecision
from datora_graph.domain.steward import EvidenceEdge
from datora_graph.resolution import explain
from datora_graph.steward_service import Explanation as DomainExplanation
from datora_graph.steward_service import SpanningTree


@strawberry.input(description="An identifier as the client has it; `value` is normalised first.")
class IdentifierInput:
    type: str
    value: str

    @property
    def reference(self) -> str:
        return f"{self.type}:{self.value}"


@strawberry.input(description="An evidence link to cut: the two identifiers it joins.")
class EdgeInput:
    a: IdentifierInput
    b: IdentifierInput


def mask_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """A decision's details with every identifier key masked (`email:***`)."""
    masked = dict(details)
    for name in ("a", "b"):
        if isinstance(masked.get(name), str):
            masked[name] = mask_key(masked[name])
    parts = masked.get("parts")
    if isinstance(parts, Mapping):
        masked["parts"] = {pid: [mask_key(str(k)) for k in keys] for pid, keys in parts.items()}
    return masked


def identifier(key: str) -> Identifier:
    return Identifier.of(DomainIdentifier.from_key(key))


@strawberry.type(description="What one source saw of a pair of identifiers.")
class EvidenceRow:
    source: str
    count: int
    first_seen: datetime
    last_seen: datetime
    kind: str = strawberry.field(description="observed, fuzzy or manual")
    status: str = strawberry.field(
        description="active (it links), held (a guard refused it) or cut (a steward split it)"
    )
    score: float | None

    @classmethod
    def of(cls, edge: EvidenceEdge) -> EvidenceRow:
        return cls(
            source=edge.source,
            count=edge.count,
            first_seen=edge.first_seen,
            last_seen=edge.last_seen,
            kind=edge.kind,
            status=edge.status,
            score=edge.score,
        )


@strawberry.type(description="The evidence joining two identifiers, every source together.")
class EvidenceLink:
    a: Identifier
    b: Identifier
    count: int = strawberry.field(description="Sightings of the pair over active evidence")
    sources: list[str]
    first_seen: datetime
    last_seen: datetime
    evidence: list[EvidenceRow]

    @classmethod
    def of(cls, link: explain.EvidenceLink) -> EvidenceLink:
        return cls(
            a=identifier(link.a),
            b=identifier(link.b),
            count=link.count,
            sources=link.sources,
            first_seen=min(e.first_seen for e in link.evidence),
            last_seen=link.last_seen,
            evidence=[EvidenceRow.of(e) for e in link.evidence],
        )


@strawberry.type(description="A chain of evidence links from one identifier to another.")
class EvidencePath:
    identifiers: list[Identifier]
    links: list[EvidenceLink]

    @classmethod
    def of(cls, path: explain.EvidencePath) -> EvidencePath:
        return cls(
            identifiers=[identifier(k) for k in path.keys],
            links=[EvidenceLink.of(link) for link in path.links],
        )


@strawberry.type(
    description="Why two identifiers are one profile: the evidence paths joining them."
)
class Explanation:
    a: Identifier
    b: Identifier
    profile_a: strawberry.ID
    profile_b: strawberry.ID
    same_profile: bool
    paths: list[EvidencePath] = strawberry.field(
        description="Shortest first, at most five; empty when the identifiers are apart"
    )

    @classmethod
    def of(cls, found: DomainExplanation) -> Explanation:
        return cls(
            a=identifier(found.a),
            b=identifier(found.b),
            profile_a=strawberry.ID(found.profile_a),
            profile_b=strawberry.ID(found.profile_b),
            same_profile=found.profile_a == found.profile_b,
            paths=[EvidencePath.of(p) for p in found.paths],
        )


@strawberry.type(
    description="A profile's evidence spanning tree: each identifier joined by its strongest "
    "evidence (most sightings, then most recent)."
)
class MergeExplanation:
    profile_id: strawberry.ID
    identifiers: list[Identifier]
    links: list[EvidenceLink]

    @classmethod
    def of(cls, tree: SpanningTree) -> MergeExplanation:
        return cls(
            profile_id=strawberry.ID(tree.profile_id),
            identifiers=[identifier(k) for k in tree.members],
            links=[EvidenceLink.of(link) for link in tree.links],
        )


@strawberry.type(description="Links whose cut would separate two identifiers, and the parts left.")
class SplitProposal:
    kind: str = strawberry.field(description="bridge or minimum_cut")
    links: list[EvidenceLink]
    groups: list[list[Identifier]]

    @classmethod
    def of(cls, proposal: explain.SplitProposal) -> SplitProposal:
        return cls(
            kind=proposal.kind,
            links=[EvidenceLink.of(link) for link in proposal.links],
            groups=[[identifier(k) for k in group] for group in proposal.groups],
        )

    @classmethod
    def all(cls, proposals: Sequence[explain.SplitProposal]) -> list[SplitProposal]:
        return [cls.of(p) for p in proposals]


@strawberry.type(
    description="A steward's decision (split, manual_merge, review_accept, review_reject, "
    "undo) as logged: who, when, why, and the profiles before and after it."
)
class Decision:
    id: strawberry.ID
    kind: str
    actor: str
    reason: str
    at: datetime
    profiles_before: list[strawberry.ID]
    profiles_after: list[strawberry.ID]
    undone_by: strawberry.ID | None
    details: JSON = strawberry.field(
        description="What the steward asked for (parts, identifiers, review item); identifier "
        "values are `***` for a key without the `read:pii` scope",
        extensions=[PersonalData(lambda value: mask_details(value or {}))],
    )

    @classmethod
    def of(cls, decision: DomainDecision) -> Decision:
        return cls(
            id=strawberry.ID(decision.id),
            kind=decision.kind,
            actor=decision.actor,
            reason=decision.reason,
            at=decision.at,
            profiles_before=[strawberry.ID(p) for p in decision.profiles_before],
            profiles_after=[strawberry.ID(p) for p in decision.profiles_after],
            undone_by=strawberry.ID(decision.undone_by) if decision.undone_by else None,
            details=JSON(dict(decision.details)),
        )
