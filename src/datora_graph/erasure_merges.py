"""The merge notes an erasure keeps live that a replay cannot make again.

Live is the truth: a rebuild or a migration ends with the merge notes an erasure left live. A
note whose merge came from a record the erasure rewrote (the erased identifier had joined the
profiles, and the record carries the other's identifiers alone now) or from a steward merge
it deleted (one end was the person's) is made again by no replay, yet a later split, applied
again, restores the note's absorbed ID as an alias from its record of live. So the erasure,
redacting such a split, keeps in it the notes of the aliases its state keeps (`KEPT_MERGES`),
and the re-applied split writes those the replay lacks (`kept_notes`, steward_replay.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from datora_graph.domain.erasure_decisions import KEPT_MERGES, REDACTED_REASON
from datora_graph.domain.moments import iso
from datora_graph.domain.records import from_iso
from datora_graph.domain.steward import Decision, MergeNote
from datora_graph.store.base import GraphStore


def with_kept_merges(
    store: GraphStore,
    redacted: Decision,
    gone: Collection[str],
    keys: Collection[str],
    mentions: Callable[[str, Collection[str]], bool],
) -> Decision:
    """The `redacted` split naming the notes live keeps that absorbed an alias its state
    after it keeps: an earlier erasure's, and those live holds now but the ones this erasure
    deletes (a survivor or absorbed ID among the erased profile's, `gone`). A reason quoting
    one of the erased `keys` (`mentions`) is replaced, as the decision's own is."""
    aliases = set(redacted.after.aliases)
    dropped = set(gone)
    notes = {
        _key(note): note
        for note in kept_notes(redacted)
        if note.absorbed not in dropped and note.survivor not in dropped
    }
    if aliases:
        named = {p.id for s in (redacted.before, redacted.after) for p in s.profiles}
        named |= aliases | set(redacted.after.aliases.values())
        current = set(store.resolve_profile_ids(sorted(named)).values())
        for records in store.merge_history(sorted(current)).values():
            for record in records:
                if record.absorbed not in aliases or {record.absorbed, record.survivor} & dropped:
                    continue
                reason = REDACTED_REASON if mentions(record.reason, keys) else record.reason
                note = MergeNote(
                    record.absorbed, record.survivor, record.at, reason, record.observation_id
                )
                notes.setdefault(_key(note), note)
    if not notes and KEPT_MERGES not in redacted.details:
        return redacted
    kept = [_to_json(n) for n in sorted(notes.values(), key=lambda n: (n.at, *_key(n)))]
    return replace(redacted, details={**redacted.details, KEPT_MERGES: kept})


def without_erased_notes(split: Decision, gone: Collection[str]) -> Decision:
    """`split`, which this erasure does not name, without the notes an earlier erasure kept
    in it that name one of the profile IDs `gone` (this erasure deletes those live); the
    split itself when it keeps none of them."""
    notes = kept_notes(split)
    dropped = set(gone)
    left = [n for n in notes if n.absorbed not in dropped and n.survivor not in dropped]
    if len(left) == len(notes):
        return split
    return replace(split, details={**split.details, KEPT_MERGES: [_to_json(n) for n in left]})


def missing_notes(
    store: GraphStore, split: Decision, involved: Collection[str], aliases: Collection[str]
) -> list[MergeNote]:
    """The notes an erasure kept in `split` whose absorbed ID its replay keeps as an alias
    (`aliases`) and which the replay has not made (under the profiles `involved`, with the
    same record and ends, either way round: the split may turn one, `reverse_merges`)."""
    notes = [n for n in kept_notes(split) if n.absorbed in aliases]
    if not notes:
        return []
    made = {
        (r.observation_id, frozenset((r.absorbed, r.survivor)))
        for records in store.merge_history(sorted(involved)).values()
        for r in records
    }
    return [n for n in notes if (n.observation_id, frozenset((n.absorbed, n.survivor))) not in made]


def kept_notes(split: Decision) -> list[MergeNote]:
    """The notes an erasure kept in `split` (`KEPT_MERGES`), each naming the record or
    decision that made it live; none for a split no erasure redacted."""
    found: list[MergeNote] = []
    for note in split.details.get(KEPT_MERGES, ()):
        if isinstance(note, dict):
            found.append(
                MergeNote(
                    str(note["absorbed"]),
                    str(note["survivor"]),
                    from_iso(str(note["at"])),
                    str(note["reason"]),
                    str(note["observation_id"]),
                )
            )
    return found


def _key(note: MergeNote) -> tuple[str, str, str]:
    return (note.absorbed, note.survivor, note.observation_id or "")


def _to_json(note: MergeNote) -> dict[str, Any]:
    return {
        "absorbed": note.absorbed,
        "survivor": note.survivor,
        "observation_id": note.observation_id,
        "at": iso(note.at),
        "reason": note.reason,
    }
