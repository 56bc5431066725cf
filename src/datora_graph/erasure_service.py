"""A privacy officer's use case: erase a person, for good, and say what went.

    report = ErasureService(identity).erase_profile("email:ann@acme.io",
                                                    reason="GDPR request 2026-114", actor="dpo")

The profile is found by its ID, an alias or any identifier. Under the identity service's
write lock (no ingest interleaves), the observations that carried the person are found through
the log index (log_index.py; caught up with `progress` before the lock is taken, so ingest is
held back only for what arrives meanwhile), the steward decisions naming them are redacted or,
with nothing left to apply, deleted (domain/erasure_decisions.py), and the store removes
everything in one transaction with the audit entry (see domain/erasure.py). The entry
names the profile IDs and the counts, never an identifier: the audit log outlives the person.

A junk value's profile (`test@test.com`) is nobody's, and erasing it would rewrite the records
of everyone who typed it: it is refused. Shared identifiers quarantined in the person's profile
(a family email, a shop kiosk) go with the person, and the records of others that carried them
lose them: the erasure errs on the side of the person asking.

After the erasure's transaction, outside the lock, the records of others that still mention
one of the person's identifier values in a free field (an attribute, an event property) are
looked up and reported (domain/mentions.py), not rewritten: they are someone else's data, and
a person decides. The audit entry gets their count, never the values; until then it says the
search is pending (`mentions_search`), from the erasure's own transaction on, so an entry
whose count a stopped process never wrote says so. The caller tells the person of them: the
CLI in a table on stderr, the server in its log (`ErasureReport.mentions_warning`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace

from datora_graph.domain.audit import AuditEntry, AuditFilter, new_audit_entry
from datora_graph.domain.cannot_links import ERASED_CONSTRAINT_REASON, held_by_constraint
from datora_graph.domain.erasure import (
    Erasure,
    ErasureCounts,
    LogRedaction,
    ReviewRewrite,
    mark_name_checked,
    mark_quarantined,
    mentions_any,
    raw_key,
    redacted_text,
    requote,
    unnamed_merge_entry,
)
from datora_graph.domain.erasure_decisions import redact_decision, taken_out
from datora_graph.domain.errors import InvalidInput, StoreUnavailable
from datora_graph.domain.kept_holds import HELD_GUARDS, KeptHold, joined_live, mark_held
from datora_graph.domain.mentions import (
    MentionPage,
    counted_mentions,
    failed_mentions,
    pending_mentions,
)
from datora_graph.domain.profiles import MAX_PAGE_SIZE, RejectionFilter, ReviewItem
from datora_graph.domain.steward import Decision
from datora_graph.erasure_answers import with_kept_answers, without_erased_answers
from datora_graph.erasure_links import ReachedRecord, reached_records, with_kept_links
from datora_graph.erasure_merges import with_kept_merges, without_erased_notes
from datora_graph.log_index import LogIndex, Progress
from datora_graph.services import IdentityService, guard_positions
from datora_graph.steward_changes import review_items_touching
from datora_graph.steward_replay import log_position_of, merged_back, replayed
from datora_graph.steward_service import StewardService
from datora_graph.steward_split_pairs import merged_back_constraints, with_kept_pairs

logger = logging.getLogger(__name__)


NO_MENTIONS = MentionPage()


@dataclass(frozen=True, slots=True)
class ErasureReport:
    profile_id: str
    aliases: tuple[str, ...]
    audit_id: str
    counts: ErasureCounts
    mentions: MentionPage = NO_MENTIONS
    """The records of others whose free fields still mention an erased value (the first
    `MENTIONS_LISTED`, and the total): named by kind, ID and field, never by the value."""

    def mentions_warning(self) -> str:
        """What the server logs of `mentions` ('' when there are none); the CLI shows them as
        a table instead. The erasure does not log it itself: without logging set up (the CLI)
        Python would print the line above the table, telling the person twice."""
        if not self.mentions.total:
            return ""
        records = "1 record" if self.mentions.total == 1 else f"{self.mentions.total} records"
        return (
            f"erased profile {self.profile_id}: {records} of others still mention an erased "
            "value in a free field (named in the erasure's response, under mentions)"
        )


MENTIONS_LISTED = 100
"""How many records mentioning an erased value a report lists; the total is always given."""


class ErasureService:
    """Erasure over the identity service's store, registry and write lock."""

    def __init__(self, identity: IdentityService) -> None:
        self.identity = identity
        self.store = identity.store
        self.registry = identity.registry
        self.stewards = StewardService(identity)

    def erase_profile(
        self, reference: str, *, reason: str, actor: str, progress: Progress | None = None
    ) -> ErasureReport:
        """Erase the profile `reference` names (ID, alias or `type:value`); NotFound when none
        does, InvalidInput naming `reason` when it is blank."""
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput("reason", "is required: say why, for the audit log")
        LogIndex(self.store, self.registry).catch_up(progress)
        with self.identity._write_lock:
            profile = self.identity.lookup(reference)
            if profile.junk:
                raise InvalidInput(
                    "profile",
                    f"{profile.id} holds only a junk value, which is nobody's data; there is "
                    "no person to erase",
                )
            keys = tuple(sorted(i.identifier.key for i in profile.identifiers))
            if mentions_any(reason, keys):
                raise InvalidInput(
                    "reason",
                    "quotes one of the person's identifiers, and the audit log keeps the "
                    "reason after the person is gone: say why without it (a request number)",
                )
            # The person's logged records, read once: rewritten, and their values looked for.
            entries = list(LogIndex(self.store, self.registry).observations_with(set(keys)))
            redactions, requarantined = self._redactions(set(keys), entries)
            own = {r.seq for r in redactions}
            # Read once: the person's company, the holds' ends and the redactions need them.
            decisions = tuple(self.stewards.all_decisions())
            linked = self._linked(profile.id, set(keys), redactions, decisions)
            pinned, marked = self._pinned_quarantines(linked, redactions)
            redactions.extend(marked)
            redactions = self._kept_holds(linked, set(keys), redactions, decisions)
            reached = reached_records(
                LogIndex(self.store, self.registry), self.registry, keys, linked, own
            )
            others = [record for record in reached if not record.own]
            redactions, checked = self._kept_name_checks(others, redactions)
            redactions = with_kept_links(self.store, self.registry, reached, redactions, decisions)
            redactions = with_kept_answers(self.store, self.registry, keys, reached, redactions)
            redactions = without_erased_answers(self.store, self.registry, keys, redactions)
            # Their reasons may quote the person's first name too (a name conflict).
            requarantined = tuple(sorted({*requarantined, *pinned, *checked}))
            log = tuple(redactions)
            rejections = tuple(self._rejections_mentioning(keys))
            # Pending from the erasure's own transaction on: an entry never counted says so.
            audit = new_audit_entry(
                actor,
                "erasure",
                reason,
                before=(profile.id, *profile.aliases),
                after=(),
                subject=profile.id,
                details=pending_mentions(),
            )
            gone = (profile.id, *profile.aliases)
            deleted, redacted, quoting = self._decisions(keys, audit.id, decisions, gone)
            # The store adds what it removed and rewrote to the entry (`Erasure.entry`).
            erasure = Erasure(
                profile.id,
                keys,
                log,
                deleted,
                audit,
                rejections,
                redacted,
                requarantined,
                tuple(self._review_rewrites(requarantined, set(keys))),
                tuple(self._audit_entries_of(quoting)),
                tuple(self._merge_entries_of(log)),
            )
            values = self._erased_values(keys, entries)
            counts = self.store.erase(erasure)
        logger.info("erased profile %s for %s: %s", profile.id, actor, counts.to_dict())
        # A read after the write: the scan of the log does not hold back ingest.
        entry = erasure.entry(counts)
        try:
            mentions = self.store.records_mentioning(values, MENTIONS_LISTED)
            self.store.set_audit_details(audit.id, {**entry.details, **counted_mentions(mentions)})
        except StoreUnavailable as failed:
            with suppress(StoreUnavailable):  # else it stays pending, which is as true
                self.store.set_audit_details(audit.id, {**entry.details, **failed_mentions()})
            raise StoreUnavailable(
                f"profile {profile.id} is erased (audit entry {audit.id}), but looking for the "
                f"records of others that still mention its values failed: {failed}"
            ) from failed
        return ErasureReport(profile.id, tuple(profile.aliases), audit.id, counts, mentions)

    def _erased_values(self, keys: Collection[str], entries: Sequence[tuple[int, str]]) -> set[str]:
        """The erased identifiers' values: normalised (the part of each key after `type:`)
        and as the person's logged records (`entries`, as read before the erasure rewrites
        them) carried them (`Ann@Acme.io`, `(415) 555-0101`)."""
        values = {key.partition(":")[2] for key in keys}
        for _, payload in entries:
            for raw in json.loads(payload).get("identifiers", ()):
                if raw_key(raw, self.registry)[0] in keys:
                    values.add(str(raw["value"]))
        return values

    def _redactions(
        self, keys: set[str], entries: Sequence[tuple[int, str]]
    ) -> tuple[list[LogRedaction], tuple[str, ...]]:
        """The logged records carrying the person (`entries`), as they are to be kept, and the
        others' identifiers that one of the rewritten records quarantined
        (`Erasure.requarantined`)."""
        carried = {
            key
            for _, payload in entries
            for raw in json.loads(payload).get("identifiers", ())
            if (key := raw_key(raw, self.registry)[0]) is not None
        }
        # Where the engine anchored each record's attributes depends on the quarantine.
        guards = guard_positions(self.store, carried)
        quarantined = guards.quarantined
        found: list[LogRedaction] = []
        for seq, payload in entries:
            redacted = redacted_text(
                payload, keys, self.registry, quarantined, seq, guards.joined, guards.at_links
            )
            if redacted != payload:
                found.append(LogRedaction(seq, redacted, str(json.loads(payload)["id"])))
        rewritten = {r.seq for r in found if r.payload is not None}
        requarantined = tuple(
            sorted(k for k, at in quarantined.items() if at in rewritten and k not in keys)
        )
        return found, requarantined

    def _linked(
        self,
        profile_id: str,
        keys: set[str],
        redactions: Sequence[LogRedaction],
        decisions: Sequence[Decision],
    ) -> set[str]:
        """The others' identifiers linked to the person, whose guards the person's identifiers
        may have made refuse a link: one link away from the person's profile, or from a
        profile the person was in once (`_company`), since a split may have cut them off
        from the person and the link such a guard holds goes from that profile."""
        evidence = self.store.profile_slice([profile_id]).evidence
        neighbours = {e.b if e.a in keys else e.a for e in evidence}
        return (self._company(keys, redactions, decisions) | neighbours) - keys

    def _pinned_quarantines(
        self, linked: set[str], redactions: Sequence[LogRedaction]
    ) -> tuple[list[str], list[LogRedaction]]:
        """The records of others that quarantined an identifier `linked` to the person (a
        phone held by the CRM limit because its profile held the person's CRM number), marked
        as the rewritten ones are, each with every such identifier it quarantined (a record
        can hold two of them at its links): in a replay the person's identifier is not there
        to make it so. Those the erasure rewrites carry their marks. Answers the identifiers
        marked and the marked records."""
        rewritten = {r.seq for r in redactions}
        guards = guard_positions(self.store, linked)
        quarantined_at: dict[int, list[str]] = {}
        for key, seq in guards.quarantined.items():
            if seq > 0 and seq not in rewritten:
                quarantined_at.setdefault(seq, []).append(key)
        pinned: list[str] = []
        marked: list[LogRedaction] = []
        for seq in sorted(quarantined_at):
            entries = self.store.read_log(seq - 1, 1)
            if not entries or entries[0][0] != seq:
                continue
            payload = entries[0][1]
            for key in sorted(quarantined_at[seq]):
                at_link = key in guards.at_links
                if (kept := mark_quarantined(payload, key, self.registry, at_link)) is not None:
                    payload = kept
                    pinned.append(key)
            if payload != entries[0][1]:
                marked.append(LogRedaction(seq, payload, str(json.loads(payload)["id"])))
        return pinned, marked

    def _kept_holds(
        self,
        linked: set[str],
        keys: set[str],
        redactions: Sequence[LogRedaction],
        decisions: Sequence[Decision],
    ) -> list[LogRedaction]:
        """`redactions` with every record that held a link to a `linked` identifier by a limit,
        the size bound or a cannot-link from the person marked with it (`mark_held`): the
        person's identifiers may be what the guard counted, and a replay must hold it all the
        same. Marked: the records that carry both ends, from the one that opened its review
        item to the end of its span (`_span_end`), each with whether its link counted a hub
        join live (`joined_live`): another guard may have refused it there."""
        marked = {r.seq: r for r in redactions}
        holds = list(self._holds_near(linked, keys, decisions))
        limited = set(self.registry.limits())
        merged = merged_back(decisions)
        applied = [d for d in decisions if replayed(d, merged)]  # read once for every hold
        ends = {k for hold, _ in holds for k in (hold.a, hold.b)}
        joins, kept = (
            guard_positions(self.store, ends).joined,
            self.identity.settings.hub_max_profiles,
        )
        for hold, item in holds:
            opened: int | None = None
            until: int | None = None
            counted = _counted(hold, limited, keys)
            for seq, payload in LogIndex(self.store, self.registry).observations_with({hold.a}):
                observation_id = str(json.loads(payload)["id"])
                if opened is None and observation_id == item.observation_id:
                    opened, until = seq, self._span_end(item, applied, hold, seq, counted)
                known = marked.get(seq, LogRedaction(seq, payload, observation_id))
                if opened is None or known.payload is None:
                    continue  # earlier records did not hold it; a removed one holds nothing
                if until is not None and seq > until:
                    break
                joined = joined_live(seq, [joins.get(k, ()) for k in (hold.a, hold.b)], kept)
                held = mark_held(known.payload, replace(hold, joined=joined), self.registry)
                if held is not None:
                    marked[seq] = replace(known, payload=held)
        return list(marked.values())

    def _span_end(
        self,
        item: ReviewItem,
        applied: Sequence[Decision],
        hold: KeptHold,
        opened: int,
        counted: Callable[[str], bool],
    ) -> int | None:
        """The log position of the last record that may have held `item`'s link live, the
        item opened at log position `opened`; None when any up to the log's end may have.
        While the item is open, every record that carried both ends held their link live:
        one that linked them, or any that joined their profiles, answered it. So the span runs
        up to the record that answered it, or to the end when it is still open, whatever a
        split took out meanwhile: a later record may have brought in again what the guard
        counts (a split cut U1 off C1, U4 came, and C1 with U2 was held again, by U4), or
        another of it stayed in the profile (a steward merge had put U3 there too). One a
        steward closed runs to the end too: after a reject the constraint holds the link,
        after an accept the ends are one profile, and the mark changes nothing but keeps the
        live hold's count (ending at the reject left a hub join uncounted). A split is where it
        ends (`_cut_off`) only when that is all that is known: the answering record is no
        longer named (an earlier erasure's)."""
        if item.status != "answered":
            return None
        answering = self.store.logged_observation(item.answered_by)
        if answering is not None and answering[0] > opened:
            return answering[0] - 1
        return _cut_off(applied, hold, opened, counted)

    def _kept_name_checks(
        self, reached: Sequence[ReachedRecord], redactions: Sequence[LogRedaction]
    ) -> tuple[list[LogRedaction], set[str]]:
        """`redactions` with every record of others the person's identifiers reach
        (`reached_records`) marked with the outcome of its name check live
        (`mark_name_checked`), and the identifiers those quarantined so: the profiles it met
        may be ones the person's identifiers had joined (Ann's record met e0 and a cookie in
        Bob's profile, where the person's cookie had joined them, and found no conflict to act
        on), which a replay does not join."""
        marked = {r.seq: r for r in redactions}
        guards = guard_positions(self.store, {k for r in reached for k in r.carried})
        made: dict[int, set[str]] = {}  # by the log position of the record that quarantined
        for key, at in guards.quarantined.items():
            if key not in guards.at_links:
                made.setdefault(at, set()).add(key)
        requarantined: set[str] = set()
        for record in reached:
            seq = record.seq
            known = marked.get(seq, LogRedaction(seq, record.payload, record.observation_id))
            if known.payload is None:
                continue
            checked = mark_name_checked(known.payload, made.get(seq, set()), self.registry)
            if checked is not None:
                marked[seq] = replace(known, payload=checked)
                requarantined |= made.get(seq, set())
        return list(marked.values()), requarantined

    def _holds_near(
        self, linked: set[str], keys: set[str], decisions: Sequence[Decision]
    ) -> Iterator[tuple[KeptHold, ReviewItem]]:
        """The holds of a limit, the size bound or a cannot-link with an end among the
        person's `keys` on a link touching a `linked` identifier, with each one's review item
        (the record that opened it, what closed it), oldest first; a cannot-link's with the reason
        its item gets once the constraint is gone. A cannot-link between others is made
        again by the steward decision that made it, and holds again by itself. One a split
        merged back since made may have been the person's (`merged_back_constraints`: the
        merge-back deleted its row), which a replay does not write again (`with_kept_pairs`)."""
        theirs = {c.id for c in self.store.list_cannot_links() if c.a in keys or c.b in keys}
        theirs |= merged_back_constraints(decisions, merged_back(decisions), keys)
        for item in review_items_touching(self.store, sorted(linked), status=None):
            guard = HELD_GUARDS.get(item.guard)
            if guard == "cannot_link" and held_by_constraint(item) not in theirs:
                continue
            if item.kind == "held_link" and guard and item.a not in keys and item.b not in keys:
                reason = ERASED_CONSTRAINT_REASON if guard == "cannot_link" else item.reason
                hold = KeptHold(item.a, item.b, guard, reason, item.suggested_action)
                yield hold, item

    def _company(
        self, keys: set[str], redactions: Sequence[LogRedaction], decisions: Sequence[Decision]
    ) -> set[str]:
        """The identifiers of the profiles that hold now one the person's rewritten records
        keep or one that shared a profile with them in a steward decision's slice (a split
        that cut the person off), with every identifier one link away from those profiles."""
        kept = {
            key
            for r in redactions
            if r.payload is not None
            for raw in json.loads(r.payload).get("identifiers", ())
            if (key := raw_key(raw, self.registry)[0]) is not None
        }
        for decision in decisions:
            for slice_ in (decision.before, decision.after):
                named = {slice_.assignments[k] for k in keys if k in slice_.assignments}
                kept.update(k for k, pid in slice_.assignments.items() if pid in named)
        holders = self.store.profile_ids_for_identifiers(sorted(kept - keys))
        around = self.store.profile_slice(sorted(set(holders.values())))
        return kept | set(around.assignments) | {k for e in around.evidence for k in (e.a, e.b)}

    def _decisions(
        self,
        keys: Collection[str],
        audit_id: str,
        decisions: Sequence[Decision],
        gone: Collection[str],
    ) -> tuple[tuple[str, ...], tuple[Decision, ...], list[str]]:
        """The IDs of the steward decisions naming the person with nothing else to apply
        again, which go, the others naming them, redacted (domain/erasure_decisions.py), and
        the IDs of those whose reason quotes one of their identifiers. A redacted split keeps
        the merge notes of its aliases live keeps (`with_kept_merges`; the profile IDs `gone`
        lose theirs)."""
        deleted: list[str] = []
        redacted: list[Decision] = []
        quoting: list[str] = []
        merged = merged_back(decisions)
        for decision in decisions:  # oldest first: an undo after its own
            if mentions_any(decision.reason, keys):
                quoting.append(decision.id)
            if decision.kind == "undo" and decision.details.get("undoes") in deleted:
                deleted.append(decision.id)  # an undo of nothing would refuse a migration
                continue
            kept = redact_decision(decision, keys, audit_id, mentions_any)
            if kept is None:
                deleted.append(decision.id)
            elif kept is decision:
                if (pruned := without_erased_notes(decision, gone)) is not decision:
                    redacted.append(pruned)
            else:
                if decision.kind == "split":
                    kept = with_kept_merges(self.store, kept, gone, keys, mentions_any)
                merged_split = decision.kind == "split" and decision.id in merged
                redacted.append(with_kept_pairs(kept, decision, keys) if merged_split else kept)
        return tuple(deleted), tuple(redacted), quoting

    def _merge_entries_of(self, log: Sequence[LogRedaction]) -> Iterator[AuditEntry]:
        """The `merge` entries naming an observation the erasure removes, unnamed."""
        for removed in (r.observation_id for r in log if r.payload is None):
            for entry in self._audit_about(removed):
                if entry.action == "merge":
                    yield unnamed_merge_entry(entry, removed)

    def _audit_entries_of(self, decision_ids: Sequence[str]) -> Iterator[str]:
        """The audit entries of the given decisions (a decision's entry has its ID as the
        subject)."""
        for decision_id in decision_ids:
            yield from (entry.id for entry in self._audit_about(decision_id))

    def _audit_about(self, subject: str) -> Iterator[AuditEntry]:
        """Every audit entry whose subject is `subject`, a page at a time."""
        after = None
        while True:
            page = self.store.list_audit(
                AuditFilter(subject=subject, first=MAX_PAGE_SIZE, after=after)
            )
            yield from page.items
            if page.next_cursor is None:
                return
            after = page.next_cursor

    def _review_rewrites(
        self, requarantined: Sequence[str], keys: set[str]
    ) -> Iterator[ReviewRewrite]:
        """The review items of others that quote the quarantine reason of a requarantined
        identifier, with it replaced (those naming the person go whole)."""
        if not requarantined:
            return
        guards = self.store.load_snapshot(requarantined).identifier_guards
        old = [guards[k].reason for k in requarantined if k in guards]
        for item in review_items_touching(self.store, requarantined, status=None):
            reason, action = requote(item.reason, old), requote(item.suggested_action, old)
            named = item.a in keys or item.b in keys
            if not named and (reason, action) != (item.reason, item.suggested_action):
                yield ReviewRewrite(item.id, reason, action)

    def _rejections_mentioning(self, keys: Collection[str]) -> list[int]:
        found: list[int] = []
        after = 0
        while True:
            page = self.store.list_rejections(RejectionFilter(after=after, limit=MAX_PAGE_SIZE))
            found.extend(seq for seq, item in page.items if mentions_any(item.payload, keys))
            if page.next_after is None:
                return found
            after = page.next_after


