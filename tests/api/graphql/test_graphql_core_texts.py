"""The texts by which errors.py and limits.py recognise two of graphql-core's refusals, which
have no class or code of their own. Checked against graphql-core itself, so an upgrade that
rewords them fails here, by name, instead of quietly turning a LIMIT_EXCEEDED into an
INVALID_INPUT that says nothing of the limit."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, build_schema, parse, validate
from graphql.validation.validate import ValidationAbortedError

from datora_graph.api.graphql.errors import INVALID_INPUT, VALIDATION_ABORTED, code_of
from datora_graph.api.graphql.limits import (
    LIMIT_EXCEEDED,
    MAX_TOKENS,
    TOKEN_LIMIT_SYNTAX_ERROR,
    too_many_tokens,
)

SCHEMA = build_schema("type Query { name: String }")


@pytest.mark.parametrize(
    "document",
    [
        pytest.param("{ " + " a" * (MAX_TOKENS + 1) + " }", id="names"),
        pytest.param("{ a }" + "\n# note" * (MAX_TOKENS + 1), id="a-run-of-comments"),
    ],
)
def test_graphql_core_refuses_a_document_past_max_tokens_with_the_text_matched(
    document: str,
) -> None:
    with pytest.raises(GraphQLSyntaxError) as refused:
        parse(document, max_tokens=MAX_TOKENS)

    assert refused.value.description == TOKEN_LIMIT_SYNTAX_ERROR
    assert too_many_tokens(refused.value)
    assert code_of(refused.value) == LIMIT_EXCEEDED


def test_another_syntax_error_is_not_the_token_limit() -> None:
    with pytest.raises(GraphQLSyntaxError) as refused:
        parse("{ name(", max_tokens=MAX_TOKENS)

    assert not too_many_tokens(refused.value)
    assert code_of(refused.value) == INVALID_INPUT


def test_graphql_core_gives_up_on_a_huge_selection_with_the_text_matched() -> None:
    errors = validate(SCHEMA, parse("{ " + " name" * 5_000 + " }"))

    assert [type(e) for e in errors] == [ValidationAbortedError]
    assert errors[0].message == VALIDATION_ABORTED
    assert code_of(errors[0]) == LIMIT_EXCEEDED


def test_graphql_core_s_abort_after_too_many_errors_stays_the_client_s_mistake() -> None:
    errors = validate(SCHEMA, parse("{ " + " nothing" * 200 + " }"))

    assert isinstance(errors[-1], ValidationAbortedError)
    assert errors[-1].message == (
        "Too many validation errors, error limit reached. Validation aborted."
    )
    assert code_of(errors[-1]) == INVALID_INPUT
