"""The stores' first filter (`search_terms`, `mention_filter`) is a superset of the rule
(`mentioned_fields`) however a client's JSON encoder wrote the text: every character of a
value may be escaped, in either case of its hex digits, and the value in any letter case.
Neo4j runs the same test in Cypher (`toLower(text) CONTAINS term` over `search_terms`)."""

from __future__ import annotations

import json
import random

import pytest

from datora_graph.domain.mentions import (
    escapes_of,
    mention_filter,
    mention_values,
    mentioned_fields,
    search_terms,
)

VALUES = [
    "élodie.müller@example.com",
    "ann@acme.io",
    "+14155550101",
    "kiosk/0042-ab",
    'say "hi" \\ there',
    "zoë😀smile",
    "kelvin-i-dotted",
]


CASES = {"k": "kK\u212a"}
"""The letters that lower-case to a character, beside its own upper case: the Kelvin sign."""


def encoded(text: str, rng: random.Random) -> str:
    """`text` as a JSON string some encoder could write: each letter in any case that
    lower-cases to it, and each character as itself (or its short escape: `\\"`, `\\/`)
    or as `\\uXXXX` in lower- or upper-case hex (a surrogate pair past the BMP)."""
    out = []
    for char in text:
        upper = char.upper() if len(char.upper()) == 1 else ""
        cased = rng.choice(CASES.get(char, char + upper))
        forms = [json.dumps(cased, ensure_ascii=False)[1:-1], _escaped(cased, "x")]
        forms.append(_escaped(cased, "X"))
        if cased == "/":
            forms.append("\\/")
        out.append(rng.choice(forms))
    return '"' + "".join(out) + '"'


def _escaped(char: str, hex_case: str) -> str:
    units = char.encode("utf-16-be")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04{hex_case}}"
        for i in range(0, len(units), 2)
    )


@pytest.mark.parametrize("seed", range(200))
def test_every_way_of_writing_a_value_passes_the_filter(seed: int) -> None:
    rng = random.Random(seed)
    value = rng.choice(VALUES)
    text = '{"note": ' + encoded(f"for {value} today", rng) + ', "plain": "x"}'
    assert mentioned_fields(text, mention_values([value])) == ("note",), text

    assert mention_filter(search_terms([value]))(text), text


def test_a_text_without_the_value_or_an_escape_of_its_characters_is_left_out() -> None:
    could_mention = mention_filter(search_terms(["ann@acme.io"]))

    assert not could_mention('{"note": "line one\\nline two \\"quoted\\" \\u00e9t\\u00e9"}')
    assert not could_mention('{"url": "https:\\/\\/shop.example\\/x"}')
    # An escaped backslash and the letters u0040: no `@`, though the text reads `\\u0040`.
    assert not could_mention('{"note": "ann\\\\u0040acme.io"}')
    assert could_mention('{"note": "ANN\\u0040ACME.IO"}')
    assert could_mention('{"note": "Ann@Acme.IO"}')


def test_escapes_cover_the_letters_that_lower_case_to_a_character() -> None:
    assert escapes_of("é") == {"\\u00e9", "\\u00c9"}
    assert escapes_of("k") == {"\\u006b", "\\u004b", "\\u212a"}  # the Kelvin sign too
    assert "\\u0130" in escapes_of("i")  # İ lower-cases to i and a combining dot
    assert escapes_of("/") == {"\\u002f", "\\/"}
    assert escapes_of("😀") == {"\\ud83d\\ude00"}
