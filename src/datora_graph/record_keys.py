"""Events and consent statements keyed again by a rebuild under changed key rules.

A rebuild makes the graph's keys again from the log's raw values (domain/key_rules.py); events
and consent statements keep no raw value, only the keys they were stored under. Left so, a
call stored under a phone's junk form would drop out of its owner's journey once the phone is
taken off the junk list, and her erasure would leave it behind. So the rebuild parses their
stored keys again under the current rules and moves what changed (`GraphStore.rekey_records`).
"""

from __future__ import annotations

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.key_rules import rekeyed
from datora_graph.store.base import GraphStore

PAGE = 10_000
"""Stored keys parsed, and moved in one transaction, at a time."""


def rekey_stored_records(store: GraphStore, registry: IdentifierRegistry) -> int:
    """Key every event and consent statement as `registry` keys them; answers how many keys
    changed. Run again after an interruption, it moves what is left (a key moved already is
    the same when parsed again)."""
    after, changed = "", 0
    while keys := store.stored_record_keys(after, PAGE):
        changes = rekeyed(keys, registry)
        store.rekey_records(changes)
        changed += len(changes)
        after = keys[-1]
    return changed
