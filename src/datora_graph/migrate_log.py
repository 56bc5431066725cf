"""A logged record the target's settings reject, carried into the target's log all the same.

The log is the source of truth, so a migration that is allowed to reject records must not
leave them out of the target's log: the rejection it keeps is one a replay made (its reason
begins `REPLAY_REJECTION_PREFIX`), which a rebuild of the target forgets and makes again only
for the records its log holds and its settings still reject. Left out of the log, the record
would go with the first rebuild of the target, without a trace.

    >>> kept_in_log(payload).identifiers, kept_in_log(payload).raw == payload   # doctest: +SKIP
    ((), True)
"""

from __future__ import annotations

import json

from pydantic import TypeAdapter

from datora_graph.domain.moments import utc
from datora_graph.domain.records import Observation, WireTime

_TIME: TypeAdapter[WireTime] = TypeAdapter(WireTime)


def kept_in_log(payload: str) -> Observation:
    """The logged record `payload` as an observation that carries no identifier, attribute or
    consent: the resolution engine links and adds nothing for it, and the store writes it to
    the log as it was logged. Its ID, source and time were valid when it was ingested, and no
    setting changes how they are read."""
    raw = json.loads(payload)
    return Observation(
        id=str(raw["id"]),
        source=str(raw["source"]),
        observed_at=utc(_TIME.validate_python(raw["observed_at"])),
        identifiers=(),
        junk=frozenset(),
        attributes={},
        raw=payload,
    )
