"""The reason a cannot-link hold gives names its constraint, and an erasure reads it back."""

from __future__ import annotations

from datora_graph.domain.cannot_links import cannot_link_reason, constraint_named


def test_the_constraint_a_held_link_names_is_read_back_from_its_reason() -> None:
    assert constraint_named(cannot_link_reason(12)) == 12
    assert constraint_named("limit: the merge would give one profile 2 crm_id identifiers") is None
