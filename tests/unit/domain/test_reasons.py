"""`pydantic_reason`: pydantic's problems, as pydantic reports them, in the service's words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from datora_graph.domain.reasons import got, pydantic_reason


class Sample(BaseModel):
    """A field of each kind the request models and ingest items use."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="n", min_length=1, max_length=5)
    code: str = Field(default="ab", min_length=2, pattern="^[a-z]+$")
    count: int = Field(default=1, ge=1, le=10)
    above: int = Field(default=1, gt=0, lt=5)
    price: float = 1.0
    flag: bool = False
    at: datetime = datetime(2026, 5, 1)
    day: date = date(2026, 5, 1)
    tags: list[str] = Field(default_factory=lambda: ["a"], min_length=1, max_length=2)
    pair: list[str] = Field(default_factory=lambda: ["a", "b"], min_length=2)
    extra: dict[str, Any] = Field(default_factory=dict)
    kind: Literal["observation", "event"] = "event"


def reason_for(**fields: Any) -> str:
    try:
        Sample.model_validate(fields)
    except ValidationError as exc:
        return pydantic_reason(exc.errors()[0])
    raise AssertionError("the sample was valid")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"name": 5}, "must be text in double quotes, got the number 5"),
        ({"name": None}, "must be text in double quotes, got null"),
        ({"name": ""}, "must not be empty"),
        ({"name": "abcdef"}, "must be at most 5 characters long, got 6"),
        ({"code": "a"}, "must be at least 2 characters long, got 'a'"),
        ({"code": "AB"}, "must match the pattern ^[a-z]+$, got 'AB'"),
        ({"count": "ten"}, "must be a whole number such as 50, got 'ten'"),
        ({"count": 1.5}, "must be a whole number such as 50, got the number 1.5"),
        ({"count": 0}, "must be at least 1, got the number 0"),
        ({"count": 11}, "must be at most 10, got the number 11"),
        ({"above": 0}, "must be more than 0, got the number 0"),
        ({"above": 5}, "must be less than 5, got the number 5"),
        ({"price": "cheap"}, "must be a number such as 19.99, got 'cheap'"),
        ({"price": [1]}, "must be a number such as 19.99, got a list"),
        ({"flag": "maybe"}, "must be true or false, got 'maybe'"),
        (
            {"at": "soon"},
            "must be an ISO 8601 date-time such as 2026-05-01T10:00:00Z, got 'soon' "
            "(input is too short)",
        ),
        ({"at": [2026]}, "must be an ISO 8601 date-time such as 2026-05-01T10:00:00Z, got a list"),
        (
            {"day": "2026-02-30"},
            "must be an ISO 8601 date such as 2026-05-01, got '2026-02-30' "
            "(day value is outside expected range)",
        ),
        ({"tags": []}, "must hold at least one item, got an empty list"),
        ({"tags": ["a", "b", "c"]}, "must hold at most 2 items, got 3"),
        ({"pair": ["a"]}, "must hold at least 2 items, got 1"),
        ({"tags": "a,b"}, "must be a list [...], got 'a,b'"),
        ({"extra": ["a"]}, "must be a JSON object {...}, got a list"),
        ({"extra": True}, "must be a JSON object {...}, got true"),
        ({"kind": "events"}, "must be 'observation' or 'event', got 'events'"),
        ({"other": 1}, "is not a known field"),
    ],
)
def test_a_common_problem_says_what_was_expected_and_what_was_got(
    fields: dict[str, Any], reason: str
) -> None:
    assert reason_for(**fields) == reason


def test_a_problem_without_words_of_its_own_keeps_pydantics() -> None:
    problem = {"type": "url_parsing", "msg": "Input should be a valid URL", "input": "x"}

    assert pydantic_reason(problem) == "Input should be a valid URL"


def test_a_validators_own_message_loses_pydantics_prefix() -> None:
    problem = {"type": "value_error", "msg": "Value error, is later than until", "input": "x"}

    assert pydantic_reason(problem) == "is later than until"


def test_what_was_got_is_cut_short_and_never_spells_out_a_list() -> None:
    assert got("x" * 100) == "'" + "x" * 58 + "…"
    assert got(["ann@acme.io"]) == "a list"
    assert got({"email": "ann@acme.io"}) == "an object"
    assert got(float("nan")) == "NaN, which JSON has no number for"
