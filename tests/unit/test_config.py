"""Settings: defaults, `DATORA_*` variables (JSON for structured ones), and what they build."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from datora_graph.config import (
    IdentifierTypeSetting,
    Settings,
    SurvivorshipSetting,
    load_settings,
)
from datora_graph.domain.errors import ConfigurationError
from datora_graph.domain.survivorship import SurvivorshipRule


@pytest.fixture(autouse=True)
def no_datora_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own DATORA_* variables must not change what these tests see."""
    for name in list(os.environ):
        if name.startswith("DATORA_"):
            monkeypatch.delenv(name)


def test_the_defaults_need_nothing_installed_or_running() -> None:
    settings = Settings()

    assert settings.store == "sqlite"
    assert settings.db == Path("datora.db")
    assert settings.default_region == "US"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_batch_items == 1000
    assert settings.max_body_bytes == 10 * 1024 * 1024
    assert settings.ingest_batch_size == 25_000
    assert settings.identifier_registry().limits() == {"crm_id": 1, "user_id": 1}


def test_variables_are_read_with_the_datora_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATORA_DB", "/var/lib/datora/graph.db")
    monkeypatch.setenv("DATORA_PORT", "9000")
    monkeypatch.setenv("DATORA_DEFAULT_REGION", "gb")
    monkeypatch.setenv("DATORA_MAX_BATCH_ITEMS", "50")
    monkeypatch.setenv("PORT", "1")

    settings = Settings()

    assert settings.db == Path("/var/lib/datora/graph.db")
    assert settings.port == 9000
    assert settings.default_region == "GB"
    assert settings.max_batch_items == 50


def test_constructor_arguments_override_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATORA_DEFAULT_REGION", "DE")

    assert Settings(default_region="GB").default_region == "GB"


def test_structured_variables_are_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "DATORA_IDENTIFIER_TYPES",
        '{"loyalty_id": {"normaliser": "lower", "limit": 1, "priority": 60}}',
    )
    monkeypatch.setenv("DATORA_JUNK", '{"email": ["nobody@acme.io"]}')
    monkeypatch.setenv("DATORA_EVENT_PROPERTIES_SHOWN", '["revenue", "plan"]')
    monkeypatch.setenv(
        "DATORA_SURVIVORSHIP", '{"last_name": {"rule": "source_priority", "sources": ["crm"]}}'
    )

    settings = Settings()
    registry = settings.identifier_registry()

    assert registry.parse("loyalty_id", " LY-9 ").key == "loyalty_id:ly-9"
    assert registry.limits() == {"crm_id": 1, "user_id": 1, "loyalty_id": 1}
    assert registry.parse_with_junk("email", "Nobody@Acme.io").junk
    rules = settings.survivorship_rules()
    assert rules.per_attribute == {"last_name": SurvivorshipRule("source_priority", ("crm",))}
    assert settings.event_properties_shown == ["revenue", "plan"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATORA_IDENTIFIER_TYPES", "{loyalty_id: 1"),
        ("DATORA_JUNK", "nobody@acme.com"),
        ("DATORA_ORDER_EVENT_TYPES", "purchase"),
        ("DATORA_SOURCE_PRIORITY", "crm,shop"),
    ],
)
def test_malformed_json_in_a_variable_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    assert str(caught.value).startswith(f"The settings are invalid: {name}: is not valid JSON (")


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("DATORA_PORT", "abc", "DATORA_PORT: Input should be a valid integer"),
        ("DATORA_DEV_MODE", "maybe", "DATORA_AUTH_DEV_MODE / DATORA_DEV_MODE: Input should be"),
        ("DATORA_SURVIVORSHIP", '{"city": {"rule": "loudest"}}', "DATORA_SURVIVORSHIP (city.rule)"),
        (
            "DATORA_IDENTIFIER_TYPES",
            '{"loyalty_id": {"normalizer": "id"}}',
            "DATORA_IDENTIFIER_TYPES (loyalty_id.normalizer): is not a known key "
            "(known: normaliser, limit, priority, junk)",
        ),
        (
            "DATORA_SURVIVORSHIP",
            '{"city": {"rule": "source_priority", "source": ["crm"]}}',
            "DATORA_SURVIVORSHIP (city.source): is not a known key (known: rule, sources)",
        ),
    ],
)
def test_a_bad_value_is_a_configuration_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=re.escape(named)):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        pytest.param("DATORA_DEFAULT_REGION", "XX", "default_region", id="unknown-region"),
        pytest.param("DATORA_STORE", "postgres", "store", id="unknown-store"),
        pytest.param("DATORA_LOG_LEVEL", "verbose", "log_level", id="unknown-log-level"),
        pytest.param("DATORA_CORS_ORIGINS", '["app.example.com"]', "cors_origins", id="origin"),
        pytest.param("DATORA_MAX_BATCH_ITEMS", "0", "max_batch_items", id="zero-batch"),
        pytest.param("DATORA_MAX_BODY_BYTES", "100", "max_body_bytes", id="tiny-body"),
        pytest.param("DATORA_INGEST_BATCH_SIZE", "-1", "ingest_batch_size", id="negative"),
        pytest.param(
            "DATORA_IDENTIFIER_TYPES",
            '{"loyalty_id": {"limit": 0}}',
            "identifier_types.loyalty_id.limit",
            id="zero-limit",
        ),
        pytest.param(
            "DATORA_IDENTIFIER_TYPES",
            '{"loyalty_id": {"normaliser": "upper"}}',
            "identifier_types.loyalty_id.normaliser",
            id="unknown-normaliser",
        ),
        pytest.param(
            "DATORA_SURVIVORSHIP",
            '{"city": {"rule": "loudest"}}',
            "survivorship.city.rule",
            id="unknown-rule",
        ),
        pytest.param(
            "DATORA_NEO4J_GUARD_LEASE_SECONDS",
            "0.1",
            "neo4j_guard_lease_seconds",
            id="lease-shorter-than-a-heartbeat-can-take",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, field: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError) as caught:
        Settings()

    assert [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()] == [field]


