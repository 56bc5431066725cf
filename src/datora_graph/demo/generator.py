"""Synthetic people seen through many channels, with the ground truth of who is who.

Each person has a name, a birth date, a household address, one or two emails and phones and,
depending on their habits, a CRM customer number, an app account (`user_id`) with devices, and
browser cookies. Each channel sees a few of these together:

    web         cookie_id; email after a login, sometimes user_id
    app         device_id + user_id, sometimes email or phone
    crm         crm_id + email + phone; name, birth date, gender, address
    newsletter  email, sometimes the sign-up page's cookie_id; first_name
    callcentre  phone, crm_id sometimes, an email or a junk value typed by the agent
    shop        email + user_id (or `guest`) + cookie_id or device_id, phone sometimes;
                name, address

Noise: formatting variants of one identifier (`mailto:`, case, spaces, seven phone layouts,
upper-case iOS device IDs), name typos and nicknames, mistyped email domains, household tablets
shared by 2-4 people (each logging in with their own user_id), public kiosks used by hundreds,
junk values (`test@test.com`, `0000000000`, zeroed advertising IDs, `guest`), and about 0.5%
invalid records (malformed email or phone, missing `observed_at`, impossible birth date).

`stream(people, seed)` yields `(kind, item)` pairs and holds one chunk of households in memory:

    ("truth", {"key": "email:ann.lee@gmail.com", "person": "p0000001"})
    ("observation", {"id": ..., "source": ..., "observed_at": ..., "identifiers": [...]})
    ("event", {"id": ..., "type": "purchase", "occurred_at": ..., ...})

The truth of every identifier of a chunk comes before the chunk's records; `person` is a person
ID, `*shared` or `*junk`; deliberately malformed values have no truth. Within a chunk records
are in time order (page views under a cookie often precede the login that links it); every
chunk spans the whole period, so the log as a whole is only roughly in time order, like a
back-filled one. The same arguments give byte-identical output, and the observations do not
depend on `events` (events draw from a random stream of their own).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SHARED = "*shared"
JUNK = "*junk"
OBSERVATIONS_PER_PERSON = 6.5
"""Measured average; `people_for_observations` divides by it."""

StreamKind = Literal["truth", "observation", "event"]
Identifier = dict[str, str]

_START = 1_704_067_200  # 2024-01-01T00:00:00Z
_SPAN = 730 * 86_400
_CHUNK_PEOPLE = 2_000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FEMALE = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah "
    "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Anna Brenda Pamela Emma Nicole "
    "Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane "
    "Olivia Julie Joyce Victoria Ann Kelly Christina Lauren Joan Evelyn Judith Megan Andrea "
    "Cheryl Hannah Jacqueline Martha Gloria Teresa Sara Madison Frances Kathryn Janice Jean "
    "Abigail Sophia Grace Chloe Zoe Ava Mia Isabella Lucia Sofia Camila Priya Mei Aisha Fatima Yuki"
)
_MALE = _words(
    "James Robert John Michael David William Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
    "Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry "
    "Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Walter Ethan Jeremy Harold "
    "Keith Christian Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse Dylan Bryan "
    "Joe Jordan Billy Bruce Albert Willie Gabriel Logan Alan Juan Wayne Roy Ralph Randy Eugene "
    "Vincent Russell Elijah Louis Bobby Philip Johnny Liam Mateo Luis Carlos Wei Hiroshi Omar Raj"
)
_LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
    "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon O'Brien"
)
_NICKNAMES = {
    name: tuple(nicks.split(","))
    for name, _, nicks in (
        entry.partition(":")
        for entry in _words(
            "Robert:Bob,Rob,Bobby William:Bill,Will,Billy Richard:Rick,Dick,Rich James:Jim,Jimmy "
            "Michael:Mike,Mikey Joseph:Joe,Joey Thomas:Tom,Tommy Christopher:Chris "
            "Daniel:Dan,Danny Matthew:Matt Anthony:Tony Steven:Steve Andrew:Andy,Drew "
            "Kenneth:Ken,Kenny Edward:Ed,Eddie,Ted Nicholas:Nick Jonathan:Jon Benjamin:Ben "
            "Samuel:Sam Alexander:Alex Elizabeth:Liz,Beth,Betty,Eliza Jennifer:Jen,Jenny "
            "Patricia:Pat,Patty,Trish Margaret:Maggie,Peggy,Meg Katherine:Kate,Katie,Kathy "
            "Catherine:Cathy,Cat Rebecca:Becky Deborah:Deb,Debbie Susan:Sue,Susie "
            "Victoria:Vicky,Tori Samantha:Sam Abigail:Abby Jacqueline:Jackie Christina:Tina,Chris "
            "Kimberly:Kim"
        )
    )
}
_STREETS = _words(
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Sunset Lincoln Jackson "
    "Highland Church Spring Ridge Mill River Forest Willow Chestnut Franklin Meadow Adams Union "
    "Jefferson Cherry Madison Valley Center Prospect Broad Grove Locust Summit Sycamore Dogwood"
)
_SUFFIXES = (("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"))
_CITIES = tuple(
    tuple(entry.replace("_", " ").split("/"))
    for entry in _words(
        "New_York/NY/100 Brooklyn/NY/112 Los_Angeles/CA/900 San_Francisco/CA/941 "
        "San_Diego/CA/921 Chicago/IL/606 Houston/TX/770 Austin/TX/787 Dallas/TX/752 "
        "Phoenix/AZ/850 Philadelphia/PA/191 Seattle/WA/981 Portland/OR/972 Denver/CO/802 "
        "Boston/MA/021 Atlanta/GA/303 Miami/FL/331 Orlando/FL/328 Minneapolis/MN/554 "
        "Detroit/MI/482 Nashville/TN/372 Charlotte/NC/282 Columbus/OH/432 Salt_Lake_City/UT/841"
    )
)
_AREAS = _words(
    "201 202 206 212 213 214 215 216 303 305 310 312 313 314 317 323 347 404 407 408 410 "
    "412 415 425 469 503 512 602 612 614 615 617 619 626 646 650 702 704 713 714 718 720 "
    "732 773 786 801 813 818 832 858 904 916 917 919 925 949 954 971 972 978"
)
_PHONE_SPACE = len(_AREAS) * 800 * 10_000
_PERSONAL_DOMAINS = (
    ("gmail.com",) * 45
    + ("yahoo.com",) * 12
    + ("outlook.com",) * 9
    + ("hotmail.com",) * 8
    + ("icloud.com",) * 10
    + ("aol.com", "aol.com", "comcast.net", "comcast.net", "protonmail.com", "me.com", "msn.com")
)
_WORK_DOMAINS = _words(
    "northwindtraders.com contoso.com fabrikam.com globex.com initech.com hooli.com "
    "umbrellacorp.com wayneenterprises.com starkindustries.com acmelabs.io"
)
_DOMAIN_TYPOS = {
    "gmail.com": "gmial.com",
    "yahoo.com": "yahooo.com",
    "hotmail.com": "hotmial.com",
    "outlook.com": "outlok.com",
    "icloud.com": "iclould.com",
}
_JUNK_EMAILS = ("test@test.com", "none@none.com", "no@email.com", "noemail@noemail.com", "a@a.com")
_JUNK_PHONES = ("0000000000", "(000) 000-0000", "1234567890", "999-999-9999", "111-111-1111")
_ZERO_DEVICE = "00000000-0000-0000-0000-000000000000"
_PRODUCTS = tuple(f"SKU-{n:05d}" for n in range(1, 400, 7))


@dataclass(frozen=True, slots=True)
class SyntheticData:
    """A whole small data set in memory: wire observations, wire events, and the truth."""

    observations: list[dict[str, Any]]
    events: list[dict[str, Any]]
    truth: dict[str, str]


def people_for_observations(observations: int) -> int:
    """How many people to generate for about `observations` observations."""
    return max(1, round(observations / OBSERVATIONS_PER_PERSON))


def generate(people: int, seed: int = 7, *, shared_contacts: float = 0.0) -> SyntheticData:
    """A data set of `people` people, with events, all in memory (for demos and tests)."""
    data = SyntheticData([], [], {})
    for kind, item in stream(people, seed, shared_contacts=shared_contacts):
        if kind == "observation":
            data.observations.append(item)
        elif kind == "event":
            data.events.append(item)
        else:
            data.truth[item["key"]] = item["person"]
    return data


def stream(
    people: int, seed: int = 7, *, events: float = 1.0, shared_contacts: float = 0.0
) -> Iterator[tuple[StreamKind, dict[str, Any]]]:
    """Yield truth, observations and events for `people` people, a chunk at a time.

    `events` scales how many events are made (0 for none, which is fastest).
    `shared_contacts` is the share of households of two or more that also share a family
    email and a home landline, used in orders, newsletters, the CRM and calls: harder data,
    where only the guards keep the members apart. At 0 (the default) it draws nothing, so the
    default data set does not depend on this option."""
    if people < 0 or events < 0 or not 0 <= shared_contacts <= 1:
        raise ValueError("people and events must not be negative, shared_contacts in [0, 1]")
    world = _World(people, seed, events, shared_contacts)
    for key in world.kiosk_keys:
        yield "truth", {"key": key, "person": SHARED}
    while world.made < people:
        truth, records = world.chunk(min(_CHUNK_PEOPLE, people - world.made))
        for key, person in truth.items():
            yield "truth", {"key": key, "person": person}
        records.sort(key=lambda record: (record[0], record[1]))
        for _, _, kind, item in records:
            yield kind, item


@dataclass(frozen=True, slots=True)
class _Device:
    """A phone, tablet or kiosk: its app vendor ID, and its advertising ID unless the owner
    limited ad tracking (then SDKs send the zeroed ID, a junk value)."""

    vendor: str
    advertising: str | None
    ios: bool
    shared: bool = False


@dataclass(slots=True)
class _Person:
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
    devices: list[_Device] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    tablet: _Device | None = None
    family_email: str | None = None
    landline: str | None = None


class _World:
    """The generator's state: random streams, counters, and the chunk being built."""

    def __init__(self, people: int, seed: int, events: float, shared_contacts: float) -> None:
        self.rng = random.Random(seed)
        self.erng = random.Random(f"events/{seed}")
        self.events = events
        self.shared_contacts = shared_contacts
        self.made = 0
        self.serial = 0
        self.event_serial = 0
        self.used_emails: set[str] = set()
        self.truth: dict[str, str] = {}
        self.records: list[tuple[int, int, StreamKind, dict[str, Any]]] = []
        self.kiosks = [self._device(shared=True) for _ in range(2 + people // 50_000)]
        self.kiosk_keys = [
            f"device_id:{uuid}" for k in self.kiosks for uuid in (k.vendor, k.advertising) if uuid
        ]
        self.told = set(self.kiosk_keys)
        """Keys whose truth is told once for the whole stream (kiosks, junk), not per chunk."""

    def chunk(
        self, people: int
    ) -> tuple[dict[str, str], list[tuple[int, int, StreamKind, dict[str, Any]]]]:
        self.truth, self.records = {}, []
        goal = self.made + people
        while self.made < goal:
            size = min(goal - self.made, _household_size(self.rng))
            for person in self._household(size):
                self._channels(person)
        return self.truth, self.records

    # -- people ---------------------------------------------------------------------------
    def _household(self, size: int) -> list[_Person]:
        rng = self.rng
        last = rng.choice(_LAST)
        city, state, zip_prefix = rng.choice(_CITIES)
        street = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)} {rng.choice(_SUFFIXES)[0]}"
        address = (street, city, state, f"{zip_prefix}{rng.randint(0, 99):02d}")
        tablet = self._device(shared=True) if size >= 2 and rng.random() < 0.35 else None
        family_email = landline = None
        if self.shared_contacts and size >= 2 and rng.random() < self.shared_contacts:
            family_email = f"the{_ascii(last)}s{self.made}@{rng.choice(_PERSONAL_DOMAINS)}"
            landline = _phone(3 * self.made + 2)
        members = []
        for n in range(size):
            surname = last if n == 0 or rng.random() < 0.8 else rng.choice(_LAST)
            person = self._person(surname, address, tablet)
            person.family_email, person.landline = family_email, landline
            members.append(person)
        return members

    def _person(
        self, last: str, address: tuple[str, str, str, str], tablet: _Device | None
    ) -> _Person:
        rng, index = self.rng, self.made
        self.made += 1
        gender = "female" if rng.random() < 0.51 else "male"
        first = rng.choice(_FEMALE if gender == "female" else _MALE)
        birth = f"{rng.randint(1946, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        emails = [self._email(first, last, index, rng.choice(_PERSONAL_DOMAINS))]
        if rng.random() < 0.25:
            emails.append(self._email(first, last, index, rng.choice(_WORK_DOMAINS)))
        phones = [_phone(3 * index)] + ([_phone(3 * index + 1)] if rng.random() < 0.15 else [])
        crm_id = f"CRM-{(index * 2_654_435_761 + 40_177) % 10**8:08d}"
        user_id = f"U{(index * 40_503 + 7) % 10**9:09d}"
        app = tablet is not None or rng.random() < 0.55
        person = _Person(
            id=f"p{index:07d}",
            index=index,
            first=first,
            last=last,
            gender=gender,
            birth=birth,
            address=address,
            start=rng.randrange(_SPAN * 4 // 5),
            emails=emails,
            phones=phones,
            crm_id=crm_id if rng.random() < 0.75 else None,
            user_id=user_id if app else None,
            tablet=tablet,
        )
        if app:
            person.devices = [self._device() for _ in range(1 + (rng.random() < 0.2))]
        cookies = 1 + (rng.random() < 0.5) + (rng.random() < 0.25) + (rng.random() < 0.1)
        for _ in range(cookies):
            self.serial += 1
            stamp = 1_600_000_000 + self.serial
            person.cookies.append(f"GA1.2.{rng.randrange(10**9, 10**10)}.{stamp}")
        return person

    def _email(self, first: str, last: str, index: int, domain: str) -> str:
        rng = self.rng
        given, family = _ascii(first), _ascii(last)
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
            return (
                f"{local}{index}@{domain}"  # local parts hold no digits: the index makes it unique
            )
        self.used_emails.add(address)
        return address

    def _device(self, shared: bool = False) -> _Device:
        rng = self.rng
        advertising = _uuid(rng) if rng.random() < 0.5 else None
        return _Device(_uuid(rng), advertising, rng.random() < 0.5, shared)

    # -- channels -------------------------------------------------------------------------
    def _channels(self, p: _Person) -> None:
        rng = self.rng
        if p.crm_id is not None:
            for _ in range(1 + (rng.random() < 0.4)):
                self._crm(p)
        for _ in range(_count(rng, 2.1)):
            self._web(p)
        if p.devices:
            for _ in range(_count(rng, 1.7)):
                self._app(p, rng.choice(p.devices), "app")
            if rng.random() < 0.03:
                self._app(p, rng.choice(self.kiosks), "store_kiosk")
        if p.tablet is not None:
            for _ in range(1 + _count(rng, 1.0)):
                self._app(p, p.tablet, "app")
        if rng.random() < 0.35:
            self._newsletter(p)
        if rng.random() < 0.3:
            for _ in range(1 + (rng.random() < 0.5)):
                self._call(p)
        if rng.random() < 0.45:
            for _ in range(1 + _count(rng, 1.0)):
                self._order(p)

    def _crm(self, p: _Person) -> None:
        rng = self.rng
        ids = [self._id("crm_id", p.crm_id or "", p.id), self._email_id(rng, p, p.emails[0])]
        ids.append(self._phone_id(rng, p, p.phones[0]))
        if p.user_id is not None and rng.random() < 0.4:
            ids.append(self._id("user_id", p.user_id, p.id))
        if len(p.emails) > 1 and rng.random() < 0.5:
            ids.append(self._email_id(rng, p, p.emails[1]))
        if len(p.phones) > 1 and rng.random() < 0.5:
            ids.append(self._phone_id(rng, p, p.phones[1]))
        if p.landline is not None and rng.random() < 0.5:
            ids.append(self._phone_id(rng, p, p.landline, shared=True))
        street, city, state, postcode = p.address
        attributes = {
            "first_name": _first_name(rng, p.first),
            "last_name": _typo(rng, p.last) if rng.random() < 0.04 else p.last,
            "birth_date": p.birth,
            "gender": p.gender,
            "street": street,
            "city": city,
            "postcode": postcode,
            "state": state,
            "country": "US",
        }
        self._observe(p, "crm", self._when(p), ids, attributes)

    def _web(self, p: _Person) -> None:
        rng = self.rng
        cookie = p.cookies[min(int(rng.expovariate(1.0)), len(p.cookies) - 1)]
        ids = [self._id("cookie_id", cookie, p.id)]
        if rng.random() < 0.65:
            email = p.emails[-1] if rng.random() < 0.15 else p.emails[0]
            ids.append(self._email_id(rng, p, email))
            if p.user_id is not None and rng.random() < 0.7:
                ids.append(self._id("user_id", p.user_id, p.id))
        moment = self._when(p)
        self._observe(p, "web", moment, ids)
        if self.events:
            erng = self.erng
            for n in range(_count(erng, 0.6 * self.events)):
                props = {"url": f"/catalog/{erng.choice(_PRODUCTS).lower()}", "n": n}
                self._event(p, "page_view", "web", moment - erng.randint(60, 1800), ids[:1], props)
            if erng.random() < 0.35 * self.events:
                props = {"sku": erng.choice(_PRODUCTS)}
                self._event(p, "product_view", "web", moment + erng.randint(5, 600), ids, props)

    def _app(self, p: _Person, device: _Device, source: str) -> None:
        rng = self.rng
        ids = self._device_ids(rng, p, device)
        ids.append(self._id("user_id", p.user_id or "", p.id))
        if rng.random() < 0.5:
            ids.append(self._email_id(rng, p, p.emails[0]))
        if rng.random() < 0.3:
            ids.append(self._phone_id(rng, p, p.phones[0]))
        moment = self._when(p)
        self._observe(p, source, moment, ids)
        if self.events and self.erng.random() < 0.4 * self.events:
            self._event(p, "app_open", source, moment + 1, ids[:1], {})

    def _newsletter(self, p: _Person) -> None:
        rng = self.rng
        email = p.emails[0]
        local, _, domain = email.partition("@")
        if domain in _DOMAIN_TYPOS and rng.random() < 0.05:
            email = f"{local}@{_DOMAIN_TYPOS[domain]}"
        if p.family_email is not None and rng.random() < 0.5:
            ids = [self._email_id(rng, p, p.family_email, shared=True)]
        else:
            ids = [self._email_id(rng, p, email)]
        if rng.random() < 0.6:
            ids.append(self._id("cookie_id", p.cookies[0], p.id))
        moment = self._when(p)
        self._observe(p, "newsletter", moment, ids, {"first_name": _first_name(rng, p.first)})
        if self.events:
            for _ in range(_count(self.erng, 1.0 * self.events)):
                when = moment + self.erng.randint(86_400, 90 * 86_400)
                campaign = {"campaign": f"nl-{self.erng.randint(1, 80):03d}"}
                self._event(p, "email_open", "newsletter", when, ids[:1], campaign)

    def _call(self, p: _Person) -> None:
        rng = self.rng
        if rng.random() < 0.1:
            phone_text = rng.choice(_JUNK_PHONES)
            ids = [self._junk("phone", phone_text, "".join(c for c in phone_text if c.isdigit()))]
        elif p.landline is not None and rng.random() < 0.4:
            ids = [self._phone_id(rng, p, p.landline, shared=True)]
        else:
            ids = [self._phone_id(rng, p, rng.choice(p.phones))]
        if p.crm_id is not None and rng.random() < 0.5:
            ids.append(self._id("crm_id", p.crm_id, p.id))
        roll = rng.random()
        if roll < 0.08:
            ids.append(self._junk("email", rng.choice(_JUNK_EMAILS)))
        elif roll < 0.12:
            ids.append(self._junk("email", f"{_ascii(p.first)}@example.com"))
        elif roll < 0.3:
            ids.append(self._email_id(rng, p, p.emails[0]))
        moment = self._when(p)
        self._observe(p, "callcentre", moment, ids)
        if self.events:
            reason = self.erng.choice(("billing", "delivery", "returns", "account"))
            props = {"reason": reason, "duration_s": self.erng.randint(40, 1500)}
            self._event(p, "support_call", "callcentre", moment + 2, ids[:1], props)

    def _order(self, p: _Person) -> None:
        rng = self.rng
        if p.family_email is not None and rng.random() < 0.5:
            ids = [self._email_id(rng, p, p.family_email, shared=True)]
        else:
            ids = [self._email_id(rng, p, p.emails[0])]
        if p.user_id is not None:
            ids.append(self._id("user_id", p.user_id, p.id))
        elif rng.random() < 0.3:
            ids.append(self._junk("user_id", rng.choice(("guest", "Guest", "anonymous"))))
        if p.devices and rng.random() < 0.3:
            browser = self._device_ids(rng, p, p.devices[0])[0]
        else:
            browser = self._id("cookie_id", rng.choice(p.cookies), p.id)
        ids.append(browser)
        if rng.random() < 0.6:
            ids.append(self._phone_id(rng, p, p.phones[0]))
        street, city, state, postcode = p.address
        if rng.random() < 0.5:
            for long, short in _SUFFIXES:
                street = street.replace(f" {long}", f" {short}.")
        attributes = {
            "first_name": _first_name(rng, p.first),
            "last_name": p.last,
            "street": street,
            "city": city,
            "postcode": postcode,
            "state": state,
            "country": "us" if rng.random() < 0.1 else "US",
        }
        moment = self._when(p)
        order_id = "ORD-" + self._observe(p, "shop", moment, ids, attributes).partition("-")[2]
        if self.events:
            erng = self.erng
            if erng.random() < 0.6:
                cart = {"sku": erng.choice(_PRODUCTS)}
                before = moment - erng.randint(60, 900)
                self._event(p, "add_to_cart", "shop", before, [browser], cart)
            revenue = round(erng.lognormvariate(3.8, 0.7), 2)
            props = {"order_id": order_id, "revenue": revenue, "currency": "USD"}
            self._event(p, "purchase", "shop", moment + 1, ids, props)

    # -- records --------------------------------------------------------------------------
    def _when(self, p: _Person) -> int:
        return _START + self.rng.randint(p.start, _SPAN - 1)

    def _observe(
        self,
        p: _Person,
        source: str,
        moment: int,
        ids: list[Identifier],
        attributes: dict[str, Any] | None = None,
    ) -> str:
        self.serial += 1
        item: dict[str, Any] = {
            "id": f"{source}-{self.serial:09d}",
            "source": source,
            "observed_at": _timestamp(moment, source),
            "identifiers": ids,
        }
        if attributes:
            item["attributes"] = attributes
        if self.rng.random() < 0.005:
            _spoil(self.rng, item, p)
        self.records.append((moment, self.serial, "observation", item))
        return str(item["id"])

    def _event(
        self,
        p: _Person,
        kind: str,
        source: str,
        moment: int,
        ids: Sequence[Identifier],
        properties: dict[str, Any],
    ) -> None:
        self.event_serial += 1
        item = {
            "id": f"ev-{self.event_serial:09d}",
            "type": kind,
            "occurred_at": _timestamp(moment, source),
            "source": source,
            "identifiers": list(ids),
            "properties": properties,
        }
        self.records.append((moment, self.event_serial, "event", item))

    def _id(self, type_: str, text: str, owner: str, key: str | None = None) -> Identifier:
        """An identifier as a source writes it; `key` (its normalised form) goes into the truth."""
        full = f"{type_}:{key if key is not None else text}"
        if full not in self.told:
            if owner == JUNK:
                self.told.add(full)
            self.truth.setdefault(full, owner)
        return {"type": type_, "value": text}

    def _email_id(
        self, rng: random.Random, p: _Person, email: str, shared: bool = False
    ) -> Identifier:
        return self._id("email", _email_text(rng, email), SHARED if shared else p.id, email)

    def _phone_id(
        self, rng: random.Random, p: _Person, digits: str, shared: bool = False
    ) -> Identifier:
        owner = SHARED if shared else p.id
        return self._id("phone", _phone_text(rng, digits), owner, f"+1{digits}")

    def _device_ids(self, rng: random.Random, p: _Person, device: _Device) -> list[Identifier]:
        """The vendor ID, and in most app records the advertising ID (zeroed when limited)."""
        owner = SHARED if device.shared else p.id
        upper = device.ios and rng.random() < 0.8  # iOS SDKs write UUIDs in upper case
        ids = [
            self._id(
                "device_id", device.vendor.upper() if upper else device.vendor, owner, device.vendor
            )
        ]
        if rng.random() < 0.6:
            if device.advertising is None:
                ids.append(self._junk("device_id", _ZERO_DEVICE))
            else:
                text = device.advertising.upper() if upper else device.advertising
                ids.append(self._id("device_id", text, owner, device.advertising))
        return ids

    def _junk(self, type_: str, text: str, key: str | None = None) -> Identifier:
        return self._id(type_, text, JUNK, key if key is not None else text.strip().lower())


def _spoil(rng: random.Random, item: dict[str, Any], p: _Person) -> None:
    """Make an observation invalid the way real sources do; its values get no truth."""
    item["identifiers"] = [dict(i) for i in item["identifiers"]]  # events share the originals
    spoilers: list[Callable[[], object]] = [lambda: item.pop("observed_at")]
    emails = [i for i in item["identifiers"] if i["type"] == "email"]
    if emails:
        local = _ascii(p.first) + str(p.index)
        broken = rng.choice((f"{local}@gmail", f"{local} at gmail.com", f"{local}@@gmail.com"))
        spoilers.append(lambda: emails[0].update(value=broken))
    phones = [i for i in item["identifiers"] if i["type"] == "phone"]
    if phones:
        spoilers.append(lambda: phones[0].update(value=p.phones[0][:3] + "-" + p.phones[0][3:8]))
    if "birth_date" in item.get("attributes", {}):
        spoilers.append(lambda: item["attributes"].update(birth_date=p.birth[:5] + "02-30"))
    rng.choice(spoilers)()


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}"


