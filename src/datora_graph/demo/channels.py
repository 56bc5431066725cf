"""How each channel sees a person, and the records and truth that come of it.

`Channels.chunk` makes a chunk of households and sends every person through the channels they
use (CRM, web, app, store kiosk, newsletter, call centre, shop). Observations draw from `rng`,
events from an `erng` of their own, so the observations do not depend on the event volume.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Sequence
from typing import Any, Literal

from datora_graph.demo.households import (
    PERIOD_SECONDS,
    PERIOD_START,
    Device,
    Households,
    Person,
    email_name,
    household_size,
    new_device,
)
from datora_graph.demo.noise import (
    DOMAIN_TYPOS,
    JUNK_EMAILS,
    JUNK_PHONES,
    ZERO_DEVICE,
    email_as_written,
    first_name_as_written,
    phone_as_written,
    spoil,
    typo,
)
from datora_graph.demo.pools import PRODUCTS, STREET_SUFFIXES

SHARED = "*shared"
JUNK = "*junk"

StreamKind = Literal["truth", "observation", "event"]
Identifier = dict[str, str]
Record = tuple[int, int, StreamKind, dict[str, Any]]
"""(moment, serial, kind, item): sorting on the first two puts a chunk in time order."""


class Channels:
    """Sends people through the channels, one chunk at a time; holds the random streams, the
    counters, the public kiosks and the truth and records of the chunk being built."""

    def __init__(self, people: int, seed: int, events: float, shared_contacts: float) -> None:
        self.rng = random.Random(seed)
        self.erng = random.Random(f"events/{seed}")
        self.events = events
        self.serials = itertools.count(1)
        self.households = Households(self.rng, self.serials, shared_contacts)
        self.event_serial = 0
        self.truth: dict[str, str] = {}
        self.records: list[Record] = []
        self.kiosks = [new_device(self.rng, shared=True) for _ in range(2 + people // 50_000)]
        self.kiosk_keys = [
            f"device_id:{uuid}" for k in self.kiosks for uuid in (k.vendor, k.advertising) if uuid
        ]
        self.told = set(self.kiosk_keys)
        """Keys whose truth is told once for the whole stream (kiosks, junk), not per chunk."""

    @property
    def made(self) -> int:
        """How many people the chunks so far hold."""
        return self.households.made

    def chunk(self, people: int) -> tuple[dict[str, str], list[Record]]:
        """The next `people` people's truth and records; the records are not yet sorted."""
        self.truth, self.records = {}, []
        goal = self.made + people
        while self.made < goal:
            size = min(goal - self.made, household_size(self.rng))
            for person in self.households.household(size):
                self._channels(person)
        return self.truth, self.records

    def _channels(self, p: Person) -> None:
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

    def _crm(self, p: Person) -> None:
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
            "first_name": first_name_as_written(rng, p.first),
            "last_name": typo(rng, p.last) if rng.random() < 0.04 else p.last,
            "birth_date": p.birth,
            "gender": p.gender,
            "street": street,
            "city": city,
            "postcode": postcode,
            "state": state,
            "country": "US",
        }
        self._observe(p, "crm", self._when(p), ids, attributes)

    def _web(self, p: Person) -> None:
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
                props = {"url": f"/catalog/{erng.choice(PRODUCTS).lower()}", "n": n}
                self._event(p, "page_view", "web", moment - erng.randint(60, 1800), ids[:1], props)
            if erng.random() < 0.35 * self.events:
                props = {"sku": erng.choice(PRODUCTS)}
                self._event(p, "product_view", "web", moment + erng.randint(5, 600), ids, props)

    def _app(self, p: Person, device: Device, source: str) -> None:
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

    def _newsletter(self, p: Person) -> None:
        rng = self.rng
        email = p.emails[0]
        local, _, domain = email.partition("@")
        if domain in DOMAIN_TYPOS and rng.random() < 0.05:
            email = f"{local}@{DOMAIN_TYPOS[domain]}"
        if p.family_email is not None and rng.random() < 0.5:
            ids = [self._email_id(rng, p, p.family_email, shared=True)]
        else:
            ids = [self._email_id(rng, p, email)]
        if rng.random() < 0.6:
            ids.append(self._id("cookie_id", p.cookies[0], p.id))
        moment = self._when(p)
        # Signing up is where e-mail marketing consent comes from; without it no demo segment
        # would have a contact to export.
        signed_up = [{"identifier": ids[0], "purpose": "email_marketing", "status": "granted"}]
        self._observe(
            p,
            "newsletter",
            moment,
            ids,
            {"first_name": first_name_as_written(rng, p.first)},
            consent=signed_up,
        )
        if self.events:
            for _ in range(_count(self.erng, 1.0 * self.events)):
                when = moment + self.erng.randint(86_400, 90 * 86_400)
                campaign = {"campaign": f"nl-{self.erng.randint(1, 80):03d}"}
                self._event(p, "email_open", "newsletter", when, ids[:1], campaign)

    def _call(self, p: Person) -> None:
        rng = self.rng
        if rng.random() < 0.1:
            phone_text = rng.choice(JUNK_PHONES)
            ids = [self._junk("phone", phone_text, "".join(c for c in phone_text if c.isdigit()))]
        elif p.landline is not None and rng.random() < 0.4:
            ids = [self._phone_id(rng, p, p.landline, shared=True)]
        else:
            ids = [self._phone_id(rng, p, rng.choice(p.phones))]
        if p.crm_id is not None and rng.random() < 0.5:
            ids.append(self._id("crm_id", p.crm_id, p.id))
        roll = rng.random()
        if roll < 0.08:
            ids.append(self._junk("email", rng.choice(JUNK_EMAILS)))
        elif roll < 0.12:
            ids.append(self._junk("email", f"{email_name(p.first)}@example.com"))
        elif roll < 0.3:
            ids.append(self._email_id(rng, p, p.emails[0]))
        moment = self._when(p)
        self._observe(p, "callcentre", moment, ids)
        if self.events:
            reason = self.erng.choice(("billing", "delivery", "returns", "account"))
            props = {"reason": reason, "duration_s": self.erng.randint(40, 1500)}
            self._event(p, "support_call", "callcentre", moment + 2, ids[:1], props)

    def _order(self, p: Person) -> None:
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
            for long, short in STREET_SUFFIXES:
                street = street.replace(f" {long}", f" {short}.")
        attributes = {
            "first_name": first_name_as_written(rng, p.first),
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
                cart = {"sku": erng.choice(PRODUCTS)}
                before = moment - erng.randint(60, 900)
                self._event(p, "add_to_cart", "shop", before, [browser], cart)
            revenue = round(erng.lognormvariate(3.8, 0.7), 2)
            props = {"order_id": order_id, "revenue": revenue, "currency": "USD"}
            self._event(p, "purchase", "shop", moment + 1, ids, props)

    def _when(self, p: Person) -> int:
        return PERIOD_START + self.rng.randint(p.start, PERIOD_SECONDS - 1)

    def _observe(
        self,
        p: Person,
        source: str,
        moment: int,
        ids: list[Identifier],
        attributes: dict[str, Any] | None = None,
        *,
        consent: list[dict[str, Any]] | None = None,
    ) -> str:
        serial = next(self.serials)
        item: dict[str, Any] = {
            "id": f"{source}-{serial:09d}",
            "source": source,
            "observed_at": _timestamp(moment, source),
            "identifiers": ids,
        }
        if attributes:
            item["attributes"] = attributes
        if consent:
            item["consent"] = consent
        if self.rng.random() < 0.005:
            spoil(self.rng, item, p)
        self.records.append((moment, serial, "observation", item))
        return str(item["id"])

    def _event(
        self,
        p: Person,
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
        self, rng: random.Random, p: Person, email: str, shared: bool = False
    ) -> Identifier:
        return self._id("email", email_as_written(rng, email), SHARED if shared else p.id, email)

    def _phone_id(
        self, rng: random.Random, p: Person, digits: str, shared: bool = False
    ) -> Identifier:
        owner = SHARED if shared else p.id
        return self._id("phone", phone_as_written(rng, digits), owner, f"+1{digits}")

    def _device_ids(self, rng: random.Random, p: Person, device: Device) -> list[Identifier]:
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
                ids.append(self._junk("device_id", ZERO_DEVICE))
            else:
                text = device.advertising.upper() if upper else device.advertising
                ids.append(self._id("device_id", text, owner, device.advertising))
        return ids

    def _junk(self, type_: str, text: str, key: str | None = None) -> Identifier:
        return self._id(type_, text, JUNK, key if key is not None else text.strip().lower())


def _count(rng: random.Random, mean: float) -> int:
    """A skewed count with the given mean: most people do a little, a few do a lot."""
    return min(40, int(rng.expovariate(1.0 / mean) + 0.5)) if mean > 0 else 0


def _timestamp(moment: int, source: str) -> str:
    """UTC with `Z`; the call centre sends US Eastern local time with its offset."""
    if source == "callcentre":
        return time.strftime("%Y-%m-%dT%H:%M:%S-05:00", time.gmtime(moment - 5 * 3600))
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
