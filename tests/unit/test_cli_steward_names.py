"""The steward commands name the part of a request that was wrong as the command line writes
it, not as the service (shared with GraphQL) does."""

from __future__ import annotations

import pytest

from datora_graph.cli_steward import cli_message, cli_name


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


@pytest.mark.parametrize(
    ("why", "said"),
    [
        ("email:a@x.io is also in groups[0]", "email:a@x.io is also in --group 1"),
        ("stays connected to groups[2] through", "stays connected to --group 3 through"),
        ("as cutEdges[1].a and groups[0][1]", "as --cut 2 (left of |) and --group 1, identifier 2"),
        ("no part named here", "no part named here"),
        ("give either groups or cutEdges, not both", "give either --group or --cut, not both"),
        ("once the other groups are cut off", "once the other groups are cut off"),
    ],
)
def test_the_parts_a_message_quotes_are_named_as_the_command_line_writes_them(
    why: str, said: str
) -> None:
    assert cli_message(why) == said
