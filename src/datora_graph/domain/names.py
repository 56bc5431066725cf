"""Whether two written first names can be one person's: the test behind the name-conflict guard.

Sources write one person's first name many ways: in capitals, with a typo, as a nickname
("Bob" for "Robert", "Liz" for "Elizabeth"). Two names agree when any of these explains the
difference; only names that none explains count as two people. The guard quarantines an
identifier on that evidence, so the test leans towards agreeing: a false conflict costs a
person's email its links, a missed one only leaves the other guards to act.

Nicknames come from the `nicknames` package (a hand-curated table of English given names);
typos are judged with `jellyfish`.
"""

from __future__ import annotations

from functools import lru_cache

import jellyfish
from nicknames import NickNamer

_NICKNAMER: NickNamer | None = None
_SIMILAR = 0.9
"""Jaro-Winkler similarity from which two spellings count as one name mistyped."""


def given_names_agree(a: str, b: str) -> bool:
    """True when `a` and `b` may be the same person's first name as different sources wrote it."""
    x, y = _folded(a), _folded(b)
    if not x or not y or x == y:
        return True
    if x > y:
        x, y = y, x
    return _agree(x, y)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=65_536)
def _agree(x: str, y: str) -> bool:
    if jellyfish.damerau_levenshtein_distance(x, y) <= 1:
        return True
    if jellyfish.jaro_winkler_similarity(x, y) >= _SIMILAR:
        return True
    return y in _family(x) or x in _family(y)


@lru_cache(maxsize=16_384)
def _family(name: str) -> frozenset[str]:
    """The names the nickname table relates to `name` directly, either way round.

    Only direct relations: the table relates "Bill" to both "Robert" and "William", so going
    one step further would make Robert and William one name."""
    global _NICKNAMER
    if _NICKNAMER is None:
        _NICKNAMER = NickNamer()
    return frozenset(_NICKNAMER.nicknames_of(name) | _NICKNAMER.canonicals_of(name))
