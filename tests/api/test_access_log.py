"""The access log names the type of an identifier a client looked up, never its value: the
masking of request targets (api/access_log.py); `datora serve`'s log is read in
tests/e2e/test_cli.py."""

from __future__ import annotations

import logging

import pytest

from datora_graph.api.access_log import MaskIdentifiers, masked_target


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/v1/profiles?identifier=email:ann@acme.io", "/v1/profiles?identifier=email:***"),
        ("/v1/profiles?identifier=email%3Aann%40acme.io", "/v1/profiles?identifier=email:***"),
        ("/v1/profiles?identifier=phone:+1%20415%20555", "/v1/profiles?identifier=phone:***"),
        ("/v1/profiles?identifier=ann@acme.io", "/v1/profiles?identifier=***"),
        ("/v1/profiles?identifier=Email:ann@acme.io", "/v1/profiles?identifier=***"),
        (
            "/v1/profiles?x=1&identifier=crm_id:C-1&y=2",
            "/v1/profiles?x=1&identifier=crm_id:***&y=2",
        ),
        (
            "/v1/profiles?identifier=email:a&identifier=phone:b",
            "/v1/profiles?identifier=email:***&identifier=phone:***",
        ),
        ("/v1/profiles?identifie%72=email:ann@acme.io", "/v1/profiles?identifie%72=email:***"),
        (
            "/v1/segments/seg_1/export?identifier=email&format=csv",
            "/v1/segments/seg_1/export?identifier=email&format=csv",
        ),
        ("/v1/profiles/prf_1/journey?first=5", "/v1/profiles/prf_1/journey?first=5"),
        ("/v1/profiles?identifier", "/v1/profiles?identifier"),
        ("/readyz", "/readyz"),
    ],
)
def test_an_identifier_looked_up_is_logged_by_its_type_alone(target: str, logged: str) -> None:
    assert masked_target(target) == logged


def test_the_filter_rewrites_uvicorns_access_record() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/v1/profiles?identifier=email:ann@acme.io", "1.1", 200),
        None,
    )

    assert MaskIdentifiers().filter(record)

    assert record.getMessage() == (
        '127.0.0.1:5 - "GET /v1/profiles?identifier=email:*** HTTP/1.1" 200'
    )
