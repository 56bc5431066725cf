"""Traits follow identifiers: an event counts once, for the identifier it names first, and a
profile's activity is the sum of its identifiers' — through merges, late identifiers, rebuilds
and changed settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.records import Event
from datora_graph.domain.segments import SegmentQuery, parse_definition
from datora_graph.domain.traits import (
    ActivitySummary,
    CreditedEvent,
    TraitSettings,
    compute_traits,
    summarise,
    to_cents,
)
from datora_graph.store.base import GraphStore

from .builders import creation, event, merger, seed
from .segment_world import AS_OF, day, members, purchase, query

ANN = ("email:ann@acme.io", "crm_id:C-1")
ANN_WEB = ("cookie_id:c-1",)


def activity(store: GraphStore, profile_id: str) -> ActivitySummary | None:
    facts = store.trait_facts([profile_id])
    assert facts.keys() == {profile_id}
    return facts[profile_id].activity


def expected(events: list[Event], settings: TraitSettings | None = None) -> ActivitySummary | None:
    credited = [
        CreditedEvent(e.type, e.occurred_at, to_cents(e.properties.get("revenue"))) for e in events
    ]
    return summarise(credited, settings or TraitSettings())


def commit_events(store: GraphStore, *events: Event) -> None:
    store.commit(Changeset(events=list(events)))


def test_a_profile_sums_the_events_credited_to_its_identifiers(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    events = [
        purchase("e1", ANN, day(1), 19.99),
        purchase("e2", ANN[1:], day(2), 5),
        event("e3", ANN, day(3), type_="page_view"),
        event("e4", ANN, day(0.5), type_="support_call"),
    ]
    commit_events(store, *events)

    assert activity(store, "prf_ann") == expected(events)
    found = activity(store, "prf_ann")
    assert found is not None
    assert (found.orders, found.revenue_cents, found.engagement_milli) == (2, 2499, 44_000)


def test_an_event_counts_once_for_the_identifier_it_names_first(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    seed(store, "prf_web", ANN_WEB, seq=2, source="web")
    bought_on_the_web = purchase("e1", ("cookie_id:c-1", "email:ann@acme.io"), day(1), 40)
    commit_events(store, bought_on_the_web)

    assert activity(store, "prf_web") == expected([bought_on_the_web])
    assert activity(store, "prf_ann") is None
    assert store.profile_ids_for_identifiers(["cookie_id:c-1"]) == {"cookie_id:c-1": "prf_web"}


def test_a_merge_adds_the_absorbed_profiles_activity_once(store: GraphStore) -> None:
    crm = seed(store, "prf_ann", ANN, seq=1)
    web = seed(store, "prf_web", ANN_WEB, seq=2, source="web")
    events = [
        purchase("e1", ("cookie_id:c-1", "email:ann@acme.io"), day(1), 40),
        purchase("e2", ANN, day(2), 10),
        event("e3", ANN_WEB, day(3), type_="page_view"),
    ]
    commit_events(store, *events)
    changeset, _ = merger(crm.state, web.state, seq=3, link=("email:ann@acme.io", "cookie_id:c-1"))
    store.commit(changeset)

    assert activity(store, "prf_ann") == expected(events)
    assert store.trait_facts(["prf_web"]) == {}
    assert members(store, {"trait": "order_count", "eq": 2}) == {"prf_ann"}
    assert members(store, {"event": {"type": "purchase", "at_least": 2, "within_days": 60}}) == {
        "prf_ann"
    }


def test_events_that_arrive_before_their_identifier_count_once_it_exists(
    store: GraphStore,
) -> None:
    early = [purchase("e1", ("email:new@acme.io",), day(1), 12.5)]
    commit_events(store, *early)
    assert members(store, {"event": {"type": "purchase"}}) == set()

    seed(store, "prf_new", ["phone:+14155550199", "email:new@acme.io"], seq=1)

    assert activity(store, "prf_new") == expected(early)
    assert members(store, {"event": {"type": "purchase", "within_days": 60}}) == {"prf_new"}


def test_a_rebuild_forgets_profiles_but_not_the_activity_of_identifiers(store: GraphStore) -> None:
    ann = creation("prf_ann", ANN, seq=1)
    store.commit(ann.changeset)
    events = [purchase("e1", ANN, day(1), 3), event("e2", ANN[1:], day(2), type_="app_open")]
    commit_events(store, *events)

    store.reset_derived()
    assert store.trait_facts(["prf_ann"]) == {}
    assert members(store, {"event": {"type": "purchase"}}) == set()
    replayed = replace(ann.changeset, observations=[])
    store.commit(replayed)
    store.finish_rebuild()

    assert activity(store, "prf_ann") == expected(events)


def test_changed_scores_and_order_types_recount_every_profile(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    events = [
        purchase("e1", ANN, day(1), 10),
        event("e2", ANN, day(2), type_="subscription", properties={"revenue": 5}),
        event("e3", ANN, day(3), type_="page_view"),
    ]
    commit_events(store, *events)
    settings = TraitSettings(
        event_scores={"page_view": 0.5}, default_event_score=2, order_event_types=("subscription",)
    )

    store.configure_traits(settings)

    assert activity(store, "prf_ann") == expected(events, settings)
    renewal = event("e4", ANN, day(4), type_="subscription")
    commit_events(store, renewal)
    assert activity(store, "prf_ann") == expected([*events, renewal], settings)
    in_segment = SegmentQuery(parse_definition({"trait": "order_count", "eq": 2}), AS_OF, settings)
    assert store.segment_sizes([in_segment])[0].size == 1

    store.configure_traits(TraitSettings())

    assert activity(store, "prf_ann") == expected([*events, renewal])


def test_trait_facts_give_the_traits_segments_select_on(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1, attributes={"first_name": "Ann", "city": "Leeds"})
    commit_events(store, purchase("e1", ANN, day(1), 10), purchase("e2", ANN, day(20), 25.25))
    facts = store.trait_facts(["prf_ann", "prf_nobody"])
    assert facts.keys() == {"prf_ann"}
    assert facts["prf_ann"].attribute_names == {"first_name", "city"}
    assert facts["prf_ann"].identifier_types == {"email", "crm_id"}

    for as_of in (AS_OF, day(1000)):  # under a year of tenure, and nearly three years
        traits = compute_traits(facts["prf_ann"], TraitSettings(), as_of)
        assert (traits.order_count, traits.total_revenue) == (2, 35.25)
        for name in (
            "customer_lifetime_value",
            "purchase_frequency",
            "recency_days",
            "data_quality",
        ):
            value = traits.value(name)
            assert _size(store, {"trait": name, "eq": value}, as_of) == 1, (name, as_of)
            assert _size(store, {"trait": name, "gt": value}, as_of) == 0, (name, as_of)
    assert traits.customer_lifetime_value < 50
    first_seen = traits.first_seen.isoformat()
    assert members(store, {"trait": "first_seen", "eq": first_seen}) == {"prf_ann"}


def _size(store: GraphStore, definition: dict[str, object], as_of: datetime) -> int:
    return store.segment_sizes([query(definition, as_of=as_of)])[0].size


def test_sizes_are_evaluated_at_the_time_asked(store: GraphStore) -> None:
    seed(store, "prf_ann", ANN, seq=1)
    commit_events(store, purchase("e1", ANN, day(1), 10))
    lapsed = {"trait": "recency_days", "gt": 30}

    assert store.segment_sizes([query(lapsed, as_of=day(10))])[0].size == 0
    assert store.segment_sizes([query(lapsed, as_of=day(60))])[0].size == 1
