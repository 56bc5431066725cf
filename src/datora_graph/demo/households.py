"""Who the synthetic people are: households that share a surname, an address and sometimes a
tablet, a family email and a landline; and each person's name, birth date, emails, phone
numbers, CRM and app accounts, devices and browser cookies.

Everything is drawn from the one `random.Random` given, in a fixed order, so the people are the
same for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from datora_graph.demo.pools import (
    AREA_CODES,
    CITIES,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    PERSONAL_DOMAINS,
    STREET_NAMES,
    STREET_SUFFIXES,
    WORK_DOMAINS,
)

PERIOD_START = 1_704_067_200  # 2024-01-01T00:00:00Z
PERIOD_SECONDS = 730 * 86_400
"""The data set covers two years from `PERIOD_START`; `Person.start` is an offset into them."""
_PHONE_SPACE = len(AREA_CODES) * 800 * 10_000


@dataclass(frozen=True, slots=True)
class Device:
    """A phone, tablet or kiosk: its app vendor ID, and its advertising ID unless the owner
    limited ad tracking (then SDKs send the zeroed ID, a junk value)."""

    vendor: str
    advertising: str | None
    ios: bool
    shared: bool = False


@dataclass(slots=True)
class Person:
    """Everything the channels may see of one person; `index` numbers people from 0 and fixes
    their phone numbers and account IDs, so no two people share them by accident."""

    id: str
    index: int
    first: str
    last: str
    gender: str
    birth: str
    address: tuple[str, str, str, str]
    start: int
    emails: list[str]
    phones: list[str]
    crm_id: str | None
    user_id: str | None
    devices: list[Device] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    tablet: Device | None = None
    family_email: str | None = None
    landline: str | None = None


class Households:
    """Makes households one at a time and numbers their people from 0 (`made` counts them).

    `serials` is shared with the records: cookie timestamps and observation IDs draw from one
    sequence. `shared_contacts` is the share of households of two or more that also share a
    family email and a landline; at 0 it draws nothing."""

    def __init__(self, rng: random.Random, serials: Iterator[int], shared_contacts: float) -> None:
        self.rng = rng
        self.serials = serials
        self.shared_contacts = shared_contacts
        self.made = 0
        self.used_emails: set[str] = set()

    def household(self, size: int) -> list[Person]:
        rng = self.rng
        last = rng.choice(LAST_NAMES)
        city, state, zip_prefix = rng.choice(CITIES)
        number, name = rng.randint(1, 9999), rng.choice(STREET_NAMES)
        street = f"{number} {name} {rng.choice(STREET_SUFFIXES)[0]}"
        address = (street, city, state, f"{zip_prefix}{rng.randint(0, 99):02d}")
        tablet = new_device(rng, shared=True) if size >= 2 and rng.random() < 0.35 else None
        family_email = landline = None
        if self.shared_contacts and size >= 2 and rng.random() < self.shared_contacts:
            family_email = f"the{email_name(last)}s{self.made}@{rng.choice(PERSONAL_DOMAINS)}"
            landline = phone_number(3 * self.made + 2)
        members = []
        for n in range(size):
            surname = last if n == 0 or rng.random() < 0.8 else rng.choice(LAST_NAMES)
            person = self._person(surname, address, tablet)
            person.family_email, person.landline = family_email, landline
            members.append(person)
        return members

    def _person(
        self, last: str, address: tuple[str, str, str, str], tablet: Device | None
    ) -> Person:
        rng, index = self.rng, self.made
        self.made += 1
        gender = "female" if rng.random() < 0.51 else "male"
        first = rng.choice(FEMALE_FIRST_NAMES if gender == "female" else MALE_FIRST_NAMES)
        birth = f"{rng.randint(1946, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        emails = [self._email(first, last, index, rng.choice(PERSONAL_DOMAINS))]
        if rng.random() < 0.25:
            emails.append(self._email(first, last, index, rng.choice(WORK_DOMAINS)))
        phones = [phone_number(3 * index)]
        if rng.random() < 0.15:
            phones.append(phone_number(3 * index + 1))
        crm_id = f"CRM-{(index * 2_654_435_761 + 40_177) % 10**8:08d}"
        user_id = f"U{(index * 40_503 + 7) % 10**9:09d}"
        app = tablet is not None or rng.random() < 0.55
        person = Person(
            id=f"p{index:07d}",
            index=index,
            first=first,
            last=last,
            gender=gender,
            birth=birth,
            address=address,
            start=rng.randrange(PERIOD_SECONDS * 4 // 5),
            emails=emails,
            phones=phones,
            crm_id=crm_id if rng.random() < 0.75 else None,
            user_id=user_id if app else None,
            tablet=tablet,
        )
        if app:
            person.devices = [new_device(rng) for _ in range(1 + (rng.random() < 0.2))]
        cookies = 1 + (rng.random() < 0.5) + (rng.random() < 0.25) + (rng.random() < 0.1)
        for _ in range(cookies):
            stamp = 1_600_000_000 + next(self.serials)
            person.cookies.append(f"GA1.2.{rng.randrange(10**9, 10**10)}.{stamp}")
        return person

    def _email(self, first: str, last: str, index: int, domain: str) -> str:
        rng = self.rng
        given, family = email_name(first), email_name(last)
        local = rng.choice(
            (
                f"{given}.{family}",
                f"{given}{family}",
                f"{given[0]}{family}",
                f"{given}_{family}",
                f"{family}.{given}",
                f"{given}{family[0]}",
            )
        )
        address = f"{local}@{domain}"
        if rng.random() < 0.6 or address in self.used_emails or len(self.used_emails) > 500_000:
            # Local parts hold no digits, so the index makes the address unique.
            return f"{local}{index}@{domain}"
        self.used_emails.add(address)
        return address


def household_size(rng: random.Random) -> int:
    roll = rng.random()
    return 1 if roll < 0.38 else 2 if roll < 0.72 else 3 if roll < 0.88 else 4


def new_device(rng: random.Random, shared: bool = False) -> Device:
    advertising = _uuid(rng) if rng.random() < 0.5 else None
    return Device(_uuid(rng), advertising, rng.random() < 0.5, shared)


def phone_number(n: int) -> str:
    """The n-th distinct valid US number (10 digits), scattered over area codes and exchanges."""
    m = (n * 1_000_003 + 12_345) % _PHONE_SPACE
    rest = m % 8_000_000
    return f"{AREA_CODES[m // 8_000_000]}{200 + rest // 10_000}{rest % 10_000:04d}"


def email_name(name: str) -> str:
    """`name` as it appears in an email address: lower case, ASCII letters only."""
    return "".join(c for c in name.lower() if c.isalpha() and c.isascii())


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}"
