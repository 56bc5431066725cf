"""The live world a replay agreement test drives, and how it compares a store's state with a
rebuild's or a migration's: shared by the test_replay_* files and the tests that reuse it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.profiles import MergeRecord, ReviewFilter
from datora_graph.erasure_service import ErasureService
from datora_graph.migrate import Migration
from datora_graph.services import IdentityService
from datora_graph.steward_service import StewardService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

_CONSTRAINT = re.compile(r"#\d+")
"""A constraint's number in an item's reason: each store numbers its own."""


class World:
    """The live store with its services, and what it holds, as compared."""

    def __init__(self, store: GraphStore, folder: Path) -> None:
        self.folder = folder
        self.store = store
        self.identity = IdentityService(store, Settings(db=folder / "unused.db"))
        self.stewards = StewardService(self.identity)
        self.sent = 0
        self.migrations = 0

    def ingest(
        self, *keys: str, minute: int | None = None, source: str = "crm", **attributes: str
    ) -> None:
        """A record of `keys`, observed at its own minute unless `minute` says another."""
        self.sent += 1
        item: dict[str, Any] = {
            "id": f"o{self.sent}",
            "source": source,
            "observed_at": f"2026-05-01T10:{self.sent if minute is None else minute:02d}:00Z",
            "identifiers": [
                dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys
            ],
        }
        if attributes:
            item["attributes"] = attributes
        assert self.identity.ingest_observations([item]).accepted == 1

    def split(self, reference: str, *cuts: tuple[str, str]) -> Any:
        profile = self.identity.lookup(reference).id
        return self.stewards.split_profile(profile, cut_edges=list(cuts), reason="r", actor="s")

    def erase(self, reference: str) -> None:
        ErasureService(self.identity).erase_profile(reference, reason="r", actor="dpo")

    def state(self, store: GraphStore | None = None) -> dict[str, Any]:
        store = store or self.store
        profiles = [p for batch in store.iter_profiles() for p in batch]
        evidence = store.profile_slice([p.id for p in profiles]).evidence
        review = store.list_review_items(ReviewFilter("open", 0, 1000)).items
        answered = store.list_review_items(ReviewFilter("answered", 0, 1000)).items
        keys = sorted(i.identifier.key for p in profiles for i in p.identifiers)
        guards = store.load_snapshot(keys).identifier_guards
        constraints = {c.id: (c.a, c.b) for c in store.list_cannot_links()}
        # Hub joins past the bound change nothing and are not kept (`join_seqs`).
        kept = self.identity.settings.hub_max_profiles
        return {
            "profiles": {p.id: sorted(i.identifier.key for i in p.identifiers) for p in profiles},
            "aliases": {p.id: sorted(p.aliases) for p in profiles if p.aliases},
            "evidence": sorted({(e.a, e.b, e.source, e.status) for e in evidence}),
            "review": sorted((i.a, i.b) for i in review),
            "held_by": sorted(
                (i.a, i.b, constraints[i.constraint_id])
                for i in review
                if i.constraint_id in constraints
            ),
            "answered": sorted((i.a, i.b, i.answered_by) for i in answered),
            "quarantined": sorted(key for key, g in guards.items() if g.quarantined),
            "joins": sorted((key, min(g.joins, kept)) for key, g in guards.items() if g.joins),
            "merges": self.merges(store),
        }

    def merges(self, store: GraphStore | None = None) -> dict[str, list[MergeRecord]]:
        """Each profile's merge history, as `Profile.mergeHistory` serves it."""
        store = store or self.store
        return store.merge_history([p.id for batch in store.iter_profiles() for p in batch])

    def held_items(self, store: GraphStore | None = None) -> list[tuple[str, ...]]:
        """The open review items as a steward reads them: pair, guard, reason, action."""
        items = (store or self.store).list_review_items(ReviewFilter("open", 0, 1000)).items
        return sorted((i.a, i.b, i.guard, i.reason, i.suggested_action) for i in items)

    def review_history(self) -> list[tuple[str, str, str]]:
        """Every review item's pair and status, closed ones too."""
        items = self.store.list_review_items(ReviewFilter(None, 0, 1000)).items
        return sorted((i.a, i.b, i.status) for i in items)

    def reasons(self, store: GraphStore | None = None) -> dict[str, list[tuple[str, ...]]]:
        """The texts a steward reads that may quote a decision's reason: each cannot-link's,
        and each review item's (any status) reason, suggested action and resolution. By pair,
        not ID: a rebuild numbers review items anew, and a migration constraints (an item's
        reason names its constraint's ID)."""
        store = store or self.store
        items = store.list_review_items(ReviewFilter(None, 0, 1000)).items
        return {
            "cannot_links": sorted((c.a, c.b, c.reason) for c in store.list_cannot_links()),
            "review": sorted(
                (
                    i.a,
                    i.b,
                    i.status,
                    _CONSTRAINT.sub("#", i.reason),
                    i.suggested_action,
                    i.resolution,
                )
                for i in items
            ),
        }

    def migrated(self, read: Callable[[GraphStore], Any] | None = None) -> Any:
        """What `read` (default: `state`) finds in a migration of the live store, each call
        into a new empty store."""
        self.migrations += 1
        target = SqliteStore(self.folder / f"target{self.migrations}.db")
        try:
            Migration(self.store, target, self.identity.settings).run()
            return (read or self.state)(target)
        finally:
            target.close()

    def rebuilt(self) -> dict[str, Any]:
        self.identity.rebuild()
        return self.state()


def open_finding(reason: str) -> pytest.MarkDecorator:
    """A finding not fixed yet: a strict xfail, so the test fails today and its fix must
    remove the mark."""
    return pytest.mark.xfail(strict=True, reason=reason)
