"""The merge notes an erasure keeps live that a replay cannot make again.

Live is the truth: a rebuild or a migration ends with the merge notes an erasure left live. A
note whose merge came from a record the erasure rewrote (the erased identifier had joined the
profiles, and the record carries the other's identifiers alone now) or from a steward merge
it deleted (one end was the person's) is made again by no replay, yet a later split, applied
again, restores the note's absorbed ID as an alias from its record of live. So the erasure,
redacting such a split, keeps in it the notes of the aliases its state keeps (`KEPT_MERGES`),
and the re-applied split writes those the replay lacks, in place of any it noted otherwise
(`restored_notes`, steward_replay.py).

A redacted merge, accepted review item or merge-back merges other profiles in a replay than it
did live (the erased identifier's profile is gone, an end stands in for it), so the notes it
would write name profiles live never noted, or the ones the erasure deleted. The erasure keeps
in it the notes of its own merges live keeps (`OWN_MERGES`), and a replay writes those.

A note made by a decision whose reason quoted the person (`steward merge: same household as
ann@acme.io`) has its reason replaced whole live (`Erasure.note_reasons`), and so wherever an
erasure keeps it in a decision: the replay writes what live keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from datora_graph.domain.erasure_decisions import KEPT_MERGES, OWN_MERGES, REDACTED_REASON
from datora_graph.domain.moments import iso
from datora_graph.domain.records import from_iso
from datora_graph.domain.steward import Decision, MergeNote
from datora_graph.store.base import GraphStore

OUR_IDS = re.compile(r"\b(?:prf|dec|aud)_[0-9a-f]+\b")
"""The profile, decision and audit entry IDs a note's reason may name."""


