"""Query limits refuse a request before it runs, with LIMIT_EXCEEDED; every other error carries
its code too, and a bug never shows its insides to the client."""

from __future__ import annotations

import httpx
import pytest
from graphql import GraphQLError
from tests.conftest import unique

from datora_graph.api.graphql.errors import INTERNAL, INTERNAL_MESSAGE, apply_codes
from datora_graph.api.graphql.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS

from ..payloads import obs
from .conftest import GraphQLClient


def aliased_lookups(count: int, fragment: bool = False) -> str:
    """`count` aliased lookups of emails no test writes, so each answers NOT_FOUND."""
    nobody = unique("nobody")
    lookups = " ".join(
        f'p{n}: profileByIdentifier(type: "email", value: "{nobody}-{n}@acme.io") {{ id }}'
        for n in range(count)
    )
    if not fragment:
        return f"{{ {lookups} }}"
    return f"{{ ...Lookups ...Lookups }} fragment Lookups on Query {{ {lookups} }}"


def test_a_query_at_the_alias_limit_runs(module_graphql: GraphQLClient) -> None:
    answer = module_graphql.post(aliased_lookups(MAX_ALIASES))

    assert {e["extensions"]["code"] for e in answer["errors"]} == {"NOT_FOUND"}
    assert answer["data"] == {f"p{n}": None for n in range(MAX_ALIASES)}


def test_a_query_past_the_alias_limit_is_refused_before_it_runs(
    module_graphql: GraphQLClient,
) -> None:
    answer = module_graphql.post(aliased_lookups(MAX_ALIASES + 1))

    assert answer.get("data") is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert f"more than {MAX_ALIASES} aliases" in error["message"]


