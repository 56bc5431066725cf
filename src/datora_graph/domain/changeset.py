"""What the resolution engine reads from the store (`Snapshot`) and hands back (`Changeset`).

The engine is pure: the service loads a snapshot of the components a batch touches, the engine
returns a changeset, and the store applies the changeset in one transaction. A store needs
nothing else from the engine, and the engine nothing else from the store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.records import Event, Observation, Rejection
from datora_graph.domain.survivorship import Candidates

if TYPE_CHECKING:  # audit.py builds its merge entries from `Merge`, defined here
    from datora_graph.domain.audit import AuditEntry

EvidenceKind = Literal["observed", "fuzzy", "manual"]
EvidenceStatus = Literal["active", "held", "cut"]
GuardName = Literal["limit", "cannot_link", "max_size", "hub", "quarantine"]
"""Which guard held a link: a per-type limit, a steward's cannot-link, the maximum profile
size, an identifier found to be a hub just now, or one quarantined earlier."""


@dataclass(frozen=True, slots=True)
class IdentifierGuardState:
    """What the guards remember of one identifier between batches.

    `joins` counts the existing profiles a link through this identifier joined to another
    one (the identifier being the link's lower-priority end); `quarantined` identifiers are
    kept and shown but no new merge goes through them, for the `reason` given. Only
    identifiers with something to remember have a state; the others are `IdentifierGuardState
    (key)`.
    """

    key: str
    joins: int = 0
    quarantined: bool = False
    reason: str = ""
    quarantined_seq: int = 0
    """The log position of the observation whose resolution quarantined it; 0 when not known
    (quarantined before positions were kept): a split and an erasure then read it as
    quarantined for every record."""
    join_seqs: tuple[int, ...] = ()
    """The log positions of the observations that counted its first joins, as many as the hub
    bound allows (the later ones change nothing): an erasure that rewrites one of those
    records keeps the join for a replay (`records.KEPT_JOINS`)."""


@dataclass(slots=True)
class ProfileState:
    """What the engine must know of a profile to merge it: not its members, only their tallies.

    `created_seq` is the log position of the observation that created the profile (the older
    profile wins a merge between equals); `constraint_sides` holds `(constraint_id, side)` for
    every cannot-link constraint one of its identifiers is on.
    """

    id: str
    size: int
    type_counts: dict[str, int]
    created_seq: int
    created_at: datetime
    candidates: Candidates = field(default_factory=dict)
    constraint_sides: set[tuple[int, int]] = field(default_factory=set)
    junk: bool = False
    updated_at: datetime | None = None
    """The latest observation time folded into the profile (None: not known to the caller)."""


@dataclass(frozen=True, slots=True)
class OpenReviewItem:
    """An open review item's pair (`a < b`) and the profiles holding its ends now."""

    a: str
    b: str
    profile_a: str
    profile_b: str


@dataclass(frozen=True, slots=True)
class JoinedOpenItem:
    """An open review item whose two ends are one profile (`profile_id`) now, with the profiles
    that held them when it was opened (`opened_a`, `opened_b`). Only a store written before
    records answered items holds one: since then the record that joined them closes it."""

    a: str
    b: str
    opened_a: str
    opened_b: str
    profile_id: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The part of the graph a batch touches: which of its identifiers exist, in which profile,
    and the state of those profiles."""

    identifiers: Mapping[str, str]
    profiles: Mapping[str, ProfileState]
    key_constraints: Mapping[str, set[tuple[int, int]]] = field(default_factory=dict)
    """Cannot-link sides of each requested identifier, whether it exists yet or not, so a
    constraint holds for identifiers a batch (or a rebuild) creates."""
    identifier_guards: Mapping[str, IdentifierGuardState] = field(default_factory=dict)
    """Guard state of the requested identifiers that have one (see IdentifierGuardState)."""

    @classmethod
    def empty(cls) -> Snapshot:
        return cls({}, {})

    def without_constraints(self, dormant: Collection[int]) -> Snapshot:
        """This snapshot as if the cannot-link constraints `dormant` did not exist (a rebuild
        replaying the log before the decisions that made them)."""
        if not dormant:
            return self
        gone = set(dormant)
        profiles = {
            pid: replace(
                state, constraint_sides={s for s in state.constraint_sides if s[0] not in gone}
            )
            for pid, state in self.profiles.items()
        }
        keys = {
            key: {s for s in sides if s[0] not in gone}
            for key, sides in self.key_constraints.items()
        }
        return replace(self, profiles=profiles, key_constraints=keys)


@dataclass(frozen=True, slots=True)
class NewIdentifier:
    identifier: Identifier
    profile_id: str
    junk: bool
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class EvidenceUpsert:
    """Evidence between two identifiers from one source: added to whatever is already recorded.

    `a < b` by key. A stored `cut` status is never overwritten by an engine upsert.
    """

    a: str
    b: str
    source: str
    count: int
    first_seen: datetime
    last_seen: datetime
    kind: EvidenceKind = "observed"
    status: EvidenceStatus = "active"
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Merge:
    """Profile `absorbed` joined `survivor`; `absorbed` becomes an alias of `survivor`."""

    absorbed: str
    survivor: str
    observation_id: str
    at: datetime
    reason: str = "observed evidence"


@dataclass(frozen=True, slots=True)
class ReviewItemDraft:
    """A decision for a steward: today a link a guard held. One open item per identifier pair.

    `reason` says in words which guard held the link and why; `source` and `observation_id`
    are the evidence that asked for it; `suggested_action` starts with `accept:` or `reject:`
    and says why, so a steward can work down the queue. `constraint_id` names the cannot-link
    constraint that held the link (guard `cannot_link`): code reads it there, never from
    `reason`, which is words for a person."""

    kind: Literal["held_link"]
    a: str
    b: str
    profile_a: str
    profile_b: str
    reason: str
    observation_id: str
    created_at: datetime
    guard: GuardName = "limit"
    source: str = ""
    suggested_action: str = ""
    constraint_id: int | None = None


@dataclass(frozen=True, slots=True)
class AnsweredItem:
    """The open review item of pair `a`-`b` (`a < b`), answered by the graph: the observation
    `observation_id` joined the profiles of its two ends by another path, so the question it
    asks (are these one person?) is moot. The store closes it as `answered` (`ANSWERED`) and
    makes the pair's held evidence active, as accepting it would: the link lies inside one
    profile, where no guard holds anything, and a replay of the same log answers it at the
    same observation whatever the batches, so live ingest, a rebuild and a migration agree."""

    a: str
    b: str
    observation_id: str


@dataclass(frozen=True, slots=True)
class ProfileWrite:
    """The whole new state of a profile the batch touched, with its golden attributes."""

    state: ProfileState
    attributes: Mapping[str, object]
    updated_at: datetime


@dataclass(slots=True)
class Changeset:
    """Everything one batch changes, applied by the store atomically, in this order:
    log appends, new identifiers, merges (identifiers and aliases move to the survivor),
    profile writes, evidence, review items, the review items it answered (`answered`, after
    the evidence and the new items, which it may name), events, rejections, identifier guard
    states, the audit entries of the batch's merges (in the same transaction: no merge goes
    unaudited), and the consent statements its observations carried (in the same transaction too: a
    crash cannot keep the observations and lose their consent)."""

    observations: list[Observation] = field(default_factory=list)
    new_identifiers: list[NewIdentifier] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    profiles: list[ProfileWrite] = field(default_factory=list)
    evidence: list[EvidenceUpsert] = field(default_factory=list)
    review_items: list[ReviewItemDraft] = field(default_factory=list)
    answered: list[AnsweredItem] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    identifier_guards: list[IdentifierGuardState] = field(default_factory=list)
    """The whole new guard state of each identifier whose state the batch changed."""
    audit: list[AuditEntry] = field(default_factory=list)
    consent: list[ConsentStatement] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.observations
            or self.new_identifiers
            or self.merges
            or self.profiles
            or self.evidence
            or self.review_items
            or self.answered
            or self.events
            or self.rejections
            or self.identifier_guards
            or self.audit
            or self.consent
        )
