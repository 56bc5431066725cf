"""Use cases of segments, traits, consent and insights: what marketers and analysts ask of the
graph. The store evaluates; this module validates, names the time of evaluation, and puts
answers together.

    >>> segments = SegmentService(open_store(settings), settings)              # doctest: +SKIP
    >>> vip = segments.define_segment("VIP", {"trait": "total_revenue", "gte": 500},
    ...                               purpose="email_marketing")               # doctest: +SKIP
    >>> segments.size(vip.id).size                                              # doctest: +SKIP
    1234
    >>> rows = segments.export_contacts(vip.id, "email")                        # doctest: +SKIP

Every evaluation happens at an `as_of` moment (default: now): event windows and day counts
end there, so a report can be reproduced by passing the same moment again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from datora_graph.config import Settings
from datora_graph.domain.consent import (
    ConsentState,
    ConsentStatement,
    parse_consent,
    parse_purpose,
)
from datora_graph.domain.errors import InvalidInput, LimitExceeded, NotFound, shown
from datora_graph.domain.insights import Insights, SegmentSizeRow, cluster_buckets
from datora_graph.domain.profiles import MAX_PAGE_SIZE
from datora_graph.domain.records import STANDARD_ATTRIBUTES, utc
from datora_graph.domain.segments import (
    Condition,
    MemberPage,
    Segment,
    SegmentContact,
    SegmentQuery,
    SegmentSize,
    new_segment_id,
    parse_definition,
)
from datora_graph.domain.traits import ProfileTraits, compute_traits
from datora_graph.store.base import GraphStore

CONTACT_TYPES = ("email", "phone")
"""Identifier types a segment export delivers: the ones a campaign can reach."""
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000
_UNCHANGED: Any = object()


@dataclass(frozen=True, slots=True)
class SegmentPreview:
    """What a definition would select, before it is saved: its size and a first page."""

    definition: Condition
    size: SegmentSize
    members: MemberPage


class SegmentService:
    """Safe to share between threads: the store serialises its writes."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.registry = settings.identifier_registry()
        self.traits = settings.trait_settings()
        store.configure_traits(self.traits)

    # -- definitions ------------------------------------------------------------------------
    def parse(self, definition: object, field: str = "definition") -> Condition:
        """A definition as parsed JSON → typed conditions; errors name `field` and the path."""
        return parse_definition(definition, self.registry.types, field)

    def define_segment(
        self,
        name: str,
        definition: object,
        description: str = "",
        purpose: str | None = None,
    ) -> Segment:
        now = datetime.now(UTC)
        segment = Segment(
            id=new_segment_id(),
            name=_name(name),
            description=_description(description),
            definition=self.parse(definition),
            purpose=None if purpose is None else parse_purpose(purpose),
            created_at=now,
            updated_at=now,
        )
        self.store.create_segment(segment)
        return segment

    def update_segment(
        self,
        segment_id: str,
        *,
        name: str | None = None,
        definition: object = None,
        description: str | None = None,
        purpose: str | None = _UNCHANGED,
    ) -> Segment:
        """Change what is given; `purpose=None` removes the purpose. The segment is read, then
        written: the store's writer lock keeps another thread or process (`datora serve
        --workers`) from updating it in between and losing one of the two changes."""
        with self.store.writer_lock():
            current = self.get_segment(segment_id)
            segment = Segment(
                id=current.id,
                name=current.name if name is None else _name(name),
                description=current.description
                if description is None
                else _description(description),
                definition=current.definition if definition is None else self.parse(definition),
                purpose=current.purpose
                if purpose is _UNCHANGED
                else (None if purpose is None else parse_purpose(purpose)),
                created_at=current.created_at,
                updated_at=datetime.now(UTC),
            )
            self.store.update_segment(segment)
        return segment

    def delete_segment(self, reference: str) -> str:
        """Delete a segment by ID, or by name (as every other segment call takes it); answers
        its ID."""
        segment_id = self.get_segment(reference).id
        if not self.store.delete_segment(segment_id):
            raise NotFound(f"no segment has the ID or name {reference!r}")
        return segment_id

    def get_segment(self, reference: str) -> Segment:
        """A segment by ID, or by name."""
        found = self.store.get_segments([reference]).get(reference)
        if found is None:
            found = self.store.segment_by_name(reference)
        if found is None:
            raise NotFound(f"no segment has the ID or name {reference!r}")
        return found

    def get_segments(self, ids: Collection[str]) -> dict[str, Segment]:
        return self.store.get_segments(ids)

    def list_segments(self) -> list[Segment]:
        return self.store.list_segments()

    # -- evaluation -------------------------------------------------------------------------
    def query(self, definition: Condition, as_of: datetime | None = None) -> SegmentQuery:
        return SegmentQuery(definition, _as_of(as_of), self.traits)

    def preview(
        self, definition: object, first: int = 10, as_of: datetime | None = None
    ) -> SegmentPreview:
        condition = self.parse(definition)
        query = self.query(condition, as_of)
        size = self.store.segment_sizes([query])[0]
        return SegmentPreview(
            condition, size, self.store.segment_members(query, _page(first), None)
        )

    def size(self, reference: str, as_of: datetime | None = None) -> SegmentSize:
        segment = self.get_segment(reference)
        return self.store.segment_sizes([self.query(segment.definition, as_of)])[0]

    def segment_sizes(
        self, segments: Sequence[Segment] | None = None, as_of: datetime | None = None
    ) -> list[tuple[Segment, SegmentSize]]:
        """The size of every segment (or of the given ones), from one snapshot of the graph."""
        chosen = list(self.list_segments() if segments is None else segments)
        if not chosen:
            return []
        moment = _as_of(as_of)
        sizes = self.store.segment_sizes([self.query(s.definition, moment) for s in chosen])
        return list(zip(chosen, sizes, strict=True))

    def members(
        self,
        reference: str,
        first: int = 50,
        after: str | None = None,
        as_of: datetime | None = None,
    ) -> MemberPage:
        segment = self.get_segment(reference)
        return self.store.segment_members(
            self.query(segment.definition, as_of), _page(first), after
        )

    def segments_of_profiles(
        self,
        profile_ids: Collection[str],
        as_of: datetime | None = None,
        segments: Sequence[Segment] | None = None,
    ) -> dict[str, list[Segment]]:
        """The segments each profile (current IDs) is a member of, in name order; of the
        given `segments` (in name order) when the caller has read them already."""
        by_id = {s.id: s for s in (self.list_segments() if segments is None else segments)}
        moment = _as_of(as_of)
        queries = {sid: self.query(s.definition, moment) for sid, s in by_id.items()}
        found = self.store.segment_memberships(profile_ids, queries)
        return {pid: [by_id[sid] for sid in found.get(pid, [])] for pid in profile_ids}

    def export_contacts(
        self, reference: str, identifier_type: str, as_of: datetime | None = None
    ) -> Iterator[SegmentContact]:
        """The members' contact identifiers of one type, leaving out junk values and, when the
        segment has a purpose, identifiers without consent for it. Validates before it
        returns, so a caller can answer errors before streaming."""
        if identifier_type not in CONTACT_TYPES:
            raise InvalidInput(
                "identifier",
                f"{identifier_type!r} is not a contact type ({', '.join(CONTACT_TYPES)})",
            )
        segment = self.get_segment(reference)
        batches = self.store.iter_segment_contacts(
            self.query(segment.definition, as_of), identifier_type, segment.purpose
        )
        return (contact for batch in batches for contact in batch)

    # -- consent ----------------------------------------------------------------------------
    def record_consent(self, items: Sequence[object], field: str = "consent") -> int:
        """Validate every statement (the first invalid one fails the whole batch, naming its
        field), then record them all; returns how many were given."""
        if len(items) > self.settings.max_batch_items:
            raise LimitExceeded(
                f"{field}: {len(items)} statements is more than the limit of "
                f"{self.settings.max_batch_items} per request (DATORA_MAX_BATCH_ITEMS)"
            )
        statements = self.parse_consent([(f"{field}[{n}]", item) for n, item in enumerate(items)])
        self.store.record_consent(statements)
        return len(statements)

    def parse_consent(self, items: Sequence[tuple[str, object]]) -> list[ConsentStatement]:
        """Validate statements, each named by its own field (`consent[3]`, `line 12`): the
        first invalid one fails, naming its field; nothing is recorded."""
        now = datetime.now(UTC)
        latest = self.settings.latest_accepted_time()
        return [
            parse_consent(item, self.registry, now, field, latest=latest) for field, item in items
        ]

    def record_parsed_consent(self, statements: Sequence[ConsentStatement]) -> int:
        """Record statements `parse_consent` checked, a batch per transaction."""
        size = self.settings.max_batch_items
        for start in range(0, len(statements), size):
            self.store.record_consent(statements[start : start + size])
        return len(statements)

    def consent_of_profiles(self, profile_ids: Collection[str]) -> dict[str, list[ConsentState]]:
        found = self.store.consent_of_profiles(profile_ids)
        return {pid: found.get(pid, []) for pid in profile_ids}

    # -- traits -----------------------------------------------------------------------------
    def traits_of(
        self, profile_ids: Collection[str], as_of: datetime | None = None
    ) -> dict[str, ProfileTraits]:
        """Traits of each profile (current IDs; unknown ones are absent), in one store call."""
        moment = _as_of(as_of)
        facts = self.store.trait_facts(profile_ids)
        return {pid: compute_traits(f, self.traits, moment) for pid, f in facts.items()}

    # -- insights ---------------------------------------------------------------------------
    def insights(self, as_of: datetime | None = None, days: int = 30) -> Insights:
        """The whole report; each part is also a store call of its own for a caller that
        needs only one."""
        if not 1 <= days <= 366:
            raise InvalidInput("days", "must be between 1 and 366")
        moment = _as_of(as_of)
        counts = self.store.graph_counts()
        since = datetime.combine(moment.date() - timedelta(days=days - 1), time(), UTC)
        return Insights(
            as_of=moment,
            currency=self.traits.currency,
            counts=counts,
            cluster_sizes=cluster_buckets(counts.profile_sizes),
            completeness=self.store.attribute_completeness(STANDARD_ATTRIBUTES),
            segments=[
                SegmentSizeRow(s.id, s.name, size.size, size.share)
                for s, size in self.segment_sizes(as_of=moment)
            ],
            revenue=self.store.value_distribution("revenue", moment, self.traits),
            clv=self.store.value_distribution("clv", moment, self.traits),
            events_per_day=self.store.events_per_day(since, moment),
            days=days,
        )