def _counted(
    hold: KeptHold, limited: Collection[str], keys: Collection[str]
) -> Callable[[str], bool]:
    """Whether an identifier is one the guard of `hold` counts: one of a `limited` type for a
    limit, one of the person's `keys` for a cannot-link (only the erased end of its constraint
    made it refuse), any for the size bound."""
    if hold.guard == "limit":
        return lambda key: key.partition(":")[0] in limited
    if hold.guard == "cannot_link":
        return lambda key: key in keys
    return lambda key: True


def _cut_off(
    applied: Sequence[Decision], hold: KeptHold, opened: int, counted: Callable[[str], bool]
) -> int | None:
    """The log position of the first of the decisions a replay applies (`applied`, as
    `replayed` tells), at or after log position `opened`, that took out of an end's profile
    (a split) an identifier the guard of `hold` `counted`. Until then the profiles only grew
    for that guard, which refused the link again; after it, the replayed decision leaves them
    as they were live, but for the person. A decision undone exactly is no cut-off: a replay
    applies neither it nor its undo (which records no log position), and the undo wrote back
    the profiles as they were before it, no record having changed them meanwhile, so the
    guard refused again live after it (an undone merge had only grown them; an undone
    split's undo put back what it took out). A split merged back is replayed, and stays one. An
    earlier erasure's person it took out counts by type (`taken_out`): redacted, the split no
    longer names them, but it ended the span all the same."""
    for decision in applied:
        position = log_position_of(decision)
        if position is None or position < opened:
            continue
        for end in (hold.a, hold.b):
            if any(counted(k) for k in taken_out(decision, end)):
                return position
    return None
