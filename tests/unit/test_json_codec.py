"""`json_codec` reads and writes exactly what `json` does, orjson or not, and says why a
client's text is not JSON it can read."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datora_graph.json_codec import ClientJsonError, dumps_compact, loads, read_client_json

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_loads_reads_what_json_reads(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)

    assert loads(text) == json.loads(text)
    assert type(loads(text)) is type(json.loads(text))


def test_an_integer_beyond_64_bits_stays_an_integer() -> None:
    order_number = 1234567890123456789012345

    assert loads(f'{{"order": {order_number}}}') == {"order": order_number}


def test_nan_and_infinity_written_by_json_are_read_back() -> None:
    values = loads(json.dumps([math.inf, -math.inf, 1.5]))
    nan = loads(json.dumps(math.nan))

    assert values == [math.inf, -math.inf, 1.5]
    assert math.isnan(nan)


def test_a_text_that_is_not_json_raises_as_json_does() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        loads("{oops")


@given(JSON_VALUES.filter(lambda v: "inf" not in repr(v)))
def test_dumps_compact_writes_the_same_json(value: object) -> None:
    assert json.loads(dumps_compact(value)) == value


def test_dumps_compact_writes_infinity_as_null_which_every_parser_reads() -> None:
    assert dumps_compact([math.inf, math.nan]) == b"[null,null]"


def test_dumps_compact_writes_an_integer_beyond_64_bits() -> None:
    assert dumps_compact({"n": 2**70}) == b'{"n":1180591620717411303424}'
    assert dumps_compact({"name": "Zoë"}) == '{"name":"Zoë"}'.encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"a" 1}', "is not valid JSON (Expecting ':' delimiter at character 6)"),
        ('{"a":\n oops}', "is not valid JSON (Expecting value at line 2 column 2)"),
        (b'{"a": "\xff"}', "is not UTF-8 text (invalid start byte at byte 7)"),
        ("[" * 100_000 + "]" * 100_000, "is nested too deeply to read"),
    ],
)
def test_client_json_that_cannot_be_read_says_why(data: str | bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^is ") as refused:
        read_client_json(data)

    assert str(refused.value) == reason


def test_client_json_reads_what_json_reads() -> None:
    text = '{"a": [1, 2.5, "x", null, true], "b": {"c": 12345678901234567890123}}'

    assert read_client_json(text) == read_client_json(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    ("data", "where", "key"),
    [
        ('{"a": 1, "a": 1}', "body.a", '"a"'),
        (b'{"o": [{"x": 1}, {"y": {"k": 1, "j": 2, "k": 3}}]}', "body.o[1].y.k", '"k"'),
        ('[{"a": {"b": 1}}, {"c": {"d": 1, "d": 2}, "c": 1}]', "body[1].c", '"c"'),
        ('[{"a": {"b": 1}}, {"c": {"d": 1, "d": 2}}]', "body[1].c.d", '"d"'),
        ('{"": 1, "": 2}', "body", '""'),
        (r'{"Zoë": 1, "Zo\u00eb": 2}', "body.Zoë", '"Zoë"'),
    ],
)
def test_client_json_giving_a_key_twice_in_an_object_is_refused_naming_where(
    data: str | bytes, where: str, key: str
) -> None:
    """`json` keeps the last value and drops the first unsaid; which was meant is unknown.
    Of the objects that do, the one that opens first is named."""
    with pytest.raises(ClientJsonError, match="twice in one object") as refused:
        read_client_json(data)
    with pytest.raises(ClientJsonError) as in_a_line:
        read_client_json(data, root="")

    assert str(refused.value).startswith(f"gives the key {key} twice in one object, at {where}:")
    field = where.removeprefix("body").removeprefix(".")
    assert refused.value.field == in_a_line.value.field == field
    assert f", at {field or 'the top level'}:" in str(in_a_line.value)


def test_the_same_key_in_different_objects_is_no_duplicate() -> None:
    text = '{"a": {"k": 1}, "b": {"k": 2}, "k": [{"k": 3}, {"k": 4}]}'

    assert read_client_json(text) == json.loads(text)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (r'{"a": "\ud800"}', "body.a"),
        (rb'{"a": [1, "x\udc00y"]}', "body.a[1]"),
        (r'{"\uDBFF": 1}', "body (a key)"),
        (r'["ok", {"b": "\ud83d"}]', "body[1].b"),
    ],
)
def test_client_json_with_a_lone_surrogate_is_refused_naming_where(
    data: str | bytes, where: str
) -> None:
    with pytest.raises(ValueError, match="lone UTF-16 surrogate") as refused:
        read_client_json(data)

    assert f" at {where}," in str(refused.value)


def test_client_json_keeps_surrogate_pairs_and_escaped_backslashes() -> None:
    assert read_client_json(r'{"a": "\ud83d\ude00", "b": "\\ud800"}') == {
        "a": "\N{GRINNING FACE}",
        "b": "\\ud800",
    }
