"""Erasure on Neo4j: a mixin of `Neo4jStore` removing a person in one write transaction (see
domain/erasure.py for what goes and what stays).

The steps and counts are those of SQLite's `sqlite_erasure.erase_in`, in the same order, each
an `erase_*` statement of `cypher/`. What SQLite keeps in tables of its own lives on nodes
here and goes with them: an identifier's guard state on its `:Identifier`, a review item's
resolution on its `:ReviewItem`, the profile's activity sums (`act_*`) on its `:Profile`, the
log index's rows (`neo4j_log_index.py`) on the erased keys' `:LogKey` nodes, which go.
Cypher cannot edit an event's identifier JSON, so the events carrying an erased key are read
in the transaction and their new identifier lists computed here. The records that went are
remembered as `:ErasedRecord {fingerprint}` nodes (`erased_records`), which ingest asks about.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from functools import partial
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from datora_graph.domain.cannot_links import ERASED_CONSTRAINT_REASON
from datora_graph.domain.erasure import (
    ErasedRecord,
    Erasure,
    ErasureCounts,
    erased_fingerprint,
    erased_records,
    redact_events,
)
from datora_graph.domain.erasure_decisions import REDACTED_REASON
from datora_graph.domain.mentions import (
    MENTION_PAGE_ROWS,
    Candidate,
    MentionPage,
    filtered_candidates,
    find_mentions,
)
from datora_graph.domain.records import KEPT_QUARANTINE_REASON, RecordKind
from datora_graph.store.access_rows import audit_row
from datora_graph.store.neo4j_access import write_audit
from datora_graph.store.neo4j_connection import Neo4jConnection
from datora_graph.store.neo4j_cypher import CYPHER
from datora_graph.store.neo4j_rows import Row, chunked, unwind
from datora_graph.store.steward_rows import decision_body, decision_from_row

ROWS_PER_STATEMENT = 10_000


class Neo4jErasure:
    """The privacy part of `Neo4jStore`; see store/base.py for what `erase` promises."""

    _neo4j: Neo4jConnection

    def erase(self, erasure: Erasure) -> ErasureCounts:
        with self._neo4j.writing():
            # One transaction over every link of the person's identifiers, which may be
            # many (a shared one): bounded by the lock's timeout, as a batch is.
            return self._neo4j.execute_bulk_write(lambda tx: erase_in(tx, erasure))

    def erased_ids(self, kind: RecordKind, ids: Collection[str]) -> set[str]:
        by_fingerprint = {erased_fingerprint(kind, i): i for i in ids}
        if not by_fingerprint:
            return set()
        wanted = sorted(by_fingerprint)

        def work(tx: ManagedTransaction) -> set[str]:
            found: set[str] = set()
            for chunk in chunked(wanted, ROWS_PER_STATEMENT):
                result = tx.run(CYPHER.erased_fingerprints, {"fingerprints": list(chunk)})
                found.update(by_fingerprint[str(r["fingerprint"])] for r in result)
            return found

        return self._neo4j.execute_read(work)

    def iter_erased_records(self, batch_size: int = 1000) -> Iterator[list[ErasedRecord]]:
        after = ""
        while True:
            found = self._neo4j.execute_read(partial(_erased_page, after=after, limit=batch_size))
            if not found:
                return
            yield found
            after = found[-1].fingerprint

    def records_mentioning(
        self, values: Collection[str], limit: int, page_rows: int = MENTION_PAGE_ROWS
    ) -> MentionPage:
        def candidates(terms: list[str]) -> Iterator[Candidate]:
            pages = partial(self._mention_pages, rows=page_rows)
            observations = pages(CYPHER.observation_mention_page, "seq", 0)
            events = pages(CYPHER.event_mention_page, "id", "")
            decisions = pages(CYPHER.decision_mention_page, "seq", 0)
            return filtered_candidates(
                terms,
                ((str(r["id"]), str(r["payload"])) for r in observations),
                ((str(r["id"]), str(r["properties"])) for r in events),
                (
                    decision_from_row(r["id"], r["kind"], r["seq"], r["body"], r["undone_by"])
                    for r in decisions
                ),
            )

        return find_mentions(values, limit, candidates)

    def _mention_pages(
        self, statement: LiteralString, key: str, after: object, *, rows: int
    ) -> Iterator[Row]:
        """Every row of `statement` (`cypher/*_mention_page.cypher`, ordered by `key`, which
        it reads past `after`), `rows` at a time, each page a read of its own."""
        while True:
            params = {"after": after, "rows": rows}
            page = self._neo4j.execute_read(partial(_rows, statement, params))
            yield from page
            if len(page) < rows:
                return
            after = page[-1][key]

    def add_erased_records(self, records: Sequence[ErasedRecord]) -> None:
        self._neo4j.execute_write(lambda tx: _write_erased(tx, records))


def _rows(statement: LiteralString, params: Row, tx: ManagedTransaction) -> list[Row]:
    return [dict(r) for r in tx.run(statement, params)]


def erase_in(tx: ManagedTransaction, erasure: Erasure) -> ErasureCounts:
    """Apply `erasure` inside the caller's transaction (a retried transaction runs it again
    from the start, so it keeps no state outside `tx`)."""
    keys = sorted(set(erasure.keys))
    deleted = list(dict.fromkeys(r.seq for r in erasure.log if r.payload is None))
    rewritten = [{"seq": r.seq, "payload": r.payload} for r in erasure.log if r.payload is not None]
    tx.run(CYPHER.erase_keep_log_end).consume()
    observations_removed = _count(tx, CYPHER.erase_delete_observations, "seqs", deleted)
    unwind(tx, CYPHER.erase_rewrite_observations, "rows", rewritten)
    unwind(tx, CYPHER.erase_log_keys, "keys", keys)
    events_removed, events_rewritten = _erase_events(tx, keys)
    _write_erased(tx, erased_records(erasure, events_removed))
    unwind(tx, CYPHER.erase_key_activity, "keys", keys)
    consent = _count(tx, CYPHER.erase_consent_statements, "keys", keys)
    unwind(tx, CYPHER.erase_consent, "keys", keys)
    evidence = _count(tx, CYPHER.erase_evidence, "keys", keys)
    review_items = _count(tx, CYPHER.erase_review_items, "keys", keys)
    requarantined = {"keys": list(erasure.requarantined), "reason": KEPT_QUARANTINE_REASON}
    tx.run(CYPHER.erase_requarantine, requarantined).consume()
    requoted: list[Row] = [
        {
            "id": r.item_id,
            "reason": r.reason,
            "suggested_action": r.suggested_action,
            "guard": r.guard,
        }
        for r in erasure.review_rewrites
    ]
    unwind(tx, CYPHER.erase_requote_review_items, "rows", requoted)
    # The items of others the person's constraints held name none, as after a replay.
    unhold = {"keys": keys, "reason": ERASED_CONSTRAINT_REASON}
    tx.run(CYPHER.erase_unhold_review_items, unhold).consume()
    unwind(tx, CYPHER.erase_cannot_links, "keys", keys)
    unwind(tx, CYPHER.erase_must_links, "keys", keys)
    quotes = _replace_quotes(tx, erasure)
    decision_ids = list(dict.fromkeys(erasure.decisions))
    decisions = _count(tx, CYPHER.erase_decisions, "ids", decision_ids)
    bodies: list[Row] = [
        {"id": d.id, "body": decision_body(d, d.created)} for d in erasure.redacted_decisions
    ]
    redacted = _count(tx, CYPHER.erase_redact_decisions, "rows", bodies, "redacted")
    tx.run(CYPHER.erase_merges, {"profile_id": erasure.profile_id}).consume()
    notes = list(erasure.note_reasons)
    whole = {"reason": REDACTED_REASON}
    quotes += _count(tx, CYPHER.erase_merge_reasons, "decision_ids", notes, "replaced", whole)
    identifiers = _count(tx, CYPHER.erase_identifiers, "keys", keys)
    tx.run(CYPHER.erase_profile, {"profile_id": erasure.profile_id}).consume()
    rejections = _count(tx, CYPHER.erase_rejections, "seqs", list(erasure.rejections))
    redacted_reasons = {"ids": list(erasure.audit_reasons), "reason": REDACTED_REASON}
    tx.run(CYPHER.erase_audit_reasons, redacted_reasons).consume()
    unnamed: list[Row] = [
        {k: v for k, v in audit_row(e).items() if k in ("id", "subject", "details")}
        for e in erasure.merge_entries
    ]
    unwind(tx, CYPHER.erase_unname_audit_entries, "rows", unnamed)
    answers: list[Row] = [{"id": i, "named": n} for i, n in erasure.unnamed_answers]
    unwind(tx, CYPHER.erase_unname_answering_records, "rows", answers)
    counts = ErasureCounts(
        identifiers=identifiers,
        observations_removed=observations_removed,
        observations_rewritten=len(rewritten),
        events_removed=len(events_removed),
        events_rewritten=events_rewritten,
        consent_statements=consent,
        review_items=review_items,
        evidence=evidence,
        decisions=decisions,
        decisions_redacted=redacted,
        quotes_replaced=quotes,
        rejections=rejections,
    )
    # The entry keeps every count the privacy officer is told.
    write_audit(tx, [erasure.entry(counts)])
    return counts


def _replace_quotes(tx: ManagedTransaction, erasure: Erasure) -> int:
    """Replace the reason quoting the person in the cannot-links, must-links and review
    resolutions of the quoting decisions, after the person's own constraints went; answers
    how many (the merge notes come after `erase_merges`, and are counted there)."""
    constraints: list[Row] = [{"id": i, "reason": r} for i, r in erasure.cannot_link_reasons]
    replaced = _count(tx, CYPHER.erase_cannot_link_reasons, "rows", constraints, "replaced")
    must = list(erasure.must_link_reasons)
    whole = {"reason": REDACTED_REASON}
    replaced += _count(tx, CYPHER.erase_must_link_reasons, "ids", must, "replaced", whole)
    if erasure.resolution_reasons:  # else no need to read every resolved item
        texts = [{"text": t, "reason": r} for t, r in erasure.resolution_reasons]
        record = tx.run(CYPHER.erase_resolution_reasons, {"rows": texts}).single()
        replaced += 0 if record is None else int(record["replaced"])
    return replaced


def _erase_events(tx: ManagedTransaction, keys: list[str]) -> tuple[list[str], int]:
    """Events credited to an erased identifier (their first) go; the others lose the erased
    identifiers and stay credited to the identifier they were credited to. Then the erased
    keys' `:EventKey` nodes go: no event carries them any more. Answers the IDs of the events
    that went and how many were rewritten."""
    stored: dict[str, str] = {}
    for chunk in chunked(keys, ROWS_PER_STATEMENT):
        for record in tx.run(CYPHER.erase_events_of_keys, {"keys": list(chunk)}):
            stored[str(record["id"])] = str(record["identifiers"])
    removed, rewrites = redact_events(stored.items(), set(keys))
    rows: list[Row] = [
        {"id": r.event_id, "identifiers": r.identifiers, "gone": list(r.gone)} for r in rewrites
    ]
    unwind(tx, CYPHER.erase_delete_events, "ids", removed)
    unwind(tx, CYPHER.erase_rewrite_events, "rows", rows)
    unwind(tx, CYPHER.erase_event_keys, "keys", keys)
    return removed, len(rows)


def _erased_page(tx: ManagedTransaction, after: str, limit: int) -> list[ErasedRecord]:
    params = {"after": after, "limit": limit}
    return [
        ErasedRecord(str(r["fingerprint"]), r["kind"], str(r["erased_at"]), str(r["audit_id"]))
        for r in tx.run(CYPHER.erased_records_page, params)
    ]


def _write_erased(tx: ManagedTransaction, records: Sequence[ErasedRecord]) -> None:
    rows: list[Row] = [
        {
            "fingerprint": r.fingerprint,
            "kind": r.kind,
            "erased_at": r.erased_at,
            "audit_id": r.audit_id,
        }
        for r in records
    ]
    unwind(tx, CYPHER.insert_erased_records, "rows", rows)


def _count(
    tx: ManagedTransaction,
    statement: LiteralString,
    name: str,
    items: list[Any],
    column: str = "removed",
    params: Row | None = None,
) -> int:
    """Like `unwind`, for a statement answering how many it changed in `column`: the sum over
    the chunks. `params`: the statement's other parameters, the same for every chunk."""
    total = 0
    for chunk in chunked(items, ROWS_PER_STATEMENT):
        record = tx.run(statement, {**(params or {}), name: list(chunk)}).single()
        total += 0 if record is None else int(record[column])
    return total
