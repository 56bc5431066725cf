"""How a steward decision changes the graph: the `StewardChange` of a split or a merge, built
from the slice of the profiles it touches. Shared by the use cases (`steward_service.py`) and
by the re-application of decisions after a rebuild (`steward_replay.py`)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from datora_graph.domain.cannot_links import facing_constraint
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.profiles import MAX_PAGE_SIZE, ReviewFilter, ReviewItem
from datora_graph.domain.records import Observation, parse_logged_observation
from datora_graph.domain.steward import (
    Decision,
    EvidenceEdge,
    GraphSlice,
    KeyPair,
    MergeNote,
    ReviewState,
    StewardChange,
)
from datora_graph.domain.survivorship import SurvivorshipRules
from datora_graph.log_index import LogIndex
from datora_graph.resolution.engine import profile_id_for
from datora_graph.resolution.steward import plan_merge, plan_split
from datora_graph.services import guard_positions
from datora_graph.store.base import GraphStore

MANUAL_SOURCE = "steward"
"""The source of the `manual` evidence a steward's merge records between the two profiles."""


def review_items_touching(
    store: GraphStore, keys: Collection[str], status: str | None = "open"
) -> list[ReviewItem]:
    """The review items of `status` (None: any) with at least one end among `keys`, oldest
    first."""
    found: list[ReviewItem] = []
    after = 0
    while keys:
        query = ReviewFilter(status, after, MAX_PAGE_SIZE, touching=tuple(sorted(set(keys))))
        page = store.list_review_items(query)
        found.extend(page.items)
        if page.next_after is None:
            break
        after = page.next_after
    return found


def items_inside(store: GraphStore, keys: Collection[str]) -> list[ReviewItem]:
    """The open review items with both ends among `keys`: moot once `keys` are one profile."""
    members = set(keys)
    return [i for i in review_items_touching(store, members) if i.a in members and i.b in members]


def closing_states(
    items: Sequence[ReviewItem], status: str, actor: str, at: datetime, reason: str
) -> tuple[tuple[ReviewState, ...], tuple[ReviewState, ...]]:
    """`items` closed as `status` by `actor` at `at` for `reason`, and as they were (open),
    for the decision's `review_before`, which an undo writes back."""
    closed = tuple(ReviewState(i.id, i.a, i.b, status, actor, at, reason) for i in items)
    return closed, tuple(ReviewState(i.id, i.a, i.b, "open") for i in items)


def items_of_pairs(store: GraphStore, states: Sequence[ReviewState]) -> tuple[ReviewState, ...]:
    """`states` (review items a decision changed, as they were) naming the items of their pairs
    as stored now. A rebuild recreates review items under new IDs (an ID is never given
    twice), so an undo after one finds each item by its pair: the newest item of the pair."""
    newest: dict[tuple[str, str], int] = {}
    pair_of: dict[int, tuple[str, str]] = {}
    for item in review_items_touching(store, {k for s in states for k in (s.a, s.b)}, None):
        pair = pair_of[item.id] = (item.a, item.b)
        newest[pair] = max(newest.get(pair, 0), item.id)
    found = []
    for state in states:
        if pair_of.get(state.item_id) == (state.a, state.b):
            found.append(state)
        elif (state.a, state.b) in newest:
            found.append(replace(state, item_id=newest[(state.a, state.b)]))
    return tuple(found)


def closed_by_split(
    store: GraphStore, cut: Collection[tuple[str, str]], actor: str, at: datetime, reason: str
) -> tuple[tuple[ReviewState, ...], tuple[ReviewState, ...]]:
    """The open review items on the pairs a split cuts, closed as rejected (the split says
    they are two people), and as they were (open), for an undo to open them again."""
    pairs = set(cut)
    items = [
        i
        for i in review_items_touching(store, {k for pair in pairs for k in pair})
        if (i.a, i.b) in pairs
    ]
    return closing_states(items, "rejected", actor, at, reason)


def accept_items_merged(
    store: GraphStore,
    change: StewardChange,
    merged: str,
    decision_id: str,
    actor: str,
    reason: str,
    *,
    at: datetime,
    skip: int | None = None,
    pairs: Collection[tuple[str, str]] | None = None,
) -> tuple[StewardChange, tuple[ReviewState, ...]]:
    """`change`, a steward's merge into the profile `merged`, accepting too the open review
    items it answers: both ends in `merged`, bar `skip` (the item the decision resolves
    itself); `accepted`, not `answered`, which names what records, not a steward, joined.
    Each asks whether two identifiers are one person, and the steward just said so: it is
    accepted (`merged by decision …`) and its pair's evidence made active, as accepting it
    would. Also answers the items as they were (open), for the decision's `review_before`,
    which an undo writes back. `pairs`: only those pairs (a replay: those answered live)."""
    items = [
        i
        for i in items_inside(store, change.write.members(merged))
        if i.id != skip and (pairs is None or (i.a, i.b) in pairs)
    ]
    answered = {(i.a, i.b) for i in items}
    write = change.write
    evidence = tuple(
        replace(e, status="active") if (e.a, e.b) in answered else e for e in write.evidence
    )
    closing = merged_reason(decision_id, reason)
    closed, opened = closing_states(items, "accepted", actor, at, closing)
    written = replace(write, evidence=evidence)
    return replace(change, write=written, review=(*change.review, *closed)), opened


