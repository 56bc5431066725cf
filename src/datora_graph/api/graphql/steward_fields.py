"""The steward's GraphQL fields: explain, whyMerged, splitProposals and the decision log
(`StewardQuery`); splitProfile, mergeProfiles, resolveReviewItem and undoDecision
(`StewardMutation`). `schema.py` merges them into the root types.

    mutation { splitProfile(profileId: "prf_1", reason: "shared kiosk",
                            groups: [[{type: "email", value: "ann@x.io"}],
                                     [{type: "email", value: "bob@x.io"}]]) {
                 id kind profilesBefore profilesAfter } }

Every decision is recorded with the calling key's name (`info.context.actor`) as its actor.
Mistakes come back as errors with `extensions.code` NOT_FOUND or INVALID_INPUT (and `field`).
"""

from __future__ import annotations

import strawberry

from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import field, mutation
from datora_graph.api.graphql.limits import page_size
from datora_graph.api.graphql.pagination import Connection, connection, id_cursor, position_after
from datora_graph.api.graphql.steward_types import (
    Decision,
    EdgeInput,
    Explanation,
    IdentifierInput,
    MergeExplanation,
    SplitProposal,
)
from datora_graph.domain.errors import InvalidInput
from datora_graph.steward_service import StewardService


def stewards(info: Info) -> StewardService:
    return StewardService(info.context.service)


def actor_of(info: Info) -> str:
    """The calling key's name, which the access layer sets on the context."""
    return info.context.actor


@strawberry.type
class StewardQuery:
    @field(
        "Why two identifiers are one profile: the evidence paths joining them, shortest first, "
        "each link with its sources, counts, first and last seen."
    )
    async def explain(self, info: Info, a: IdentifierInput, b: IdentifierInput) -> Explanation:
        service = stewards(info)
        return Explanation.of(await info.context.read(service.explain, a.reference, b.reference))

    @field("The evidence spanning tree of a profile (by its ID or an alias).")
    async def why_merged(self, info: Info, profile_id: strawberry.ID) -> MergeExplanation:
        service = stewards(info)
        return MergeExplanation.of(await info.context.read(service.why_merged, str(profile_id)))

    @field("Bridges and a minimum edge cut that would separate `a` from `b` in a profile.")
    async def split_proposals(
        self, info: Info, profile_id: strawberry.ID, a: IdentifierInput, b: IdentifierInput
    ) -> list[SplitProposal]:
        service = stewards(info)
        found = await info.context.read(
            service.split_proposals, str(profile_id), a.reference, b.reference
        )
        return SplitProposal.all(found)

    @field("The steward decision log, oldest first.")
    async def decisions(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Decision]:
        after_seq = position_after("decision", after)
        page = await info.context.read(stewards(info).decisions, page_size(first), after_seq)
        return connection(
            page.decisions,
            Decision.of,
            lambda d: id_cursor("decision", d.seq),
            page.next_after is not None,
            after is not None,
        )


@strawberry.type
class StewardMutation:
    """Results are nullable, as every mutation's (see `mutations.Mutation`)."""

    @mutation(
        "Split a profile, by `groups` of identifiers (an identifier not listed goes with the "
        "group it stays connected to) or by evidence links to cut (`cutEdges`). The part "
        "holding the identifier that created the profile keeps its ID; cannot-link "
        "constraints keep the parts apart from then on."
    )
    async def split_profile(
        self,
        info: Info,
        profile_id: strawberry.ID,
        reason: str,
        groups: list[list[IdentifierInput]] | None = None,
        cut_edges: list[EdgeInput] | None = None,
    ) -> Decision | None:
        key_groups = None if groups is None else [[i.reference for i in g] for g in groups]
        key_cuts = (
            None if cut_edges is None else [(e.a.reference, e.b.reference) for e in cut_edges]
        )
        decision = await info.context.read(
            stewards(info).split_profile,
            str(profile_id),
            key_groups,
            key_cuts,
            reason=reason,
            actor=actor_of(info),
        )
        return Decision.of(decision)

    @mutation(
        "Merge two profiles (IDs or aliases) now and record a must-link, which a rebuild "
        "keeps; refused when a cannot-link constraint keeps them apart."
    )
    async def merge_profiles(
        self, info: Info, a: strawberry.ID, b: strawberry.ID, reason: str
    ) -> Decision | None:
        decision = await info.context.read(
            stewards(info).merge_profiles, str(a), str(b), reason=reason, actor=actor_of(info)
        )
        return Decision.of(decision)

    @mutation(
        "Resolve an open review item: accept merges its two profiles (a must-link, the held "
        "evidence becomes active); reject records a cannot-link between its identifiers."
    )
    async def resolve_review_item(
        self, info: Info, item_id: int, accept: bool, reason: str
    ) -> Decision | None:
        if item_id < 1:
            raise InvalidInput("itemId", "must be a review item ID (1 or more)")
        decision = await info.context.read(
            stewards(info).resolve_review_item,
            item_id,
            accept,
            reason=reason,
            actor=actor_of(info),
        )
        return Decision.of(decision)

    @mutation(
        "Undo a steward decision: restores exactly the state before it. When later decisions "
        "changed its profiles, refused naming them (undo those first); when only new records "
        "did, a split is undone by merging its parts back (refused when a guard forbids it) "
        "and other decisions are refused."
    )
    async def undo_decision(
        self, info: Info, decision_id: strawberry.ID, reason: str
    ) -> Decision | None:
        decision = await info.context.read(
            stewards(info).undo_decision, str(decision_id), reason=reason, actor=actor_of(info)
        )
        return Decision.of(decision)
