"""Identifier normalisers, validators and junk lists, as tables of tricky inputs."""

from __future__ import annotations

import pytest

from datora_graph.config import IdentifierTypeSetting, Settings
from datora_graph.domain.errors import ConfigurationError, InvalidInput
from datora_graph.domain.identifiers import (
    BUILTIN_JUNK,
    MAX_VALUE_LENGTH,
    Identifier,
    IdentifierRegistry,
)

FIELD = "identifiers[2]"


@pytest.fixture(scope="module")
def registry() -> IdentifierRegistry:
    return IdentifierRegistry.default()


def parse(registry: IdentifierRegistry, type_name: str, raw: object) -> tuple[str, bool]:
    parsed = registry.parse_with_junk(type_name, raw, field=FIELD)
    assert parsed.identifier.type == type_name
    return parsed.identifier.value, parsed.junk


def rejection(registry: IdentifierRegistry, type_name: str, raw: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        registry.parse_with_junk(type_name, raw, field=FIELD)
    return caught.value


# -- email ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("ann@acme.io", "ann@acme.io", id="plain"),
        pytest.param("Ann.Lee@Acme.IO", "ann.lee@acme.io", id="case"),
        pytest.param("  ann@acme.io \u00a0", "ann@acme.io", id="surrounding-whitespace"),
        pytest.param("mailto:Ann@acme.io", "ann@acme.io", id="mailto"),
        pytest.param("MAILTO:ann@acme.io", "ann@acme.io", id="mailto-upper"),
        pytest.param("mailto:mailto:ann@acme.io", "ann@acme.io", id="mailto-twice"),
        pytest.param("ann+news@acme.io", "ann+news@acme.io", id="plus-tag-kept"),
        pytest.param("ÄNNE@Bücher.de", "änne@bücher.de", id="unicode"),
        pytest.param("ann@mail.acme.co.uk", "ann@mail.acme.co.uk", id="subdomains"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(
    registry: IdentifierRegistry, raw: str, expected: str
) -> None:
    assert parse(registry, "email", raw) == (expected, False)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("ann.acme.io", id="missing-at"),
        pytest.param("ann@bob@acme.io", id="two-at"),
        pytest.param("ann@acme", id="no-tld"),
        pytest.param("ann@acme.io.", id="trailing-dot"),
        pytest.param("@acme.io", id="no-local-part"),
        pytest.param("ann@", id="no-domain"),
        pytest.param("ann lee@acme.io", id="inner-space"),
    ],
)
def test_malformed_emails_are_rejected_naming_the_field(
    registry: IdentifierRegistry, raw: str
) -> None:
    error = rejection(registry, "email", raw)

    assert error.field == f"{FIELD}.value"
    assert "is not an email address" in error.reason
    assert error.reason.startswith("email ")


# -- phone ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("(415) 555-2671", "+14155552671", id="us-parentheses"),
        pytest.param("415.555.2671", "+14155552671", id="us-dots"),
        pytest.param("1-415-555-2671", "+14155552671", id="us-trunk-1"),
        pytest.param("+1 415 555 2671", "+14155552671", id="us-plus"),
        pytest.param("tel:+1-415-555-2671", "+14155552671", id="tel-uri"),
        pytest.param("0044 20 7946 0958", "+442079460958", id="00-international"),
        pytest.param("+44 (0) 20 7946 0958", "+442079460958", id="uk-with-trunk-0"),
        pytest.param("+49 30 12345678", "+493012345678", id="berlin"),
        pytest.param("0049 (0)30 12345678", "+493012345678", id="00-berlin-trunk-0"),
        pytest.param("+1 415-555-2671 ext. 123", "+14155552671", id="extension-dropped"),
        pytest.param("415-555-2671 x99", "+14155552671", id="extension-x"),
        pytest.param("1-800-FLOWERS", "+18003569377", id="vanity-letters"),
    ],
)
def test_phones_become_e164(registry: IdentifierRegistry, raw: str, expected: str) -> None:
    assert parse(registry, "phone", raw) == (expected, False)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        pytest.param("abc", "is not a phone number", id="letters-only"),
        pytest.param("123", "is not a valid phone number", id="too-short"),
        pytest.param("415 555 267", "is not a valid phone number", id="one-digit-short"),
        pytest.param("4155552671111", "is not a valid phone number", id="too-long"),
        pytest.param("+1 555 555 0100", "is not a valid phone number", id="unassigned"),
        pytest.param("+1 212 555 01", "no +1 number has that form", id="with-country-code"),
        pytest.param("020 7946 0958", "read as US", id="uk-number-without-country-code"),
    ],
)
def test_invalid_phones_are_rejected_with_the_reason(
    registry: IdentifierRegistry, raw: str, why: str
) -> None:
    error = rejection(registry, "phone", raw)

    assert error.field == f"{FIELD}.value"
    assert why in error.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("020 7946 0958", "+442079460958", id="london"),
        pytest.param("(020) 7946 0958", "+442079460958", id="london-parentheses"),
        pytest.param("07911 123456", "+447911123456", id="mobile"),
        pytest.param("+1 415 555 2671", "+14155552671", id="explicit-country-wins"),
    ],
)
def test_the_default_region_reads_national_numbers(raw: str, expected: str) -> None:
    registry = Settings(default_region="GB").identifier_registry()

    assert parse(registry, "phone", raw) == (expected, False)


