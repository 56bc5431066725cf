"""Splitting a profile by groups: a group must be connected, unless an erasure took what
connected it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.steward import EvidenceEdge, GraphSlice
from datora_graph.resolution.steward import split_groups

AT = datetime(2026, 5, 1, tzinfo=UTC)
EMAIL, DEVICE, COOKIE, PHONE = "email:e0@x.io", "device_id:d1", "cookie_id:k1", "phone:+1415"


def edge(a: str, b: str) -> EvidenceEdge:
    a, b = sorted((a, b))
    return EvidenceEdge(a, b, "crm", 1, AT, AT, "observed", "active")


def profile(*edges: EvidenceEdge) -> GraphSlice:
    """One profile `prf_p` of the four identifiers, with the given evidence."""
    keys = (EMAIL, DEVICE, COOKIE, PHONE)
    return GraphSlice((), dict.fromkeys(keys, "prf_p"), {}, edges, dict.fromkeys(keys, AT))


def test_a_group_in_pieces_is_refused() -> None:
    slice_ = profile(edge(COOKIE, PHONE))
    groups = [[EMAIL, DEVICE], [COOKIE, PHONE]]

    with pytest.raises(InvalidInput, match="is not connected by evidence"):
        split_groups(slice_, "prf_p", groups, None)


def test_a_redacted_group_in_pieces_stays_one_part() -> None:
    """The phone, in no group, goes with the cookie it is connected to."""
    slice_ = profile(edge(COOKIE, PHONE), edge(EMAIL, COOKIE))
    groups = [[EMAIL, DEVICE], [COOKIE]]

    parts, cut = split_groups(slice_, "prf_p", groups, None, redacted=True)

    assert parts == [(COOKIE, PHONE), (DEVICE, EMAIL)]
    assert cut == [(COOKIE, EMAIL)]


def test_a_redacted_group_still_refuses_a_piece_shared_with_another_group() -> None:
    slice_ = profile(edge(COOKIE, PHONE), edge(EMAIL, PHONE))
    groups = [[EMAIL, DEVICE], [COOKIE]]

    with pytest.raises(InvalidInput, match="stays connected to groups"):
        split_groups(slice_, "prf_p", groups, None, redacted=True)
