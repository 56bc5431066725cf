"""Why a value was refused, in words for the person who sent it.

Pydantic checks the request models and the ingest items, and its own messages are written
for a Python programmer ("Input should be a valid string", "List should have at least 1 item
after validation, not 0"). `pydantic_reason` rewords the common kinds the way the rest of the
service writes a reason: what was expected, with an example, and what was got.

    >>> pydantic_reason({"type": "int_parsing", "input": "abc", "msg": "..."})
    "must be a whole number such as 50, got 'abc'"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from datora_graph.domain.errors import json_kind, shown
from datora_graph.domain.moments import TIME_EXAMPLE


def lone_surrogate(where: str = "") -> str:
    """Why text holding half of a UTF-16 surrogate pair (`\\ud800` in JSON) is refused: no
    store or encoder can take it."""
    at = f" at {where}" if where else ""
    return (
        f"holds a lone UTF-16 surrogate escape{at}, which is not a character "
        "(send the character itself, or both halves of its surrogate pair)"
    )


def got(value: object) -> str:
    """What a client sent, as an error quotes it: text quoted, numbers and JSON literals as
    written, a list or object by its kind (its content may be long, or personal data)."""
    if isinstance(value, str):
        return shown(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and value == value and abs(value) != float("inf"):
        return f"the number {shown(value)}"
    if isinstance(value, list) and not value:
        return "an empty list"
    return json_kind(value)


def pydantic_reason(error: Mapping[str, Any]) -> str:
    """A pydantic problem in the words the service uses for the same problem anywhere; a kind
    not worded here keeps pydantic's message."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    word = _WORDS.get(kind)
    if word is not None:
        return word(value, ctx)
    message = str(error.get("msg", "is invalid"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _expected(what: str) -> Callable[[object, Mapping[str, Any]], str]:
    return lambda value, ctx: f"must be {what}, got {got(value)}"


def _a_date_time(value: object, ctx: Mapping[str, Any]) -> str:
    why = ctx.get("error")
    detail = f" ({why})" if why and isinstance(value, str) else ""
    return f"must be an ISO 8601 date-time such as {TIME_EXAMPLE}, got {got(value)}{detail}"


def _a_date(value: object, ctx: Mapping[str, Any]) -> str:
    why = ctx.get("error")
    detail = f" ({why})" if why and isinstance(value, str) else ""
    return f"must be an ISO 8601 date such as 2026-05-01, got {got(value)}{detail}"


def _text_length(value: object, ctx: Mapping[str, Any]) -> str:
    if "max_length" in ctx:
        length = len(value) if isinstance(value, str) else "more"
        return f"must be at most {ctx['max_length']} characters long, got {length}"
    least = ctx.get("min_length", 1)
    if least == 1:
        return "must not be empty"
    return f"must be at least {least} characters long, got {got(value)}"


def _item_count(value: object, ctx: Mapping[str, Any]) -> str:
    count = ctx.get("actual_length", len(value) if isinstance(value, list) else "more")
    if "max_length" in ctx:
        return f"must hold at most {ctx['max_length']} items, got {count}"
    least = ctx.get("min_length", 1)
    if least == 1:
        return f"must hold at least one item, got {got(value)}"
    return f"must hold at least {least} items, got {count}"


def _bound(words: str, key: str) -> Callable[[object, Mapping[str, Any]], str]:
    return lambda value, ctx: f"must be {words} {ctx.get(key)}, got {got(value)}"


_A_WHOLE_NUMBER = _expected("a whole number such as 50")
_A_NUMBER = _expected("a number such as 19.99")
_TRUE_OR_FALSE = _expected("true or false")
_AN_OBJECT = _expected("a JSON object {...}")

_WORDS: dict[str, Callable[[object, Mapping[str, Any]], str]] = {
    "missing": lambda value, ctx: "is required",
    "extra_forbidden": lambda value, ctx: "is not a known field",
    "string_unicode": lambda value, ctx: lone_surrogate(),
    "string_type": _expected("text in double quotes"),
    "string_too_short": _text_length,
    "string_too_long": _text_length,
    "string_pattern_mismatch": lambda value, ctx: (
        f"must match the pattern {ctx.get('pattern')}, got {got(value)}"
    ),
    "int_type": _A_WHOLE_NUMBER,
    "int_parsing": _A_WHOLE_NUMBER,
    "int_from_float": _A_WHOLE_NUMBER,
    "int_parsing_size": _A_WHOLE_NUMBER,
    "float_type": _A_NUMBER,
    "float_parsing": _A_NUMBER,
    "finite_number": _expected("a finite number such as 19.99"),
    "bool_type": _TRUE_OR_FALSE,
    "bool_parsing": _TRUE_OR_FALSE,
    "greater_than_equal": _bound("at least", "ge"),
    "greater_than": _bound("more than", "gt"),
    "less_than_equal": _bound("at most", "le"),
    "less_than": _bound("less than", "lt"),
    "datetime_type": _a_date_time,
    "datetime_parsing": _a_date_time,
    "datetime_from_date_parsing": _a_date_time,
    "date_type": _a_date,
    "date_parsing": _a_date,
    "date_from_datetime_parsing": _a_date,
    "date_from_datetime_inexact": _a_date,
    "list_type": _expected("a list [...]"),
    "too_short": _item_count,
    "too_long": _item_count,
    "dict_type": _AN_OBJECT,
    "model_type": _AN_OBJECT,
    "model_attributes_type": _AN_OBJECT,
    "literal_error": lambda value, ctx: f"must be {ctx.get('expected')}, got {got(value)}",
    "enum": lambda value, ctx: f"must be {ctx.get('expected')}, got {got(value)}",
}
"""The reworded kinds, by pydantic's error type (`pydantic_core` documents each one)."""
