"""The one-off upgrade of a store written before records answered review items.

Since records answer review items (`AnsweredItem`), the record whose merge joins the profiles
of a held link's two ends closes its item as `answered` and makes the link active. A store
written before kept such items open; a rebuild answers them, and this upgrade does the same
without one: it runs once per store (kept in the store's meta), under the writer lock, when
the store is opened by the CLI or the server.

Each item is answered by the engine's own path, `answered_by_merges`, over the merges of its
profile in the order they were recorded (the order a replay makes them in), from the profiles
that held its ends when it was opened: the same record a rebuild names. That holds while the
profiles grew by merges alone. A steward's decision (a split above all) or an erasure rewrites
the graph in ways the merge history does not replay, so in a store holding either, the items
are left open and the report asks for `datora resolve --rebuild`; until then each open says
so again (rebuilt, the store holds no such item and the upgrade is marked done).

    >>> upgrade_answered_items(store)                   # doctest: +SKIP
    AnsweredUpgrade(answered=3, needs_rebuild=0)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from datora_graph.domain.changeset import (
    AnsweredItem,
    Changeset,
    JoinedOpenItem,
    Merge,
    OpenReviewItem,
)
from datora_graph.resolution.answered_items import answered_by_merges
from datora_graph.store.base import GraphStore

UPGRADE = "answered_review_items"
"""The upgrade's name in the store's meta."""
ITEMS_PER_COMMIT = 1000


@dataclass(frozen=True, slots=True)
class AnsweredUpgrade:
    """What the upgrade did: items it closed as answered, and items only a rebuild can."""

    answered: int
    needs_rebuild: int

    def message(self) -> str | None:
        """Words for the person who opened the store, or None when there is nothing to say."""
        if self.needs_rebuild:
            return (
                f"{self.needs_rebuild} open review items have both identifiers in one profile "
                "already (this store was written before records answered review items); "
                "run `datora resolve --rebuild` to answer them"
            )
        if self.answered:
            return (
                f"Answered {self.answered} review items a later record had joined (this store "
                "was written before records answered review items), as a rebuild would"
            )
        return None


def upgrade_answered_items(store: GraphStore) -> AnsweredUpgrade | None:
    """Answer the open review items an older release left open though a record joined their
    ends; None when the upgrade has run on this store before (one meta read). The caller
    tells the person what it did (`AnsweredUpgrade.message`): the CLI on stderr, the
    server in its log."""
    if store.upgrade_done(UPGRADE):
        return None
    with store.writer_lock():
        if store.upgrade_done(UPGRADE):
            return None
        joined = store.joined_open_items()
        if joined and _history_rewritten(store):
            report = AnsweredUpgrade(0, len(joined))
        else:
            answers = _answers(store, joined)
            for start in range(0, len(answers), ITEMS_PER_COMMIT):
                store.commit(Changeset(answered=answers[start : start + ITEMS_PER_COMMIT]))
            report = AnsweredUpgrade(len(answers), len(joined) - len(answers))
        if not report.needs_rebuild:
            store.mark_upgrade_done(UPGRADE)
    return report


def _history_rewritten(store: GraphStore) -> bool:
    """Whether a steward decision or an erasure changed the graph besides its merges."""
    if store.list_decisions(0, 1).decisions:
        return True
    return any(store.iter_erased_records(batch_size=1))


def _answers(store: GraphStore, joined: Sequence[JoinedOpenItem]) -> list[AnsweredItem]:
    """Each joined item answered by the first recorded merge that put its ends together."""
    by_profile: dict[str, list[OpenReviewItem]] = defaultdict(list)
    for item in joined:
        by_profile[item.profile_id].append(
            OpenReviewItem(item.a, item.b, item.opened_a, item.opened_b)
        )
    history = store.merges_as_recorded(list(by_profile))
    answers: list[AnsweredItem] = []
    for profile_id, items in by_profile.items():
        merges = [
            Merge(m.absorbed, m.survivor, m.observation_id, m.at, m.reason)
            for m in history.get(profile_id, [])
        ]
        answers.extend(answered_by_merges(merges, items))
    return answers