def test_a_national_number_of_another_region_is_rejected_naming_the_region() -> None:
    registry = Settings(default_region="GB").identifier_registry()

    error = rejection(registry, "phone", "415 555 2671")

    assert "read as GB" in error.reason


# -- device and plain ids ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "6F9619FF-8B86-D011-B42D-00C04FC964FF",
            "6f9619ff-8b86-d011-b42d-00c04fc964ff",
            id="uuid-folded",
        ),
        pytest.param(
            " 6F9619FF8B86D011B42D00C04FC964FF ",
            "6f9619ff8b86d011b42d00c04fc964ff",
            id="uuid-no-dashes-folded",
        ),
        pytest.param("AbC-123", "AbC-123", id="non-uuid-keeps-case"),
        pytest.param("6F9619FF-8B86-D011", "6F9619FF-8B86-D011", id="uuid-prefix-keeps-case"),
    ],
)
def test_device_ids_fold_case_only_when_uuid_shaped(
    registry: IdentifierRegistry, raw: str, expected: str
) -> None:
    assert parse(registry, "device_id", raw) == (expected, False)


@pytest.mark.parametrize("type_name", ["crm_id", "user_id", "cookie_id"])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(" C-42 ", "C-42", id="trimmed"),
        pytest.param("Ab-Cd", "Ab-Cd", id="case-kept"),
        pytest.param("00", "00", id="not-a-junk-value"),
    ],
)
def test_plain_ids_are_trimmed_and_keep_their_case(
    registry: IdentifierRegistry, type_name: str, raw: str, expected: str
) -> None:
    assert parse(registry, type_name, raw) == (expected, False)


@pytest.mark.parametrize(
    "type_name", ["crm_id", "user_id", "cookie_id", "device_id", "email", "phone"]
)
@pytest.mark.parametrize("raw", ["", "   "], ids=["empty", "blank"])
def test_an_empty_value_is_rejected(registry: IdentifierRegistry, type_name: str, raw: str) -> None:
    """Not taken as junk: an empty value is a client's mistake, and `crm_id:` is no key."""
    error = rejection(registry, type_name, raw)

    assert error.field == f"{FIELD}.value"


# -- junk ---------------------------------------------------------------------------------------
def _builtin_examples() -> list[tuple[str, str]]:
    return [(t, v) for t, values in sorted(BUILTIN_JUNK.items()) for v in sorted(values) if v]


@pytest.mark.parametrize(("type_name", "raw"), _builtin_examples())
def test_every_builtin_junk_value_is_accepted_as_junk(
    registry: IdentifierRegistry, type_name: str, raw: str
) -> None:
    _, junk = parse(registry, type_name, raw)

    assert junk


