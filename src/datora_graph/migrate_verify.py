"""The check at the end of a migration: the target's profiles against the source's.

Both stores' profiles are read in ID order and compared as they come (ID, identifiers, golden
attributes). A migration allowed to reject records (`--allow-rejections`) expects some
differences: a profile that held an identifier of a record the target's settings rejected
lost that record. Those are counted and shown apart, as explained, so that they cannot hide a
difference they do not explain (other survivorship or guard settings, something else written
into the target):

    >>> rejected = RejectedOnReplay(registry)                   # doctest: +SKIP
    >>> rejected.add(payload)                                   # during the replay
    >>> check = verify(source, target, rejected=rejected)       # doctest: +SKIP
    >>> check.unexplained, check.explained                      # doctest: +SKIP
    (0, 2)

A difference is explained when the source profile held an identifier a rejected record
carried, or when an identifier that moved between profiles (held by another profile in one of
the stores) came from or went to a profile that did. Identifiers the target's settings cannot
read are matched to the source's by type and by value, ignoring case and spaces.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from datora_graph.domain.identifiers import IdentifierRegistry, logged_identifier
from datora_graph.domain.profiles import GoldenProfile
from datora_graph.domain.records import item_id_of
from datora_graph.store.base import GraphStore

DIFFERENCES_SHOWN = 20


def _loose(type_name: str, value: str) -> str:
    return f"{type_name}:{''.join(value.split()).casefold()}"


class RejectedOnReplay:
    """The identifiers of the records the target's settings rejected, each with the ID of the
    first record that carried it (for the explanation)."""

    def __init__(self, registry: IdentifierRegistry) -> None:
        self.registry = registry
        self.records = 0
        self._keys: dict[str, str] = {}
        self._loose: dict[str, str] = {}

    def add(self, payload: str) -> None:
        raw = json.loads(payload)
        record = item_id_of(raw) or "(no id)"
        self.records += 1
        for item in raw.get("identifiers", ()) if isinstance(raw, dict) else ():
            if not isinstance(item, dict) or "type" not in item or "value" not in item:
                continue
            parsed = logged_identifier(item, self.registry)
            if parsed is not None:
                self._keys.setdefault(parsed.identifier.key, record)
            self._loose.setdefault(_loose(str(item["type"]), str(item["value"])), record)

    def carrier(self, keys: Collection[str]) -> tuple[str, str] | None:
        """A `(key, record ID)` for one of `keys` a rejected record carried, or None."""
        for key in sorted(keys):
            record = self._keys.get(key)
            if record is None:
                type_name, _, value = key.partition(":")
                record = self._loose.get(_loose(type_name, value))
            if record is not None:
                return key, record
        return None


@dataclass(slots=True)
class Verification:
    """The target's profiles against the source's: every source profile should be in the
    target under the same ID, with the same identifiers and golden attributes."""

    source_profiles: int = 0
    target_profiles: int = 0
    missing: int = 0
    """Source profiles the target has no profile of that ID for."""
    different: int = 0
    """Profiles in both under one ID whose identifiers or attributes differ."""
    extra: int = 0
    """Target profiles the source does not have (a target that held data before)."""
    explained: int = 0
    """Of the missing and different, those the records rejected on replay explain."""
    examples: list[str] = field(default_factory=list)
    """The first differences the records rejected on replay do not explain, each saying why."""
    explained_examples: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.missing and not self.different

    @property
    def unexplained(self) -> int:
        """Missing and different profiles no record rejected on replay explains."""
        return self.missing + self.different - self.explained

    def note(self, text: str, *, explained: bool = False) -> None:
        shown = self.explained_examples if explained else self.examples
        if len(shown) < DIFFERENCES_SHOWN:
            shown.append(text)


@dataclass(frozen=True, slots=True)
class _Difference:
    source: GoldenProfile
    target: GoldenProfile | None
    """The target's profile of that ID; None: missing."""

    @property
    def moved(self) -> set[str]:
        """The identifiers held on one side only."""
        theirs = set() if self.target is None else set(_keys(self.target))
        return set(_keys(self.source)) ^ theirs

    def text(self) -> str:
        ours = self.source
        if self.target is None:
            return f"{ours.id} ({_keys_text(ours)}) is not in the target"
        if _keys(ours) != _keys(self.target):
            return f"{ours.id} holds {_keys_text(ours)} but {_keys_text(self.target)} in the target"
        names = sorted(
            name
            for name in {*ours.attributes, *self.target.attributes}
            if ours.attributes.get(name) != self.target.attributes.get(name)
        )
        return f"{ours.id} has other golden attributes in the target ({', '.join(names)})"


