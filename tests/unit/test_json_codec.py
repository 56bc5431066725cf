"""`json_codec` reads and writes exactly what `json` does, orjson or not."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datora_graph.json_codec import dumps_compact, loads

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