def with_kept_merges(
    store: GraphStore,
    redacted: Decision,
    gone: Collection[str],
    keys: Collection[str],
    mentions: Callable[[str, Collection[str]], bool],
    quoting: Collection[str] = (),
) -> Decision:
    """The `redacted` split naming the notes live keeps that absorbed an alias its state
    after it keeps: an earlier erasure's, and those live holds now but the ones this erasure
    deletes (a survivor or absorbed ID among the erased profile's, `gone`). A reason quoting
    one of the erased `keys` (`mentions`), or of a note made by one of the decisions
    `quoting` them, is replaced, as the decision's own is."""
    aliases = set(redacted.after.aliases)
    dropped = set(gone)
    notes = {
        _key(note): _unquoted(note, redacted, quoting)
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
                quoted = record.observation_id in quoting
                reason = scrubbed_reason(record.reason, keys, mentions, quoted)
                note = MergeNote(
                    record.absorbed, record.survivor, record.at, reason, record.observation_id
                )
                notes.setdefault(_key(note), note)
    if not notes and KEPT_MERGES not in redacted.details:
        return redacted
    kept = [_to_json(n) for n in sorted(notes.values(), key=lambda n: (n.at, *_key(n)))]
    return replace(redacted, details={**redacted.details, KEPT_MERGES: kept})


def with_own_merges(
    store: GraphStore,
    redacted: Decision,
    gone: Collection[str],
    keys: Collection[str],
    mentions: Callable[[str, Collection[str]], bool],
    quoting: Collection[str] = (),
) -> Decision:
    """The `redacted` merge, accepted item or merge-back naming the notes of its own merges
    live keeps now but those this erasure deletes (naming one of the profile IDs `gone`),
    none when it deletes them all. A reason quoting one of the erased `keys` (`mentions`) is
    replaced, as the decision's own is; every one when the decision is among those `quoting`
    them (its notes' reasons are replaced live)."""
    dropped = set(gone)
    quoted = redacted.id in quoting
    current = set(store.resolve_profile_ids(sorted(redacted.profiles_after)).values())
    notes = [
        MergeNote(
            record.absorbed,
            record.survivor,
            record.at,
            scrubbed_reason(record.reason, keys, mentions, quoted),
        )
        for records in store.merge_history(sorted(current)).values()
        for record in records
        if record.observation_id == redacted.id and not {record.absorbed, record.survivor} & dropped
    ]
    # In live's order (`merge_history`: oldest first, then as recorded), which a replay
    # writes them in: a merge-back notes its parts at one moment, and sorted otherwise they
    # were listed in another order than live's.
    own = [_to_json(n) for n in notes]
    return replace(redacted, details={**redacted.details, OWN_MERGES: own})


def without_erased_notes(
    decision: Decision, gone: Collection[str], quoting: Collection[str] = ()
) -> Decision:
    """`decision`, which this erasure does not name, without the notes an earlier erasure
    kept in it (`KEPT_MERGES`, `OWN_MERGES`) that name one of the profile IDs `gone` (this
    erasure deletes those live), and with the reason of those made by one of the decisions
    `quoting` the person replaced (as live's are); the decision itself when neither
    changes any."""
    dropped = set(gone)
    details = dict(decision.details)
    for key in (KEPT_MERGES, OWN_MERGES):
        notes = _notes(decision, key)
        left = [
            _unquoted(n, decision, quoting)
            for n in notes
            if n.absorbed not in dropped and n.survivor not in dropped
        ]
        if left != notes:
            details[key] = [_to_json(n) for n in left]
    if details == decision.details:
        return decision
    return replace(decision, details=details)


def restored_notes(
    store: GraphStore, split: Decision, involved: Collection[str], aliases: Collection[str]
) -> tuple[tuple[str, ...], list[MergeNote]]:
    """Of the notes an erasure kept in `split` whose absorbed ID its replay keeps as an alias
    (`aliases`): the aliases whose notes in the replay (under the profiles `involved`) say
    another merge than live's, which go, and the notes to write, those the replay has not
    made (the same record and ends, either way round: the split may turn one,
    `reverse_merges`) and all of a going alias's. A record may have merged other profiles in
    a replay than live, the erased identifier having made another one the larger."""
    notes = [n for n in kept_notes(split) if n.absorbed in aliases]
    if not notes:
        return (), []
    made = [r for records in store.merge_history(sorted(involved)).values() for r in records]
    kept = {_ends(n.observation_id, n.absorbed, n.survivor) for n in notes}
    noted = {n.absorbed for n in notes}
    stale = {
        r.absorbed
        for r in made
        if r.absorbed in noted and _ends(r.observation_id, r.absorbed, r.survivor) not in kept
    }
    matched = {
        _ends(r.observation_id, r.absorbed, r.survivor) for r in made if r.absorbed not in stale
    }
    write = [
        n
        for n in notes
        if n.absorbed in stale or _ends(n.observation_id, n.absorbed, n.survivor) not in matched
    ]
    return tuple(sorted(stale)), write


def _ends(made_by: str | None, absorbed: str, survivor: str) -> tuple[str, frozenset[str]]:
    return (made_by or "", frozenset((absorbed, survivor)))


def kept_notes(split: Decision) -> list[MergeNote]:
    """The notes an erasure kept in `split` (`KEPT_MERGES`), each naming the record or
    decision that made it live; none for a split no erasure redacted."""
    return _notes(split, KEPT_MERGES)


def own_notes(decision: Decision) -> list[MergeNote] | None:
    """The notes of its own merges an erasure kept in `decision` (`OWN_MERGES`), which a
    replay writes in place of those it makes; None when no erasure kept them."""
    if OWN_MERGES not in decision.details:
        return None
    return _notes(decision, OWN_MERGES)


def _notes(decision: Decision, key: str) -> list[MergeNote]:
    found: list[MergeNote] = []
    for note in decision.details.get(key, ()):
        if isinstance(note, dict):
            found.append(
                MergeNote(
                    str(note["absorbed"]),
                    str(note["survivor"]),
                    from_iso(str(note["at"])),
                    str(note["reason"]),
                    None if note.get("observation_id") is None else str(note["observation_id"]),
                )
            )
    return found


def scrubbed_reason(
    reason: str,
    keys: Collection[str],
    mentions: Callable[[str, Collection[str]], bool],
    quoted: bool = False,
) -> str:
    """`reason`, or the redacted reason where it quotes one of the erased `keys` or is
    `quoted`, the note's decision having quoted one (live replaces it whole, whatever the
    text says); the profile and decision IDs it names (`undo of split dec_…`) are not looked
    in, where a short value (`d1`) may stand by chance."""
    if quoted or mentions(OUR_IDS.sub("", reason), keys):
        return REDACTED_REASON
    return reason


def _unquoted(note: MergeNote, keeper: Decision, quoting: Collection[str]) -> MergeNote:
    """`note`, kept in `keeper`, with the redacted reason when one of the decisions `quoting`
    the person made it (the one it names, else `keeper` itself: `OWN_MERGES`)."""
    if (note.observation_id or keeper.id) not in quoting:
        return note
    return replace(note, reason=REDACTED_REASON)


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
