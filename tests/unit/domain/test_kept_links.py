from __future__ import annotations

import json

import pytest

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_links import KEPT_LINKS, KeptLink, mark_linked
from datora_graph.domain.records import parse_logged_observation, parse_observation

from .test_kept_holds import erasing_an_end_drops_the_mark, record

REGISTRY = IdentifierRegistry.default()
LINK = KeptLink("email:e0@x.io", "email:e1@x.io")


def test_a_record_is_marked_once_with_a_link_it_made_as_it_carries_the_ends() -> None:
    sent = record(("email", "E0@x.io"), ("email", "e1@x.io"), ("cookie_id", "k-1"))

    linked = mark_linked(sent, LINK, REGISTRY)

    assert linked is not None
    assert json.loads(linked)[KEPT_LINKS] == [
        {"a": {"type": "email", "value": "E0@x.io"}, "b": {"type": "email", "value": "e1@x.io"}}
    ]
    assert mark_linked(linked, LINK, REGISTRY) is None, "marked already"
    assert mark_linked(record(("email", "e0@x.io")), LINK, REGISTRY) is None, "one end only"


def test_a_replay_reads_the_mark_and_a_client_cannot_send_it() -> None:
    sent = record(("email", "e0@x.io"), ("email", "e1@x.io"), ("email", "bob@x.io"))
    item = json.loads(str(mark_linked(sent, LINK, REGISTRY)))
    item[KEPT_LINKS] += [
        {"a": item[KEPT_LINKS][0]["a"], "b": {"type": "bogus", "value": "x"}},
        "not a link",
    ]

    logged = parse_logged_observation(json.dumps(item), REGISTRY, 4)
    plain = parse_logged_observation(sent, REGISTRY, 5)

    assert logged.links == (LINK,), "an unknown type, a malformed item: left out"
    assert plain.links == ()
    with pytest.raises(InvalidInput) as refused:
        parse_observation({**json.loads(sent), KEPT_LINKS: item[KEPT_LINKS]}, REGISTRY)
    assert refused.value.field == KEPT_LINKS


def test_a_later_erasure_of_an_end_takes_the_mark_with_it() -> None:
    sent = record(("email", "e0@x.io"), ("email", "e1@x.io"), ("cookie_id", "k-1"))
    marked = str(mark_linked(sent, LINK, REGISTRY))

    erasing_an_end_drops_the_mark(marked, KEPT_LINKS, other="cookie_id:k-1", end="email:e1@x.io")
