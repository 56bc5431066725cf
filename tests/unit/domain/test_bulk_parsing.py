"""What the faster bulk parsing must not change: phones remembered by their digits, the strict
timestamp gate of the fast path, configured junk in its normalised form, trailing CR and TAB,
and the log payload kept as the line's own text."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from types import MappingProxyType
from typing import Any

import pytest

from datora_graph.config import IdentifierTypeSetting, Settings
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry, phone_normaliser
from datora_graph.domain.records import parse_observation

REGISTRY = IdentifierRegistry.default()


def wire(observed_at: str = "2026-05-01T10:00:00Z", **changes: Any) -> dict[str, Any]:
    return {
        "id": "crm-1",
        "source": "crm",
        "observed_at": observed_at,
        "identifiers": [{"type": "email", "value": "ann@acme.io"}],
        "attributes": {"first_name": "Ann"},
        **changes,
    }


# -- phones -----------------------------------------------------------------------------------
VARIANTS = [
    "(415) 555-2671",
    "415.555.2671",
    "415-555-2671",
    "4155552671",
    "+1 415 555 2671",
    "+14155552671",
    "001 415 555 2671",
    "1-415-555-2671",
    "+44 20 7946 0958",
    "0044 20 7946 0958",
    "(020) 7946 0958",
]


@pytest.mark.parametrize("raw", VARIANTS)
def test_a_remembered_number_is_what_a_fresh_parse_gives(raw: str) -> None:
    warm = phone_normaliser("US")
    for other in VARIANTS:  # fill the cache with every other spelling first
        with contextlib.suppress(ValueError):
            warm(other)
    try:
        expected: str | None = phone_normaliser("US")(raw)
    except ValueError:
        expected = None

    try:
        got: str | None = warm(raw)
    except ValueError:
        got = None

    assert got == expected


def test_an_over_long_spelling_is_not_answered_from_what_a_short_one_left() -> None:
    normalise = phone_normaliser("US")
    assert normalise("4155552671") == "+14155552671"
    padded = "415" + " " * 250 + "5552671"

    with pytest.raises(ValueError, match="is not a phone number"):
        normalise(padded)


def test_a_refused_number_names_the_value_as_written_each_time() -> None:
    normalise = phone_normaliser("US")

    for raw in ["123-456", "(123) 456"]:
        with pytest.raises(ValueError, match="phone number") as caught:
            normalise(raw)
        assert str(caught.value).startswith(repr(raw))


# -- configured junk --------------------------------------------------------------------------
def test_configured_junk_phones_match_however_the_number_is_written() -> None:
    registry = Settings(junk={"phone": ["(415) 555-0000"]}).identifier_registry()

    for raw in ["(415) 555-0000", "+1 415 555 0000", "415.555.0000", "0014155550000"]:
        parsed = registry.parse_with_junk("phone", raw)
        assert (parsed.identifier.value, parsed.junk) == ("+14155550000", True), raw
    assert not registry.parse_with_junk("phone", "(415) 555-2671").junk


def test_configured_junk_of_a_type_is_normalised_by_its_normaliser() -> None:
    registry = Settings(
        identifier_types={"member": IdentifierTypeSetting(normaliser="email", junk=["A@B.io"])}
    ).identifier_registry()

    assert registry.parse_with_junk("member", "mailto:a@b.io").junk


def test_configured_junk_the_normaliser_refuses_is_still_junk_as_written() -> None:
    registry = Settings(junk={"phone": ["5555555555"]}).identifier_registry()

    parsed = registry.parse_with_junk("phone", "555-555-5555")

    assert (parsed.identifier.value, parsed.junk) == ("5555555555", True)


# -- trailing blanks --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "raw", "value"),
    [
        ("email", "ann@acme.io\r", "ann@acme.io"),
        ("crm_id", "C-1\t", "C-1"),
        ("phone", "(415) 555-2671 \t\r", "+14155552671"),
    ],
)
def test_a_trailing_carriage_return_or_tab_is_trimmed(type_name: str, raw: str, value: str) -> None:
    parsed = REGISTRY.parse_with_junk(type_name, raw)

    assert parsed.identifier.value == value


@pytest.mark.parametrize("raw", ["C\r1", "\rC-1", "C-1\r\n", "C-1\x0b"])
def test_control_characters_elsewhere_are_still_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="contains control characters"):
        REGISTRY.parse_with_junk("crm_id", raw)


# -- timestamps -------------------------------------------------------------------------------
TIMESTAMPS = [
    "2026-05-01T10:00",
    "2026-05-01T10:00:00",
    "2026-05-01T10:00:00Z",
    "2026-05-01T10:00:00.5Z",
    "2026-05-01T10:00:00.123456789Z",
    "2026-05-01T10:00:00+02:00",
    "2026-05-01T10:00:00-00:00",
    "2026-05-01T10:00:00+0200",
    "2026-05-01T10",
    "20260501T100000",
    "2026-W18-5T10:00:00",
    "2026-05-01T10:00:00+02",
    "2026-05-01T10:00:00+02:00:00",
    "2026-05-01T10:00:00 Z",
    "2026-05-01T10:00:00.Z",
    "2026-05-01t10:00:00z",
    "2026-05-01 10:00:00Z",
    "2026-02-30T10:00:00Z",
    "\uff12\uff10\uff12\uff16-05-01T10:00:00Z",  # full-width digits
]


def _outcome(raw: Any) -> datetime | str:
    try:
        return parse_observation(raw, REGISTRY).observed_at
    except InvalidInput as error:
        return error.field


@pytest.mark.parametrize("moment", TIMESTAMPS)
def test_the_fast_path_reads_a_timestamp_as_the_wire_model_does(moment: str) -> None:
    """A plain dict may take the fast path; a mapping proxy always takes the pydantic one."""
    raw = wire(moment)

    assert _outcome(raw) == _outcome(MappingProxyType(raw))


@pytest.mark.parametrize("moment", ["2026-05-01T10", "20260501T100000", "2026-05-01T10:00:00+02"])
def test_timestamps_the_wire_model_refuses_are_refused(moment: str) -> None:
    assert _outcome(wire(moment)) == "observed_at"


# -- the log payload --------------------------------------------------------------------------
def test_the_log_keeps_the_text_an_item_was_read_from() -> None:
    text = '{"id": "crm-1", "source": "crm", "observed_at": "2026-05-01T10:00:00Z", ' + (
        '"identifiers": [{"type": "email", "value": "ann@acme.io"}]}\r\n'
    )

    parsed = parse_observation(json.loads(text), REGISTRY, text)

    assert parsed.raw == text.rstrip("\r\n")
    assert json.loads(parsed.raw) == json.loads(text)
