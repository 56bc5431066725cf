"""`migrate.Migration` between the store under test and an embedded one, both ways: the same
profiles (IDs, identifiers, golden attributes), events, consent, cannot-links, segments and
rejected items come out, and the verification says so. On Neo4j this is `datora migrate --to
neo4j` and back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.demo.generator import generate
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.errors import Conflict
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.profiles import RejectionFilter
from datora_graph.domain.segments import Segment, parse_definition
from datora_graph.migrate import Migration, verify
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore
from datora_graph.store.sqlite import SqliteStore

AT = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> Any:
    return generate(60, seed=5)


def _fill(store: GraphStore, data: Any) -> None:
    service = IdentityService(store, Settings())
    service.ingest_observations([*data.observations, {"id": "broken"}])
    service.ingest_events(data.events)
    first = next(iter(store.iter_profiles()))[0]
    email = Identifier("email", "ann@acme.io")
    store.record_consent([ConsentStatement(email, "email_marketing", "granted", AT, "web")])
    store.add_cannot_link(first.identifiers[0].identifier.key, "email:x@acme.io", "two people")
    definition = parse_definition({"event": {"type": "purchase"}})
    store.create_segment(Segment("seg_1", "Buyers", "", definition, None, AT, AT))


def _contents(store: GraphStore) -> tuple[Any, ...]:
    return (
        [p for batch in store.iter_profiles() for p in batch],
        [e for batch in store.iter_events() for e in batch],
        sorted((s for b in store.iter_consent_statements() for s in b), key=repr),
        [(c.a, c.b, c.reason) for c in store.list_cannot_links()],
        store.list_segments(),
        [r for _, r in store.list_rejections(RejectionFilter(limit=1000)).items],
    )


def _comparable(contents: tuple[Any, ...]) -> tuple[Any, ...]:
    profiles, *rest = contents
    shapes = [(p.id, [i.identifier for i in p.identifiers], p.attributes) for p in profiles]
    return (shapes, *rest)


def test_a_store_migrated_there_and_back_holds_the_same(
    store: GraphStore, data: Any, tmp_path: Path
) -> None:
    _fill(store, data)
    embedded = SqliteStore(tmp_path / "there.db")
    back = SqliteStore(tmp_path / "back.db")
    try:
        there = Migration(store, embedded, Settings(), batch_size=50).run()
        again = Migration(embedded, back, Settings(), batch_size=50).run()

        assert there.matches
        assert again.matches
        assert there.verification.source_profiles == there.verification.target_profiles > 20
        assert there.rejected_on_replay == 0
        assert there.events == there.source_events > 0
        assert (there.consent_statements, there.cannot_links, there.segments) == (1, 1, 1)
        assert _comparable(_contents(embedded)) == _comparable(_contents(store))
        assert _comparable(_contents(back)) == _comparable(_contents(store))
    finally:
        embedded.close()
        back.close()


def test_a_store_migrated_into_the_store_under_test_holds_the_same(
    store: GraphStore, data: Any, tmp_path: Path
) -> None:
    embedded = SqliteStore(tmp_path / "source.db")
    try:
        _fill(embedded, data)

        report = Migration(embedded, store, Settings(), batch_size=50).run()

        assert report.matches
        assert _comparable(_contents(store)) == _comparable(_contents(embedded))
        with pytest.raises(Conflict, match="not empty"):
            Migration(embedded, store, Settings()).run()
        assert Migration(embedded, store, Settings()).run(into_nonempty=True).matches
    finally:
        embedded.close()


def test_the_verification_names_a_profile_that_differs(store: GraphStore, tmp_path: Path) -> None:
    service = IdentityService(store, Settings())
    ann = {
        "id": "o-1",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": "ann@acme.io"}],
        "attributes": {"city": "Leeds"},
    }
    service.ingest_observations([ann])
    other = SqliteStore(tmp_path / "other.db")
    try:
        IdentityService(other, Settings()).ingest_observations(
            [{**ann, "attributes": {"city": "Oslo"}}]
        )

        found = verify(store, other)

        assert (found.matches, found.different, found.missing) == (False, 1, 0)
        assert "other golden attributes" in found.examples[0]
    finally:
        other.close()
