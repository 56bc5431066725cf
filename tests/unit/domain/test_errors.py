"""Messages of domain errors a person reads as written (`datora resolve --rebuild`,
`datora migrate`)."""

from __future__ import annotations

from datora_graph.domain.errors import MigrationWouldReject, RebuildWouldReject


def test_a_replay_that_would_reject_one_record_says_it_in_the_singular() -> None:
    one = str(RebuildWouldReject(1, ["o1: identifiers[1].type: unknown"], "advice"))
    two = str(MigrationWouldReject(2, ["o1: x", "o2: y"], "advice"))

    assert "reject 1 logged observation the graph holds now, taking it out of its profile;" in one
    assert "reject 2 logged observations the source's graph holds, leaving them out of their " in (
        two
    )
    assert "profiles in the target; nothing was written to the target:\n  o1: x\n  o2: y" in two
