from __future__ import annotations

import json

import pytest

from datora_graph.domain.erasure import redacted_text
from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.identifiers import IdentifierRegistry
from datora_graph.domain.kept_links import (
    KEPT_ANSWERS,
    KEPT_LINKS,
    KeptAnswer,
    KeptLink,
    mark_answered,
    mark_linked,
)
from datora_graph.domain.records import parse_logged_observation, parse_observation

from .test_kept_holds import record

REGISTRY = IdentifierRegistry.default()
LINK = KeptLink("email:e0@x.io", "email:e1@x.io")
ANSWER = KeptAnswer(
    "cookie_id:k-1",
    "email:bob@x.io",
    "quarantine",
    "quarantine: cookie_id:k-1 is quarantined (a record named Bob met a profile named Ann)",
    "reject: the cookie cookie_id:k-1 is shared",
    "erased observation 0f1e",
)


def test_a_record_is_marked_once_with_a_link_it_made_and_one_it_held_until_answered() -> None:
    sent = record(("email", "E0@x.io"), ("email", "e1@x.io"), ("cookie_id", "k-1"))
    held = record(("email", "bob@x.io"), ("cookie_id", "k-1"))

    linked = mark_linked(sent, LINK, REGISTRY)
    answered = mark_answered(held, ANSWER, REGISTRY)

    assert linked is not None
    assert json.loads(linked)[KEPT_LINKS] == [
        {"a": {"type": "email", "value": "E0@x.io"}, "b": {"type": "email", "value": "e1@x.io"}}
    ]
    assert answered is not None
    assert json.loads(answered)[KEPT_ANSWERS] == [
        {
            "a": {"type": "cookie_id", "value": "k-1"},
            "b": {"type": "email", "value": "bob@x.io"},
            "guard": "quarantine",
            "reason": ANSWER.reason,
            "suggested_action": ANSWER.suggested_action,
            "answered_by": ANSWER.answered_by,
        }
    ]
    assert mark_linked(linked, LINK, REGISTRY) is None, "marked already"
    assert mark_answered(answered, ANSWER, REGISTRY) is None, "marked already"
    assert mark_linked(held, LINK, REGISTRY) is None, "it carries neither end"
    assert mark_answered(record(("email", "bob@x.io")), ANSWER, REGISTRY) is None, "one end"


def test_a_replay_reads_the_marks_and_a_client_cannot_send_them() -> None:
    sent = record(("email", "e0@x.io"), ("email", "e1@x.io"), ("email", "bob@x.io"))
    item = json.loads(str(mark_linked(sent, LINK, REGISTRY)))
    item["identifiers"].append({"type": "cookie_id", "value": "k-1"})
    item = json.loads(str(mark_answered(json.dumps(item), ANSWER, REGISTRY)))
    item[KEPT_LINKS] += [{"a": item[KEPT_LINKS][0]["a"], "b": {"type": "bogus", "value": "x"}}]
    item[KEPT_ANSWERS] += [
        {**item[KEPT_ANSWERS][0], "guard": "fuzzy"},
        {**item[KEPT_ANSWERS][0], "answered_by": None},
        "not an answer",
    ]

    logged = parse_logged_observation(json.dumps(item), REGISTRY, 4)
    plain = parse_logged_observation(sent, REGISTRY, 5)

    assert logged.links == (LINK,), "an unknown type: left out"
    assert logged.answers == (ANSWER,), "an unknown guard, no answering record: left out"
    assert (plain.links, plain.answers) == ((), ())
    for mark in (KEPT_LINKS, KEPT_ANSWERS):
        with pytest.raises(InvalidInput) as refused:
            parse_observation({**json.loads(sent), mark: item[mark]}, REGISTRY)
        assert refused.value.field == mark


def test_a_later_erasure_of_an_end_takes_the_mark_with_it() -> None:
    sent = record(("email", "e0@x.io"), ("email", "e1@x.io"), ("cookie_id", "k-1"))
    sent = str(mark_linked(sent, LINK, REGISTRY))
    three = record(("email", "bob@x.io"), ("cookie_id", "k-1"), ("crm_id", "C1"))
    held = str(mark_answered(three, ANSWER, REGISTRY))

    other_erased = redacted_text(sent, {"cookie_id:k-1"}, REGISTRY)
    end_erased = redacted_text(sent, {"email:e1@x.io"}, REGISTRY)
    answer_kept = redacted_text(held, {"crm_id:C1"}, REGISTRY)
    answer_gone = redacted_text(held, {"cookie_id:k-1"}, REGISTRY)

    assert other_erased is not None
    assert end_erased is not None
    assert json.loads(other_erased)[KEPT_LINKS] == json.loads(sent)[KEPT_LINKS]
    assert KEPT_LINKS not in json.loads(end_erased)
    assert answer_kept is not None
    assert answer_gone is not None
    assert json.loads(answer_kept)[KEPT_ANSWERS] == json.loads(held)[KEPT_ANSWERS]
    assert KEPT_ANSWERS not in json.loads(answer_gone)