def _household_size(rng: random.Random) -> int:
    roll = rng.random()
    return 1 if roll < 0.38 else 2 if roll < 0.72 else 3 if roll < 0.88 else 4


def _count(rng: random.Random, mean: float) -> int:
    """A skewed count with the given mean: most people do a little, a few do a lot."""
    return min(40, int(rng.expovariate(1.0 / mean) + 0.5)) if mean > 0 else 0


def _phone(n: int) -> str:
    """The n-th distinct valid US number (10 digits), scattered over area codes and exchanges."""
    m = (n * 1_000_003 + 12_345) % _PHONE_SPACE
    rest = m % 8_000_000
    return f"{_AREAS[m // 8_000_000]}{200 + rest // 10_000}{rest % 10_000:04d}"


def _phone_text(rng: random.Random, d: str) -> str:
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


def _email_text(rng: random.Random, email: str) -> str:
    roll = rng.random()
    if roll < 0.75:
        return email
    local, _, domain = email.partition("@")
    return rng.choice(
        (email.upper(), f"{local.title()}@{domain.capitalize()}", f" {email} ", f"mailto:{email}")
    )


def _first_name(rng: random.Random, first: str) -> str:
    roll = rng.random()
    if roll < 0.8:
        return first
    if roll < 0.9:
        return rng.choice(_NICKNAMES.get(first, (first,)))
    if roll < 0.96:
        return _typo(rng, first)
    return first.upper()


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 3:
        return name
    at = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    return name[:at] + name[at] + name[at:]


