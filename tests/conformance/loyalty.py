"""Records ingested under a setting a later replay (a rebuild, a migration) may run without:
an identifier type, `loyalty_id`, that only `DATORA_IDENTIFIER_TYPES` adds.

    >>> ingest_loyal(store, tmp_path).settings.identifier_types   # doctest: +SKIP
    {'loyalty_id': IdentifierTypeSetting(normaliser='id', ...)}
    >>> plain = settings(tmp_path, loyalty=False)   # a replay under these rejects  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datora_graph.config import IdentifierTypeSetting, Settings
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

LOYALTY = {"loyalty_id": IdentifierTypeSetting(normaliser="id")}


def obs(item_id: str, *keys: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [dict(zip(("type", "value"), k.split(":", 1), strict=True)) for k in keys],
    }


def settings(tmp_path: Path, *, loyalty: bool) -> Settings:
    return Settings(db=tmp_path / "unused.db", identifier_types=LOYALTY if loyalty else {})


def ingest_loyal(store: GraphStore, tmp_path: Path) -> IdentityService:
    """Ann's email with her loyalty number, Bob's email, a loyalty number alone, and an item
    the client sent with an identifier no settings accept; the service that ingested them."""
    identity = IdentityService(store, settings(tmp_path, loyalty=True))
    report = identity.ingest_observations(
        [
            obs("o1", "email:ann@acme.io", "loyalty_id:L-1"),
            obs("o2", "email:bob@acme.io"),
            obs("o3", "loyalty_id:L-3"),
            obs("bad", "email:ann@"),
        ]
    )
    assert (report.accepted, report.rejected) == (3, 1)
    return identity