class _Comparison:
    """Differences as the merge join finds them; those the rejected records do not explain
    directly wait, a batch at a time, for the look-ups of where their identifiers went."""

    def __init__(
        self, source: GraphStore, target: GraphStore, rejected: RejectedOnReplay, batch: int
    ) -> None:
        self.source, self.target, self.rejected, self.batch = source, target, rejected, batch
        self.result = Verification()
        self.waiting: list[_Difference] = []

    def differ(self, difference: _Difference) -> None:
        if difference.target is None:
            self.result.missing += 1
        else:
            self.result.different += 1
        carried = self.rejected.carrier(_keys(difference.source)) if self.rejected.records else None
        if carried is not None:
            key, record = carried
            self._explained(difference, f"it held {key} of {record}, rejected on replay")
        elif self.rejected.records and difference.moved:
            self.waiting.append(difference)
            if len(self.waiting) >= self.batch:
                self.settle()
        else:
            self._unexplained(difference)

    def settle(self) -> None:
        """Explain the waiting differences by the profiles their moved identifiers are with:
        in either store, one holding an identifier a rejected record carried."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        moved = {key for d in waiting for key in d.moved}
        at_source = self.source.profile_ids_for_identifiers(moved)
        at_target = self.target.profile_ids_for_identifiers(moved)
        touched: dict[str, tuple[str, str]] = {}
        for store, holders in ((self.source, at_source), (self.target, at_target)):
            for profile in store.get_profiles(sorted(set(holders.values()))).values():
                carried = self.rejected.carrier(_keys(profile))
                if carried is not None:
                    touched.setdefault(profile.id, carried)
        for difference in waiting:
            near = {
                holder
                for at in (at_source, at_target)
                for key in difference.moved
                if (holder := at.get(key)) is not None and holder != difference.source.id
            }
            via = next((pid for pid in sorted(near) if pid in touched), None)
            if via is None:
                held = sorted((k, at_target[k]) for k in difference.moved if k in at_target)
                where = f"; in the target {held[0][0]} is in {held[0][1]}" if held else ""
                self._unexplained(difference, where)
                continue
            key, record = touched[via]
            self._explained(
                difference,
                f"identifiers moved to or from {via}, which holds {key} of {record}, "
                "rejected on replay",
            )

    def _explained(self, difference: _Difference, why: str) -> None:
        self.result.explained += 1
        self.result.note(f"{difference.text()}: {why}", explained=True)

    def _unexplained(self, difference: _Difference, where: str = "") -> None:
        why = (
            ": no record rejected on replay was in it or in a profile it shares identifiers "
            f"with{where}"
            if self.rejected.records
            else ""
        )
        self.result.note(f"{difference.text()}{why}")


def verify(
    source: GraphStore,
    target: GraphStore,
    batch_size: int = 1000,
    rejected: RejectedOnReplay | None = None,
) -> Verification:
    """Both stores' profiles, read in ID order and compared as they come (a merge join), so
    memory holds a batch of each, not the graph; `rejected`: the records the migration's
    replay rejected, whose differences are told apart as explained."""
    none = RejectedOnReplay(IdentifierRegistry([]))
    comparison = _Comparison(source, target, rejected or none, max(1, batch_size))
    result = comparison.result
    theirs = _profiles(target, batch_size)
    other = next(theirs, None)
    for ours in _profiles(source, batch_size):
        result.source_profiles += 1
        while other is not None and other.id < ours.id:
            result.extra += 1
            result.target_profiles += 1
            other = next(theirs, None)
        if other is None or other.id != ours.id:
            comparison.differ(_Difference(ours, None))
            continue
        result.target_profiles += 1
        if _keys(ours) != _keys(other) or dict(ours.attributes) != dict(other.attributes):
            comparison.differ(_Difference(ours, other))
        other = next(theirs, None)
    while other is not None:
        result.extra += 1
        result.target_profiles += 1
        other = next(theirs, None)
    comparison.settle()
    return result


def _profiles(store: GraphStore, batch_size: int) -> Iterator[GoldenProfile]:
    for batch in store.iter_profiles(batch_size):
        yield from batch


def _keys(profile: GoldenProfile) -> list[str]:
    return sorted(p.identifier.key for p in profile.identifiers)


def _keys_text(profile: GoldenProfile) -> str:
    keys = _keys(profile)
    shown = ", ".join(keys[:3])
    return shown + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
