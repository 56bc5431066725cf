"""Segments, consent, traits and insights on Neo4j: a mixin of `Neo4jStore`.

Segment definitions are `:Segment` nodes (definition as JSON); consent statements are kept
once as `:ConsentStatement` nodes and the consent in force is one `:Consent` node per
identifier key and purpose, joined to identifiers by key (consent may arrive before its
identifier). Segments are evaluated by the statements of `neo4j_segment_compiler`, in Cypher,
never profile by profile. Trait and event conditions read the activity aggregates of
`neo4j_activity`, which must fold in the trait settings of the query: each evaluation
configures them first, as the SQLite store does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, LiteralString

from neo4j import ManagedTransaction, Record
from neo4j.exceptions import ConstraintError

from datora_graph.domain.consent import ConsentState, ConsentStatement, current_consent
from datora_graph.domain.errors import Conflict, InvalidInput, NotFound
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.insights import GraphCounts
from datora_graph.domain.records import iso
from datora_graph.domain.segments import (
    MemberPage,
    Segment,
    SegmentContact,
    SegmentQuery,
    SegmentSize,
)
from datora_graph.store import neo4j_segment_compiler as compiler
from datora_graph.store.neo4j_activity import Neo4jActivity
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_segment_compiler import SegmentCompiler, fill
from datora_graph.store.segment_rows import (
    member_cursor,
    member_page,
    segment_from_row,
    segment_row,
)

ROWS_PER_STATEMENT = 10_000


class Neo4jSegments(Neo4jActivity):
    """The segment half of `Neo4jStore`; see store/base.py for what each method promises."""

    _neo4j: Neo4jConnection

    # -- segment definitions ----------------------------------------------------------------
    def create_segment(self, segment: Segment) -> None:
        row = segment_row(segment)
        try:
            self._neo4j.execute_write(_consume(CYPHER.insert_segment, row=row))
        except ConstraintError:
            raise Conflict(f"a segment named {segment.name!r} already exists") from None

    def update_segment(self, segment: Segment) -> None:
        row = segment_row(segment)
        try:
            record = self._neo4j.execute_write(
                lambda tx: tx.run(CYPHER.update_segment, {"row": row}).single()
            )
        except ConstraintError:
            raise Conflict(f"another segment is named {segment.name!r}") from None
        if record is None or not record["updated"]:
            raise NotFound(f"no segment has the ID {segment.id!r}")

    def delete_segment(self, segment_id: str) -> bool:
        record = self._neo4j.execute_write(
            lambda tx: tx.run(CYPHER.delete_segment, {"id": segment_id}).single()
        )
        return record is not None and bool(record["deleted"])

    def get_segments(self, ids: Collection[str]) -> dict[str, Segment]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        found = self._records(CYPHER.get_segments, ids=wanted)
        return {record["id"]: segment_from_row(record.data()) for record in found}

    def segment_by_name(self, name: str) -> Segment | None:
        found = self._records(CYPHER.segment_by_name, name=name)
        return segment_from_row(found[0].data()) if found else None

    def list_segments(self) -> list[Segment]:
        return [segment_from_row(record.data()) for record in self._records(CYPHER.list_segments)]

    # -- segment evaluation -----------------------------------------------------------------
    def segment_sizes(self, queries: Sequence[SegmentQuery]) -> list[SegmentSize]:
        if not queries:
            return []
        _check_shared(queries)
        compiled = _compiler("segment_sizes", queries[0])
        self.configure_traits(queries[0].traits)
        sizes = compiled.sizes([query.definition for query in queries])
        statement = fill(CYPHER.segment_sizes, compiler.SIZES, sizes)
        found = self._records(statement, **compiled.params)
        people = int(found[0]["people"])
        return [SegmentSize(int(size), people) for size in found[0]["sizes"]]

    def segment_members(self, query: SegmentQuery, first: int, after: str | None) -> MemberPage:
        compiled = _compiler("segment_members", query)
        self.configure_traits(query.traits)
        statement = fill(
            CYPHER.segment_page, compiler.CONDITION, compiled.condition(query.definition)
        )
        params = {**compiled.params, "after": member_cursor(after), "limit": first + 1}
        ids = [str(record["id"]) for record in self._records(statement, **params)]
        return member_page(ids, first)

    def segment_memberships(
        self, profile_ids: Collection[str], queries: Mapping[str, SegmentQuery]
    ) -> dict[str, list[str]]:
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted or not queries:
            return {}
        shared = list(queries.values())
        _check_shared(shared)
        compiled = _compiler("segment_memberships", shared[0])
        self.configure_traits(shared[0].traits)
        matches = compiled.matches([query.definition for query in queries.values()])
        statement = fill(CYPHER.segment_memberships, compiler.MATCHES, matches)
        names = list(queries)
        found: dict[str, list[str]] = {}
        for start in range(0, len(wanted), ROWS_PER_STATEMENT):
            chunk = wanted[start : start + ROWS_PER_STATEMENT]
            for record in self._records(statement, profile_ids=chunk, **compiled.params):
                hits = record["matches"]
                found[record["id"]] = [names[n] for n, hit in enumerate(hits) if hit]
        return found

    def iter_segment_contacts(
        self,
        query: SegmentQuery,
        identifier_type: str,
        purpose: str | None,
        batch_size: int = 1000,
    ) -> Iterator[list[SegmentContact]]:
        """Read in one managed read transaction (one consistent snapshot) before this
        returns, then handed out in batches: the contacts of a segment are held in memory."""
        compiled = _compiler("iter_segment_contacts", query)
        self.configure_traits(query.traits)
        statement = fill(
            CYPHER.segment_contacts, compiler.CONDITION, compiled.condition(query.definition)
        )
        params = {**compiled.params, "contact_type": identifier_type, "purpose": purpose}
        contacts = [
            SegmentContact(r["profile_id"], Identifier(r["type"], r["value"]))
            for r in self._records(statement, **params)
        ]
        return _batches(contacts, max(1, batch_size))

    # -- consent ----------------------------------------------------------------------------
    def record_consent(self, statements: Sequence[ConsentStatement]) -> None:
        if not statements:
            return
        recorded = iso(datetime.now(UTC))
        # Not marked in the commit guard: no guarded read reads consent, and this runs beside
        # the writer lock, where its mark could end a batch's (neo4j_connection).
        self._neo4j.execute_write(lambda tx: write_consent(tx, statements, recorded))

    def consent_of_identifiers(self, keys: Collection[str]) -> dict[str, list[ConsentState]]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        found: dict[str, list[ConsentState]] = defaultdict(list)
        for record in self._records(CYPHER.consent_of_identifiers, keys=wanted):
            found[record["key"]].append(_consent_state(record))
        return dict(found)

    def consent_of_profiles(self, profile_ids: Collection[str]) -> dict[str, list[ConsentState]]:
        wanted = list(dict.fromkeys(profile_ids))
        if not wanted:
            return {}
        found: dict[str, list[ConsentState]] = defaultdict(list)
        for record in self._records(CYPHER.consent_of_profiles, ids=wanted):
            found[record["profile_id"]].append(_consent_state(record))
        return dict(found)

    # -- insights ---------------------------------------------------------------------------
    def graph_counts(self) -> GraphCounts:
        record = self._neo4j.guarded_read(lambda tx: tx.run(CYPHER.graph_counts).single())
        assert record is not None, "a statement of aggregations always answers with one row"
        by_type = {str(t): int(n) for t, n in sorted(record["identifiers_by_type"])}
        sizes = {int(s): int(n) for s, n in sorted(record["profile_sizes"])}
        return GraphCounts(
            profiles=int(record["profiles"]),
            people=int(record["people"]),
            identifiers=sum(by_type.values()),
            identifiers_by_type=by_type,
            merges=int(record["merges"]),
            held_links=int(record["held_links"]),
            open_review_items=int(record["open_review_items"]),
            profile_sizes=sizes,
        )

    # -- helpers ----------------------------------------------------------------------------
    def _records(self, statement: LiteralString, **params: Any) -> list[Record]:
        return self._neo4j.execute_read(lambda tx: list(tx.run(statement, params)))


def _compiler(method: str, query: SegmentQuery) -> SegmentCompiler:
    return SegmentCompiler(method, query.as_of, query.traits)


def _consume(statement: LiteralString, **params: Any) -> Any:
    def work(tx: ManagedTransaction) -> None:
        tx.run(statement, params).consume()

    return work


def _check_shared(queries: Sequence[SegmentQuery]) -> None:
    """The same rule as the SQLite store: queries evaluated together share time and settings."""
    if not queries:
        raise InvalidInput("segments", "no segment to evaluate")
    first = queries[0]
    for query in queries:
        if query.as_of != first.as_of or query.traits != first.traits:
            raise InvalidInput("as_of", "segments evaluated together share one time and settings")


def _batches(contacts: list[SegmentContact], size: int) -> Iterator[list[SegmentContact]]:
    for start in range(0, len(contacts), size):
        yield contacts[start : start + size]


def write_consent(
    tx: ManagedTransaction, statements: Sequence[ConsentStatement], recorded_at: str
) -> None:
    """Record consent statements inside the caller's transaction: `record_consent`, and the
    commit of a changeset for the consent its observations carried."""
    rows = [{**_consent_row(s), "recorded_at": recorded_at} for s in statements]
    # One deciding row per key and purpose, so the conditional update never races a
    # sibling row of its own statement.
    deciding = [
        {**_consent_row(state), "source_key": code_point_key(state.source)}
        for state in current_consent(statements).values()
    ]
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        tx.run(CYPHER.record_consent, {"rows": chunk}).consume()
    for start in range(0, len(deciding), ROWS_PER_STATEMENT):
        chunk = deciding[start : start + ROWS_PER_STATEMENT]
        tx.run(CYPHER.upsert_consent, {"rows": chunk}).consume()


def _consent_row(consent: ConsentStatement | ConsentState) -> dict[str, object]:
    return {
        "key": consent.identifier.key,
        "purpose": consent.purpose,
        "granted": consent.granted,
        "stated_at": iso(consent.stated_at),
        "source": consent.source,
    }


def code_point_key(text: str) -> str:
    """`text` as hex digits of its UTF-32 code points: ASCII whose order is the code-point
    order of `text` (Python's), whatever order the server gives text itself."""
    return text.encode("utf-32-be", "surrogatepass").hex()


def _consent_state(record: Record) -> ConsentState:
    return ConsentState(
        Identifier.from_key(record["key"]),
        record["purpose"],
        "granted" if record["granted"] else "withdrawn",
        datetime.fromisoformat(record["stated_at"]),
        record["source"],
    )
