"""How sources garble what they see: formatting variants of one value, typos and nicknames,
junk values typed into required fields, and records made invalid.

The variants and the junk are what identity resolution must see through; the registry knows
every junk value here as junk. Each function draws from the `rng` it is given, in a fixed order,
so the data set stays the same for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from datora_graph.demo.households import Person, email_name
from datora_graph.demo.pools import NICKNAMES

DOMAIN_TYPOS = {
    "gmail.com": "gmial.com",
    "yahoo.com": "yahooo.com",
    "hotmail.com": "hotmial.com",
    "outlook.com": "outlok.com",
    "icloud.com": "iclould.com",
}
JUNK_EMAILS = ("test@test.com", "none@none.com", "no@email.com", "noemail@noemail.com", "a@a.com")
JUNK_PHONES = ("0000000000", "(000) 000-0000", "1234567890", "999-999-9999", "111-111-1111")
ZERO_DEVICE = "00000000-0000-0000-0000-000000000000"
"""The advertising ID that SDKs send when the owner limited ad tracking."""


def phone_as_written(rng: random.Random, d: str) -> str:
    """One of the layouts sources use for the 10-digit US number `d`."""
    a, e, n = d[:3], d[3:6], d[6:]
    return rng.choice(
        (
            f"+1{d}",
            f"+1{d}",
            f"({a}) {e}-{n}",
            f"+1 {a}-{e}-{n}",
            f"{a}.{e}.{n}",
            f"001 {a} {e} {n}",
            f"{a}{e}{n}",
            f"1-{a}-{e}-{n}",
            f"{a}-{e}-{n}",
        )
    )


def email_as_written(rng: random.Random, email: str) -> str:
    """Usually `email` itself; otherwise in upper or title case, padded, or as a `mailto:`."""
    roll = rng.random()
    if roll < 0.75:
        return email
    local, _, domain = email.partition("@")
    return rng.choice(
        (email.upper(), f"{local.title()}@{domain.capitalize()}", f" {email} ", f"mailto:{email}")
    )


def first_name_as_written(rng: random.Random, first: str) -> str:
    """Usually `first` itself; otherwise a nickname, a typo, or in upper case."""
    roll = rng.random()
    if roll < 0.8:
        return first
    if roll < 0.9:
        return rng.choice(NICKNAMES.get(first, (first,)))
    if roll < 0.96:
        return typo(rng, first)
    return first.upper()


def typo(rng: random.Random, name: str) -> str:
    """`name` with two letters swapped, one dropped or one doubled (never the first or last)."""
    if len(name) < 3:
        return name
    at = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    return name[:at] + name[at] + name[at:]


def spoil(rng: random.Random, item: dict[str, Any], p: Person) -> None:
    """Make an observation invalid the way real sources do; its values get no truth."""
    item["identifiers"] = [dict(i) for i in item["identifiers"]]  # events share the originals
    spoilers: list[Callable[[], object]] = [lambda: item.pop("observed_at")]
    emails = [i for i in item["identifiers"] if i["type"] == "email"]
    if emails:
        local = email_name(p.first) + str(p.index)
        broken = rng.choice((f"{local}@gmail", f"{local} at gmail.com", f"{local}@@gmail.com"))
        spoilers.append(lambda: emails[0].update(value=broken))
    phones = [i for i in item["identifiers"] if i["type"] == "phone"]
    if phones:
        spoilers.append(lambda: phones[0].update(value=p.phones[0][:3] + "-" + p.phones[0][3:8]))
    if "birth_date" in item.get("attributes", {}):
        spoilers.append(lambda: item["attributes"].update(birth_date=p.birth[:5] + "02-30"))
    rng.choice(spoilers)()
