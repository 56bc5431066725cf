"""Guards: the rules that refuse a merge, so shared devices and typos do not fuse people.

A refused merge is never dropped: the engine keeps the link as `held` evidence and opens a
review item with the refusal's reason and a suggested action.

The engine links each observation's highest-priority identifier (the anchor) to every other
one, so the other end of a link is always its lower-priority end. That is the identifier the
guards blame: when a merge would break a per-type limit, the held link is the one through the
lower-priority identifier, and if that identifier ranks below the limited type (a cookie that
would put two CRM customers in one profile) it is quarantined as shared. An identifier whose
links would join more than `hub_max_profiles` existing profiles is quarantined too (a shop
kiosk, a family tablet, a household email), and so is one that a record ties to a profile of
another first name (see name_conflicts.py). A quarantined identifier is kept and shown, and
links it already made stay as they are, but no new merge goes through it.

    >>> guard = MergeGuard(IdentifierRegistry.default())
    >>> guard.refusal(crm_1_profile, crm_2_profile)          # doctest: +SKIP
    'limit: the merge would give one profile 2 crm_id identifiers (at most 1 allowed)'
"""

from __future__ import annotations

from dataclasses import dataclass

import jellyfish

from datora_graph.domain.cannot_links import cannot_link_reason, facing_constraint
from datora_graph.domain.changeset import GuardName, IdentifierGuardState, ProfileState
from datora_graph.domain.identifiers import GuardSettings, Identifier, IdentifierRegistry

_LABELS = {
    "crm_id": "CRM customer number",
    "user_id": "user account",
    "email": "email address",
    "phone": "phone number",
    "device_id": "device",
    "cookie_id": "browser cookie",
}


_HUB_QUARANTINE = "it joined more than "
_LIMIT_QUARANTINE = "it would bring together two "