@pytest.mark.parametrize(
    ("type_name", "raw", "expected"),
    [
        pytest.param("email", "TEST@Test.com", "test@test.com", id="email-case"),
        pytest.param("email", "mailto:test@test.com", "test@test.com", id="email-mailto"),
        pytest.param("email", "ann.lee@example.com", "ann.lee@example.com", id="example-com"),
        pytest.param("email", "ann@EXAMPLE.org", "ann@example.org", id="example-org"),
        pytest.param("email", "bob@example.net", "bob@example.net", id="example-net"),
        pytest.param("phone", "000-000-0000", "0000000000", id="phone-zeros"),
        pytest.param("phone", "(123) 456-7890", "1234567890", id="phone-sequence"),
        pytest.param("phone", "555-555-5555", "5555555555", id="phone-one-digit"),
        pytest.param("phone", "+1 111 111 1111", "11111111111", id="phone-plus-one-digit"),
        pytest.param(
            "device_id",
            "00000000-0000-0000-0000-000000000000",
            "00000000-0000-0000-0000-000000000000",
            id="device-zero-uuid",
        ),
        pytest.param("device_id", "0000", "0000", id="device-zeros"),
        pytest.param("device_id", "NULL", "null", id="device-null"),
        pytest.param("cookie_id", " Undefined ", "undefined", id="cookie-undefined"),
        pytest.param("crm_id", "N/A", "n/a", id="crm-n/a"),
        pytest.param("user_id", "Guest", "guest", id="user-guest"),
    ],
)
def test_junk_is_recorded_in_a_canonical_form(
    registry: IdentifierRegistry, type_name: str, raw: str, expected: str
) -> None:
    assert parse(registry, type_name, raw) == (expected, True)
    assert registry.is_junk(Identifier(type_name, expected))


@pytest.mark.parametrize(
    ("type_name", "raw"),
    [
        pytest.param("email", "ann@example-shop.com", id="lookalike-domain"),
        pytest.param("email", "test@acme.io", id="test-local-part"),
        pytest.param("phone", "(415) 555-2671", id="real-phone"),
        pytest.param("device_id", "00000000-0000-0000-0000-000000000001", id="almost-zero"),
        pytest.param("crm_id", "guest", id="guest-is-a-crm-id"),
        pytest.param("cookie_id", "nullable", id="contains-null"),
    ],
)
def test_real_values_are_not_junk(registry: IdentifierRegistry, type_name: str, raw: str) -> None:
    _, junk = parse(registry, type_name, raw)

    assert not junk


# -- what every value must satisfy -------------------------------------------------------------
@pytest.mark.parametrize("type_name", ["email", "phone", "device_id", "crm_id", "cookie_id"])
@pytest.mark.parametrize(
    "raw", ["ann\x00@acme.io", "ann@acme.io\n", "\tC-1", "C\x7f1"], ids=["nul", "lf", "tab", "del"]
)
def test_control_characters_are_rejected(
    registry: IdentifierRegistry, type_name: str, raw: str
) -> None:
    error = rejection(registry, type_name, raw)

    assert (error.field, error.reason) == (f"{FIELD}.value", "contains control characters")


@pytest.mark.parametrize("type_name", ["email", "phone", "device_id", "crm_id"])
def test_over_long_values_are_rejected(registry: IdentifierRegistry, type_name: str) -> None:
    raw = "a" * (MAX_VALUE_LENGTH - len("@acme.io") + 1) + "@acme.io"

    error = rejection(registry, type_name, raw)

    assert error.field == f"{FIELD}.value"
    assert error.reason == f"is longer than {MAX_VALUE_LENGTH} characters"


def test_a_value_of_the_maximum_length_is_accepted(registry: IdentifierRegistry) -> None:
    raw = "C" * MAX_VALUE_LENGTH

    assert parse(registry, "crm_id", raw) == (raw, False)


def test_a_value_that_is_not_a_string_is_rejected(registry: IdentifierRegistry) -> None:
    error = rejection(registry, "crm_id", 42)

    assert (error.field, error.reason) == (f"{FIELD}.value", "must be a string, got int")


def test_an_unknown_type_is_rejected_listing_the_known_ones(registry: IdentifierRegistry) -> None:
    error = rejection(registry, "fax", "+14155552671")

    assert error.field == f"{FIELD}.type"
    assert "unknown identifier type 'fax'" in error.reason
    assert "crm_id, device_id, email, phone, user_id" in error.reason


def test_without_a_field_the_error_names_the_part() -> None:
    with pytest.raises(InvalidInput) as caught:
        IdentifierRegistry.default().parse_with_junk("email", "nope")

    assert caught.value.field == "value"


