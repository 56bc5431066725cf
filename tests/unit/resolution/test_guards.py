"""MergeGuard: per-type limits and cannot-link constraints, on profile states alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from datora_graph.config import IdentifierTypeSetting, Settings
from datora_graph.domain.changeset import IdentifierGuardState, ProfileState
from datora_graph.domain.identifiers import GuardSettings, Identifier, IdentifierRegistry
from datora_graph.resolution.guards import MergeGuard

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def state(
    pid: str, type_counts: dict[str, int], sides: set[tuple[int, int]] | None = None
) -> ProfileState:
    return ProfileState(
        id=pid,
        size=sum(type_counts.values()),
        type_counts=dict(type_counts),
        created_seq=1,
        created_at=T0,
        constraint_sides=set(sides or ()),
    )


@pytest.fixture(scope="module")
def guard() -> MergeGuard:
    return MergeGuard(IdentifierRegistry.default())


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param({"email": 3, "cookie_id": 40}, {"email": 5, "phone": 2}, id="no-limits"),
        pytest.param({"crm_id": 1, "email": 1}, {"email": 1}, id="one-crm-id"),
        pytest.param({"crm_id": 1}, {"user_id": 1}, id="different-limited-types"),
        pytest.param({}, {"crm_id": 1, "user_id": 1}, id="empty-side"),
    ],
)
def test_merges_within_the_limits_are_allowed(
    guard: MergeGuard, left: dict[str, int], right: dict[str, int]
) -> None:
    assert guard.refusal(state("a", left), state("b", right)) is None


@pytest.mark.parametrize("limited", ["crm_id", "user_id"])
def test_two_identifiers_of_a_type_limited_to_one_are_refused(
    guard: MergeGuard, limited: str
) -> None:
    left, right = state("a", {"email": 1, limited: 1}), state("b", {limited: 1})

    reason = guard.refusal(left, right)

    assert reason == (
        f"limit: the merge would give one profile 2 {limited} identifiers (at most 1 allowed)"
    )
    assert guard.refusal(right, left) == reason


def test_a_configured_limit_allows_up_to_it() -> None:
    registry = Settings(
        identifier_types={"loyalty_id": IdentifierTypeSetting(limit=2)}
    ).identifier_registry()
    guard = MergeGuard(registry)

    assert guard.refusal(state("a", {"loyalty_id": 1}), state("b", {"loyalty_id": 1})) is None
    refusal = guard.refusal(state("a", {"loyalty_id": 2}), state("b", {"loyalty_id": 1}))
    assert refusal is not None
    assert "3 loyalty_id identifiers (at most 2 allowed)" in refusal


def test_opposite_sides_of_a_constraint_are_refused_either_way(guard: MergeGuard) -> None:
    left, right = state("a", {"email": 1}, {(4, 0)}), state("b", {"email": 1}, {(4, 1)})

    assert guard.refusal(left, right) == (
        "cannot-link: constraint #4 keeps these identifiers apart"
    )
    assert guard.refusal(right, left) == (
        "cannot-link: constraint #4 keeps these identifiers apart"
    )


@pytest.mark.parametrize(
    ("left_sides", "right_sides"),
    [
        pytest.param({(4, 0)}, {(4, 0)}, id="same-side"),
        pytest.param({(4, 0)}, {(5, 1)}, id="different-constraints"),
        pytest.param({(4, 0), (5, 1)}, set(), id="one-side-only"),
    ],
)
def test_constraints_not_spanning_the_merge_allow_it(
    guard: MergeGuard, left_sides: set[tuple[int, int]], right_sides: set[tuple[int, int]]
) -> None:
    left, right = state("a", {"email": 1}, left_sides), state("b", {"email": 1}, right_sides)

    assert guard.refusal(left, right) is None


def test_a_profile_already_on_both_sides_may_still_merge_elsewhere(guard: MergeGuard) -> None:
    """A steward's manual merge may put both sides in one profile; only spanning is refused."""
    both = state("a", {"email": 2}, {(4, 0), (4, 1)})

    assert guard.refusal(both, state("b", {"email": 1})) is None


def test_the_guard_settings_come_from_the_configuration() -> None:
    settings = Settings(hub_max_profiles=5, max_profile_identifiers=80, name_conflicts=False)

    assert settings.guard_settings() == GuardSettings(5, 80, name_conflicts=False)
    assert Settings().guard_settings() == GuardSettings()


