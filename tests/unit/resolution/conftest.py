"""Fixtures for engine tests: the default registry and engine, a fresh graph model, and
`observe`, which builds observations through `parse_observation` with increasing log positions.

    def test_x(observe: Observe) -> None:
        first = observe("crm_id:C-1", "email:ann@acme.io", source="crm")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import Observation, parse_observation
from datora_graph.domain.survivorship import SurvivorshipRules
from datora_graph.resolution.engine import ResolutionEngine

from .graph_model import GraphModel

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

Observe = Callable[..., Observation]
"""`observe("type:value", ..., source=, attributes=, at=, id=)`: the log's next observation."""


@pytest.fixture(scope="session")
def registry() -> IdentifierRegistry:
    return IdentifierRegistry.default()


@pytest.fixture(scope="session")
def engine(registry: IdentifierRegistry) -> ResolutionEngine:
    return ResolutionEngine(registry, SurvivorshipRules())


@pytest.fixture
def model() -> GraphModel:
    return GraphModel()


@pytest.fixture
def observe(registry: IdentifierRegistry) -> Observe:
    return observer(registry)


def observer(registry: IdentifierRegistry, first_seq: int = 1) -> Observe:
    """A builder of the log's next observations, parsed by `registry`, from `first_seq` on."""
    seq = first_seq - 1

    def build(
        *identifiers: str,
        source: str = "web",
        attributes: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        id: str | None = None,
    ) -> Observation:
        nonlocal seq
        seq += 1
        raw = {
            "id": id or f"obs-{seq}",
            "source": source,
            "observed_at": (at or T0 + timedelta(minutes=seq)).isoformat(),
            "identifiers": [
                {"type": key.partition(":")[0], "value": key.partition(":")[2]}
                for key in identifiers
            ],
            "attributes": dict(attributes or {}),
        }
        return parse_observation(raw, registry).with_seq(seq)

    return build
