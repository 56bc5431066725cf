"""First names that may or may not be one person's: the table behind the name-conflict guard."""

from __future__ import annotations

import pytest

from datora_graph.domain.names import given_names_agree

AGREE = [
    ("Robert", "Robert"),
    ("ROBERT", "robert"),
    ("  Robert ", "Robert"),
    ("Robert", "Bob"),
    ("Bob", "Rob"),  # both nicknames of Robert
    ("Elizabeth", "Liz"),
    ("Beth", "Elizabeth"),
    ("Katherine", "Kate"),
    ("Andrew", "Drew"),
    ("Jonathan", "Jonahtan"),  # two letters swapped
    ("Jonathan", "Jonthan"),  # one dropped
    ("Jonathan", "Jonnathan"),  # one doubled
    ("Anna", "Anne"),
    ("Mary Ann", "mary  ann"),
    ("", "Robert"),  # nothing to disagree with
]
DISAGREE = [
    ("Robert", "William"),
    ("Bob", "William"),
    ("Mary", "Michael"),
    ("James", "Jane"),
    ("Olivia", "Noah"),
    ("Sophia", "Liam"),
    ("Ann", "Bob"),
]


@pytest.mark.parametrize(("a", "b"), AGREE)
def test_one_persons_names_as_sources_write_them_agree(a: str, b: str) -> None:
    assert given_names_agree(a, b)
    assert given_names_agree(b, a)


@pytest.mark.parametrize(("a", "b"), DISAGREE)
def test_two_peoples_names_disagree(a: str, b: str) -> None:
    assert not given_names_agree(a, b)
    assert not given_names_agree(b, a)
