"""Consent per identifier and purpose: the latest statement by its time wins, every statement
is kept, and a profile shows the consent of each of its identifiers, through merges."""

from __future__ import annotations

from dataclasses import replace

import pytest

from datora_graph.domain.consent import ConsentState
from datora_graph.domain.errors import Conflict
from datora_graph.domain.identifiers import Identifier
from datora_graph.store.base import GraphStore

from .builders import creation, merger, observation, seed
from .segment_world import consent, day, members

ANN = "email:ann@acme.io"


def state(key: str, purpose: str, status: str, days: float) -> ConsentState:
    return ConsentState(Identifier.from_key(key), purpose, status, day(days), "web")  # type: ignore[arg-type]


def test_the_latest_statement_by_time_wins_in_any_arrival_order(store: GraphStore) -> None:
    store.record_consent([consent(ANN, "email_marketing", "granted", day(5))])
    store.record_consent([consent(ANN, "email_marketing", "withdrawn", day(1))])
    store.record_consent([consent(ANN, "sms", "withdrawn", day(1))])

    assert store.consent_of_identifiers([ANN, "email:bob@acme.io"]) == {
        ANN: [state(ANN, "email_marketing", "granted", 5), state(ANN, "sms", "withdrawn", 1)]
    }


def test_a_withdrawal_wins_over_a_grant_of_the_same_moment(store: GraphStore) -> None:
    store.record_consent(
        [
            consent(ANN, "email_marketing", "withdrawn", day(2)),
            consent(ANN, "email_marketing", "granted", day(2)),
        ]
    )
    store.record_consent([consent(ANN, "email_marketing", "granted", day(2))])

    assert store.consent_of_identifiers([ANN])[ANN] == [
        state(ANN, "email_marketing", "withdrawn", 2)
    ]


@pytest.mark.parametrize("batches", [1, 2])
@pytest.mark.parametrize("first", ["shop", "crm"])
def test_of_alike_statements_of_one_moment_the_first_source_by_name_decides(
    store: GraphStore, first: str, batches: int
) -> None:
    """So that a migration or another arrival order names the same source."""
    said = [
        replace(consent(ANN, "email_marketing", "granted", day(2)), source=source)
        for source in (first, "shop" if first == "crm" else "crm")
    ]
    for start in range(0, 2, 2 // batches):
        store.record_consent(said[start : start + 2 // batches])

    assert store.consent_of_identifiers([ANN])[ANN] == [
        replace(state(ANN, "email_marketing", "granted", 2), source="crm")
    ]


def test_consent_can_precede_the_identifier_and_follows_it_into_merges(store: GraphStore) -> None:
    store.record_consent(
        [
            consent(ANN, "email_marketing", "granted", day(1)),
            consent("cookie_id:c-1", "profiling", "granted", day(1)),
        ]
    )
    crm = seed(store, "prf_ann", [ANN, "crm_id:C-1"], seq=1)
    web = seed(store, "prf_web", ["cookie_id:c-1"], seq=2)
    assert store.consent_of_profiles(["prf_ann", "prf_web"]) == {
        "prf_ann": [state(ANN, "email_marketing", "granted", 1)],
        "prf_web": [state("cookie_id:c-1", "profiling", "granted", 1)],
    }

    changeset, _ = merger(crm.state, web.state, seq=3, link=(ANN, "cookie_id:c-1"))
    store.commit(changeset)

    assert store.consent_of_profiles(["prf_ann", "prf_web"]) == {
        "prf_ann": [
            state("cookie_id:c-1", "profiling", "granted", 1),
            state(ANN, "email_marketing", "granted", 1),
        ]
    }


def test_a_changesets_consent_commits_with_it(store: GraphStore) -> None:
    ann = creation("prf_ann", [ANN, "crm_id:C-1"], seq=1)
    ann.changeset.consent = [consent(ANN, "email_marketing", "granted", day(1))]

    store.commit(ann.changeset)

    assert store.consent_of_profiles(["prf_ann"]) == {
        "prf_ann": [state(ANN, "email_marketing", "granted", 1)]
    }


def test_a_refused_changeset_keeps_none_of_its_consent(store: GraphStore) -> None:
    """The batch and the consent its observations carried are one transaction: a crash or a
    refusal cannot keep the one without the other (a re-sent batch would be skipped as
    duplicates and its consent lost)."""
    seed(store, "prf_ann", [ANN], seq=1)
    bob = creation("prf_bob", ["email:bob@acme.io"], seq=2)
    doomed = replace(
        bob.changeset,
        observations=[
            *bob.changeset.observations,
            observation(3, ("cookie_id:c-9",), obs_id="obs-1"),  # already in the log
        ],
        consent=[
            consent(ANN, "email_marketing", "granted", day(2)),
            consent("email:bob@acme.io", "sms", "granted", day(2)),
        ],
    )

    with pytest.raises(Conflict):
        store.commit(doomed)

    assert store.consent_of_identifiers([ANN, "email:bob@acme.io"]) == {}


def test_nothing_asked_nothing_answered(store: GraphStore) -> None:
    store.record_consent([])

    assert store.consent_of_identifiers([]) == {}
    assert store.consent_of_profiles([]) == {}


def test_consent_of_an_identifier_no_profile_holds_yet_leaves_not_consented_whole(
    store: GraphStore,
) -> None:
    """The statement of an identifier no record has shown yet names no profile: a negated
    consent condition still selects every profile without consent (in SQL, a NULL among the
    consented profiles made `NOT IN` select none)."""
    seed(store, "prf_ann", [ANN], seq=1)
    store.record_consent([consent("email:later@acme.io", "email_marketing", "granted", day(1))])

    assert members(store, {"not": {"consent": "email_marketing"}}) == {"prf_ann"}
    assert members(
        store, {"all": [{"identifier": "email"}, {"not": {"consent": "email_marketing"}}]}
    ) == {"prf_ann"}
    assert members(store, {"consent": "email_marketing"}) == set()


def test_segments_see_consent_through_late_identifiers_merges_and_rebuilds(
    store: GraphStore,
) -> None:
    store.record_consent([consent(ANN, "email_marketing", "granted", day(1))])
    consented = {"consent": {"purpose": "email_marketing", "identifier": "email"}}
    assert members(store, consented) == set()

    crm = creation("prf_ann", [ANN, "crm_id:C-1"], seq=1)
    web = creation("prf_web", ["cookie_id:c-1"], seq=2)
    store.commit(crm.changeset)
    store.commit(web.changeset)
    assert members(store, consented) == {"prf_ann"}
    assert members(store, {"consent": "email_marketing"}) == {"prf_ann"}

    changeset, _ = merger(web.state, crm.state, seq=3, link=("cookie_id:c-1", ANN))
    store.commit(changeset)
    assert members(store, consented) == {"prf_web"}
    assert (
        members(store, {"consent": {"purpose": "email_marketing", "identifier": "phone"}}) == set()
    )

    store.reset_derived()
    assert members(store, {"consent": "email_marketing"}) == set()
    store.commit(replace(crm.changeset, observations=[]))
    store.finish_rebuild()
    assert members(store, consented) == {"prf_ann"}
