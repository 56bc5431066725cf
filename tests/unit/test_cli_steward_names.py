"""The steward commands name the part of a request that was wrong as the command line writes
it, not as the service (shared with GraphQL) does."""

from __future__ import annotations

import pytest

from datora_graph.cli_steward import cli_name


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("profileId", "ID"),
        ("decisionId", "DECISION"),
        ("itemId", "ITEM"),
        ("b", "B"),
        ("groups", "--group"),
        ("groups[1]", "--group 2"),
        ("groups[0][3]", "--group 1, identifier 4"),
        ("cutEdges", "--cut"),
        ("cutEdges[0]", "--cut 1"),
        ("cutEdges[2].b", "--cut 3 (right of |)"),
        ("reason", "--reason"),
        ("anything else", "anything else"),
    ],
)
def test_a_field_is_named_as_the_command_line_writes_it(field: str, named: str) -> None:
    assert cli_name(field) == named
