"""The name-conflict guard: an identifier a record ties to another person's profile is shared.

A family email or a landline reaches the engine through each member in turn. The first
member's records put it in their profile; a second member's newsletter sign-up then carries
it together with that member's own cookie and first name. Linked as usual, the record would
bring the second member's cookie, and through it their profile, into the first member's.

The record itself says what is wrong: its first name agrees with the profile of its cookie (or
that profile has no name yet) and disagrees with the profile the family email sits in. So the
family email is shared: it is quarantined before the record links anything, as a hub is, and
the record links through its other identifiers. Identifiers of a limited type (a CRM customer
number, a user account) name one person by definition and are never quarantined here; the
per-type limits guard them.

Nothing is decided when every identifier of the record sits in a profile that disagrees with
it: the record may carry a new name (a person renamed, a mistyped form), and there is no
other side to keep apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.names import given_names_agree

NAME_ATTRIBUTE = "first_name"


@dataclass(frozen=True, slots=True)
class NameConflict:
    """`identifier` sits in a profile whose first names (`known`) all disagree with `seen`."""

    identifier: Identifier
    known: tuple[str, ...]
    seen: str

    @property
    def reason(self) -> str:
        known = ", ".join(repr(name) for name in self.known)
        return f"it was seen with first name {self.seen!r} while its profile holds {known}"


def name_conflicts(
    seen: str,
    linkable: Sequence[Identifier],
    names_of: Callable[[Identifier], Sequence[str]],
    limited: Collection[str],
) -> list[NameConflict]:
    """The identifiers of a record with first name `seen` to quarantine as shared.

    `linkable` are the record's identifiers that may still link (not junk, not quarantined);
    `names_of` gives the first names of an identifier's profile (none for a profile that has
    no name yet, or that the record itself created); `limited` are the types never
    quarantined."""
    disagreeing: list[NameConflict] = []
    agreeing = False
    for identifier in linkable:
        known = names_of(identifier)
        if not known or any(given_names_agree(seen, name) for name in known):
            agreeing = True
        else:
            disagreeing.append(NameConflict(identifier, tuple(known), seen))
    if not agreeing:
        return []
    return [c for c in disagreeing if c.identifier.type not in limited]


@lru_cache(maxsize=65_536)
def candidate_text(value: str) -> str:
    """A candidate's canonical JSON as the name it holds; '' for a value that is not text."""
    decoded = json.loads(value)
    return decoded if isinstance(decoded, str) else ""
