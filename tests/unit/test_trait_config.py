"""Trait settings from `DATORA_*` variables: engagement scores, order types, CLV lifespan."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from datora_graph.config import Settings
from datora_graph.domain.traits import DEFAULT_EVENT_SCORES, TraitSettings


@pytest.fixture(autouse=True)
def no_datora_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("DATORA_"):
            monkeypatch.delenv(name)


def test_the_defaults_score_a_purchase_twenty_page_views() -> None:
    traits = Settings().trait_settings()

    assert traits == TraitSettings(identifier_types=traits.identifier_types)
    assert dict(traits.event_scores) == dict(DEFAULT_EVENT_SCORES)
    assert traits.event_scores["purchase"] == 20 * traits.event_scores["page_view"]
    assert set(traits.identifier_types) == {
        "crm_id", "user_id", "email", "phone", "device_id", "cookie_id",
    }  # fmt: skip


def test_trait_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATORA_EVENT_SCORES", '{"webinar": 8, "purchase": 25}')
    monkeypatch.setenv("DATORA_DEFAULT_EVENT_SCORE", "0.5")
    monkeypatch.setenv("DATORA_ORDER_EVENT_TYPES", '["purchase", "subscription"]')
    monkeypatch.setenv("DATORA_EXPECTED_LIFESPAN_YEARS", "5")
    monkeypatch.setenv("DATORA_CURRENCY", "eur")
    monkeypatch.setenv("DATORA_IDENTIFIER_TYPES", '{"loyalty_id": {"normaliser": "id"}}')

    traits = Settings().trait_settings()

    assert dict(traits.event_scores) == {"webinar": 8, "purchase": 25}
    assert traits.score_milli("page_view") == 500
    assert traits.order_event_types == ("purchase", "subscription")
    assert (traits.expected_lifespan_years, traits.currency) == (5.0, "EUR")
    assert "loyalty_id" in traits.identifier_types


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATORA_EXPECTED_LIFESPAN_YEARS", "0"),
        ("DATORA_ORDER_EVENT_TYPES", "[]"),
        ("DATORA_CURRENCY", "dollars"),
        ("DATORA_EVENT_SCORES", '{"purchase": "a lot"}'),
    ],
)
def test_nonsense_trait_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        Settings()