EARLIEST_AS_OF = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_AS_OF = datetime(9000, 1, 1, tzinfo=UTC)
"""The moments segments and reports may be evaluated at: far enough inside the calendar that
a `within_days` window (up to 100 years) or a report's days still fit before it."""


def _as_of(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    refused = InvalidInput(
        "as_of", f"must be between {EARLIEST_AS_OF:%Y-%m-%d} and {LATEST_AS_OF:%Y-%m-%d}"
    )
    try:
        at = utc(moment)
    except OverflowError:  # its offset moves it out of the calendar
        raise refused from None
    if not EARLIEST_AS_OF <= at <= LATEST_AS_OF:
        raise refused
    return at


def _page(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidInput("first", f"must be between 1 and {MAX_PAGE_SIZE}")
    return first


def _name(raw: object) -> str:
    """A segment's name as shown in reports, exports and the terminal: no control
    characters (a NUL or a line break in a name would break a table or a file name)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw.strip()) > MAX_NAME_LENGTH:
        raise InvalidInput("name", f"must be 1-{MAX_NAME_LENGTH} characters, not blank")
    if _CONTROL.search(raw.strip()):
        raise InvalidInput("name", f"must not hold control characters, got {shown(raw)}")
    return raw.strip()


def _description(raw: object) -> str:
    if not isinstance(raw, str) or len(raw) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput("description", f"must be text of at most {MAX_DESCRIPTION_LENGTH}")
    if _CONTROL_IN_TEXT.search(raw):
        raise InvalidInput(
            "description", "must not hold control characters other than line breaks and tabs"
        )
    return raw.strip()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL."""
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""The same but for tab, line feed and carriage return, which a description may hold."""