def test_a_merge_past_the_maximum_size_is_refused() -> None:
    guard = MergeGuard(IdentifierRegistry.default(), GuardSettings(max_profile_identifiers=5))

    assert guard.refusal(state("a", {"email": 2}), state("b", {"cookie_id": 3})) is None
    assert guard.refusal(state("a", {"email": 3}), state("b", {"cookie_id": 3})) == (
        "size: the merge would give one profile 6 identifiers (at most 5 allowed)"
    )


@pytest.mark.parametrize(
    ("other", "action"),
    [
        pytest.param("C-10024", "accept: 'C-10042' and 'C-10024' look like one", id="typo"),
        pytest.param("C-77", "reject: one record carries two different", id="different"),
    ],
)
def test_two_values_of_a_limited_type_suggest_accept_only_when_one_is_a_typo(
    guard: MergeGuard, other: str, action: str
) -> None:
    anchor, second = Identifier("crm_id", "C-10042"), Identifier("crm_id", other)

    refusal = guard.check_link(
        anchor, second, (state("a", {"crm_id": 1}), state("b", {"crm_id": 1})), (None, None), True
    )

    assert refusal is not None
    assert (refusal.guard, refusal.quarantine) == ("limit", "")
    assert refusal.suggested_action.startswith(action)


def test_a_cookie_between_two_crm_customers_is_quarantined(guard: MergeGuard) -> None:
    crm, cookie = Identifier("crm_id", "C-1"), Identifier("cookie_id", "k-1")

    refusal = guard.check_link(
        crm, cookie, (state("a", {"crm_id": 1}), state("b", {"crm_id": 1})), (None, None), True
    )

    assert refusal is not None
    assert refusal.quarantine == "it would bring together two crm_id identifiers"
    assert "cookie_id:k-1 would bring them together" in refusal.reason
    assert refusal.suggested_action.startswith("reject: the browser cookie cookie_id:k-1")


def test_an_identifier_joining_one_profile_too_many_becomes_a_hub(guard: MergeGuard) -> None:
    email, kiosk = Identifier("email", "p@x.io"), Identifier("device_id", "kiosk")
    sides = (state("a", {"email": 1}), state("b", {"device_id": 1, "email": 2}))

    assert guard.check_link(email, kiosk, sides, (None, IdentifierGuardState("k", 1)), True) is None
    refusal = guard.check_link(email, kiosk, sides, (None, IdentifierGuardState("k", 2)), True)
    assert refusal is not None
    assert refusal.guard == "hub"
    assert refusal.quarantine == "it joined more than 3 profiles"
    assert (
        guard.check_link(email, kiosk, sides, (None, IdentifierGuardState("k", 9)), False) is None
    )


def test_a_link_across_a_cannot_link_constraint_names_the_constraint(guard: MergeGuard) -> None:
    email, phone = Identifier("email", "ann@x.io"), Identifier("phone", "+3612345678")
    sides = (state("a", {"email": 1}, {(4, 0)}), state("b", {"phone": 1}, {(4, 1)}))

    refusal = guard.check_link(email, phone, sides, (None, None), True)

    assert refusal is not None
    assert (refusal.guard, refusal.constraint_id, refusal.quarantine) == ("cannot_link", 4, "")
    assert refusal.reason == "cannot-link: constraint #4 keeps these identifiers apart"
    assert refusal.suggested_action == "reject: a steward keeps these identifiers apart"


def test_a_link_past_the_maximum_size_names_no_type_and_no_constraint() -> None:
    guard = MergeGuard(IdentifierRegistry.default(), GuardSettings(max_profile_identifiers=5))
    email, cookie = Identifier("email", "ann@x.io"), Identifier("cookie_id", "k-1")
    sides = (state("a", {"email": 3}), state("b", {"cookie_id": 3}))

    refusal = guard.check_link(email, cookie, sides, (None, None), True)

    assert refusal is not None
    assert (refusal.guard, refusal.constraint_id, refusal.quarantine) == ("max_size", None, "")
    assert refusal.suggested_action == (
        "reject unless one person: profiles of 3 and 3 identifiers are rarely one customer"
    )
