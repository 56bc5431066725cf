"""Which open review items a merge answers: those whose two ends it puts in one profile.

The engine waits on them as it resolves a batch (`AnswerWaits`); `answered_by_merges` does the
same over a changeset's merges for the items stored before it, which the snapshot does not
carry (`services.answer_stored_items`, and answered_upgrade.py for stores older than answers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from datora_graph.domain.changeset import AnsweredItem, Merge, OpenReviewItem


class AnswerWaits:
    """Open review items waiting for a merge to put their two ends in one profile: each waits
    on the profiles of both its ends, and moves to the survivor when one is absorbed."""

    def __init__(self) -> None:
        self._on: dict[str, list[OpenReviewItem]] = {}
        self._answered: dict[tuple[str, str], str] = {}

    def wait(self, item: OpenReviewItem) -> None:
        for profile_id in {item.profile_a, item.profile_b}:
            self._on.setdefault(profile_id, []).append(item)

    def merged(
        self, absorbed: str, survivor: str, observation_id: str, find: Callable[[str], str]
    ) -> None:
        """`absorbed` just joined `survivor` at `observation_id` (`find`: a profile's current
        ID): the items waiting on it whose ends are now one profile are answered."""
        if absorbed not in self._on:
            return
        still = self._on.setdefault(survivor, [])
        for item in self._on.pop(absorbed):
            pair = (item.a, item.b)
            if pair in self._answered:
                continue
            if find(item.profile_a) == find(item.profile_b):
                self._answered[pair] = observation_id
            else:
                still.append(item)

    def answers(self) -> list[AnsweredItem]:
        return [AnsweredItem(a, b, obs) for (a, b), obs in self._answered.items()]


def answered_by_merges(
    merges: Sequence[Merge], items: Iterable[OpenReviewItem]
) -> list[AnsweredItem]:
    """The stored open `items` that `merges` (a changeset's, in the order they happened) put
    both ends of in one profile, each with the observation whose merge did."""
    parent: dict[str, str] = {}

    def find(profile_id: str) -> str:
        while profile_id in parent:
            profile_id = parent[profile_id]
        return profile_id

    waiting = AnswerWaits()
    for item in items:
        waiting.wait(item)
    for merge in merges:
        parent[merge.absorbed] = merge.survivor
        waiting.merged(merge.absorbed, merge.survivor, merge.observation_id, find)
    return waiting.answers()
