"""Which logged observations carried an identifier: the index a split and an erasure read.

Both need the observations of one profile's identifiers: a split to recompute each part's
golden attributes, an erasure to redact them. Reading the whole log for that took time in
proportion to the log, under the write lock that holds ingest back. The store keeps an index
from identifier key to log position instead (`GraphStore.index_log`).

Ingest does not write it: that would cost every observation a few more random index writes
on the path the throughput target is about. It is caught up behind the log when it is needed,
a page at a time, each page its own short transaction: the first split or erasure after a
large ingest reads what was added since (once), the next ones read a few index ranges. The
callers catch up before they take the write lock (ingest goes on meanwhile: the log only
grows) and again under it, for the last few observations.
Normalising keys takes the registry, which lives here, not in the store.

The keys are those the identifier settings of the time give, as the graph's are: a phone taken
off the junk list is `phone:+14155550101` after the rebuild that applies it, not `phone:4155550101`.
So a rebuild forgets the index with the graph and indexes each page it replays
(`index_page`), with the keys it has just parsed the page for, still in the registry's cache.
Between a change of those settings and the rebuild, the index would hold new keys where the
graph holds old ones: the store keeps the key rules its graph was built under, and the index
is neither filled nor read under others (`require_graph_key_rules`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from functools import cached_property

from datora_graph.domain.erasure import raw_key
from datora_graph.domain.errors import KeyRulesChanged
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.key_rules import key_rule_changes, key_rules
from datora_graph.store.base import GraphStore

PAGE = 25_000
"""Observations a catch-up reads, and indexes in one transaction, at a time."""

Progress = Callable[[int], None]
"""Called with the number of logged observations indexed so far by this catch-up."""


class LogIndex:
    """The identifier → observation index of one store, caught up on demand."""

    def __init__(self, store: GraphStore, registry: IdentifierRegistry) -> None:
        self.store = store
        self.registry = registry

    @cached_property
    def rules(self) -> str:
        """The registry's key rules, made once: the indexing process of `datora serve` checks
        them before every page."""
        return key_rules(self.registry)

    def pending(self) -> int:
        """How many logged observations (at most) the next catch-up reads."""
        return unindexed(self.store)

    def catch_up(self, progress: Progress | None = None) -> int:
        """Index the observations logged since the last catch-up; answers how many."""
        done = 0
        while indexed := self.index_next():
            done += indexed
            if progress is not None:
                progress(done)
        return done

    def index_next(self, limit: int = PAGE) -> int:
        """Index the next `limit` logged observations past the index's position, in one
        transaction; answers how many (0: the index is up to date). Raises KeyRulesChanged
        when the registry's key rules are not the graph's."""
        require_graph_key_rules(self.store, self.rules)
        entries = self.store.read_log(self.store.log_index_position(), limit)
        self.index_page(entries)
        return len(entries)

    def index_page(self, entries: Sequence[tuple[int, str]]) -> None:
        """Index logged `entries` (seq, payload), a page of the log, oldest first; what an
        index already holds (another catch-up's page) it keeps, and a page the index does not
        reach (reset by a rebuild since it was read) it leaves for the next catch-up."""
        if entries:
            # In key order, the rows land in few places of the index's B-tree: 1M observations
            # index in 34 s instead of 44 s.
            rows = sorted((key, seq) for seq, payload in entries for key in self.keys_of(payload))
            # No logged observation lies between the position read after and the first entry.
            self.store.index_log(rows, entries[0][0] - 1, entries[-1][0])

    def observations_with(
        self, keys: Collection[str], progress: Progress | None = None
    ) -> list[tuple[int, str]]:
        """(seq, payload) of every logged observation carrying one of `keys`, oldest first."""
        self.catch_up(progress)
        return self.store.logged_observations_with(keys) if keys else []

    def keys_of(self, payload: str) -> set[str]:
        """The keys of the identifiers a logged observation carries (junk ones too)."""
        keys = (
            raw_key(raw, self.registry)[0] for raw in json.loads(payload).get("identifiers", ())
        )
        return {key for key in keys if key is not None}


def unindexed(store: GraphStore) -> int:
    """How many logged observations (at most) lie past the index's position: what the next
    catch-up reads. Needs no registry, so a metrics scrape asks it of the store alone."""
    return max(0, store.last_sequence() - store.log_index_position())


def require_graph_key_rules(store: GraphStore, rules: str) -> None:
    """Raise KeyRulesChanged unless `rules` (`key_rules` of a registry) are those the store's
    graph was built under."""
    recorded = graph_key_rules(store, rules)
    if recorded != rules:
        raise KeyRulesChanged(key_rule_changes(recorded, rules))


def graph_key_rules(store: GraphStore, rules: str) -> str:
    """The key rules the store's graph was built under. A store with none recorded (nothing
    ingested yet, or written by a release before they were) takes `rules`, the current ones:
    nothing says its graph was made under others."""
    recorded = store.key_rules()
    if recorded is None:
        store.record_key_rules(rules)
        return rules
    return recorded
