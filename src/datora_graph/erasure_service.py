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
from collections.abc import Collection, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace

from datora_graph.domain.audit import AuditEntry, new_audit_entry
from datora_graph.domain.erasure import (
    Erasure,
    ErasureCounts,
    LogRedaction,
    mark_name_checked,
    mark_quarantined,
    mentions_any,
    raw_key,
    redacted_text,
    unnamed_merge_entry,
)
from datora_graph.domain.erasure_decisions import REDACTED_REASON, redact_decision
from datora_graph.domain.errors import StoreUnavailable
from datora_graph.domain.mentions import (
    MentionPage,
    counted_mentions,
    failed_mentions,
    pending_mentions,
)
from datora_graph.domain.steward import Decision
from datora_graph.erasure_answers import with_kept_answers, without_erased_answers
from datora_graph.erasure_holds import with_kept_holds
from datora_graph.erasure_links import ReachedRecord, reached_records, with_kept_links
from datora_graph.erasure_merges import with_kept_merges, with_own_merges, without_erased_notes
from datora_graph.erasure_quarantine_items import quarantine_item_rewrites
from datora_graph.erasure_quotes import (
    cannot_link_reasons,
    must_link_reasons,
    resolution_reasons,
)
from datora_graph.log_index import LogIndex, Progress
from datora_graph.person_records import (
    audit_about,
    folded_reason,
    person_profile,
    rejections_mentioning,
)
from datora_graph.services import IdentityService, guard_positions
from datora_graph.steward_placement import is_merge_back, merged_back
from datora_graph.steward_service import StewardService
from datora_graph.steward_split_pairs import with_kept_pairs

logger = logging.getLogger(__name__)


NO_MENTIONS = MentionPage()

MERGING = ("manual_merge", "review_accept")
"""The decisions that merge profiles, noting it (as does a merge-back, an undo)."""


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
        reason = folded_reason(reason)
        LogIndex(self.store, self.registry).catch_up(progress)
        with self.identity._write_lock:
            profile = person_profile(self.identity, reference, reason, "erase")
            keys = tuple(sorted(i.identifier.key for i in profile.identifiers))
            # The person's logged records, read once: rewritten, and their values looked for.
            entries = list(LogIndex(self.store, self.registry).observations_with(set(keys)))
            redactions, requarantined = self._redactions(set(keys), entries)
            own = {r.seq for r in redactions}
            # Read once: the person's company, the holds' ends and the redactions need them.
            decisions = tuple(self.stewards.all_decisions())
            linked = self._linked(profile.id, set(keys), redactions, decisions)
            pinned, marked = self._pinned_quarantines(linked, redactions)
            redactions.extend(marked)
            redactions = with_kept_holds(
                self.store,
                self.registry,
                self.identity.settings.hub_max_profiles,
                linked,
                set(keys),
                redactions,
                decisions,
            )
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
            rejections = tuple(seq for seq, _ in rejections_mentioning(self.store, keys))
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
            deleted, redacted, quoted = self._decisions(keys, audit.id, decisions, gone)
            # Their reasons copied into constraints and review items' resolutions go too.
            quoting = [d.id for d in quoted]
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
                tuple(quarantine_item_rewrites(self.store, requarantined, keys)),
                tuple(self._audit_entries_of(quoting)),
                tuple(self._merge_entries_of(log)),
                tuple(quoting),
                tuple(cannot_link_reasons(self.store, quoted)),
                tuple(must_link_reasons(quoted)),
                tuple(resolution_reasons(quoted)),
            )
            values = self._erased_values(keys, entries)
            counts = self.store.erase(erasure)
        removed = ", ".join(f"{name} {n}" for name, n in counts.to_dict().items() if n)
        logger.info("erased profile %s for %s: %s", profile.id, actor, removed or "nothing held")
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
    ) -> tuple[tuple[str, ...], tuple[Decision, ...], list[Decision]]:
        """The IDs of the steward decisions naming the person with nothing else to apply
        again, which go, the others naming them or quoting one of their identifiers in their
        reason, redacted (domain/erasure_decisions.py), and those quoting them, as they were. A
        redacted split keeps the merge notes of its aliases live keeps (`with_kept_merges`), a
        redacted merge the notes of its own (`with_own_merges`); the profile IDs `gone` lose
        theirs, and the notes of a decision quoting the person their reason."""
        deleted: list[str] = []
        redacted: list[Decision] = []
        quoting = [d for d in decisions if mentions_any(d.reason, keys)]
        quoted = {d.id for d in quoting}
        merged = merged_back(decisions)
        for decision in decisions:  # oldest first: an undo after its own
            if decision.kind == "undo" and decision.details.get("undoes") in deleted:
                deleted.append(decision.id)  # an undo of nothing would refuse a migration
                continue
            kept = redact_decision(decision, keys, audit_id, mentions_any)
            if kept is None:
                deleted.append(decision.id)
            elif kept is decision:
                kept = without_erased_notes(decision, gone, quoted)
                if decision.id in quoted:
                    # Its state names none of them: only the reason goes, and it stays
                    # undoable (no `REDACTED_BY`). Replayed, a merge would note its merges
                    # under the replaced reason (`steward merge: (redacted …)`), not live's.
                    kept = replace(kept, reason=REDACTED_REASON)
                    if _merges(decision):
                        kept = with_own_merges(self.store, kept, gone, keys, mentions_any, quoted)
                if kept is not decision:
                    redacted.append(kept)
            else:
                if decision.kind == "split":
                    kept = with_kept_merges(self.store, kept, gone, keys, mentions_any, quoted)
                elif _merges(decision):
                    kept = with_own_merges(self.store, kept, gone, keys, mentions_any, quoted)
                merged_split = decision.kind == "split" and decision.id in merged
                redacted.append(with_kept_pairs(kept, decision, keys) if merged_split else kept)
        return tuple(deleted), tuple(redacted), quoting

    def _merge_entries_of(self, log: Sequence[LogRedaction]) -> Iterator[AuditEntry]:
        """The `merge` entries naming an observation the erasure removes, unnamed."""
        for removed in (r.observation_id for r in log if r.payload is None):
            for entry in audit_about(self.store, subject=removed):
                if entry.action == "merge":
                    yield unnamed_merge_entry(entry, removed)

    def _audit_entries_of(self, decision_ids: Sequence[str]) -> Iterator[str]:
        """The audit entries of the given decisions (a decision's entry has its ID as the
        subject)."""
        for decision_id in decision_ids:
            yield from (entry.id for entry in audit_about(self.store, subject=decision_id))


def _merges(decision: Decision) -> bool:
    """Whether `decision` noted merges live (`MERGING`, or a merge-back)."""
    return decision.kind in MERGING or is_merge_back(decision)
