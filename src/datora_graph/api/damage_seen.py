"""A store file a request found damaged, remembered until the service stops.

`/readyz` read one row of `meta`, which a damaged page elsewhere does not reach, so a server
whose every profile read failed with a damaged file stayed "ready": a load balancer kept
sending it traffic and nothing told the orchestrator. SQLite reports damage only where a
statement meets it, and checking the whole file (`PRAGMA quick_check`) reads all of it, far
too much for a probe. So the first request that meets the damage is remembered, by store
file, and from then on this process is not ready; damage does not heal without a restore,
which means stopping the service (README, Backups).

The memory is this process's: under `datora serve --workers N` each worker stops being ready
when one of its own requests meets the damage, and `datora_store_damage_total` (summed over
the workers) is what to alert on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from datora_graph.api.metrics import count_store_damage
from datora_graph.domain.errors import StoreDamaged
from datora_graph.domain.moments import iso


@dataclass(frozen=True, slots=True)
class DamageSeen:
    """The first request of this process that found the store file damaged."""

    incident: str
    at: datetime


_seen: dict[Path, DamageSeen] = {}
_lock = threading.Lock()


def note_damage(store: Path, incident: str) -> None:
    """Count a request that met damage in the file at `store`, and remember the first one."""
    count_store_damage()
    with _lock:
        _seen.setdefault(store.resolve(), DamageSeen(incident, datetime.now(UTC)))


def damage_seen(store: Path) -> DamageSeen | None:
    with _lock:
        return _seen.get(store.resolve())


def not_ready(seen: DamageSeen) -> StoreDamaged:
    """What `/readyz` answers once damage was seen: not the file's path (the probe is open);
    the log line of the incident names it and what to do."""
    return StoreDamaged(
        f"the store's database file was found damaged by a request at {iso(seen.at)} "
        f"(incident {seen.incident}): this server cannot serve what the damage reaches until "
        "the store is restored, and the server's log says what to do under that incident"
    )