# -- keys ---------------------------------------------------------------------------------------
def test_a_key_is_type_and_value_and_reads_back(registry: IdentifierRegistry) -> None:
    identifier = registry.parse("phone", "(415) 555-2671")

    assert identifier.key == "phone:+14155552671"
    assert Identifier.from_key(identifier.key) == identifier
    assert Identifier.from_key("cookie_id:a:b") == Identifier("cookie_id", "a:b")


@pytest.mark.parametrize("key", ["email", ":ann@acme.io", "email:", ""])
def test_a_malformed_key_is_rejected(key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Identifier.from_key(key)

    assert caught.value.field == "identifier"


# -- types and junk from configuration ---------------------------------------------------------
def test_the_builtin_types_have_their_limits_and_priorities(registry: IdentifierRegistry) -> None:
    assert registry.limits() == {"crm_id": 1, "user_id": 1}
    priorities = {name: registry.priority(name) for name in registry.types}
    assert priorities == {
        "crm_id": 100,
        "user_id": 90,
        "email": 80,
        "phone": 70,
        "device_id": 30,
        "cookie_id": 20,
    }
    assert registry.priority("fax") == 0
    assert registry.limit("fax") is None


def test_a_configured_type_is_parsed_with_its_normaliser_limit_priority_and_junk() -> None:
    settings = Settings(
        identifier_types={
            "loyalty_id": IdentifierTypeSetting(
                normaliser="lower", limit=1, priority=60, junk=[" NONE "]
            )
        }
    )
    registry = settings.identifier_registry()

    assert parse(registry, "loyalty_id", " LY-9 ") == ("ly-9", False)
    assert parse(registry, "loyalty_id", "None") == ("none", True)
    assert (registry.limit("loyalty_id"), registry.priority("loyalty_id")) == (1, 60)
    assert set(registry.types) >= {"crm_id", "email", "loyalty_id"}


def test_a_configured_type_without_a_normaliser_keeps_values_as_ids() -> None:
    settings = Settings(identifier_types={"member_no": IdentifierTypeSetting()})
    registry = settings.identifier_registry()

    assert parse(registry, "member_no", " Mx-1 ") == ("Mx-1", False)
    assert (registry.limit("member_no"), registry.priority("member_no")) == (None, 50)


def test_a_phone_type_from_configuration_uses_the_default_region() -> None:
    settings = Settings(
        default_region="DE", identifier_types={"fax": IdentifierTypeSetting(normaliser="phone")}
    )

    assert parse(settings.identifier_registry(), "fax", "030 12345678") == ("+493012345678", False)


def test_overriding_a_builtin_type_keeps_what_is_not_overridden() -> None:
    registry = Settings(
        identifier_types={"email": IdentifierTypeSetting(priority=95, junk=["info@acme.io"])}
    ).identifier_registry()

    assert (registry.priority("email"), registry.limit("email")) == (95, None)
    assert parse(registry, "email", "Info@Acme.io") == ("info@acme.io", True)
    assert parse(registry, "email", "test@test.com") == ("test@test.com", True)
    assert parse(registry, "email", "Ann@Acme.io") == ("ann@acme.io", False)


def test_configured_junk_is_added_to_the_builtin_list() -> None:
    registry = Settings(junk={"email": ["Nobody@Acme.io"], "crm_id": ["C-0"]}).identifier_registry()

    assert parse(registry, "email", "NOBODY@ACME.IO") == ("nobody@acme.io", True)
    assert parse(registry, "crm_id", "c-0") == ("c-0", True)
    assert parse(registry, "crm_id", "null") == ("null", True)
    assert parse(registry, "crm_id", "C-1") == ("C-1", False)


@pytest.mark.parametrize("name", ["Loyalty", "9lives", "loyalty-id", "l" * 41, ""])
def test_a_bad_type_name_is_a_configuration_error(name: str) -> None:
    settings = Settings(identifier_types={name: IdentifierTypeSetting()})

    with pytest.raises(ConfigurationError, match="DATORA_IDENTIFIER_TYPES") as caught:
        settings.identifier_registry()

    assert repr(name) in str(caught.value)


def test_junk_for_an_unknown_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"DATORA_JUNK: 'fax' is not an identifier type"):
        Settings(junk={"fax": ["0"]}).identifier_registry()