def test_aliases_in_a_fragment_count_each_time_it_is_spread(module_graphql: GraphQLClient) -> None:
    answer = module_graphql.post(aliased_lookups(MAX_ALIASES // 2 + 1, fragment=True))

    [error] = answer["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


def test_a_document_too_large_to_validate_is_a_limit_saying_so(
    module_graphql: GraphQLClient,
) -> None:
    """graphql-core gives up on thousands of fields in one selection with only "Validation
    aborted."; the answer says what to do."""
    answer = module_graphql.post("{ " + " ".join(["__typename"] * 5_000) + " }")

    assert answer.get("data") is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert "too large to validate" in error["message"]
    assert "split it into several queries" in error["message"]


def test_a_document_of_too_many_tokens_is_refused_before_it_is_parsed_whole(
    module_graphql: GraphQLClient,
) -> None:
    """Parsed whole, 8 MB of `{ a a a ... }` held the worker for two minutes."""
    answer = module_graphql.post("{ " + " a" * (MAX_TOKENS + 5_000) + " }")

    [error] = answer["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert error["message"].startswith(f"the query is longer than the limit of {MAX_TOKENS:,}")
    within = module_graphql.post("{ __typename } # " + " a" * MAX_TOKENS)  # a comment counts as one
    assert "errors" not in within, within


def test_a_malformed_document_is_invalid_input(module_graphql: GraphQLClient) -> None:
    for query in ("{ profile(id: ", "{ nothing }", '{ profile(id: "x") }'):
        answer = module_graphql.post(query)

        assert answer.get("data") is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["INVALID_INPUT"]


def test_a_missing_variable_is_invalid_input(module_graphql: GraphQLClient) -> None:
    error = module_graphql.error("query ($id: ID!) { profile(id: $id) { id } }")

    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "$id" in error["message"]


def test_a_null_for_an_argument_with_a_default_is_invalid_input(
    module_graphql: GraphQLClient,
) -> None:
    error = module_graphql.error(
        "query ($a: Int) { profiles(first: $a) { edges { cursor } } }", a=None
    )

    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "first" in error["message"]


def test_a_bug_is_internal_and_keeps_its_details_to_the_log() -> None:
    """No request can make a resolver fail unexpectedly, so the mapping is checked alone."""
    failure = GraphQLError("boom", path=["profile"], original_error=KeyError("secret"))

    apply_codes([failure])

    assert failure.extensions is not None
    incident = failure.extensions["incident"]
    assert failure.extensions == {"code": INTERNAL, "incident": incident}
    assert failure.message == f"{INTERNAL_MESSAGE} {incident}"
    assert "secret" not in str(failure.formatted)
    assert failure.path == ["profile"]


AT_THE_DEPTH_LIMIT = """{ profiles { edges { node { segments { members { edges { node {
  segments { members { edges { cursor } } } } } } } } } } }"""
"""profiles > edges > node > segments > members > edges > node > segments > members > edges:
10 levels of fields with selections, the limit."""


def test_a_query_at_the_depth_limit_runs(graphql: GraphQLClient) -> None:
    assert MAX_DEPTH == 10

    assert graphql.data(AT_THE_DEPTH_LIMIT) == {"profiles": {"edges": []}}


def test_a_query_past_the_depth_limit_is_refused_before_it_runs(
    module_graphql: GraphQLClient,
) -> None:
    too_deep = AT_THE_DEPTH_LIMIT.replace("edges { cursor }", "edges { node { id } }")

    answer = module_graphql.post(too_deep)

    assert answer.get("data") is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert f"more than {MAX_DEPTH} levels deep" in error["message"]


def test_fragments_do_not_hide_depth(module_graphql: GraphQLClient) -> None:
    hidden = """{ profiles { ...Deep } } fragment Deep on ProfileConnection { edges { node {
      segments { members { edges { node { segments { members { edges { node { id } } } } } } }
      } } } }"""

    [error] = module_graphql.post(hidden)["errors"]

    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "9001-01-01T00:00:00Z"]
)
def test_a_report_asked_at_a_moment_outside_the_calendar_it_can_cover_is_invalid_input(
    module_graphql: GraphQLClient, as_of: str
) -> None:
    error = module_graphql.error("query ($at: DateTime) { insights(asOf: $at) { asOf } }", at=as_of)

    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "asOf"}
    assert "between 1900-01-01 and 9000-01-01" in error["message"]


def test_a_date_time_that_leaves_the_calendar_in_utc_is_invalid_input(
    module_graphql: GraphQLClient,
) -> None:
    late = "9999-12-31T23:59:59-05:00"

    error = module_graphql.error("query ($at: DateTime) { insights(asOf: $at) { asOf } }", at=late)

    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "leaves the calendar when moved to UTC" in error["message"]


CONSENT_THEN_DELETE = """mutation ($s: [JSON!]!, $segment: ID!) {
  recordConsent(statements: $s) { recorded }
  deleteSegment(id: $segment)
}"""


def test_a_failing_mutation_leaves_the_result_of_the_one_before_it_in_the_answer(
    module_client: httpx.Client, module_graphql: GraphQLClient
) -> None:
    """Mutations answer nullable types: the consent was recorded, so the answer says so, and
    the unknown segment's error stands alone at its own path (a non-null field nulled `data`
    whole, reporting the recorded consent as not run)."""
    email, nope = f"{unique('ann')}@acme.io", unique("seg_nope")
    observation = obs(unique("o1"), f"email:{email}")
    module_client.post("/v1/observations", json={"observations": [observation]})
    granted = {
        "identifier": {"type": "email", "value": email},
        "purpose": "email_marketing",
        "status": "granted",
        "at": "2026-05-01T10:00:00Z",
        "source": "preference-centre",
    }

    answer = module_graphql.post(CONSENT_THEN_DELETE, s=[granted], segment=nope)

    assert answer["data"] == {"recordConsent": {"recorded": 1}, "deleteSegment": None}
    [error] = answer["errors"]
    assert error["path"] == ["deleteSegment"]
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert nope in error["message"]
    ann = module_client.get("/v1/profiles", params={"identifier": f"email:{email}"}).json()["id"]
    consent = module_graphql.data(
        "query ($id: ID!) { profile(id: $id) { consent { purpose status } } }", id=ann
    )["profile"]["consent"]
    assert consent == [{"purpose": "email_marketing", "status": "GRANTED"}]
