"""The read queries of the embedded store — profiles, journeys, rejections, merge history,
review items, statistics: a mixin of `SqliteStore`. Each read is one read transaction
(`SqliteStore._read`), so every query in it sees the same committed state.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from datora_graph.domain.changeset import JoinedOpenItem
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import (
    GoldenProfile,
    JourneyPage,
    JourneyQuery,
    MergeRecord,
    ProfileIdentifier,
    RejectionFilter,
    RejectionPage,
    ReviewFilter,
    ReviewItem,
    ReviewPage,
    StoreStats,
)
from datora_graph.domain.records import Rejection, iso
from datora_graph.json_codec import loads
from datora_graph.store import sqlite_sql as sql
from datora_graph.store.sqlite_export import events_of


class SqliteReads:
    """The read half of `SqliteStore`; see store/base.py for what each method promises."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _steward_schema(self) -> None:
        """`SqliteSteward._steward_schema`: review items are read with their resolutions."""
        raise NotImplementedError

    def resolve_profile_ids(self, ids: Collection[str]) -> dict[str, str]:
        if not ids:
            return {}
        with self._read() as db:
            return dict(db.execute(sql.RESOLVE_PROFILE_IDS, {"ids": json.dumps(list(ids))}))

    def profile_ids_for_identifiers(self, keys: Collection[str]) -> dict[str, str]:
        if not keys:
            return {}
        with self._read() as db:
            return dict(db.execute(sql.PROFILE_IDS_FOR_IDENTIFIERS, (json.dumps(list(keys)),)))

    def get_profiles(self, ids: Collection[str]) -> dict[str, GoldenProfile]:
        if not ids:
            return {}
        with self._read() as db:
            return _profiles(db, json.dumps(list(ids)))

    def iter_profiles(self, batch_size: int = 1000) -> Iterator[list[GoldenProfile]]:
        after = ""
        while True:
            with self._read() as db:
                ids = [row[0] for row in db.execute(sql.PROFILE_IDS_PAGE, (after, batch_size))]
                if not ids:
                    return
                profiles = _profiles(db, json.dumps(ids))
            yield [profiles[i] for i in ids]
            after = ids[-1]

    def journey(self, profile_id: str, query: JourneyQuery) -> JourneyPage:
        params = {"profile_id": profile_id, **journey_params(query)}
        with self._read() as db:
            statement = sql.JOURNEY_STATEMENTS[False, query.newest_first, bool(query.types)]
            page = db.execute(statement, params).fetchall()
            has_next = len(page) > query.first
            page = page[: query.first]
            rows = db.execute(sql.EVENTS_BY_ID, (json.dumps([r[1] for r in page]),))
            by_id = {event.id: event for event in events_of(rows)}
        events = [by_id[event_id] for _, event_id in page]
        end = query.cursor(page[-1][0], page[-1][1]) if page else None
        return JourneyPage(events, end, has_next)

    def journeys(self, profile_ids: Collection[str], query: JourneyQuery) -> dict[str, JourneyPage]:
        if len(set(profile_ids)) == 1:
            [profile_id] = set(profile_ids)
            return {profile_id: self.journey(profile_id, query)}
        if not profile_ids:
            return {}
        params = {"profile_ids": json.dumps(list(profile_ids)), **journey_params(query)}
        hits: dict[str, list[tuple[str, str]]] = {profile_id: [] for profile_id in profile_ids}
        with self._read() as db:
            statement = sql.JOURNEY_STATEMENTS[True, query.newest_first, bool(query.types)]
            for profile_id, occurred_at, event_id in db.execute(statement, params):
                hits[profile_id].append((occurred_at, event_id))
            wanted = {event_id for page in hits.values() for _, event_id in page[: query.first]}
            rows = db.execute(sql.EVENTS_BY_ID, (json.dumps(sorted(wanted)),))
            by_id = {event.id: event for event in events_of(rows)}
        pages: dict[str, JourneyPage] = {}
        for profile_id, page in hits.items():
            shown = page[: query.first]
            end = query.cursor(*shown[-1]) if shown else None
            pages[profile_id] = JourneyPage(
                [by_id[event_id] for _, event_id in shown], end, len(page) > query.first
            )
        return pages

    def list_rejections(self, query: RejectionFilter) -> RejectionPage:
        params = {"after": query.after, "kind": query.kind, "limit": query.limit + 1}
        with self._read() as db:
            rows = db.execute(sql.LIST_REJECTIONS, params).fetchall()
        items = [
            (int(r[0]), Rejection(r[1], r[2], r[3], r[4], r[5], _datetime(r[6])))
            for r in rows[: query.limit]
        ]
        next_after = items[-1][0] if len(rows) > query.limit else None
        return RejectionPage(items, next_after)

    def kept_rejections(self, fingerprints: Collection[str]) -> set[str]:
        if not fingerprints:
            return set()
        with self._read() as db:
            rows = db.execute(sql.KEPT_REJECTIONS, (json.dumps(sorted(fingerprints)),))
            return {row[0] for row in rows}

    def merge_history(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        return self._merges(sql.MERGE_HISTORY, profile_ids)

    def merges_as_recorded(self, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        return self._merges(sql.MERGES_AS_RECORDED, profile_ids)

    def _merges(self, query: str, profile_ids: Collection[str]) -> dict[str, list[MergeRecord]]:
        if not profile_ids:
            return {}
        history: dict[str, list[MergeRecord]] = defaultdict(list)
        with self._read() as db:
            for row in db.execute(query, {"ids": json.dumps(list(profile_ids))}):
                history[row[0]].append(
                    MergeRecord(row[1], row[2], row[3], _datetime(row[4]), row[5])
                )
        return dict(history)

    def joined_open_items(self) -> list[JoinedOpenItem]:
        with self._read() as db:
            return [JoinedOpenItem(*row) for row in db.execute(sql.JOINED_OPEN_ITEMS)]

    def list_review_items(self, query: ReviewFilter) -> ReviewPage:
        self._steward_schema()
        touching = None if query.touching is None else json.dumps(sorted(set(query.touching)))
        params = {
            "after": query.after,
            "status": query.status,
            "limit": query.limit + 1,
            "touching": touching,
        }
        with self._read() as db:
            rows = db.execute(sql.LIST_REVIEW_ITEMS, params).fetchall()
        items = [
            ReviewItem(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                _datetime(r[9]),
                guard=r[10],
                source=r[11],
                suggested_action=r[12],
                answered_by=r[13],
                constraint_id=r[14],
                resolution=r[15],
            )
            for r in rows[: query.limit]
        ]
        next_after = items[-1].id if len(rows) > query.limit else None
        return ReviewPage(items, next_after)

    def stats(self) -> StoreStats:
        with self._read() as db:

            def count(statement: str) -> int:
                return int(db.execute(statement).fetchone()[0])

            by_type = {str(t): int(n) for t, n in db.execute(sql.IDENTIFIERS_BY_TYPE)}
            return StoreStats(
                observations=count(sql.COUNT_OBSERVATIONS),
                events=count(sql.COUNT_EVENTS),
                rejections=count(sql.COUNT_REJECTIONS),
                identifiers=sum(by_type.values()),
                profiles=count(sql.COUNT_PROFILES),
                held_links=count(sql.COUNT_HELD_LINKS),
                open_review_items=count(sql.COUNT_OPEN_REVIEW_ITEMS),
                identifiers_by_type=by_type,
            )


def _profiles(db: sqlite3.Connection, ids_json: str) -> dict[str, GoldenProfile]:
    identifiers: dict[str, list[ProfileIdentifier]] = defaultdict(list)
    for profile_id, type_, value, junk, first_seen, quarantined in db.execute(
        sql.IDENTIFIERS_OF_PROFILES, (ids_json,)
    ):
        identifiers[profile_id].append(
            ProfileIdentifier(
                Identifier(type_, value), bool(junk), _datetime(first_seen), bool(quarantined)
            )
        )
    aliases: dict[str, list[str]] = defaultdict(list)
    for profile_id, alias in db.execute(sql.ALIASES_OF_PROFILES, (ids_json,)):
        aliases[profile_id].append(alias)
    return {
        row[0]: GoldenProfile(
            id=row[0],
            attributes=loads(row[1]),
            size=row[2],
            created_at=_datetime(row[3]),
            updated_at=_datetime(row[4]),
            identifiers=identifiers.get(row[0], []),
            aliases=aliases.get(row[0], []),
            junk=bool(row[5]),
        )
        for row in db.execute(sql.GET_PROFILES, (ids_json,))
    }


_BEFORE_EVERY_EVENT = ("", "")
"""A bound below every (occurred_at, event ID): both are non-empty text."""
_AFTER_EVERY_EVENT = ("~", "")
"""A bound above every (occurred_at, event ID): times are ISO 8601 text (`iso`), which begins
with a digit, and digits sort before "~"."""


def journey_params(query: JourneyQuery) -> dict[str, Any]:
    """The bound parameters of a journey page query, beside the profile ID(s): the window and
    the cursor as one exclusive range of (occurred_at, event ID). `since` is inclusive, so its
    bound is (since, ""), below every event ID at that instant (event IDs are non-empty);
    `until` is exclusive, so (until, "") bounds it exactly."""
    low = (iso(query.since), "") if query.since else _BEFORE_EVERY_EVENT
    high = (iso(query.until), "") if query.until else _AFTER_EVERY_EVENT
    position = query.position()
    if position is not None and query.newest_first:
        high = min(high, position)
    elif position is not None:
        low = max(low, position)
    return {
        "low_at": low[0],
        "low_id": low[1],
        "high_at": high[0],
        "high_id": high[1],
        "types": json.dumps(sorted(query.types)) if query.types else None,
        "limit": query.first + 1,
    }


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)
