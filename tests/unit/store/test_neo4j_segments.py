"""What the Neo4j store cannot answer yet it says, naming the method, instead of answering
empty; this needs no server, since these methods refuse before they touch Neo4j."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from datora_graph.domain.errors import StoreUnavailable
from datora_graph.domain.traits import TraitSettings
from datora_graph.store.neo4j import Neo4jStore

AT = datetime(2026, 5, 1, tzinfo=UTC)
NOT_YET: dict[str, Callable[[Neo4jStore], object]] = {
    "trait_facts": lambda s: s.trait_facts(["prf_1"]),
    "attribute_completeness": lambda s: s.attribute_completeness(["city"]),
    "value_distribution": lambda s: s.value_distribution("revenue", AT, TraitSettings()),
    "events_per_day": lambda s: s.events_per_day(AT, AT),
}


@pytest.mark.parametrize("method", sorted(NOT_YET))
def test_methods_not_yet_on_neo4j_raise_naming_the_method(method: str) -> None:
    store = object.__new__(Neo4jStore)

    with pytest.raises(StoreUnavailable, match=rf"^{method} is not yet available on Neo4j"):
        NOT_YET[method](store)
