"""Redacting a logged observation for an erasure: what goes, what stays, and whose attributes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from datora_graph.domain.audit import AuditEntry
from datora_graph.domain.erasure import (
    Erasure,
    LogRedaction,
    erased_fingerprint,
    erased_records,
    mark_name_checked,
    mark_quarantined,
    mentions_any,
    redact_observation,
    redacted_text,
)
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.records import (
    KEPT_JOINS,
    KEPT_LINK_QUARANTINES,
    KEPT_NAME_CHECK,
    KEPT_QUARANTINES,
    UNLINKED,
)

REGISTRY = IdentifierRegistry.default()
ERASED = {"email:ann@acme.io", "crm_id:C-1"}


def item(*pairs: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "id": "o1",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": t, "value": v} for t, v in pairs],
        **extra,
    }


def test_an_observation_without_the_person_is_left_as_it_is() -> None:
    sent = item(("email", "bob@acme.io"), attributes={"first_name": "Bob"})

    assert redact_observation(sent, ERASED, REGISTRY) == sent
    text = json.dumps(sent)
    assert redacted_text(text, ERASED, REGISTRY) is text


def test_an_observation_of_the_person_alone_goes_whatever_the_spelling() -> None:
    sent = item(("email", " Ann@ACME.io "), ("crm_id", "C-1"), attributes={"first_name": "Ann"})

    assert redact_observation(sent, ERASED, REGISTRY) is None


def test_the_person_is_cut_out_of_a_shared_observation_with_the_attributes_they_anchored() -> None:
    sent = item(("crm_id", "C-1"), ("cookie_id", "c-bob"), attributes={"first_name": "Ann"})

    assert redact_observation(sent, ERASED, REGISTRY) == item(("cookie_id", "c-bob"))


def test_attributes_anchored_in_someone_else_stay() -> None:
    sent = item(("crm_id", "C-2"), ("email", "ann@acme.io"), attributes={"first_name": "Bob"})

    assert redact_observation(sent, ERASED, REGISTRY) == item(
        ("crm_id", "C-2"), attributes={"first_name": "Bob"}
    )


def test_consent_statements_about_the_person_go_and_the_others_stay() -> None:
    about_ann = {
        "purpose": "ads",
        "status": "granted",
        "identifier": {"type": "email", "value": "ANN@acme.io"},
    }
    about_all = {"purpose": "email_marketing", "status": "granted"}
    sent = item(("email", "ann@acme.io"), ("cookie_id", "c-bob"), consent=[about_ann, about_all])

    redacted = redact_observation(sent, ERASED, REGISTRY)

    assert redacted is not None
    assert redacted["consent"] == [about_all]
    assert redacted["identifiers"] == [{"type": "cookie_id", "value": "c-bob"}]


def test_a_junk_value_the_person_shared_a_record_with_is_not_theirs() -> None:
    sent = item(("email", "ann@acme.io"), ("phone", "0000000000"))

    assert redact_observation(sent, ERASED, REGISTRY) == item(("phone", "0000000000"))


def test_a_rewritten_record_keeps_the_identifiers_it_quarantined_itself() -> None:
    """At position 5 the record made the family email shared (its quarantine position); the
    cookie was quarantined by an earlier record, so this record did not make it so."""
    family, kiosk = ("email", "family@acme.io"), ("cookie_id", "kiosk")
    sent = json.dumps(item(("crm_id", "C-1"), family, kiosk, attributes={"first_name": "Ann"}))
    quarantined = {"email:family@acme.io": 5, "cookie_id:kiosk": 2}

    redacted = redacted_text(sent, ERASED, REGISTRY, quarantined, 5)
    again = redacted_text(str(redacted), {"cookie_id:kiosk"}, REGISTRY, quarantined, 5)
    gone = redacted_text(str(redacted), {"email:family@acme.io"}, REGISTRY, quarantined, 5)

    assert redacted is not None
    assert json.loads(redacted) == item(
        family, kiosk, **{KEPT_QUARANTINES: [item(family)["identifiers"][0]], UNLINKED: True}
    ), "the CRM number linked the two others: they stay unlinked"
    assert again is not None
    assert json.loads(again) == item(
        family, **{KEPT_QUARANTINES: item(family)["identifiers"], UNLINKED: True}
    )
    assert gone is not None
    assert json.loads(gone) == item(kiosk, **{UNLINKED: True}), "an erased one is not kept there"


def test_a_rewritten_record_keeps_a_quarantine_a_held_link_made_apart() -> None:
    """The cookie was quarantined at position 5 when its link was held (a limit), after the
    record's name check, which found the family email shared: a replay makes each where the
    record made it live. A mark an earlier erasure kept stays where it is."""
    family, kiosk = ("email", "family@acme.io"), ("cookie_id", "kiosk")
    user, phone = ("user_id", "U-9"), ("phone", "4155550101")
    sent = json.dumps(item(user, ("email", "ann@acme.io"), family, kiosk, phone))
    quarantined = {"email:family@acme.io": 5, "cookie_id:kiosk": 5}

    redacted = redacted_text(sent, ERASED, REGISTRY, quarantined, 5, at_links={"cookie_id:kiosk"})
    again = redacted_text(str(redacted), {"phone:+14155550101"}, REGISTRY, quarantined, 5)

    assert redacted is not None
    assert json.loads(redacted) == item(
        user,
        family,
        kiosk,
        phone,
        **{
            KEPT_QUARANTINES: item(family)["identifiers"],
            KEPT_LINK_QUARANTINES: item(kiosk)["identifiers"],
        },
    )
    assert again is not None
    assert json.loads(again)[KEPT_QUARANTINES] == item(family)["identifiers"]
    assert json.loads(again)[KEPT_LINK_QUARANTINES] == item(kiosk)["identifiers"]


def test_a_rewritten_record_keeps_the_joins_it_counted_itself() -> None:
    kiosk = ("device_id", "kiosk-7")
    sent = json.dumps(item(("email", "ann@acme.io"), kiosk))
    joined = {"device_id:kiosk-7": (2, 5, 9)}

    counted = redacted_text(sent, ERASED, REGISTRY, {}, 5, joined)
    not_here = redacted_text(sent, ERASED, REGISTRY, {}, 6, joined)

    assert counted is not None
    assert json.loads(counted) == item(kiosk, **{KEPT_JOINS: item(kiosk)["identifiers"]})
    assert not_here is not None
    assert json.loads(not_here) == item(kiosk)


def test_a_record_whose_anchor_went_is_marked_to_link_nothing_of_what_is_left() -> None:
    """The CRM number (the highest priority) linked the cookie and the phone; the phone and
    the cookie were never linked to each other by this record."""
    sent = json.dumps(item(("crm_id", "C-1"), ("cookie_id", "c-bob"), ("phone", "4155550101")))
    two_left = redacted_text(sent, ERASED, REGISTRY)
    one_left = redacted_text(
        json.dumps(item(("crm_id", "C-1"), ("cookie_id", "c"))), ERASED, REGISTRY
    )
    anchor_kept = redacted_text(
        json.dumps(item(("crm_id", "C-2"), ("email", "ann@acme.io"), ("cookie_id", "c"))),
        ERASED,
        REGISTRY,
    )

    assert two_left is not None
    assert json.loads(two_left)[UNLINKED] is True
    assert one_left is not None
    assert UNLINKED not in json.loads(one_left), "nothing is left to link"
    assert anchor_kept is not None
    assert UNLINKED not in json.loads(anchor_kept)


def test_a_record_of_someone_else_is_marked_with_the_quarantine_it_made() -> None:
    sent = json.dumps(item(("user_id", "U1"), ("phone", "(202) 555-0143")))

    marked = mark_quarantined(sent, "phone:+12025550143", REGISTRY)

    assert marked is not None
    assert json.loads(marked)[KEPT_QUARANTINES] == [{"type": "phone", "value": "(202) 555-0143"}]
    assert mark_quarantined(marked, "phone:+12025550143", REGISTRY) is None, "marked already"
    assert mark_quarantined(sent, "email:ann@acme.io", REGISTRY) is None, "not carried"


def test_a_record_of_someone_else_is_marked_with_the_quarantine_its_held_link_made() -> None:
    sent = json.dumps(item(("user_id", "U1"), ("phone", "(202) 555-0143")))

    marked = mark_quarantined(sent, "phone:+12025550143", REGISTRY, at_link=True)

    assert marked is not None
    assert KEPT_QUARANTINES not in json.loads(marked)
    assert json.loads(marked)[KEPT_LINK_QUARANTINES] == [
        {"type": "phone", "value": "(202) 555-0143"}
    ]
    assert mark_quarantined(marked, "phone:+12025550143", REGISTRY) is None, "marked already"


def test_an_identifier_quarantined_after_a_record_was_that_records_anchor() -> None:
    """The family email anchored the name at position 3 unless it was quarantined by then;
    only then did the erased cookie anchor it, and the name goes with the cookie."""
    sent = json.dumps(
        item(("email", "family@acme.io"), ("cookie_id", "c-ann"), attributes={"first_name": "A"})
    )
    erased = {"cookie_id:c-ann"}
    later = redacted_text(sent, erased, REGISTRY, {"email:family@acme.io": 7}, 3)
    earlier = redacted_text(sent, erased, REGISTRY, {"email:family@acme.io": 3}, 3)

    assert later is not None
    assert json.loads(later)["attributes"] == {"first_name": "A"}
    assert earlier is not None
    assert "attributes" not in json.loads(earlier)


def test_a_rejected_item_is_matched_by_any_spelling_of_the_persons_values() -> None:
    keys = {"email:ann@acme.io", "phone:+14155550101", "cookie_id:GA1.2.Xy"}

    assert mentions_any('{"identifiers": [{"type": "email", "value": "ANN@Acme.io"}]}', keys)
    assert mentions_any('{"value": "(415) 555-0101", "observed_at": "yesterday"}', keys)
    assert mentions_any('{"value": "+1 415.555.0101"}', keys)
    assert mentions_any('{"value": "ga1.2.xy"}', keys), "letter case is not evidence either way"
    assert not mentions_any('{"value": "bob@acme.io", "phone": "(415) 555-0199"}', keys)
    assert not mentions_any("{}", keys)


def test_an_erasure_leaves_fingerprints_of_the_records_it_removes_whole_and_nothing_else() -> None:
    audit = AuditEntry("aud_1", datetime(2026, 5, 1, 9, tzinfo=UTC), "dpo", "erasure", "x", (), ())
    log = (LogRedaction(1, None, "o1"), LogRedaction(2, "{}", "o2"), LogRedaction(3, None, "o1"))
    erasure = Erasure("prf_1", ("email:ann@acme.io",), log, (), audit)

    kept = erased_records(erasure, ["e1", "o1"])

    expected = {
        erased_fingerprint("observation", "o1"): "observation",
        erased_fingerprint("event", "e1"): "event",
        erased_fingerprint("event", "o1"): "event",
    }
    assert [(r.fingerprint, r.kind) for r in kept] == sorted(expected.items())
    assert {(r.erased_at, r.audit_id) for r in kept} == {("2026-05-01T09:00:00.000000Z", "aud_1")}


def test_a_fingerprint_is_the_sha256_of_kind_and_id_and_tells_kinds_apart() -> None:
    assert erased_fingerprint("event", "e1") == hashlib.sha256(b"event\x1fe1").hexdigest()
    assert erased_fingerprint("event", "e1") != erased_fingerprint("observation", "e1")


def test_a_name_check_is_kept_with_what_it_quarantined_and_only_where_one_was_made() -> None:
    """Nothing quarantined is an outcome too: a replay must not look for a conflict again."""
    family, cookie = ("email", "fam@acme.io"), ("cookie_id", "k-1")
    named = json.dumps(item(family, cookie, attributes={"first_name": "Bob"}))

    found = mark_name_checked(named, {"email:fam@acme.io"}, REGISTRY)
    nothing = mark_name_checked(named, set(), REGISTRY)

    assert found is not None
    assert nothing is not None
    assert json.loads(found)[KEPT_QUARANTINES] == item(family)["identifiers"]
    assert json.loads(found)[KEPT_NAME_CHECK] is True
    assert KEPT_QUARANTINES not in json.loads(nothing)
    assert mark_name_checked(found, set(), REGISTRY) is None, "marked already"
    assert mark_name_checked(json.dumps(item(family, cookie)), set(), REGISTRY) is None
    alone = json.dumps(item(family, attributes={"first_name": "Bob"}))
    assert mark_name_checked(alone, set(), REGISTRY) is None