def quarantined_at_a_link(reason: str) -> bool:
    """Whether `reason` is that of a quarantine a held link made (the hub bound, a per-type
    limit), which live happens as the record links, after its name check (name_conflicts.py):
    an erasure keeps the two apart for a replay."""
    return reason.startswith((_HUB_QUARANTINE, _LIMIT_QUARANTINE))


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a link is held: the guard, its reason and the action a steward should likely take.

    `quarantine` is set when the refusal also quarantines the link's lower-priority end;
    `constraint_id` names the cannot-link constraint that refused it (guard `cannot_link`)."""

    guard: GuardName
    reason: str
    suggested_action: str
    quarantine: str = ""
    constraint_id: int | None = None


@dataclass(frozen=True, slots=True)
class ProfileRefusal:
    """Why two profiles must not merge, before a link's ends say what a steward should do.

    `limited_type` is the type whose limit the merge breaks (guard `limit`, else empty);
    `constraint_id` is the cannot-link constraint the two profiles face across (guard
    `cannot_link`, else None). Built only when a merge is refused: the engine's hot path
    allocates nothing for merges that go through."""

    guard: GuardName
    reason: str
    limited_type: str = ""
    constraint_id: int | None = None


class MergeGuard:
    """Per-type limits, cannot-link constraints, the maximum profile size and hub quarantine."""

    def __init__(self, registry: IdentifierRegistry, settings: GuardSettings | None = None) -> None:
        self._registry = registry
        self._limits = registry.limits()
        self._settings = settings or GuardSettings()

    @property
    def settings(self) -> GuardSettings:
        return self._settings

    def refusal(self, left: ProfileState, right: ProfileState) -> str | None:
        """Why `left` and `right` must not merge, or None when they may."""
        found = self._profile_refusal(left, right)
        return None if found is None else found.reason

    def check_link(
        self,
        anchor: Identifier,
        other: Identifier,
        profiles: tuple[ProfileState, ProfileState],
        guards: tuple[IdentifierGuardState | None, IdentifierGuardState | None],
        joins_existing: bool,
    ) -> Refusal | None:
        """Why the link `anchor`-`other` must not merge their two profiles, or None.

        `other` is the link's lower-priority end; `guards` holds the guard states of `anchor`
        and `other`; `joins_existing` says whether the link would join `other`'s profile,
        which existed before this observation, to another one (what counts towards a hub)."""
        left, right = profiles
        for identifier, state in ((other, guards[1]), (anchor, guards[0])):
            if state is not None and state.quarantined:
                return quarantine_refusal(identifier.key, identifier.type, state.reason)
        found = self._profile_refusal(left, right)
        if found is not None:
            return self._explain(anchor, other, left, right, found)
        joins = guards[1].joins if guards[1] is not None else 0
        limit = self._settings.hub_max_profiles
        if joins_existing and joins + 2 > limit:
            return Refusal(
                "hub",
                f"hub: {other.key} would join {joins + 2} profiles (at most {limit} allowed)",
                f"reject: the {_label(other)} {other.key} is shared by {joins + 2} profiles "
                "(a kiosk, a family device or a household contact)",
                quarantine=f"{_HUB_QUARANTINE}{limit} profiles",
            )
        return None

    def _profile_refusal(self, left: ProfileState, right: ProfileState) -> ProfileRefusal | None:
        """Why two profiles must not merge, whatever link would join them."""
        for type_name, limit in self._limits.items():
            total = left.type_counts.get(type_name, 0) + right.type_counts.get(type_name, 0)
            if total > limit:
                return ProfileRefusal(
                    "limit",
                    f"limit: the merge would give one profile {total} {type_name} identifiers "
                    f"(at most {limit} allowed)",
                    limited_type=type_name,
                )
        if left.constraint_sides:
            facing = facing_constraint(left.constraint_sides, right.constraint_sides)
            if facing is not None:
                return ProfileRefusal(
                    "cannot_link", cannot_link_reason(facing), constraint_id=facing
                )
        most = self._settings.max_profile_identifiers
        if left.size + right.size > most:
            return ProfileRefusal(
                "max_size",
                f"size: the merge would give one profile {left.size + right.size} identifiers "
                f"(at most {most} allowed)",
            )
        return None

    def _explain(
        self,
        anchor: Identifier,
        other: Identifier,
        left: ProfileState,
        right: ProfileState,
        found: ProfileRefusal,
    ) -> Refusal:
        guard, reason, limited = found.guard, found.reason, found.limited_type
        if guard == "cannot_link":
            action = "reject: a steward keeps these identifiers apart"
            return Refusal(guard, reason, action, constraint_id=found.constraint_id)
        if guard == "max_size":
            return Refusal(
                guard,
                reason,
                f"reject unless one person: profiles of {left.size} and {right.size} "
                "identifiers are rarely one customer",
            )
        if anchor.type == other.type == limited:
            distance = jellyfish.damerau_levenshtein_distance(anchor.value, other.value)
            if distance <= 1:
                return Refusal(
                    guard,
                    reason,
                    f"accept: {anchor.value!r} and {other.value!r} look like one "
                    f"{_label(other)} mistyped (one character apart)",
                )
            return Refusal(
                guard,
                reason,
                f"reject: one record carries two different {_label(other)}s",
            )
        if self._registry.priority(other.type) < self._registry.priority(limited):
            return Refusal(
                guard,
                f"{reason}; {other.key} would bring them together",
                f"reject: the {_label(other)} {other.key} joins two customers with different "
                f"{_label_of_type(limited)}s (shared)",
                quarantine=f"{_LIMIT_QUARANTINE}{limited} identifiers",
            )
        return Refusal(
            guard,
            reason,
            f"reject unless one customer holds both {_label_of_type(limited)}s "
            "(a duplicate record to clean up at the source)",
        )


def quarantine_refusal(key: str, type_name: str, reason: str) -> Refusal:
    """Why a link at the quarantined identifier `key` (of `type_name`) is held: also what an
    erasure makes of the items held at an identifier it quarantines again, as a replay holds
    their links (erasure_quarantine_items.py)."""
    return Refusal(
        "quarantine",
        f"quarantine: {key} is quarantined ({reason})",
        f"reject: the {_label_of_type(type_name)} {key} is shared ({reason})",
    )


def _label(identifier: Identifier) -> str:
    return _label_of_type(identifier.type)


def _label_of_type(type_name: str) -> str:
    return _LABELS.get(type_name, type_name)
