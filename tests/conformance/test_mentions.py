"""`records_mentioning` on every store: the observations and events of which a free field
(an attribute, a property) mentions a value, under the rule of domain/mentions.py; and
`set_audit_details`, which records their count on an erasure's entry."""

from __future__ import annotations

from typing import Any

import pytest

from datora_graph.config import Settings
from datora_graph.domain.audit import AuditFilter, new_audit_entry
from datora_graph.domain.mentions import Mention
from datora_graph.json_codec import read_client_json
from datora_graph.services import IdentityService, parse_items
from datora_graph.store.base import GraphStore


def obs(item_id: str, minute: int, email: str, **attributes: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "source": "crm",
        "observed_at": f"2026-05-01T10:{minute:02d}:00Z",
        "identifiers": [{"type": "email", "value": email}],
        "attributes": attributes,
    }


def event(item_id: str, minute: int, email: str, **properties: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "purchase",
        "occurred_at": f"2026-05-01T11:{minute:02d}:00Z",
        "source": "shop",
        "identifiers": [{"type": "email", "value": email}],
        "properties": properties,
    }


@pytest.fixture
def identity(store: GraphStore, tmp_path: Any) -> IdentityService:
    service = IdentityService(store, Settings(db=tmp_path / "unused.db"))
    observations = service.ingest_observations(
        [
            obs("o1", 1, "bob@acme.io", referrer_email="ANN@Acme.IO", first_name="Bob"),
            obs("o2", 2, "cy@acme.io", notes={"seen": ["with ann@acme.io"]}, plan="gold"),
            obs("o3", 3, "dee@acme.io", code="50%_off!", other="50X-off!"),
            obs("o4", 4, "eve@acme.io", first_name="Eve", nickname="annacme"),
            # A key is no value, and a value does not run on into the next field.
            obs("o5", 5, "fay@acme.io", **{"ann@acme.io": "friend", "x": "ann", "y": "@acme.io"}),
        ]
    )
    assert observations.accepted == 5
    events = service.ingest_events(
        [
            event("e2", 2, "bob@acme.io", gift_to="+14155550101", revenue=10),
            event("e1", 1, "cy@acme.io", note="for Ann@acme.io", to="+14155550101"),
            event("e3", 3, "dee@acme.io", revenue=14155550101),
        ]
    )
    assert events.accepted == 3
    return service


def test_finds_attributes_and_properties_ignoring_case(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["ann@acme.io", "+14155550101"], 10)

    assert page.items == (
        Mention("observation", "o1", ("referrer_email",)),
        Mention("observation", "o2", ("notes",)),
        Mention("event", "e1", ("note", "to")),
        Mention("event", "e2", ("gift_to",)),
    )
    assert page.total == 4


def test_a_number_is_matched_as_written(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["14155550101"], 10)

    assert [m.record_id for m in page.items] == ["e1", "e2", "e3"]


def test_a_short_value_is_not_looked_for(identity: IdentityService) -> None:
    assert identity.store.records_mentioning(["gold", "ann", "Bob"], 10).total == 0
    page = identity.store.records_mentioning(["ann", "annacme"], 10)
    assert page.items == (Mention("observation", "o4", ("nickname",)),)


def test_percent_and_underscore_are_taken_literally(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["50%_off"], 10)

    assert page.items == (Mention("observation", "o3", ("code",)),)
    assert identity.store.records_mentioning(["5_%_of"], 10).total == 0


def test_limit_lists_the_first_and_counts_all(identity: IdentityService) -> None:
    page = identity.store.records_mentioning(["ann@acme.io", "+14155550101"], 3)

    assert [m.record_id for m in page.items] == ["o1", "o2", "e1"]
    assert page.total == 4
    assert identity.store.records_mentioning([], 10).total == 0


def test_case_is_ignored_for_every_letter_not_only_ascii(identity: IdentityService) -> None:
    identity.ingest_observations(
        [obs("o6", 6, "gus@acme.io", referrer_email="ÉLODIE.MÜLLER@example.com")]
    )
    identity.ingest_events([event("e4", 4, "gus@acme.io", gift_to="Élodie.Müller@Example.com")])

    for value in ("élodie.müller@example.com", "ÉLODIE.MÜLLER@EXAMPLE.COM"):
        page = identity.store.records_mentioning([value], 10)
        assert page.items == (
            Mention("observation", "o6", ("referrer_email",)),
            Mention("event", "e4", ("gift_to",)),
        )
    assert identity.store.records_mentioning(["elodie.muller@example.com"], 10).total == 0


