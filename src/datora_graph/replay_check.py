"""What a replay of the log would reject, found before it writes anything.

Neither a rebuild nor a migration is one transaction: each commits the replayed log a batch at
a time (a rebuild after forgetting the graph, a migration into its target). So a record the
current settings reject (an identifier type that is not configured, a value a changed
normaliser refuses) would be gone from its profile before anyone saw why. `check_replay`
reads the whole log of the store replayed (for a migration, the source) first and parses each
record exactly as the replay does:

>>> check = check_replay(store, registry, batch_size=1000)             # doctest: +SKIP
>>> check.rejected, check.examples[0].reason                           # doctest: +SKIP
(3, "no longer valid under the current settings: unknown identifier type 'loyalty_id' ...")
>>> raise check.refusal("migration")                                   # doctest: +SKIP

Records a replay rejected already (a rebuild the person let reject them) are not counted:
that store's graph does not hold them now, so the replay takes nothing more away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from datora_graph.domain.errors import (
    InvalidInput,
    MigrationWouldReject,
    RebuildWouldReject,
    ReplayWouldReject,
)
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import (
    REPLAY_REJECTION_PREFIX,
    Observation,
    Rejection,
    parse_logged_observation,
    replay_rejection,
)
from datora_graph.store.base import GraphStore

EXAMPLES = 5
"""How many of the records a replay would reject its refusal names."""
SETTINGS = "current"
"""Whose settings a rebuild's rejections name (`replay_rejection`)."""
UNKNOWN_TYPE = "unknown identifier type"
SETTINGS_AT_INGEST = (
    "those they were ingested with (DATORA_IDENTIFIER_TYPES and the other DATORA_* settings)"
)

Replay = Literal["rebuild", "migration"]
REFUSALS: dict[Replay, tuple[type[ReplayWouldReject], str]] = {
    "rebuild": (
        RebuildWouldReject,
        f"If the settings changed since, rebuild under {SETTINGS_AT_INGEST}; or let the rebuild "
        "reject them: they are kept in the log and listed as rejected, and a later rebuild "
        "that accepts them brings them back.",
    ),
    "migration": (
        MigrationWouldReject,
        f"If the settings changed since, migrate under {SETTINGS_AT_INGEST}; or let the "
        "migration reject them: the target keeps them in its log and lists them as rejected "
        "(`datora rejected`), and a rebuild of the target under settings that accept them "
        "brings them back.",
    ),
}
"""The error each replay stops with, and what the person can do about it."""


def reparse(
    entries: Sequence[tuple[int, str]], registry: IdentifierRegistry
) -> tuple[list[Observation], list[Rejection]]:
    """Log entries `(seq, payload)` parsed under `registry`: the records still valid, and a
    rejection for each one that is not (`replay_rejection`)."""
    now = datetime.now(UTC)
    observations: list[Observation] = []
    rejections: list[Rejection] = []
    for seq, payload in entries:
        try:
            observations.append(parse_logged_observation(payload, registry, seq))
        except InvalidInput as error:
            rejections.append(replay_rejection(payload, error, SETTINGS, now))
    return observations, rejections


@dataclass(slots=True)
class ReplayCheck:
    """The logged records the replayed store's graph holds now that a replay would reject."""

    rejected: int = 0
    examples: list[Rejection] = field(default_factory=list)

    def refusal(self, replay: Replay = "rebuild") -> ReplayWouldReject:
        """The error `replay` stops with, naming the first few and why."""
        examples = [
            f"{r.item_id or '(no id)'}: {r.field}: {_unprefixed(r.reason)}{_hint(r.reason)}"
            for r in self.examples
        ]
        refusal, advice = REFUSALS[replay]
        return refusal(self.rejected, examples, advice)


def check_replay(
    store: GraphStore,
    registry: IdentifierRegistry,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> ReplayCheck:
    """Parse the whole log of `store` under `registry` as a replay would, a page at a time,
    and count the records it would newly reject (those `store` does not keep as rejected
    already). A migration passes its source and the target's registry."""
    check = ReplayCheck()
    after = 0
    while entries := store.read_log(after, batch_size):
        _, rejections = reparse(entries, registry)
        if rejections:
            kept = store.kept_rejections([r.fingerprint for r in rejections])
            new = [r for r in rejections if r.fingerprint not in kept]
            check.rejected += len(new)
            check.examples.extend(new[: EXAMPLES - len(check.examples)])
        after = entries[-1][0]
        if progress is not None:
            progress(len(entries))
    return check


def _unprefixed(reason: str) -> str:
    return reason.removeprefix(f"{REPLAY_REJECTION_PREFIX}{SETTINGS} settings: ")


def _hint(reason: str) -> str:
    """The likeliest cause, where a reason points at one."""
    if UNKNOWN_TYPE in reason:
        return " — is DATORA_IDENTIFIER_TYPES set as when they were ingested?"
    return ""