class GraphChanges:
    """Builds the changes of splits and merges over one store, with the engine's settings."""

    def __init__(
        self, store: GraphStore, registry: IdentifierRegistry, rules: SurvivorshipRules
    ) -> None:
        self.store = store
        self.registry = registry
        self.rules = rules
        self.dormant: set[int] = set()
        """Cannot-link constraints a merge ignores: during a rebuild, those of decisions the
        replay has not reached yet (`IdentityService.dormant`, the same set)."""

    def split(
        self,
        before: GraphSlice,
        profile_id: str,
        parts: Sequence[Sequence[str]],
        cut: Sequence[tuple[str, str]],
        decision_id: str,
        reason: str,
        actor: str,
        names: dict[str, str] | None = None,
        through: int | None = None,
    ) -> tuple[GraphSlice, dict[str, tuple[str, ...]], StewardChange]:
        """The change splitting `profile_id` into `parts`; `through`: the log position the
        split stands at (a replay's), whose later records its parts do not fold in."""
        observations = self.observations_of(set(before.members(profile_id)), through)
        plan = plan_split(
            before,
            profile_id,
            parts,
            cut,
            decision_id,
            observations,
            self.registry,
            self.rules,
            names,
            guard_positions(
                self.store, {i.key for o in observations for i in o.identifiers}
            ).quarantined,
        )
        assignments = dict(before.assignments)
        for pid, keys in plan.members.items():
            for key in keys:
                assignments[key] = pid
        keeper = plan.parts[0].id
        # An alias is a profile absorbed before: it goes with the part holding the identifier
        # that created it (Bob's old ID with Bob's part), else with the keeping part.
        part_of = {key: pid for pid, keys in plan.members.items() for key in keys}
        founded = {
            profile_id_for(o.id, i.key): part_of[i.key]
            for o in reversed(observations)
            for i in o.identifiers
            if i.key in part_of
        }
        aliases = {
            alias: founded.get(alias, keeper)
            for alias, owner in before.aliases.items()
            if owner == profile_id
        }
        aliases.update({a: o for a, o in before.aliases.items() if o != profile_id})
        removed = () if keeper == profile_id else (profile_id,)
        if removed:
            aliases[profile_id] = keeper
        cut_pairs = set(cut)
        evidence = tuple(
            replace(e, status="cut") if (e.a, e.b) in cut_pairs else e for e in before.evidence
        )
        others = tuple(p for p in before.profiles if p.id != profile_id)
        after = GraphSlice(
            tuple(sorted((*others, *plan.parts), key=lambda p: p.id)),
            assignments,
            aliases,
            evidence,
            before.first_seen,
            before.junk,
        )
        # Every two parts apart for good (their smallest identifiers), and each cut link's
        # two ends: a rebuild replays the log with these constraints, and only holding the
        # very links the split cut gives back its parts (a constraint between the smallest
        # identifiers alone can hold another link, whichever joins them first in the log).
        pairs = split_pairs(plan.members.values(), cut)
        constraints = tuple(KeyPair.of(x, y, split_reason(decision_id, reason)) for x, y in pairs)
        placeholder = Decision(decision_id, "split", actor, reason, _now(), (), ())
        change = StewardChange(
            placeholder,
            after,
            remove_profiles=removed,
            cannot_links=constraints,
        )
        return after, dict(plan.members), change

    def merge(
        self,
        before: GraphSlice,
        profile_a: str,
        profile_b: str,
        key_a: str,
        key_b: str,
        reason: str,
        field: str,
        activate: tuple[str, str] | None = None,
        *,
        at: datetime,
        keep: str = "",
        link: bool = True,
    ) -> StewardChange:
        """The change merging two profiles, with a must-link (and manual evidence seen `at`,
        the decision's time, so re-applying it writes the same) between `key_a` and `key_b`;
        InvalidInput naming `field` when a cannot-link forbids it. `keep`: the survivor's ID
        when one of the two has it (a re-applied decision keeps the survivor it had). `link`
        False: no must-link nor evidence, the keys standing in for erased ones (a redacted
        merge, `erasure_decisions.stands_in`), whose link went with the person."""
        self.refuse_cannot_link(before, profile_a, profile_b, field)
        record_a, record_b = before.profile(profile_a), before.profile(profile_b)
        assert record_a is not None, "the profile was resolved"
        assert record_b is not None, "the profile was resolved"
        merged, absorbed = plan_merge(record_a, record_b, self.rules, keep)
        now = at
        assignments = {
            k: merged.id if p in (profile_a, profile_b) else p
            for k, p in before.assignments.items()
        }
        aliases = {
            alias: merged.id if owner in (profile_a, profile_b) else owner
            for alias, owner in before.aliases.items()
        }
        aliases[absorbed] = merged.id
        pair = tuple(sorted((key_a, key_b)))
        evidence = [
            replace(e, status="active") if activate and (e.a, e.b) == activate else e
            for e in before.evidence
        ]
        if activate is None and link:
            evidence.append(
                EvidenceEdge(pair[0], pair[1], MANUAL_SOURCE, 1, now, now, "manual", "active")
            )
        evidence.sort(key=lambda e: (e.a, e.b, e.source))
        others = [p for p in before.profiles if p.id not in (profile_a, profile_b)]
        after = GraphSlice(
            tuple(sorted((*others, merged), key=lambda p: p.id)),
            assignments,
            aliases,
            tuple(evidence),
            before.first_seen,
            before.junk,
        )
        placeholder = Decision("", "manual_merge", "", reason, now, (), ())
        return StewardChange(
            placeholder,
            after,
            remove_profiles=(absorbed,),
            must_links=(KeyPair.of(key_a, key_b, reason),) if link else (),
            merges=(MergeNote(absorbed, merged.id, now, f"steward merge: {reason}"),),
        )

    def refuse_cannot_link(
        self, before: GraphSlice, profile_a: str, profile_b: str, field: str
    ) -> None:
        keys = list(before.assignments)
        snapshot = self.store.load_snapshot(keys)
        left, right = snapshot.profiles.get(profile_a), snapshot.profiles.get(profile_b)
        if left is None or right is None:
            return
        awake = sorted(s for s in left.constraint_sides if s[0] not in self.dormant)
        constraint_id = facing_constraint(awake, right.constraint_sides)
        if constraint_id is not None:
            raise InvalidInput(
                field,
                f"cannot-link constraint #{constraint_id} "
                f"{self._made_by(constraint_id)}keeps profiles {profile_a} and "
                f"{profile_b} apart; undo the decision that made it first",
            )

    def _made_by(self, constraint_id: int) -> str:
        """`(split dec_…: reason) `: the constraint's reason, which names the decision that
        made it, so the steward told to undo that decision knows which one. Read only on
        refusal, and cannot-links are few (stewards make them)."""
        for constraint in self.store.list_cannot_links():
            if constraint.id == constraint_id:
                return f"({constraint.reason}) "
        return ""

    def observations_of(self, keys: set[str], through: int | None = None) -> list[Observation]:
        """The logged observations carrying any of `keys`, found through the log index, up to
        log position `through` when given."""
        found: list[Observation] = []
        for seq, payload in LogIndex(self.store, self.registry).observations_with(keys):
            if through is not None and seq > through:
                continue
            try:
                found.append(parse_logged_observation(payload, self.registry, seq))
            except InvalidInput:
                continue
        return found


def split_reason(split_id: str, reason: str) -> str:
    """The reason of the cannot-links the split `split_id` makes: a replay finds the ones it
    wrote again by it (`DecisionReplay._reapply_merge_back`)."""
    return f"split {split_id}: {reason}"


def merged_reason(decision_id: str, reason: str) -> str:
    """The resolution of the review items the merge `decision_id` answered
    (`accept_items_merged`), live and in a replay: an erasure rewrites it from the quoting
    `reason` to the redacted one (erasure_quotes.py)."""
    return f"merged by decision {decision_id}: {reason}"


def split_pairs(
    members: Iterable[Collection[str]], cut: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The pairs a split's cannot-links name (`a` < `b`), once each: the smallest identifiers
    of every two of its parts (`members`), and the two ends of each link it `cut`. An erasure
    reads them again for a split merged back since, whose rows the merge-back deleted."""
    smallest = [min(keys) for keys in members]
    pairs = [
        *((min(p), max(p)) for p in itertools.combinations(smallest, 2)),
        *((min(p), max(p)) for p in cut),
    ]
    return list(dict.fromkeys(pairs))


def _now() -> datetime:
    return datetime.now(UTC)
