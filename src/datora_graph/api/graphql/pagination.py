"""Relay-style cursor connections: `edges { cursor node }` and `pageInfo`, forward paging only.

    journey(first: 50, after: $cursor) { edges { cursor node { id } } pageInfo { endCursor
    hasNextPage } }

Cursors are opaque strings (`domain.profiles.encode_cursor`); a client passes `endCursor`, or
the cursor of any edge, back as `after` to get what follows it. `PageInfo` is Strawberry's relay
type; the edges and connections are generic so every list pages the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import MAX_POSITION, decode_cursor, encode_cursor
from datora_graph.domain.records import Event, iso

Node = TypeVar("Node")
Item = TypeVar("Item")


@strawberry.type(description="One item of a page, with the cursor that points just after it.")
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type(description="A page of a list; follow `pageInfo.endCursor` with `after`.")
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo


def connection(
    items: Sequence[Item],
    node: Callable[[Item], Node],
    cursor: Callable[[Item], str],
    has_next_page: bool,
    has_previous_page: bool,
) -> Connection[Node]:
    """A connection over one page of `items`, each shown as `node(item)`."""
    edges = [Edge(cursor=cursor(item), node=node(item)) for item in items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page,
            has_previous_page=has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def event_cursor(event: Event) -> str:
    """The journey cursor just after `event`: its instant and ID, the order journeys are in.

    This is the cursor the store puts in `JourneyPage.end_cursor` (checked by the GraphQL
    tests), so every edge of a journey, not only the last, can be passed back as `after`."""
    return encode_cursor(iso(event.occurred_at), event.id)


def member_cursor(profile_id: str) -> str:
    """The cursor just after a profile in a list in profile ID order (segment members,
    `profiles`): the one the store puts in `MemberPage.end_cursor` (checked by the tests)."""
    return encode_cursor(profile_id)


def id_cursor(kind: str, item_id: str | int) -> str:
    """A cursor for a list this layer pages itself by ID (review items), naming the list."""
    return encode_cursor(kind, str(item_id))


def id_after(kind: str, cursor: str | None) -> str | None:
    """The ID an `id_cursor` of `kind` points after; InvalidInput naming `after` otherwise."""
    if cursor is None:
        return None
    parts = decode_cursor(cursor)
    if len(parts) != 2 or parts[0] != kind:
        raise InvalidInput("after", f"is not a cursor of this list ({kind})")
    return parts[1]


def position_after(kind: str, cursor: str | None) -> int:
    """The list position an `id_cursor` of `kind` points after (0 for none); InvalidInput
    naming `after` for anything a store could not take."""
    found = id_after(kind, cursor)
    if found is None:
        return 0
    if not (found.isascii() and found.isdigit()) or not 0 <= int(found) <= MAX_POSITION:
        raise InvalidInput("after", f"is not a cursor of this list ({kind})")
    return int(found)
