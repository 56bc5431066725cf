"""The key rules a store keeps (domain/key_rules.py), on every store: recorded by the first
ingest and by a rebuild, and a person-wide operation refused while the settings differ."""

from __future__ import annotations

import pytest

from datora_graph.config import Settings
from datora_graph.domain.errors import KeyRulesChanged
from datora_graph.domain.key_rules import key_rules
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
