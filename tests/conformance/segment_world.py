"""A small graph for segment tests, committed through the port with the builders:

    ann   email + crm_id; Leeds, age 41, tags [vip, newsletter]; 3 purchases, a page view
    bob   email + phone; Oslo, age "41" (text); 1 purchase of 100
    cy    a cookie; no attributes; 3 page views
    junk  test@test.com, a junk-only profile with a purchase: never a member of anything

Times are days after T0 (`day(n)`); segments are evaluated at `AS_OF` = day 40.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from datora_graph.domain.changeset import Changeset
from datora_graph.domain.consent import ConsentStatement
from datora_graph.domain.identifiers import Identifier
from datora_graph.domain.segments import SegmentQuery, parse_definition
from datora_graph.domain.traits import TraitSettings
from datora_graph.store.base import GraphStore

from .builders import T0, event, seed

ANN = ("email:ann@acme.io", "crm_id:C-1")
BOB = ("email:bob@acme.io", "phone:+14155550101")
CY = ("cookie_id:c-9",)
JUNK = ("email:test@test.com",)
PEOPLE = {"prf_ann", "prf_bob", "prf_cy"}
SETTINGS = TraitSettings()


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


AS_OF = day(40)


def build_world(store: GraphStore) -> None:
    seed(
        store,
        "prf_ann",
        ANN,
        seq=1,
        attributes={"first_name": "Ann", "city": "Leeds", "age": 41, "tags": ["vip", "newsletter"]},
    )
    seed(store, "prf_bob", BOB, seq=2, attributes={"city": "Oslo", "age": "41"})
    seed(store, "prf_cy", CY, seq=3, source="web")
    seed(store, "prf_junk", JUNK, seq=4, junk=True)
    store.commit(
        Changeset(
            events=[
                purchase("e-a1", ANN, day(1), 10),
                purchase("e-a2", ANN, day(30), 20.5),
                purchase("e-a3", ANN, day(35), 30),
                event("e-a4", ANN[:1], day(36), type_="page_view"),
                purchase("e-b1", BOB, day(5), 100),
                event("e-c1", CY, day(38), type_="page_view"),
                event("e-c2", CY, day(39), type_="page_view"),
                event("e-c3", CY, day(39.5), type_="page_view"),
                purchase("e-j1", JUNK, day(36), 999),
            ]
        )
    )


def purchase(event_id: str, keys: tuple[str, ...], when: datetime, revenue: float) -> Any:
    props = {"order_id": f"ORD-{event_id}", "revenue": revenue, "currency": "USD"}
    return event(event_id, keys, when, type_="purchase", source="shop", properties=props)


def consent(key: str, purpose: str, status: str, when: datetime) -> ConsentStatement:
    identifier = Identifier.from_key(key)
    return ConsentStatement(identifier, purpose, status, when, "web")  # type: ignore[arg-type]


def query(definition: dict[str, Any], as_of: datetime = AS_OF) -> SegmentQuery:
    return SegmentQuery(parse_definition(definition), as_of, SETTINGS)


def members(store: GraphStore, definition: dict[str, Any], as_of: datetime = AS_OF) -> set[str]:
    """Every member, through pages of two, and checked against the size."""
    found = all_members(store, query(definition, as_of), 2)
    assert found == sorted(found), "members come in ID order"
    assert store.segment_sizes([query(definition, as_of)])[0].size == len(found)
    return set(found)


def all_members(store: GraphStore, segment: SegmentQuery, first: int) -> list[str]:
    """Every member of `segment`, in the order the store gives them, through pages of `first`."""
    found: list[str] = []
    after = None
    while True:
        page = store.segment_members(segment, first, after)
        found.extend(page.profile_ids)
        if not page.has_next_page:
            return found
        after = page.end_cursor