def _ascii(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalpha() and c.isascii())


def _timestamp(moment: int, source: str) -> str:
    """UTC with `Z`; the call centre sends US Eastern local time with its offset."""
    if source == "callcentre":
        return time.strftime("%Y-%m-%dT%H:%M:%S-05:00", time.gmtime(moment - 5 * 3600))
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def write_files(
    directory: Path, people: int, seed: int = 7, events: float = 1.0, shared_contacts: float = 0.0
) -> dict[str, int]:
    """Write `observations.jsonl`, `events.jsonl` and `truth.jsonl`; returns the line counts."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {"observation": 0, "event": 0, "truth": 0}
    names = {"observation": "observations", "event": "events", "truth": "truth"}
    handles = {kind: (directory / f"{name}.jsonl").open("w") for kind, name in names.items()}
    try:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for kind, item in stream(people, seed, events=events, shared_contacts=shared_contacts):
            handles[kind].write(dumps(item) + "\n")
            counts[kind] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic data set with ground truth.")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--people", type=int, help="how many people")
    size.add_argument("--observations", type=int, help="about how many observations")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events", type=float, default=1.0, help="event volume factor, 0 for none")
    parser.add_argument(
        "--shared-contacts",
        type=float,
        default=0.0,
        help="share of multi-person households sharing a family email and landline (0-1)",
    )
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    args = parser.parse_args(argv)
    people = args.people if args.people is not None else people_for_observations(args.observations)
    started = time.perf_counter()
    counts = write_files(args.out, people, args.seed, args.events, args.shared_contacts)
    print(
        f"{people} people: {counts['observation']} observations, {counts['event']} events, "
        f"{counts['truth']} truth entries in {args.out} ({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