def test_a_capital_i_is_found_whatever_the_server_s_locale(identity: IdentityService) -> None:
    """In a Turkish locale `I` lower-cases to a dotless i (U+0131): a store that let its
    server fold case (Cypher's toLower follows the JVM's locale) would miss these."""
    identity.ingest_observations([obs("o7", 7, "ivy@acme.io", referrer="ILKER.KILIC@ACME.IO")])
    identity.ingest_events([event("e5", 5, "ivy@acme.io", gift_to="Ilker.Kilic@Acme.io")])

    page = identity.store.records_mentioning(["ilker.kilic@acme.io"], 10)

    assert page.items == (
        Mention("observation", "o7", ("referrer",)),
        Mention("event", "e5", ("gift_to",)),
    )


# A file's line as a client's JSON encoder may write it: `@` and `.` escaped, `É`, `Ü` and `/`
# escaped in upper-case hex or as `\/`; the log keeps it as sent (`datora ingest FILE`).
ESCAPED_LINE = (
    r'{"id":"o-esc","source":"crm","observed_at":"2026-05-01T10:07:00Z",'
    r'"identifiers":[{"type":"email","value":"hal@acme.io"}],'
    r'"attributes":{"referrer":"\u00C9LODIE\u002EM\u00DCLLER\u0040example.com",'
    r'"device":"kiosk\/0042-AB","plain":"nothing here"}}'
)


def test_an_escaped_value_in_a_logged_text_is_found(identity: IdentityService) -> None:
    batch = parse_items(
        [read_client_json(ESCAPED_LINE)], "observation", identity.registry, [ESCAPED_LINE]
    )
    assert identity.ingest_parsed_observations(batch).accepted == 1
    logged = [payload for _, payload in identity.store.read_log(0, 100) if "o-esc" in payload]
    assert logged == [ESCAPED_LINE]  # else this test would search a decoded text

    for value in ("élodie.müller@example.com", "kiosk/0042-ab"):
        page = identity.store.records_mentioning([value], 10)
        assert page.items == (
            Mention("observation", "o-esc", ("device" if "kiosk" in value else "referrer",)),
        )


def test_an_escaped_value_in_an_event_sent_as_json_is_found(identity: IdentityService) -> None:
    text = (
        r'{"id":"e-esc","type":"purchase","occurred_at":"2026-05-01T11:09:00Z","source":"shop",'
        r'"identifiers":[{"type":"email","value":"hal@acme.io"}],'
        r'"properties":{"gift_to":"\u00e9lodie.m\u00fcller\u0040EXAMPLE.com","q":"say \"hi\""}}'
    )
    assert identity.ingest_events([read_client_json(text)]).accepted == 1

    page = identity.store.records_mentioning(["Élodie.Müller@example.com", 'say "hi"'], 10)

    assert page.items == (Mention("event", "e-esc", ("gift_to", "q")),)


@pytest.mark.parametrize("page_rows", [1, 2, 3, 1000])
def test_the_search_reads_page_after_page(identity: IdentityService, page_rows: int) -> None:
    """Five observations and three events, read a page of `page_rows` at a time: the same
    answer as in one read, whether a page ends on a record that mentions or not."""
    page = identity.store.records_mentioning(["ann@acme.io", "+14155550101"], 3, page_rows)

    assert [m.record_id for m in page.items] == ["o1", "o2", "e1"]
    assert page.total == 4


def test_audit_details_are_replaced(store: GraphStore) -> None:
    entry = new_audit_entry("dpo", "erasure", "GDPR 1", before=("prf_1",), details={"a": 1})
    store.append_audit([entry])

    store.set_audit_details(entry.id, {"a": 1, "mentions_left": 3})
    store.set_audit_details("aud_unknown", {"x": 1})

    (kept,) = store.list_audit(AuditFilter()).items
    assert dict(kept.details) == {"a": 1, "mentions_left": 3}
    assert (kept.reason, kept.before) == ("GDPR 1", ("prf_1",))
