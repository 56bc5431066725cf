"""The marks an erasure or a redaction writes onto a logged record, so that a replay of the
rewritten log reproduces the live graph: what the record did live may have rested on what went.

Each is a key of the logged record's JSON that the wire format refuses from a client (it
forbids unknown keys); `records.parse_logged_observation` reads them into an `Observation`.
The marks with links in them live beside their parsers (kept_holds.py, kept_links.py).
"""

from __future__ import annotations

KEPT_QUARANTINES = "_quarantined_here"
"""The key under which an erasure keeps, in a logged record it rewrote, the identifiers the
record quarantined live (`{"type", "value"}` as sent): the first name or the other person's
identifier that made them shared went with the person, and a replay must still find them
shared from here on. Never accepted from a client (the wire format forbids unknown keys)."""

KEPT_LINK_QUARANTINES = "_quarantined_linking_here"
"""As `KEPT_QUARANTINES`, for the identifiers the record quarantined at a link it held (a
per-type limit, the hub bound) rather than before linking (a name conflict): live, they were
open when the record's first name was checked against its profiles and when its links were
ordered, and a replay must keep them so until that link."""

KEPT_JOINS = "_joined_here"
"""As `KEPT_QUARANTINES`, for the identifiers the record counted a join for towards the hub
bound (`DATORA_HUB_MAX_PROFILES`) through an identifier that went with the person."""

KEPT_NAME_CHECK = "_name_checked_here"
"""Set (true) by an erasure on a logged record of someone else that carries a first name and
identifiers the erased person had been linked with: its name check (name_conflicts.py) met
profiles as the person's identifiers had joined them, so a replay keeps what it found live
(the identifiers it quarantined, under `KEPT_QUARANTINES`; none: it found no conflict to act
on) instead of looking again."""

ATTRIBUTES_REDACTED = "_attributes_redacted_here"
"""Set (true) by a redaction (domain/redaction.py) that took the last attribute out of a
logged record: the engine dates a profile's last update by the merges and the attributes
folded into it, so without the mark a replay would date it earlier than live did."""

UNLINKED = "_unlinked_here"
"""Set (true) by an erasure on a logged record whose anchor, the identifier it linked every
other through, was the erased person's: the others it keeps were never linked by it."""

KEPT_QUARANTINE_REASON = (
    "a record quarantined it as shared; an erasure has since removed what made it so"
)
"""The quarantine reason of such an identifier, live once the erasure is done (the reason it
had may quote the erased person's first name) and in a replay."""
