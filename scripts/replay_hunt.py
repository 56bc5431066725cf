"""A rebuild and a migration reproduce the live graph, whatever stewards and erasures did.

The README promises that the observation log is the source of truth: `datora resolve --rebuild`
replays it to the same profiles under the same IDs, and `datora migrate` carries a store into
another one alike. Steward decisions (splits by links or by groups, merges, review decisions,
undos, merge-backs) and erasures (which redact decisions and rewrite records) are where that
promise broke before, one shape at a time. This property drives random sequences of them,
redactions of a record's `city` (which fold its profile's golden attributes again), and
records joining two profiles by another path (which answer the review items held between
them), through the real services on a real SQLite store and compares the live graph, whole, with a
rebuild and with a migration into a fresh store: partition, profile IDs, aliases, golden
attributes, evidence statuses, open review items, the items the graph answered (pair and
answering record), quarantines, merge histories, and the texts a steward reads (cannot-links'
reasons, review items' reasons, actions and resolutions). A `quote` step makes the stewards'
reasons from there on quote an identifier's value, and after each erasure no text live may
quote the erased identifiers any more (`quotes_left`: decisions', merge notes', cannot-links',
review items').

Not part of the suite yet: run it with

    .venv/bin/python -m pytest -p no:cacheprovider scripts/replay_hunt.py

It holds two properties: `operations`, where an erasure is one steward step among many, and
`several_erasures`, two erasures at least with a few steps between and after, where a second
erasure reads what the first left (its marks, the decisions it redacted); a local variant
biased so found AE and found AD again.

Findings A to N and P to T are fixed, each with its minimal case in
tests/conformance/test_replay_*.py. K, a link held live by a limit the erased
person's identifiers caused, without a quarantine, by the `_held_here` mark an erasure writes
(domain/kept_holds.py); L, a quarantine made at a held link, by `_quarantined_linking_here`.

N: a split re-applied gave the part keeping the split profile's ID the creation of the
oldest profile the replay held its identifiers in, where the erased identifiers had made
another profile survive a merge before the split live, so a later merge's survivor flipped;
the part keeps the creation the split's own record of the profile has (steward_replay.py):

    [ingest(C1, e0), ingest(C2), ingest(e1, d1, U1), ingest(e0, d1),
     ('split', 0, [2, 3]), ('erase', 2), ingest(C2, U1)]

Q: a split re-applied gave its first part the split profile's creation as if it kept the
profile's ID, where the erasure had taken the part that kept it live and the first part was
one the split created (under its own ID, created by its own first record), so a later
merge's survivor flipped; only the part named by the profile's ID keeps its creation
(resolution/steward.py, `plan_split`). In a migration the erased records' gaps close, the
creations tied and the profile IDs decided, so it failed or passed by chance:

    [ingest(e0), ingest(U1), ingest(e0), ingest(e0, e1), ('split', 0, [0]), ingest(U1, e1),
     ('erase', 0)]

R: a link held live by a cannot-link from the erased identifier (the split cut C1 off e1,
then C1 joined e0, so e0-e1 was held), which went with the person, so a replay merged e0 and
e1; like K's limit, the erasure marks the record with the hold (`_held_here`, now for a
cannot-link whose constraint names the person too) up to the split that cut C1 off e0.
Derandomized off seed 26:

    [ingest(C1, e1), ('split', 0, [0]), ingest(C1, e0), ingest(e0, e1), ('split', 0, [0]),
     ('erase', 0)]

S: one record quarantined two identifiers at its held links (C1 met e0 and e1 in C2's
profile, two CRM numbers), and the erasure of C2 (split off first) marked the record for e0
only: once marked for one, the record was skipped for the next. Each such record is now
marked with every identifier it quarantined. Derandomized off seed 31:

    [ingest(e0), ingest(C2, e0, e1), ingest(e0, C1, e1), ('groups', 0, [0, 0, 1, ...]),
     ('split', 0, [0]), ('erase', 1)]

T: e0 and e1, joined by C2's record, were sent together after C1's record had quarantined
e0; live they were one profile already, so the link was made with no guard asked. With C2
split off and erased, C2's record links nothing in a replay, e0 and e1 met as two profiles
and e0's quarantine held the link. The erasure now marks such a link on the kept record
(`_linked_here`, domain/kept_links.py: from its anchor, between identifiers the records
before it had connected, with no review item ever opened on it and no cannot-link naming
it), and a replay makes it active with no guard asked and no join counted, as live
(erasure_links.py finds the records). Seed 31 with S fixed:

    [ingest(e0), ingest(C2, e0, e1), ingest(e0, C1), ingest(e0, e1), ('split', 0, [0, 1]),
     ('erase', 1)]

U: a split re-applied in a migration gave the part keeping the profile's ID the creation
the decision saw (N's fix), a source log position, where the target's log had no gaps for
the records an erasure removed: the creation named a later record there, tied with the
profile that record created, and the merge of the two kept the smaller ID. The migration
now carries each decision with its profiles' creations as target positions
(migrate_steward.py, `_Creations`). Seed 2, the first run comparing answered items:

    [ingest(U1, e1), ingest(e0, U2, d1), ingest(e1, k1, phone), ingest(k2, C1),
     ('split', 0, [0]), ingest(e0), ingest(e0), ingest(e0, e1, k2), ('erase', 0)]

AD (seed 13 with W and Y fixed): the erasure left a link unmarked when a cannot-link named its
pair, though the split that made the constraint came after the record (C1's record linked C1
to e0, joining e0's profile, then to k1 inside it; splits cut k1 and C1 off). The rewritten
record (C1, k1) then met k1's profile in a replay and counted a join on k1 live never had.
Not counting cannot-links against the mark fixed it but broke seed 8: the sets
`_links_inside` reads join records across splits, and a cannot-link from a split before the
record is what tells that the ends were apart then (e0 and e1 split apart, then sent
together: held live). A constraint's log position needs no new field: it is that of the
decision that made it (`created`, `log_position`), where a replay wakes it (`woken_at`, as
for the dormant constraints); the erasure counts only those made before the record
(erasure_links.py, `_forbidden`; one no positioned decision made holds from the start, as in
a replay). Both are tests in the suite:

    [ingest(e0), ingest(e0, e1, k1), ingest(C1, k1, e0), ingest(e0), ('split', k1 off),
     ('split', C1 off), ('erase', e0)]

and seed 8's, which keeps passing:

    [ingest(e0), ingest(e0), ingest(e0, e1, d1), ('split', 0, [0]), ('split', 0, [0]),
     ingest(e0, e1), ('erase', 0)]

A hunt biased toward several erasures found AD again (seed 9, three erasures, run on a clone
without AD's fix; it passes with it): the link's ends joined before the record by the erased
person's records rather than by the record's own earlier link. A test too, cut down to:

    [ingest(C1, U1), ingest(e0, U1), ingest(e0, C1), ('split', C1 off), ('split', e0-U1),
     ('erase', U1)]

AE (found by a local variant of the hunt biased toward two erasures, seed 7): the second
erasure marked a later record with a hold the first erasure's person caused. U1 made C1's
record with U2 held (two user accounts); a split cut U1 off C1, and erasing U1 kept the hold
on that record, up to the split (`_cut_off`). C1 and U2, sent again, joined live. Erasing C2
(held apart from C1) finds the same hold again (`_holds_near` takes every limit hold near the
person, whoever caused it), but the split, redacted by the first erasure, no longer named U1:
no decision ended the span and the later record was marked held. Skipping holds an earlier
erasure marked is not enough, as both persons may have counted for one hold. Fixed by the
redacted decision keeping, for each erased identifier, only its type and the profile IDs it
was in before and after (`erased_moves` in its details, `ERASED_MOVES`): `taken_out` reads
them as stand-ins `type:(erased N)`, so the split still ends the span for a guard counting
that type. A decision redacted before keeps none and reads as it did:

    [ingest(C1, C2, U1), ingest(C1, U2), ('split', C1-U1), ('erase', U1), ingest(C1, U2),
     ('erase', C2)]

AI, found by hand checking `_cut_off` after AE: the span of records an erasure marks with a
limit's hold ended at the first split that took a counted identifier out of an end's
profile, though the guard may still have counted another: a later record brought one in again
(U1 held C1-U2; a split cut U1 off, U4's record came, and C1 with U2 was held again, by U4),
or a second stayed (a steward merge had put U3 beside U1). Erasing U4 (or U3), split off,
left the later record unmarked and a replay linked C1 and U2. Fixed by ending the span where
the review item says the hold ended (`_span_end`): before the record that answered it, else
at the log's end (open, or closed by a steward: a reject's constraint holds the link after,
and the mark keeps the live hold's join count); `_cut_off` is left for an item answered by a
record an earlier erasure removed. Four tests in the suite:

    [ingest(C1, U1), ingest(C1, U2), ('split', C1-U1), ingest(C1, U4), ingest(C1, U2),
     ('split', C1-U4), ('erase', U4)]

AJ, found by hand after AI lengthened the span: a record inside a kept hold's span may have
been refused live by another guard as well, and the replay, holding its link for the hold's
guard (`kept_refusal`), counted the hub join as that guard would. A steward rejected C1-U2
(two user IDs, by U4), a split cut U4 off and C1 with U2 came again: live the reject's
cannot-link held it, no join; replayed with the limit's hold, a join on U2. Or the other way:
R's hold on e0-e1 (a cannot-link from the erased C1), C1 split off e0, and e0 with e1 again
held by the hub bound or by a name conflict that quarantined e1: live a join, replayed with
the cannot-link's hold, none. Quarantines agreed (`_pinned_quarantines` marks the one made
live). Fixed by a field on the hold's mark, `joined`: whether the link counted a join live,
from its ends' `join_seqs` (`joined_live`; not known, and the guard decides, past the joins
kept); the replay counts the join as the mark says. Three tests in the suite:

    [ingest(C1, U4), ingest(C1, U2), ('reject', C1-U2), ('split', C1-U4), ingest(C1, U2),
     ('erase', U4)]

Settled, not a finding (same session): a quarantine made at a held link and kept by a first
erasure gets `KEPT_QUARANTINE_REASON`, so a second erasure reads it as made before the
record. Each mark it writes looks for the record's earlier mark first, and the link walk
(`_links_inside`), which puts the identifier last then, changes no mark: its link was held
(nothing joined through it) and counted its join. Pinned by test_replay_two_erasures.py.

AF, found by hand after AD's fix (seed 8's shape with the second split merged back): a
merge-back deletes its split's cannot-links, so the erasure saw none on e0-e1 and marked the
record of e0 and e1 sent between the split and the merge-back `_linked_here`, though the
constraint had held it live (silently: a cannot-link names the pair). A replay, which writes
the split's constraints again until its merge-back, then merged the parts at that record:
another survivor's ID when e0's part had grown the larger, and the records between resolved
as one profile (a link from e0's part to e1's made inside it, where live it was an item the
merge-back accepted). The erasure counts a merged-back split's pairs against the mark from
the split up to its merge-back (`merged_back_pairs`, from the decision's parts and cut links,
`split_pairs`), as the replay holds them; two tests in the suite:

    [ingest(e0), ingest(e1, k1), ingest(e1, C1), ingest(e0, e1, d1), ('split', d1 off),
     ('split', e1 off e0), ingest(e0, k2), ingest(e0, k3), ingest(e0, k4), ingest(e0, e1),
     ('undo', e1 off e0), ingest(e0, e1), ('erase', d1)]

AH, found by hand checking AF's edge: a replay worked a merged-back split's cannot-links out
again from the decision the erasure had redacted, so where the erased identifier was the
smallest of its part (or an end of a cut link) it wrote another pair than live: d2-e0 for
d1-d2 below, which names the link of e0 and d2 that d1-d2 had held live with a review item
(the merge-back accepted it). Held silently, the item was never opened and the evidence stayed
held. The erasure keeps in the redacted split the pairs it named live that no erased
identifier is an end of (`with_kept_pairs`, `steward_split_pairs.py`), which a replay writes
and the erasure reads (`constraint_pairs`); a link one of the person's held is held again
(`merged_back_constraints` in `_kept_holds`), as when the cut link d1-e1 was the only pair.
The `_linked_here` mark never differed: a pair only the replay named joins two parts the live
constraints held apart, so its link was asked. Two tests in the suite:

    [ingest(e0, d1), ingest(e1, d2), ingest(e0, e1), ('split', e1 off e0), ingest(e0, d2),
     ('undo', e1 off e0), ('split', d1 off e0), ('erase', d1)]

Z, found by hand while checking `_cut_off`: an erasure marks a limit's held link `_held_here`
on the records of both ends up to the first decision that took a counted identifier out of an
end's profile; a split undone exactly counted as that cut-off, but a replay applies neither
it nor its undo (which wrote back the profiles as before, so live the guard held the link
again), and the records after the undo were left unmarked and linked in a replay. Only a
decision the replay applies ends the span now (`replayed`; a split merged back still does):

    [ingest(C1, k1), ingest(U2, k1), ingest(C1, U1), ('split', k1 off C1), ('undo', split),
     ingest(C1, U1), ('split', k1 off C1), ('erase', k1)]

Merge history (AA to AC, AK and AL fixed): the hunt compares each profile's merge history too
(`merge_history`, as `mergeHistory` serves it), once only where no erasure ran; after one, a
replay's history differed in three shapes, and then two more. AA, fixed: the replay noted a
merge of a profile ID live never had, and the re-applied split dropped that alias but not its
note. `_reapply_split` now deletes the notes that absorbed the aliases it drops, in the same
change (`StewardChange.delete_merges_absorbing`, on both stores), as steward_rejoin.py writes
none for an ID live never had:

    [ingest(e0), ingest(d1, C1), ingest(e0, d1), ('split', C1-d1), ('erase', C1)]

Not AA, and open in live's own history (a strict xfail beside AA's test): a split moves an
alias to the part holding its identifiers, but the note of its merge stays keyed to the
survivor's ID, so it is listed under the other part.

Live is the truth there: a replay ends with the notes the erasure left live. AB: the
merge-back of a split the erasure redacted to one part merged nothing in a replay, so its
`undo of split` note was missing, though the later split restored its alias. The merge-back
re-applied now writes the notes of the parts the erasure took alone, as live wrote them
(survivor, absorbed, time, reason; `_erased_parts_notes`, steward_replay.py):

    [ingest(e0), ingest(e0, e1, d1), ('split', d1 off e0), ingest(e0, e1), ('undo', split),
     ('split', d1 off e0), ('erase', d1)]

AC: a merge the erased identifier decided (N's shape: e1 made U1's profile the larger, so
it absorbed C1's; replayed, C1's older one absorbed it) was noted the other way round, and
AA's fix then deleted the note with the alias the split drops (the split profile's ID, a
part again). The re-applied split turns such a note back (absorbed the split profile's ID
into a profile live had made its alias; `StewardChange.reverse_merges`, on both stores),
before the dropped aliases' notes go:

    [ingest(C1, e0), ingest(C2), ingest(e1, d1, U1), ingest(e0, d1),
     ('split', U1 off d1 and e1), ('erase', e1), ingest(C2, U1)]

AK and AL (seeds 2, 4, 5, 7 and 8, once merge histories were compared after erasures too):
live kept the note of a merge the replay cannot make again, because the merge came from a
record the erasure rewrote (AK) or from a steward merge it deleted (AL), while the note's
absorbed ID stayed an alias of a kept profile; the re-applied split restored that alias from
its own record of live's aliases, but nothing in the decision log said what the note was.
AK, seeds 8 (below), 4 and 5 (a `join` record there): o4 merged e0's profile into the
phone's, C1 carrying it; the split gave e0 its part with e0's old ID as an alias (the note
stays under the phone's, as live's own strict xfail above says); the erasure of C1 rewrote
o4 to e0 alone, so a replay merged nothing and the restored alias had no note:

    [ingest(e0), ingest(phone), ingest(phone, C1), ingest(C1, e0),
     ('split', C1 off e0 and the phone), ('erase', C1)]

AL, seeds 7 (below) and 2: the device's part of the first split (a profile of d1 alone) was
merged into the phone's by a steward; d1 split off again and erased, the merge decision went
with it, but its note (the first part's ID absorbed, an alias of the phone's profile still)
stayed:

    [ingest(e0), ingest(phone), ingest(d1, e0, e1), ('split', d1 off e0), ('erase', e0),
     ('merge', d1, phone), ('split', d1 off the phone), ('erase', d1)]

Fixed: an erasure redacting a split keeps in it the notes live keeps that absorbed an alias
of the split's state (`KEPT_MERGES`: absorbed, survivor, the record or decision that made
it, time, a reason quoting no erased identifier; erasure_merges.py), dropping those it
deletes itself, from splits an earlier erasure redacted too; the re-applied split writes
those whose alias it keeps and the replay has not made, under their own record or decision
(`MergeNote.observation_id`, on both stores), so a later undo of that decision still finds
them. Live is the truth, so live keeps these notes (of a decision no longer in the log, of a
merge its record no longer makes) rather than the erasure deleting them.

AM and AN (seeds 3 and 13 once merge histories were compared after erasures): a redacted
merge or merge-back merged other profiles in a replay than live, and noted what it merged. AN:
a steward merged C1's profile into the person's (C2's absorbed there before); the split took
C1 and C2 off, the erasure took the person's profile and the note, its survivor; replayed, C2
stands in for the erased end and the merge noted C2's profile absorbing C1's, never noted live:

    [ingest(e0, e1), ingest(C2), ingest(e0, C2), ingest(C1), ('merge', e0, C1),
     ('groups', [e0, e1], [C2], [C1]), ('erase', e0)]

AM: a record merged e1's part of a split into C1's profile, the merge-back took C1's profile
in (its note), C1 split off again with that ID and was erased, the note with it; replayed, the
record carried e1 alone and the merge-back absorbed e1's part itself, noting it:

    [ingest(e0), ingest(C1), ingest(e0, e1), ('split', e1 off e0), ingest(C1, e1),
     ('undo', split), ('split', C1 off e1), ('erase', C1)]

Fixed: the erasure keeps in a redacted merge, accepted item or merge-back the notes of its own
merges live keeps (`OWN_MERGES`, none when it deletes them all; erasure_merges.py), a later
erasure takes those naming its profiles, and a replay writes those instead of what it merged.

AO (seed 3 once AM and AN were fixed): the erased device had made e1's profile the larger,
so a record merged e0's and the phone's into it live; replayed, it merged them into e0's, the
oldest. The split turned the note of e1's profile back (AC), but the phone's stayed under e0's
profile's ID beside the one the split wrote from live's (`KEPT_MERGES`):

    [ingest(e0), ingest(e1, d1), ingest(phone), ingest(e0, e1, phone), ('split', d1 off e1),
     ('erase', d1)]

Fixed: the re-applied split deletes the replay's notes of an alias it keeps whose kept notes
say another merge, and writes live's (`restored_notes`, erasure_merges.py).

AP (seed 3 once AO was fixed): AK's shape with another record observed at the same time as
the one whose note the split restores; a replay listed the restored note after the other, as
it wrote it later. Merges at the same time are listed in log order now (`merge_history`, on
both stores), not in the order they were written.

AQ (`several_erasures`, seed 6, once the texts a steward reads were compared): a record's
link held by the hub bound quarantined the cookie there; the erasure took profiles the cookie
had joined, so a replay quarantines it at that link by its mark (`_quarantined_linking_here`)
and holds the link as a quarantine, while live's item still read `hub: … would join 4
profiles`. The erasure now rewrites that item as the quarantine, guard, reason and action
(erasure_quarantine_items.py; `ReviewRewrite.guard`, both stores):

    [ingest(e0, k1), ingest(k2), ingest(k2, e0), ingest(k2, phone),
     ('groups', [k1], [e0], [k2, phone]), ingest(e1, k2), ('erase', e0)]

AR (`several_erasures`, seed 6, once AQ was fixed), a leak live: Ann's record quarantined e0,
whose profile held Bob's name from two sources (`… holds 'Bob', 'Bob'`), and its item quoted
that; a split took one away, so the guard's reason read `'Bob'` once, and the erasure of Bob's
e1, replacing that reason inside the item's text, left `, 'Bob')` there. An item held by a
quarantine the erasure keeps is written again whole as that quarantine's item now
(`quarantine_item_rewrites`, erasure_quarantine_items.py), as a replay writes it:

    [ingest(e0, Bob, web), ingest(e0, e1, Bob), ingest(k1, Bob), ingest(k1, e0, C1, Ann),
     ('split', e1 off e0), ('erase', e1)]

AS (seed 21, flaky: the part IDs come from random decision IDs): the merge-back noted both
parts at one moment in the order it merged them; `OWN_MERGES` kept them sorted by profile ID,
and a replay listed them so. They are kept in live's order now (`with_own_merges`):

    [ingest(e0), ingest(e0, e1), ingest(e0, phone, e1), ('split', e1 and the phone off e0),
     ingest(e0, e1, phone), ('undo', split), ('split', e1 off e0), ingest(e0), ('erase', e1)]

T's family, answered items (two of three fixed): an item the graph answered where only the
erased person had joined its ends' profiles, by the answering record itself or by the profile
an end was in, stayed answered live and open in a replay. Seed 3 found the shape that decided
it once AE and AF were fixed: the answering record is the person's own but kept, rewritten to
U1 alone (Ann's record held phone-U1 by a name conflict, which `_name_checked_here` keeps as
live; e0 with U1 answered it; e0 split off and erased):

    [ingest(e0, phone, 'Bob'), ingest(phone, U1, 'Ann'), ingest(e0, U1),
     ('split', e0 off), ('erase', e0)]

The product decision: a replay reproduces live. Live already shows, after the erasure, the
phone and U1 in one profile and the item answered by o3 (`answered_by`, when), so a mark on
the kept answering record that makes a replay join there reveals nothing live does not. The
erasure marks each kept record it reaches with the items it answered whose ends are others'
(`_answered_here`, the two ends by identifier, which the record need not carry;
erasure_answers.py), and a replay merges the ends' profiles at that record after its links,
no guard asked and no join counted, answering the item by it (engine.py, `_answer`). A mark
on the holding record is what broke V below: an answer belongs at the answering record's
place. A later erasure of an end finds the mark through the item (`answered_by`), not the
log index, and takes it out (`without_erased_answers`). The kept record of others answering
through a profile the person had tied an end into (Ann's email with her cookie, Cy's devices
joining her profile with Bob's) is marked alike. Still open, a strict xfail: the answering
record carried only the person and goes whole, leaving no place for a mark; it would need a
residue record (the fingerprinted ID, its log position, the item's pair) to answer there.

The hunt reaches answered
items in only about 1% of its examples (`compared: answered items`, shown with
`--hypothesis-show-statistics`), even with its `join` records: an item needs a held link
whose guard a later path does not meet (a quarantine, or a limit a split took away), so
those cases are in the suite by hand.

A first fix of T's family, two marks (`_linked_here` on a kept record's link made inside a
profile only the person had joined, `_answered_here` on the record holding an item answered
through the person, making its link active and answered there), was taken back the same
session: with redactions in the hunt, seed 3 found V, which passed without them. o6 (e1 with
the phone, Bob) held e1-phone and got `_answered_here`, though o8 (e0 with e1), which answered
it live, is kept and answers it in a replay by itself; the mark merged the two profiles at
o6, where e1's profile was fresh, so the replay recorded no merge and no alias, where live
o8 had absorbed it. An answer belongs at the answering record's place, not the holding one's.
`_linked_here` was re-landed alone (T above), `_answered_here` later on the answering record
(T's family above); V is a test in the suite now, and passes:

    [ingest(e0), ingest(e0), ingest(e0), ingest(e0, phone, 'Ann'), ingest(e0, U1),
     ingest(e1, phone, 'Bob'), ingest(e0), ('split', 0, [1]), ingest(e0, e1), ('erase', 1)]

W, T on the erased person's own record (seed 3 once T was fixed): a record of the person,
rewritten to keep the others' identifiers it carried, had linked two of them live inside a
profile the person's identifier had joined (e0 and the phone, sent with e1, which had joined
them into Bob's profile), no guard asked; only records of others were marked, so a replay met
two profiles and the phone's quarantine held the link. The erasure marks `_linked_here` on the
person's rewritten records too, for the links from the live anchor both ends of which stay
(none when the anchor went: `_unlinked_here`). A link counts as made inside one profile when
the records before it had connected its ends, or when an earlier link of the same record had
joined the other end's set into the anchor's profile, in the engine's link order (open
identifiers by priority, quarantined last; erasure_links.py, `_links_inside`); records of
others are read the same way now:

    [ingest(e0), ingest(e0, e1, k1), ingest(e1, phone, C1, 'Bob'), ingest(phone, U1, 'Ann'),
     ingest(e0), ingest(e0, e1, phone), ('split', 0, [1, 318]), ('erase', 1)]

X (seed 7 once T was fixed): C2's record met e0 and e1 in C1's profile and the CRM limit held
both links; a steward's merge of C1's and C2's profiles accepted both items, making the links
active. With C1 split off and erased, the merge is redacted, not deleted (e0 stands in for
C1); a replay, where C1's record links nothing and e1 is a profile of its own, joined C2 and
e0 only, and C2-e1 stayed held (by the `_held_here` mark on C2's record, rightly: live held it
there too) with its item open. A re-applied merge now also merges in, at the decision, each
profile an item it accepted live reaches (steward_rejoin.py), keeping the survivor the
decision had live; an ID live never had leaves no alias and no merge note:

    [ingest(e0), ingest(C1, e0, e1), ingest(e0, C2, e1), ('merge', 0, 1),
     ('split', 0, [0, 1, 2]), ('erase', 0)]

Y: the hunt compares each identifier's hub join count too (`identifier_guards.joins`, stored,
read by the hub guard for later links), up to the hub bound: joins past it change nothing and
their positions are not kept, so no erasure could keep them. M's and P's tests failed on it
at once: a link marked `_linked_here` was made inside one profile live, counting no join; a
replay met two profiles, no guard refused, and it counted one, so a later record through that
identifier was held as if through a hub. A marked link counts no join now whatever the guards
say (engine.py); and since the mark's "connected before" takes held and since cut links too,
the erasure leaves out a link whose other end counted a join at the record (`join_seqs`):
that link joined two profiles live. Seeds 12 and 13 then found the same on the person's own
record (its erased identifier joined the link's ends just before, in the record), which W's
marks keep:

    [ingest(e0, k2), ingest(phone, k2), ingest(e0, phone), ('split', k2 off), ('erase', k2),
     ingest(cy, phone), ingest(dan, phone)]

M and P, one family: a record of someone else made its name check live against profiles the
erased identifier had joined (Ann's record met e0 and k2 both in Bob's profile, where the
erased k1 had joined them, and quarantined nothing); replayed without it, the check found
another outcome (k2 a profile of no name: e0 quarantined, the link k2-e0 held, and the split
after it not re-applied). Rather than one more mark per shape, the erasure now keeps the
outcome itself: each record of others it finds connected to the person's identifiers by the
records before it gets `_name_checked_here` (records.py, `mark_name_checked`), with what it
quarantined before linking under `_quarantined_here`, and a replay takes that outcome instead
of checking again (engine.py). M, derandomized off `--hypothesis-seed=1`:

    [('ingest', ['email:e0@x.io'], None, 'crm', 0),
     ('ingest', ['email:e0@x.io', 'email:e1@x.io', 'cookie_id:k2'], 'Ann', 'crm', 0),
     ('ingest', ['phone:+14155552671', 'cookie_id:k1', 'cookie_id:k2'], None, 'crm', 0),
     ('ingest', ['email:e0@x.io', 'email:e1@x.io', 'phone:+14155552671'], 'Bob', 'crm', 0),
     ('split', 0, [0]), ('split', 0, [0, 1]), ('erase', 1)]

and P:

    [ingest(e0), ingest(e0, k1, 'Bob'), ingest(k1, k2), ingest(e0), ingest(k2, e0, 'Ann'),
     ('split', 0, [0, 1]), ('erase', 0)]

The derandomized budget passes in about 25-80 s a property. Derandomized off, seeds 1, 11, 12,
21 to 29 and 32 to 40 passed; Q and R were found by seeds 22 and 26 after M to P were fixed, S
by seeds 31 and 36 a session later, and T by 31 once S was fixed: random runs still find
shapes. That is why the hunt stays here rather than in the suite: its derandomized examples
depend on the modules loaded beside it (hypothesis draws from their constants too), so in
another run context it may reach a shape nobody has seen and fail CI for a finding, not for a
change. After a change to erasure, steward decisions or the replay, run it on a copy with
`derandomize=False` and a few `--hypothesis-seed=N`.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from datora_graph.config import Settings
from datora_graph.domain.erasure import mentions_any
from datora_graph.domain.errors import DatoraError, InvalidInput
from datora_graph.domain.identifiers import GuardSettings
from datora_graph.domain.profiles import ReviewFilter, ReviewItem
from datora_graph.domain.steward import Decision
from datora_graph.erasure_merges import OUR_IDS
from datora_graph.erasure_service import ErasureService
from datora_graph.migrate import Migration
from datora_graph.redaction_service import RedactionService
from datora_graph.services import IdentityService
from datora_graph.steward_log import decision_pages
from datora_graph.steward_service import StewardService
from datora_graph.store.sqlite import SqliteStore

KEYS = [
    "email:e0@x.io",
    "email:e1@x.io",
    "phone:+14155552671",
    "crm_id:C1",
    "crm_id:C2",
    "user_id:U1",
    "user_id:U2",
    "device_id:d1",
    "cookie_id:k1",
    "cookie_id:k2",
]
NAMES = [None, "Ann", "Bob"]
CITIES = [None, "Oslo", "Rome"]
CONSTRAINT = re.compile(r"#\d+")
"""A constraint's number in an item's reason: each store numbers its own."""
JOINS_KEPT = GuardSettings().hub_max_profiles
"""Hub joins past the bound change nothing (the guard refuses from bound - 1 on) and their
positions are not kept (`IdentifierGuardState.join_seqs`): counts compare up to it."""
Op = tuple[Any, ...]
State = dict[str, Any]

pick = st.integers(0, 1000)
ingest = st.tuples(
    st.just("ingest"),
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True),
    st.sampled_from(NAMES),
    st.sampled_from(["crm", "web"]),
    st.integers(0, 59),
    st.sampled_from(CITIES),
)
join = st.tuples(st.just("join"), pick, pick, pick, pick)
steward = st.one_of(
    st.tuples(st.just("split"), pick, st.lists(pick, min_size=1, max_size=3)),
    st.tuples(st.just("groups"), pick, st.lists(st.integers(-1, 2), min_size=8, max_size=8)),
    st.tuples(st.just("merge"), pick, pick),
    st.tuples(st.just("review"), pick, st.booleans()),
    st.tuples(st.just("undo"), pick),
    st.tuples(st.just("erase"), pick),
    st.tuples(st.just("redact"), pick),
    st.tuples(st.just("quote"), pick),
)
operations = st.builds(
    list.__add__,
    st.lists(ingest, min_size=3, max_size=6),
    st.lists(st.one_of(ingest, steward, steward, join), min_size=4, max_size=14),
)
erase = st.tuples(st.just("erase"), pick).map(lambda op: [op])
several_erasures = st.builds(
    lambda *parts: [op for part in parts for op in part],
    st.lists(ingest, min_size=3, max_size=7),
    st.lists(st.one_of(ingest, ingest, steward, join), max_size=5),
    erase,
    st.lists(st.one_of(ingest, ingest, steward, join), max_size=3),
    erase,
    st.lists(ingest, max_size=2),
)
"""Two erasures at least, which `operations` seldom reaches (the module docstring)."""


@dataclass
class World:
    """The live store with its services, the decisions made, and how many erasures ran."""

    folder: Path
    identity: IdentityService
    decisions: list[Decision] = field(default_factory=list)
    sent: int = 0
    erased: int = 0
    reason: str = "r"
    """The reason the stewards give from here on: a `quote` op makes it quote an identifier,
    which an erasure of it must leave nowhere live (`quotes_left`)."""

    @property
    def store(self) -> SqliteStore:
        store = self.identity.store
        assert isinstance(store, SqliteStore)
        return store

    @property
    def stewards(self) -> StewardService:
        return StewardService(self.identity)

    def profiles(self) -> list[list[str]]:
        return sorted(
            sorted(i.identifier.key for i in p.identifiers)
            for batch in self.store.iter_profiles()
            for p in batch
        )

    def ingest(
        self, keys: list[str], name: str | None, source: str, minute: int, city: str | None = None
    ) -> None:
        self.sent += 1
        item: dict[str, Any] = {
            "id": f"o{self.sent}",
            "source": source,
            "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
            "identifiers": [
                dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys
            ],
        }
        attributes = {"first_name": name, "city": city}
        if name or city:
            item["attributes"] = {k: v for k, v in attributes.items() if v}
        assert self.identity.ingest_observations([item]).accepted == 1

    def decide(self, make: Callable[[], Decision]) -> None:
        try:
            self.decisions.append(make())
        except DatoraError as refused:  # InvalidInput, Conflict, NotFound: nothing changed
            event(f"refused: {type(refused).__name__}")

    def redact(self, record: int) -> None:
        """Take the city out of record `record` (refused when it has none or was erased)."""
        try:
            RedactionService(self.identity).redact(
                "observation", f"o{record}", ["city"], reason="r", actor="dpo"
            )
        except DatoraError as refused:
            event(f"redaction refused: {type(refused).__name__}")
            return
        event("compared: redaction")

    def erase(self, key: str) -> None:
        keys = [i.identifier.key for i in self.identity.lookup(key).identifiers]
        try:
            ErasureService(self.identity).erase_profile(key, reason="r", actor="dpo")
        except InvalidInput:  # a junk value's profile is nobody's
            return
        self.erased += 1
        if any(mentions_any(self.reason, [k]) for k in keys):
            event("compared: an erasure of a quoted identifier")
        assert quotes_left(self.store, keys) == [], "a steward's reason still quotes the person"


def open_items(store: SqliteStore, status: str | None = "open") -> list[ReviewItem]:
    found: list[ReviewItem] = []
    after = 0
    while True:
        page = store.list_review_items(ReviewFilter(status, after, 1000))
        found.extend(page.items)
        if page.next_after is None:
            return found
        after = page.next_after


def run(world: World, op: Op) -> None:
    kind, profiles, stewards = op[0], world.profiles(), world.stewards
    why = world.reason
    if kind == "ingest":
        world.ingest(op[1], op[2], op[3], op[4], op[5])
    elif kind in ("split", "groups") and (multi := [p for p in profiles if len(p) > 1]):
        members = multi[op[1] % len(multi)]
        pid = world.identity.lookup(members[0]).id
        if kind == "split":
            evidence = world.store.profile_slice([pid]).evidence
            pairs = sorted({(e.a, e.b) for e in evidence if e.a in members and e.b in members})
            cuts = sorted({pairs[i % len(pairs)] for i in op[2]}) if pairs else []
            world.decide(lambda: stewards.split_profile(pid, cut_edges=cuts, reason=why, actor="s"))
        else:
            chosen: dict[int, list[str]] = {}
            for key, group in zip(members, op[2], strict=False):
                if group >= 0:
                    chosen.setdefault(group, []).append(key)
            groups = [chosen[g] for g in sorted(chosen)]
            world.decide(lambda: stewards.split_profile(pid, groups=groups, reason=why, actor="s"))
    elif kind == "join" and len(profiles) > 1:
        # A record of one identifier from each of two profiles: another path between them,
        # which answers the review items held between their members.
        one, other = profiles[op[1] % len(profiles)], profiles[op[2] % len(profiles)]
        keys = sorted({one[op[3] % len(one)], other[op[4] % len(other)]})
        world.ingest(keys, None, "web", 30)
    elif kind == "merge" and len(profiles) > 1:
        a, b = profiles[op[1] % len(profiles)][0], profiles[op[2] % len(profiles)][0]
        world.decide(lambda: stewards.merge_profiles(a, b, reason=why, actor="s"))
    elif kind == "review" and (items := open_items(world.store)):
        item = items[op[1] % len(items)]
        world.decide(lambda: stewards.resolve_review_item(item.id, op[2], reason=why, actor="s"))
    elif kind == "undo" and world.decisions:
        undone = world.decisions[op[1] % len(world.decisions)]
        world.decide(lambda: stewards.undo_decision(undone.id, reason=why, actor="s"))
    elif kind == "redact" and world.sent:
        world.redact(op[1] % world.sent + 1)
    elif kind == "erase" and profiles:
        world.erase(profiles[op[1] % len(profiles)][0])
    elif kind == "quote":
        world.reason = f"same as {KEYS[op[1] % len(KEYS)].split(':', 1)[1]}"


def quotes_left(store: SqliteStore, keys: list[str]) -> list[str]:
    """The texts live that quote one of the erased `keys`: decisions' reasons, merge notes',
    cannot-links', review items' reasons, actions and resolutions (the IDs they name are not
    looked in, where a short value such as `d1` may stand by chance)."""
    profiles = [p.id for batch in store.iter_profiles() for p in batch]
    notes = [r.reason for records in store.merge_history(profiles).values() for r in records]
    items = open_items(store, None)
    texts = [
        *(d.reason for page in decision_pages(store) for d in page),
        *notes,
        *(c.reason for c in store.list_cannot_links()),
        *(t for i in items for t in (i.reason, i.suggested_action, i.resolution)),
    ]
    return [t for t in texts if mentions_any(OUR_IDS.sub("", t), keys)]


def state(store: SqliteStore) -> State:
    """What a rebuild and a migration must reproduce, merge history too (after an erasure,
    the notes it left live: AA to AC, AK and AL in the module docstring)."""
    profiles = [p for batch in store.iter_profiles() for p in batch]
    slice_ = store.profile_slice([p.id for p in profiles])
    guards = store.load_snapshot(sorted(slice_.assignments)).identifier_guards
    return {
        "profiles": {p.id: sorted(i.identifier.key for i in p.identifiers) for p in profiles},
        "aliases": {p.id: sorted(p.aliases) for p in profiles},
        "attributes": {p.id: json.dumps(p.attributes, sort_keys=True) for p in profiles},
        "evidence": sorted({(e.a, e.b, e.source, e.status) for e in slice_.evidence}),
        "review": sorted((i.a, i.b, i.kind) for i in open_items(store)),
        "answered": sorted((i.a, i.b, i.answered_by) for i in open_items(store, "answered")),
        "quarantined": sorted(k for k, g in guards.items() if g.quarantined),
        "joins": sorted((k, min(g.joins, JOINS_KEPT)) for k, g in guards.items() if g.joins),
        "merges": store.merge_history([p.id for p in profiles]),
        # By pair: a rebuild numbers review items anew, a migration constraints.
        "cannot_links": sorted((c.a, c.b, c.reason) for c in store.list_cannot_links()),
        "texts": sorted(
            (i.a, i.b, i.status, CONSTRAINT.sub("#", i.reason), i.suggested_action, i.resolution)
            for i in open_items(store, None)
        ),
    }


HUNT = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@HUNT
@given(operations)
def test_a_rebuild_and_a_migration_reproduce_the_live_graph(ops: list[Op]) -> None:
    replay_agrees(ops)


@HUNT
@given(several_erasures)
def test_they_reproduce_it_after_several_erasures(ops: list[Op]) -> None:
    replay_agrees(ops)


def replay_agrees(ops: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        config = Settings(db=path / "live.db")
        world = World(path, IdentityService(SqliteStore(config.db), config))
        target = SqliteStore(path / "target.db")
        try:
            for op in ops:
                run(world, op)
            decisions = list(world.stewards.all_decisions())
            event(f"compared: {min(len(decisions), 3)}+ decisions")
            event(f"erasures: {min(world.erased, 3)}")
            if world.erased:
                event("compared: erasure after decisions" if decisions else "compared: erasure")
            live = state(world.store)
            if live["answered"]:
                event("compared: answered items")
            Migration(world.store, target, config.model_copy(update={"db": target.path})).run()
            assert state(target) == live, "migration"
            world.identity.rebuild()
            assert state(world.store) == live, "rebuild"
        finally:
            target.close()
            world.store.close()
