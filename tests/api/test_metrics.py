"""GET /metrics over real HTTP: requests counted and timed by route template (never by the
path a client sent), records ingested over REST and GraphQL counted by outcome, no key needed.

The metrics are the server process's (the test's own here), so each test compares a scrape
after its requests with one before them."""

from __future__ import annotations

import httpx
from tests.conftest import unique

from .metrics_scrape import grew, records, requests, scrape, timed
from .payloads import event, obs


def test_requests_are_counted_by_route_template_never_by_their_path(
    module_client: httpx.Client,
) -> None:
    email = f"{unique('zed')}@acme.io"
    before = scrape(module_client)

    assert module_client.get(f"/v1/profiles/email:{email}").status_code == 404
    by_identifier = module_client.get("/v1/profiles", params={"identifier": f"email:{email}"})
    assert by_identifier.status_code == 404
    assert module_client.get(f"/no/such/route/{email}").status_code == 404
    text = module_client.get("/metrics").text
    after = scrape(module_client)

    changed = grew(before, after)
    assert changed[requests("GET", "/v1/profiles/{profile_id}", 404)] == 1
    assert changed[requests("GET", "/v1/profiles", 404)] == 1
    assert changed[requests("GET", "unmatched", 404)] == 1
    assert sum(v for (name, labels), v in changed.items() if name.endswith("requests_total")) == 3
    assert changed[timed("GET", "/v1/profiles/{profile_id}")] == 1
    assert email not in text
    assert "zed-" not in text


def test_ingested_records_are_counted_by_kind_and_outcome_over_rest_and_graphql(
    module_client: httpx.Client,
) -> None:
    ids = [unique("m") for _ in range(4)]
    email = f"email:{unique('m')}@acme.io"
    before = scrape(module_client)

    batch = [obs(ids[0], email), obs(ids[1], email), {"id": ids[2], "source": "crm"}]
    first = module_client.post("/v1/observations", json={"observations": batch})
    again = module_client.post("/v1/observations", json={"observations": [obs(ids[0], email)]})
    events = module_client.post(
        "/v1/events", json={"events": [event(unique("e"), "page_view", email)]}
    )
    mutation = "mutation($o: [JSON!]!) { ingestObservations(observations: $o) { accepted } }"
    graphql = module_client.post(
        "/graphql", json={"query": mutation, "variables": {"o": [obs(ids[3], email)]}}
    )
    after = scrape(module_client)

    assert [r.status_code for r in (first, again, events, graphql)] == [200] * 4
    assert graphql.json()["data"]["ingestObservations"]["accepted"] == 1
    changed = grew(before, after)
    assert changed[records("observation", "accepted")] == 3
    assert changed[records("observation", "rejected")] == 1
    assert changed[records("observation", "duplicate")] == 1
    assert changed[records("event", "accepted")] == 1
    assert records("event", "rejected") not in changed
    assert changed[requests("POST", "/v1/observations", 200)] == 2
    assert changed[requests("POST", "/graphql", 200)] == 1


def test_metrics_need_no_key_and_a_refused_request_is_counted(
    module_client: httpx.Client,
) -> None:
    base_url = str(module_client.base_url)
    with httpx.Client(base_url=base_url) as anonymous:
        before = scrape(anonymous)
        refused = anonymous.get("/v1/stats")
        after = scrape(anonymous)

    assert refused.status_code == 401
    changed = {
        key: value
        for key, value in grew(before, after).items()
        if not key[0].endswith(("_sum", "_bucket"))
    }
    assert changed == {requests("GET", "/v1/stats", 401): 1, timed("GET", "/v1/stats"): 1}
