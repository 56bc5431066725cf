"""The access log names no one: the type of an identifier a client looked up, never its
value, and no value of a parameter or path segment not known to be free of personal data: the
masking of request targets (api/access_log.py); `datora serve`'s log is read in
tests/e2e/test_cli.py."""

from __future__ import annotations

import logging
from urllib.parse import quote_plus

import pytest
from fastapi.routing import APIRoute
from hypothesis import given
from hypothesis import strategies as st

from datora_graph.api.access_log import (
    IDENTIFYING_PARAMETERS,
    LOGGED_PARAMETERS,
    MaskPersonalData,
    masked_target,
)
from datora_graph.api.query_params import declared_query_parameters
from datora_graph.api.routes import probes, router


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
            "/v1/profiles?x=***&identifier=crm_id:***&y=***",
        ),
        (
            "/v1/profiles?identifier=email:a&identifier=phone:b",
            "/v1/profiles?identifier=email:***&identifier=phone:***",
        ),
        ("/v1/profiles?identifie%72=email:ann@acme.io", "/v1/profiles?identifie%72=email:***"),
        (
            "/v1/segments/seg_3f2a9c0d1e4b5a6c/export?identifier=email&format=csv",
            "/v1/segments/seg_3f2a9c0d1e4b5a6c/export?identifier=email&format=csv",
        ),
        ("/v1/segments/vip-buyers/export", "/v1/segments/vip-buyers/export"),
        (
            "/v1/profiles/prf_2c8336893548cbcc1227/journey?first=5&after=djE6MTA&types=a,b"
            "&since=2026-05-01T00:00:00Z&order=newest",
            "/v1/profiles/prf_2c8336893548cbcc1227/journey?first=5&after=djE6MTA&types=a,b"
            "&since=2026-05-01T00:00:00Z&order=newest",
        ),
        ("/v1/rejected?kind=event&after=10&limit=5", "/v1/rejected?kind=event&after=10&limit=5"),
        # A client's mistakes: an identifier in a path, a GraphQL query sent with GET.
        ("/v1/profiles/ann@acme.io", "/v1/profiles/***"),
        ("/v1/profiles/email:ann%40acme.io/journey", "/v1/profiles/***/journey"),
        ("/v1/profiles/+14155550101", "/v1/profiles/***"),
        ("/v1/people/C-1001", "/v1/people/***"),
        (
            '/graphql?query={profileByIdentifier(type:"email",value:"ann@acme.io"){id}}',
            "/graphql?query=***",
        ),
        # A logged parameter keeps only a value of the shape it takes.
        (
            "/v1/profiles/prf_2c83/journey?since=2026-05-01T10:00:00%2B02:00&until=2026-05-02",
            "/v1/profiles/prf_2c83/journey?since=2026-05-01T10:00:00%2B02:00&until=2026-05-02",
        ),
        (
            "/v1/profiles/prf_2c83/journey?types=ann@acme.io",
            "/v1/profiles/prf_2c83/journey?types=***",
        ),
        (
            "/v1/profiles/prf_2c83/journey?since=ann%40acme.io",
            "/v1/profiles/prf_2c83/journey?since=***",
        ),
        (
            "/v1/profiles/prf_2c83/journey?first=%2B14155550101",
            "/v1/profiles/prf_2c83/journey?first=***",
        ),
        (
            "/v1/profiles/prf_2c83/journey?first=4155550101",
            "/v1/profiles/prf_2c83/journey?first=***",
        ),
        (
            "/v1/profiles/prf_2c83/journey?after=email:a@b.io",
            "/v1/profiles/prf_2c83/journey?after=***",
        ),
        ("/v1/rejected?kind=Ann+Lee", "/v1/rejected?kind=***"),
        ("/v1/profiles?ann@acme.io", "/v1/profiles?***"),
        ("/v1/profiles?ann%40acme.io=1&first=2", "/v1/profiles?***=***&first=2"),
        ("/openapi.json", "/openapi.json"),
        ("/v1/profiles?identifier", "/v1/profiles?identifier"),
        ("/readyz", "/readyz"),
    ],
)
def test_a_logged_target_names_no_one(target: str, logged: str) -> None:
    assert masked_target(target) == logged


@given(
    name=st.sampled_from(sorted(LOGGED_PARAMETERS)),
    value=st.one_of(
        st.emails(),
        st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True),
        st.from_regex(r"(email|phone|crm_id):[A-Za-z0-9.@+-]{1,20}", fullmatch=True),
    ),
)
def test_no_logged_parameter_logs_an_identifier(name: str, value: str) -> None:
    """An e-mail address, an E.164 number or a typed identifier, sent as the value of any
    parameter whose values are logged, is masked whether it is written encoded or not.
    Unencoded, a `&` in it ends the value: the client sent a parameter of what came before
    (`first=0&@a.io` is `first=0` and a parameter named `@a.io`), each judged alone."""
    for written in (quote_plus(value), *([value] if "&" not in value else [])):
        logged = masked_target(f"/v1/profiles/prf_2c83/journey?{name}={written}")

        assert logged.startswith(f"/v1/profiles/prf_2c83/journey?{name}=***")
        assert set(logged.partition("=***")[2]) <= set("&=*"), "what follows is masked too"


def test_an_unencoded_ampersand_ends_the_value_and_what_follows_is_masked() -> None:
    logged = masked_target("/v1/profiles/prf_2c83/journey?first=0&@A.aE")

    assert logged == "/v1/profiles/prf_2c83/journey?first=0&***"


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

    assert MaskPersonalData().filter(record)

    assert record.getMessage() == (
        '127.0.0.1:5 - "GET /v1/profiles?identifier=email:*** HTTP/1.1" 200'
    )


def test_every_query_parameter_of_the_api_is_classified() -> None:
    """A route's new parameter is logged as `***` until it is named here as one whose values
    name no one, or one that carries an identifier."""
    declared = {
        name
        for route in [*router.routes, *probes.routes]
        if isinstance(route, APIRoute)
        for name in declared_query_parameters(route)
    }

    assert declared == set(LOGGED_PARAMETERS) | IDENTIFYING_PARAMETERS
