"""Settings, read once from `DATORA_*` environment variables and passed in from there.

Structured settings are JSON, for example:

    DATORA_IDENTIFIER_TYPES='{"loyalty_id": {"normaliser": "id", "limit": 1, "priority": 60}}'
    DATORA_JUNK='{"email": ["nobody@acme.com"]}'
    DATORA_SURVIVORSHIP='{"last_name": {"rule": "source_priority", "sources": ["crm"]}}'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from datora_graph.domain.errors import ConfigurationError
from datora_graph.domain.identifiers import (
    NORMALISERS,
    GuardSettings,
    IdentifierRegistry,
    IdentifierType,
    builtin_types,
    phone_normaliser,
    valid_type_name,
)
from datora_graph.domain.pii import DEFAULT_EVENT_PROPERTIES_SHOWN
from datora_graph.domain.survivorship import SurvivorshipRule, SurvivorshipRules
from datora_graph.domain.traits import DEFAULT_EVENT_SCORES, TraitSettings

_ORIGIN = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[^/\s:\[\]]+)(:[0-9]{1,5})?")
"""A web origin as a browser sends it: scheme, host, optional port; no path."""


class IdentifierTypeSetting(BaseModel):
    """A deployment's own identifier type, or overrides for a built-in one. A key it does not
    know (`normalizer`) is refused: ignored, it would leave the type normalised otherwise."""

    model_config = ConfigDict(extra="forbid")

    normaliser: Literal["id", "lower", "email", "phone", "device_id"] | None = None
    limit: int | None = Field(default=None, ge=1)
    priority: int | None = None
    junk: list[str] = Field(default_factory=list)


class SurvivorshipSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: Literal["most_recent", "most_frequent", "source_priority"]
    sources: list[str] = Field(default_factory=list)


class Settings(BaseSettings):
    """Every setting of Datora Graph; each field is the variable `DATORA_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="DATORA_", extra="ignore")

    store: Literal["sqlite", "neo4j"] = "sqlite"
    db: Path = Path("datora.db")
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"

    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    neo4j_pool_size: int = 50
    neo4j_timeout_seconds: float = 30.0
    neo4j_lock_timeout_seconds: float = Field(default=3600.0, gt=0)
    """The longest one process holds the Neo4j writer lock (a rebuild holds it throughout): a
    holder that hangs, or whose host vanished, keeps the other writers waiting no longer."""
    neo4j_guard_lease_seconds: float = Field(default=15.0, ge=1.0)
    """How long guarded reads wait for a write in flight whose writer stopped sending
    heartbeats (it crashed); a live writer beats every third of it, and a write commits only
    while another third remains, so raise it where a batch's commit or a heartbeat can take
    longer than that."""

    default_region: str = "US"
    identifier_types: dict[str, IdentifierTypeSetting] = Field(default_factory=dict)
    junk: dict[str, list[str]] = Field(default_factory=dict)
    survivorship: dict[str, SurvivorshipSetting] = Field(default_factory=dict)
    survivorship_default: Literal["most_recent", "most_frequent", "source_priority"] = "most_recent"
    source_priority: list[str] = Field(default_factory=list)
    hub_max_profiles: int = Field(default=3, ge=2)
    """An identifier joining more existing profiles than this is quarantined as a hub."""
    max_profile_identifiers: int = Field(default=50, ge=2)
    """A merge that would give a profile more identifiers than this is held for review."""
    name_conflicts: bool = True
    """Quarantine an identifier that a record ties to a profile of another first name."""

    host: str = "127.0.0.1"
    port: int = 8000
    access_log: bool = True
    """uvicorn's line per request; off (`DATORA_ACCESS_LOG=0`) where a proxy in front logs
    requests already (1-3 % of a request's server time in profiles)."""
    cors_origins: list[str] = Field(default_factory=list)
    """The web origins whose pages may call the API from a browser (`["https://app.example.com"]`,
    or `["*"]`); none by default, so a browser allows no other site's page to call it."""
    log_format: Literal["text", "json"] = "text"
    """`json`: `datora serve` writes each log line as one JSON object, for a log collector."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """What `datora serve` logs, its own lines (a warning at start, an erasure, a redaction)
    and uvicorn's alike; `warning` leaves out the line per request and the audit's info."""
    read_timeout_seconds: float = Field(default=60.0, ge=0)
    """The embedded store stops a read (one transaction: a segment's size, a page, a report
    section) that runs longer, and says so; 0: no limit. Neo4j's is
    `neo4j_timeout_seconds`."""
    shutdown_grace_seconds: int = Field(default=10, ge=1, le=3600)
    """How long `datora serve`, told to stop, waits for the requests it is serving before it
    drops them. Without a bound one client that never finishes sending its body kept the
    server from stopping at all."""
    metrics_store_seconds: float = Field(default=60.0, ge=0)
    """How often, at most, a scrape of `/metrics` counts the store (whole tables: about 1 s of
    a core at 1M observations); a scrape in between reports the last count and its age. 0:
    count at every scrape."""
    log_index_seconds: float = Field(default=10.0, ge=0)
    """How often the process `datora serve` runs beside the server brings the log index up to
    date behind ingest (api/log_indexer.py), so a split, an erasure or an access request does
    not wait for a day of observations to be indexed first. 0: no such process (the first such
    request does it)."""
    workers: int = Field(default=1, ge=1, le=64)
    """Server processes of `datora serve`: one per core serves reads on every core (README:
    Scaling out)."""
    max_batch_items: int = Field(default=1000, ge=1)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    ingest_batch_size: int = Field(default=25_000, ge=1)
    future_tolerance_hours: float = Field(default=24.0, ge=0)
    """How far past this server's clock an observation's, event's or consent statement's time
    may lie. A source whose clock runs a little ahead is tolerated; a date years ahead (a typo)
    would win every "most recent" rule and every "latest statement" until then."""
    auth_dev_mode: bool = Field(
        default=False,
        validation_alias=AliasChoices("DATORA_AUTH_DEV_MODE", "DATORA_DEV_MODE", "auth_dev_mode"),
    )
    """DATORA_AUTH_DEV_MODE (or DATORA_DEV_MODE=1): serve every call without an API key, as
    `dev-mode` with every scope. For a laptop only; the server warns loudly when it is on."""

    event_scores: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_EVENT_SCORES))
    """Engagement points per event type; replaces the whole table when set."""
    default_event_score: float = 1.0
    order_event_types: list[str] = Field(default_factory=lambda: ["purchase"], min_length=1)
    expected_lifespan_years: float = Field(default=3.0, gt=0, le=100)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    event_properties_shown: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EVENT_PROPERTIES_SHOWN)
    )
    """The event properties whose values a caller without `read:pii` sees (the names of the
    others stay, their values are `***`); replaces the whole list when set."""

    def latest_accepted_time(self) -> datetime:
        """The latest time an item received now may carry (`future_tolerance_hours`)."""
        return datetime.now(UTC) + timedelta(hours=self.future_tolerance_hours)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not a web origin: write scheme://host[:port] without a "
                    "path or a trailing /, such as https://app.example.com (or * for any)"
                )
        return origins

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_any_case(cls, value: object) -> object:
        """`WARNING`, as Python's logging spells it, is `warning`."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("default_region")
    @classmethod
    def _region_is_known(cls, value: str) -> str:
        import phonenumbers

        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"{value!r} is not a region phonenumbers knows (e.g. US, GB, DE)")
        return region

    @property
    def store_reads_are_local(self) -> bool:
        """Whether a read is a local file read (the embedded store), well under a millisecond:
        the API then reads inline rather than paying a trip to the thread pool, which under
        concurrent load costs more than the read. Neo4j's reads wait on the network."""
        return self.store == "sqlite"

    def identifier_registry(self) -> IdentifierRegistry:
        """The built-in types with this deployment's overrides, extra types and junk values."""
        types = {t.name: t for t in builtin_types(self.default_region)}
        for name, setting in self.identifier_types.items():
            if not valid_type_name(name):
                raise ConfigurationError(
                    f"DATORA_IDENTIFIER_TYPES: {name!r} is not a valid type name "
                    "(lower-case letters, digits and _, starting with a letter)"
                )
            base = types.get(name)
            if setting.normaliser == "phone":
                normalise = phone_normaliser(self.default_region)
            elif setting.normaliser is not None:
                normalise = NORMALISERS[setting.normaliser]
            else:
                normalise = base.normalise if base else NORMALISERS["id"]
            types[name] = IdentifierType(
                name=name,
                normalise=normalise,
                limit=setting.limit
                if setting.limit is not None
                else (base.limit if base else None),
                priority=setting.priority
                if setting.priority is not None
                else (base.priority if base else 50),
                junk=(base.junk if base else frozenset())
                | {v.strip().lower() for v in setting.junk},
            )
        for name, values in self.junk.items():
            if name not in types:
                raise ConfigurationError(f"DATORA_JUNK: {name!r} is not an identifier type")
            current = types[name]
            types[name] = IdentifierType(
                current.name,
                current.normalise,
                current.limit,
                current.priority,
                current.junk | {v.strip().lower() for v in values},
            )
        return IdentifierRegistry(types.values())

    def guard_settings(self) -> GuardSettings:
        return GuardSettings(
            self.hub_max_profiles, self.max_profile_identifiers, self.name_conflicts
        )

    def survivorship_rules(self) -> SurvivorshipRules:
        per_attribute = {
            name: SurvivorshipRule(s.rule, tuple(s.sources or self.source_priority))
            for name, s in self.survivorship.items()
        }
        default = SurvivorshipRule(self.survivorship_default, tuple(self.source_priority))
        return SurvivorshipRules(default=default, per_attribute=per_attribute)

    def trait_settings(self) -> TraitSettings:
        """How computed traits are derived (engagement scores, orders, CLV lifespan)."""
        return TraitSettings(
            event_scores=dict(self.event_scores),
            default_event_score=self.default_event_score,
            order_event_types=tuple(self.order_event_types),
            expected_lifespan_years=self.expected_lifespan_years,
            identifier_types=tuple(self.identifier_registry().types),
            currency=self.currency.upper(),
        )


def load_settings(**values: Any) -> Settings:
    """The settings from the environment, with `values` given in code over them; raises
    ConfigurationError naming each bad variable and what is wrong with it (pydantic's own
    errors name a field, or for malformed JSON only the source, with a traceback)."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigurationError(f"The settings are invalid: {settings_problems(exc)}") from None
    except SettingsError as exc:
        raise ConfigurationError(f"The settings are invalid: {_unreadable(exc)}") from None


_NESTED_SETTINGS: dict[str, type[BaseModel]] = {
    "identifier_types": IdentifierTypeSetting,
    "survivorship": SurvivorshipSetting,
}
"""The JSON settings whose entries are models, by field: a key they do not know names theirs."""


def settings_problems(error: ValidationError) -> str:
    """`DATORA_DEFAULT_REGION: ...`; a part of a JSON setting is named after the variable."""
    problems = []
    for problem in error.errors():
        name, *path = [str(part) for part in problem["loc"]] or ["settings"]
        where = variable_of(name) + (f" ({'.'.join(path)})" if path else "")
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden" and name in _NESTED_SETTINGS:
            message = (
                f"is not a known key (known: {', '.join(_NESTED_SETTINGS[name].model_fields)})"
            )
        problems.append(f"{where}: {message}")
    return "; ".join(problems)


def variable_of(name: str) -> str:
    """The environment variable(s) a field or alias of `Settings` is read from."""
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices) and (name == field_name or name in alias.choices):
            return " / ".join(c for c in alias.choices if isinstance(c, str) and c.isupper())
    return name if name.startswith("DATORA_") else f"DATORA_{name.upper()}"


def _unreadable(error: SettingsError) -> str:
    """A JSON setting that is not JSON, named: pydantic-settings says only 'error parsing
    value for field "junk" from source "EnvSettingsSource"'."""
    field = re.search(r'field "([^"]+)"', str(error))
    cause = error.__cause__
    if field is None:
        return str(error)
    why = f" ({cause})" if cause is not None else ""
    return f"{variable_of(field.group(1))}: is not valid JSON{why}"
