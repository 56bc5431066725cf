"""Journey and list cursors and positions: opaque to clients, round-tripping, readable across
versions, and refused when no store could hold them."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datora_graph.api.graphql.pagination import position_after
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import (
    MAX_POSITION,
    RejectionFilter,
    decode_cursor,
    encode_cursor,
)


@given(st.lists(st.text(), min_size=1, max_size=3))
def test_a_cursor_decodes_to_its_parts(parts: list[str]) -> None:
    cursor = encode_cursor(*parts)

    assert decode_cursor(cursor) == parts
    assert "=" not in cursor


def test_a_cursor_an_earlier_version_issued_still_decodes() -> None:
    """Earlier versions wrote the parts with `json.dumps`: a space after each comma."""
    parts = ("2026-05-01T09:00:00+00:00", "evt_ü1")
    earlier = base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")

    assert earlier != encode_cursor(*parts)
    assert decode_cursor(earlier) == list(parts)


LONE_SURROGATE = base64.urlsafe_b64encode(b'["\\ud800", "x"]').decode()


@pytest.mark.parametrize(
    "cursor", ["not a cursor", encode_cursor()[:-1] + "@", "e30", LONE_SURROGATE]
)
def test_anything_else_is_refused_naming_after(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(cursor)

    assert refused.value.field == "after"


@pytest.mark.parametrize("after", [-1, MAX_POSITION + 1])
def test_a_rejections_position_outside_what_a_store_holds_is_refused(after: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        RejectionFilter(after=after)

    assert refused.value.field == "after"
    assert str(MAX_POSITION) in str(refused.value)


@pytest.mark.parametrize("position", ["\u00b2", "\u0663", "-1", "1.5"])
def test_a_list_position_is_ascii_digits(position: str) -> None:
    """'²' and Arabic-Indic digits pass str.isdigit(), and int() refuses or reads them."""
    with pytest.raises(InvalidInput) as refused:
        position_after("review", encode_cursor("review", position))

    assert refused.value.field == "after"
