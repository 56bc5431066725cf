"""The rules that make an identifier's key, written down so a store can keep the ones its graph
was built under.

The graph and the log index hold keys (`phone:+14155550101`), made by the identifier settings
of their time: the types, each type's normaliser (and for phones the default region) and the
junk values, which are kept in another form (`phone:4155550101`). A change to any of them gives
the records already logged other keys than the graph holds, until a rebuild makes the graph
again. A split, an erasure or an access request finds a person's records by the graph's keys,
so under changed rules it would miss the records whose keys changed: the store keeps the rules
its graph was built under, and those operations are refused while they differ (log_index.py).

Limits, priorities and the guards change which identifiers link, not their keys: not here.
The junk values are written into the store with the rules: configuration, as in `DATORA_JUNK`,
which an erasure leaves as it is (a value on the list identifies no one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import Identifier, IdentifierRegistry

KEY_RULES_VERSION = 1
"""Raise it in a release whose normalisers or junk forms give a value another key than before:
a store built by an earlier release then asks for a rebuild before a person-wide operation."""


def key_rules(registry: IdentifierRegistry) -> str:
    """The key rules of `registry` as canonical JSON: the same settings give the same text."""
    types = {
        name: {"normaliser": normaliser_name(t.normalise), "junk": sorted(t.junk)}
        for name, t in registry.types.items()
    }
    return json.dumps(
        {"version": KEY_RULES_VERSION, "types": types}, sort_keys=True, separators=(",", ":")
    )


def normaliser_name(normalise: object) -> str:
    """A normaliser's function name; the phone normaliser's names its default region."""
    return str(getattr(normalise, "__name__", type(normalise).__name__))


def key_rule_changes(recorded: str, current: str) -> list[str]:
    """What differs between two `key_rules` texts, in a steward's words; [] when nothing."""
    if recorded == current:
        return []
    old, new = _rules(recorded), _rules(current) or {}
    if old is None:
        return ["the key rules recorded in the store are unreadable"]
    changes: list[str] = []
    if old.get("version") != new.get("version"):
        changes.append(
            f"this release of Datora Graph normalises identifiers differently (rules version "
            f"{old.get('version')} → {new.get('version')})"
        )
    old_types: dict[str, Any] = old.get("types", {})
    new_types: dict[str, Any] = new.get("types", {})
    for name in sorted(old_types.keys() - new_types.keys()):
        changes.append(f"identifier type {name} removed")
    for name in sorted(new_types.keys() - old_types.keys()):
        changes.append(f"identifier type {name} added")
    for name in sorted(old_types.keys() & new_types.keys()):
        before, after = old_types[name], new_types[name]
        if before.get("normaliser") != after.get("normaliser"):
            changes.append(
                f"{name}: normaliser {before.get('normaliser')} → {after.get('normaliser')}"
            )
        added = sorted(set(after.get("junk", [])) - set(before.get("junk", [])))
        removed = sorted(set(before.get("junk", [])) - set(after.get("junk", [])))
        if added:
            changes.append(f"{name}: junk values added ({_listed(added)})")
        if removed:
            changes.append(f"{name}: junk values removed ({_listed(removed)})")
    return changes or ["the key rules differ"]


def _rules(text: str) -> dict[str, Any] | None:
    try:
        rules = json.loads(text)
    except ValueError:
        return None
    return rules if isinstance(rules, dict) else None


def _listed(values: list[str], shown: int = 3) -> str:
    more = len(values) - shown
    return ", ".join(values[:shown]) + (f" and {more} more" if more > 0 else "")


def rekeyed(keys: Iterable[str], registry: IdentifierRegistry) -> dict[str, str]:
    """old key → new key for those of `keys` that `registry` makes otherwise: the keys events
    and consent statements were stored under by rules changed since. They keep no raw value,
    so their stored one is parsed again (a junk form `4155550101` becomes `+14155550101`, a
    value becomes its lower-case form). A key of a type the registry no longer knows, or a
    value it refuses now, stays as it is: nothing better can be made of it."""
    changes: dict[str, str] = {}
    for key in keys:
        try:
            identifier = Identifier.from_key(key)
            new = registry.parse_with_junk(identifier.type, identifier.value).identifier.key
            # A key whose new form would change again is left alone (the normalisers settle
            # at once; this keeps a chain of renames out of one rebuild whatever they do).
            again = Identifier.from_key(new)
            settled = registry.parse_with_junk(again.type, again.value).identifier.key == new
        except InvalidInput:
            continue
        if new != key and settled:
            changes[key] = new
    return changes


@dataclass(frozen=True, slots=True)
class RekeyedEvent:
    """An event's stored identifier list (`[[type, value], …]`) under new keys: `gone` and
    `added` are the keys it no longer and newly names; `credited` its first key, the one its
    activity is credited to (None: that key is unchanged)."""

    identifiers: str
    gone: tuple[str, ...]
    added: tuple[str, ...]
    credited: str | None


def rekey_event(stored: str, changes: Mapping[str, str]) -> RekeyedEvent:
    """The identifiers of an event stored as `stored`, each key in `changes` replaced by its
    new key; two that now have one key are named once, where the first of them was."""
    before = [f"{type_name}:{value}" for type_name, value in json.loads(stored)]
    after = list(dict.fromkeys(changes.get(key, key) for key in before))
    pairs = [[*key.split(":", 1)] for key in after]
    return RekeyedEvent(
        identifiers=json.dumps(pairs, ensure_ascii=False),
        gone=tuple(key for key in dict.fromkeys(before) if key not in after),
        added=tuple(key for key in after if key not in before),
        credited=after[0] if after and before and after[0] != before[0] else None,
    )