def test_the_neo4j_guard_lease_is_short_and_settable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().neo4j_guard_lease_seconds == 15.0
    monkeypatch.setenv("DATORA_NEO4J_GUARD_LEASE_SECONDS", "40")

    assert Settings().neo4j_guard_lease_seconds == 40.0


def test_an_unknown_region_says_what_is_expected() -> None:
    with pytest.raises(ValidationError, match=r"'XX' is not a region phonenumbers knows"):
        Settings(default_region="XX")


def test_a_bad_identifier_type_name_from_the_environment_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATORA_IDENTIFIER_TYPES", '{"Loyalty-ID": {"limit": 1}}')
    settings = Settings()

    with pytest.raises(ConfigurationError) as caught:
        settings.identifier_registry()

    assert caught.value.code == "CONFIGURATION"
    assert "DATORA_IDENTIFIER_TYPES: 'Loyalty-ID' is not a valid type name" in str(caught.value)


def test_survivorship_rules_fall_back_to_the_global_source_priority() -> None:
    settings = Settings(
        survivorship_default="most_frequent",
        source_priority=["crm", "shop"],
        survivorship={
            "last_name": SurvivorshipSetting(rule="source_priority"),
            "city": SurvivorshipSetting(rule="source_priority", sources=["shop"]),
            "gender": SurvivorshipSetting(rule="most_recent"),
        },
    )

    rules = settings.survivorship_rules()

    assert rules.default == SurvivorshipRule("most_frequent", ("crm", "shop"))
    assert rules.per_attribute == {
        "last_name": SurvivorshipRule("source_priority", ("crm", "shop")),
        "city": SurvivorshipRule("source_priority", ("shop",)),
        "gender": SurvivorshipRule("most_recent", ("crm", "shop")),
    }


def test_each_call_builds_an_independent_registry() -> None:
    settings = Settings(identifier_types={"loyalty_id": IdentifierTypeSetting(limit=3)})

    first, second = settings.identifier_registry(), settings.identifier_registry()

    assert first is not second
    assert first.limit("loyalty_id") == second.limit("loyalty_id") == 3


@pytest.mark.parametrize("given", ["WARNING", " Warning ", "warning"])
def test_a_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv("DATORA_LOG_LEVEL", given)

    assert load_settings().log_level == "warning"
