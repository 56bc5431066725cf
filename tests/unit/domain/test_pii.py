"""What a key without `read:pii` sees of a rejected item's reason: the field and why, not the
values a person sent. The reasons here are the parser's own, for items that carry a marker
in every personal field."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.pii import mask_reason
from datora_graph.services import parse_items

REGISTRY = IdentifierRegistry.default()
SECRET = "Zelda.Quist"


def observation(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "obs-1",
        "source": "crm",
        "observed_at": "2026-05-01T10:00:00Z",
        "identifiers": [{"type": "email", "value": f"{SECRET}@acme.io"}],
        "attributes": {"first_name": SECRET},
    }
    item.update(changes)
    return item


BAD_OBSERVATIONS = [
    observation(identifiers=[{"type": "email", "value": f"{SECRET} at acme.io"}]),
    observation(identifiers=[{"type": "phone", "value": f"{SECRET} 555"}]),
    observation(identifiers=[{"type": "phone", "value": "+1 415 555 01"}]),
    observation(identifiers=[{"type": "device_id", "value": f"{SECRET}\u0007"}]),
    observation(identifiers=[{"type": "email", "value": f"{SECRET}@acme.io" * 30}]),
    observation(attributes={"birth_date": f"{SECRET}-1990"}),
    observation(attributes={"birth_date": "1990-13-45"}),
    observation(attributes={"first_name": [SECRET]}),
    observation(consent=[{"purpose": "email_marketing", "status": SECRET}]),
    observation(
        consent=[
            {
                "identifier": {"type": "email", "value": f"{SECRET} at acme.io"},
                "purpose": "email_marketing",
                "status": "granted",
            }
        ]
    ),
    observation(identifiers=f"email:{SECRET}@acme.io"),
    observation(observed_at="2026-05-01", identifiers=[{"type": "email", "value": SECRET}]),
]


def rejections(items: list[dict[str, Any]], kind: str = "observation") -> list[Any]:
    batch = parse_items(items, kind, REGISTRY)  # type: ignore[arg-type]
    assert len(batch.rejections) == len(items), "every item here is invalid"
    return batch.rejections


@pytest.mark.parametrize("item", BAD_OBSERVATIONS, ids=lambda item: json.dumps(item)[:60])
def test_a_masked_reason_keeps_why_and_drops_what_was_sent(item: dict[str, Any]) -> None:
    [rejection] = rejections([item])

    masked = mask_reason(rejection.reason, rejection.payload)

    assert SECRET.casefold() not in masked.casefold()
    assert "415 555 01" not in masked
    assert "1990-13-45" not in masked
    for word in re.sub(r"'[^']*'", "", rejection.reason).split():
        assert word in masked, "the explanation stays"


def test_the_reasons_masked_do_quote_what_was_sent() -> None:
    """Else the test above would pass on any reason."""
    reasons = [r.reason for r in rejections(BAD_OBSERVATIONS)]
    quoting = [r for r in reasons if SECRET.casefold() in r.casefold()]

    assert len(quoting) >= 4, reasons


def test_an_events_identifiers_are_masked_where_quoted() -> None:
    event = {
        "id": "e-1",
        "type": "purchase",
        "occurred_at": "2026-05-01T10:00:00Z",
        "source": "shop",
        "identifiers": [{"type": "email", "value": f"{SECRET}@acme"}],
        "properties": {"revenue": 10},
    }
    [rejection] = rejections([event], "event")

    assert SECRET in rejection.reason
    assert SECRET not in mask_reason(rejection.reason, rejection.payload)


@pytest.mark.parametrize(
    ("reason", "payload", "masked"),
    [
        (
            "'maybe' is not 'granted' or 'withdrawn'",
            {"consent": [{"status": "maybe"}]},
            "'maybe' is not 'granted' or 'withdrawn'",
        ),
        (
            "unknown identifier type 'fax'",
            {"identifiers": [{"type": "fax", "value": "555"}]},
            "unknown identifier type 'fax'",
        ),
        (
            "'ann@acme.io' is a junk value",
            {"identifiers": [{"type": "email", "value": " Ann@Acme.io "}]},
            "'***' is a junk value",
        ),
        ("got 'ann@acme.io…", {"attributes": {"note": "ann@acme.io" * 9}}, "got '***'"),
        ("not JSON: 'ann,acme'", "ann,acme,2026", "not JSON: '***'"),
        ("Ann is not Bob", {"attributes": {"first_name": "ann"}}, "*** is not Bob"),
    ],
)
def test_vocabulary_stays_and_values_go(reason: str, payload: Any, masked: str) -> None:
    text = payload if isinstance(payload, str) else json.dumps(payload)

    assert mask_reason(reason, text) == masked
