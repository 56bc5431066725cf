from __future__ import annotations

import json

import pytest

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_links import (
    KEPT_ANSWERS,
    KEPT_LINKS,
    KeptLink,
    answers_without,
    mark_answered,
    mark_linked,
)
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


ITEM = KeptLink("phone:+14155552671", "user_id:U1")


def test_a_record_keeps_an_item_it_answered_once_though_it_carries_an_end_only() -> None:
    """The person's record rewritten to U1 alone answered phone-U1 live: the mark names the
    phone, which it does not carry, normalised as the item names it."""
    sent = record(("user_id", "U1"))

    answered = mark_answered(sent, ITEM, REGISTRY)

    assert answered is not None
    assert json.loads(answered)[KEPT_ANSWERS] == [
        {
            "a": {"type": "phone", "value": "+14155552671"},
            "b": {"type": "user_id", "value": "U1"},
        }
    ]
    assert mark_answered(answered, ITEM, REGISTRY) is None, "marked already"
    logged = parse_logged_observation(answered, REGISTRY, 3)
    assert logged.answers == (ITEM,)
    assert [i.key for i in logged.identifiers] == ["user_id:U1"], "the ends are not linked"
    with pytest.raises(InvalidInput) as refused:
        parse_observation(json.loads(answered), REGISTRY)
    assert refused.value.field == KEPT_ANSWERS


def test_a_later_erasure_of_an_end_takes_the_item_out_carried_or_not() -> None:
    """Through the record's own identifiers (`redacted_text`) or, where it does not carry the
    end, through the item that names the record (`answers_without`)."""
    marked = str(mark_answered(record(("user_id", "U1"), ("cookie_id", "k-1")), ITEM, REGISTRY))

    erasing_an_end_drops_the_mark(marked, KEPT_ANSWERS, other="cookie_id:k-1", end=ITEM.b)
    assert answers_without(marked, {"cookie_id:k-1"}, REGISTRY) is None, "names no such end"
    phone_erased = answers_without(marked, {ITEM.a}, REGISTRY)
    assert phone_erased is not None
    assert KEPT_ANSWERS not in json.loads(phone_erased)
    assert json.loads(phone_erased)["identifiers"] == json.loads(marked)["identifiers"]
