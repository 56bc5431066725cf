"""The key rules a store keeps (domain/key_rules.py), on every store: recorded by the first
ingest and by a rebuild, and a person-wide operation refused while the settings differ."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from datora_graph.config import Settings
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.errors import KeyRulesChanged
from datora_graph.domain.key_rules import key_rules
from datora_graph.domain.profiles import JourneyQuery
from datora_graph.erasure_service import ErasureService
from datora_graph.log_index import LogIndex
from datora_graph.services import IdentityService
from datora_graph.store.base import GraphStore

from .test_log_index import ANN, BOB, obs

JUNK_PHONE = Settings(junk={"phone": ["4155550101"]})


def test_the_first_ingest_records_the_key_rules_and_a_rebuild_records_its_own(
    store: GraphStore,
) -> None:
    assert store.key_rules() is None
    identity = IdentityService(store, Settings())
    identity.ingest_observations([])
    assert store.key_rules() is None  # nothing was ingested: nothing was made under them

    identity.ingest_observations([obs("o1", 1, ANN)])
    assert store.key_rules() == key_rules(identity.registry)

    junk = IdentityService(store, JUNK_PHONE)
    junk.ingest_observations([obs("o2", 2, BOB)])
    assert store.key_rules() == key_rules(identity.registry)  # ingest keeps the graph's
    junk.rebuild()
    assert store.key_rules() == key_rules(junk.registry) != key_rules(identity.registry)


def test_an_erasure_under_changed_identifier_settings_is_refused_until_a_rebuild(
    store: GraphStore,
) -> None:
    """Ann's phone linked her records; then it was put on the junk list. Indexed under the
    new settings, the record that carried only the phone (her city) is keyed by the phone's
    junk form, `phone:4155550101`, where the graph holds `phone:+14155550101`: her erasure
    would leave it in the log, though the graph holds it as hers. It is refused and says what
    changed; after a rebuild (under which the junk phone links no one) it goes through."""
    before = IdentityService(store, Settings())
    before.ingest_observations(
        [
            obs("o1", 1, ANN, "phone:415-555-0101"),
            {**obs("o2", 2, "phone:(415) 555-0101"), "attributes": {"city": "Leeds"}},
            obs("o3", 3, BOB),
        ]
    )
    identity = IdentityService(store, JUNK_PHONE)

    with pytest.raises(KeyRulesChanged) as refused:
        ErasureService(identity).erase_profile(ANN, reason="GDPR 17", actor="dpo")

    assert refused.value.code == "CONFLICT"
    assert refused.value.changes == ("phone: junk values added (+14155550101, 4155550101)",)
    message = str(refused.value)
    assert "the identifier settings differ from those the graph was built under" in message
    assert "`datora resolve --rebuild`" in message
    assert [seq for seq, _ in store.read_log(0, 10)] == [1, 2, 3]
    assert store.log_index_position() == 0  # nothing indexed under the other keys

    identity.rebuild()  # the junk phone links no one now: record 2 is no longer Ann's
    report = ErasureService(identity).erase_profile(ANN, reason="GDPR 17", actor="dpo")
    assert report.counts.observations_rewritten == 1  # record 1 keeps only the junk phone
    assert not any("ann@acme.io" in payload for _, payload in store.read_log(0, 10))


def test_a_store_without_recorded_rules_takes_the_current_ones(store: GraphStore) -> None:
    """A store written before the rules were recorded: nothing says its graph was made under
    other settings, so the first use of the index records the current ones."""
    registry = Settings().identifier_registry()
    LogIndex(store, registry).catch_up()
    assert store.key_rules() == key_rules(registry)
    with pytest.raises(KeyRulesChanged):
        LogIndex(store, JUNK_PHONE.identifier_registry()).catch_up()


def event(event_id: str, minute: int, event_type: str, *keys: str, revenue: int = 0) -> object:
    return {
        **{k: v for k, v in obs(event_id, minute, *keys).items() if k != "observed_at"},
        "type": event_type,
        "occurred_at": f"2026-05-01T11:{minute:02d}:00Z",
        "properties": {"revenue": revenue} if revenue else {},
    }


def statement(identity: IdentityService, phone: str, status: str, minute: int) -> ConsentStatement:
    return ConsentStatement(
        identity.registry.parse("phone", phone),
        "sms_marketing",
        status,  # type: ignore[arg-type]
        datetime(2026, 5, 1, 12, minute, tzinfo=UTC),
        "shop",
    )


def test_a_rebuild_under_changed_rules_keys_the_stored_events_and_consent_again(
    store: GraphStore,
) -> None:
    """Events and consent keep the keys they were stored under; a phone taken off the junk
    list is `phone:+14155550101` from the rebuild on. Ann's call, stored under the junk form
    `phone:4155550101`, must join her journey and her activity, her consent statements must
    decide her phone's consent, and her erasure must take them all."""
    junk = IdentityService(store, JUNK_PHONE)
    junk.ingest_observations([obs("o1", 1, ANN, "phone:415-555-0101")])
    sent = [
        event("e1", 1, "purchase", "phone:(415) 555-0101", revenue=5),
        event("e2", 2, "page_view", ANN, "phone:415.555.0101"),
    ]
    assert junk.ingest_events(sent).accepted == 2
    store.record_consent(
        [
            statement(junk, "(415) 555-0101", "granted", 1),  # the junk form
            statement(junk, "+1 415 555 0101", "withdrawn", 2),  # E.164 already: later
        ]
    )

    identity = IdentityService(store, Settings())
    report = identity.rebuild()

    assert report.records_rekeyed == 1
    assert "phone:4155550101" not in store.stored_record_keys("", 100)
    ann = identity.lookup(ANN)
    assert sorted(i.identifier.key for i in ann.identifiers) == [ANN, "phone:+14155550101"]
    assert [e.id for e in identity.journey(ann.id, JourneyQuery()).events] == ["e1", "e2"]
    activity = store.trait_facts([ann.id])[ann.id].activity
    assert (activity.events, activity.revenue_cents) == (2, 500)
    [consent] = store.consent_of_profiles([ann.id])[ann.id]
    assert (consent.identifier.key, consent.status) == ("phone:+14155550101", "withdrawn")
    assert store.count_consent_statements() == 2
    assert identity.rebuild().records_rekeyed == 0  # the rules are the graph's now

    counts = ErasureService(identity).erase_profile(ANN, reason="GDPR 17", actor="dpo").counts
    assert (counts.events_removed, counts.consent_statements) == (2, 2)
    assert list(store.iter_events()) == []
    assert store.count_consent_statements() == 0
