"""How a segment and a member cursor look inside a store: one shape for every adapter, so a
segment written by one store reads back the same from another (and `datora migrate` can move
segments without translating them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from datora_graph.domain.errors import InvalidInput
from datora_graph.domain.profiles import decode_cursor, encode_cursor
from datora_graph.domain.records import iso
from datora_graph.domain.segments import MemberPage, Segment, definition_to_json, parse_definition


def member_cursor(after: str | None) -> str:
    """The profile ID a member page resumes after; "" for the first page."""
    if after is None:
        return ""
    parts = decode_cursor(after)
    if len(parts) != 1:
        raise InvalidInput("after", "is not a member cursor this service issued")
    return parts[0]


def member_page(ids: list[str], first: int) -> MemberPage:
    """The page of `first` members from `ids`, which a store fetched one longer than the page
    so that one extra row says whether another page follows."""
    page = ids[:first]
    return MemberPage(page, encode_cursor(page[-1]) if page else None, len(ids) > first)


def segment_row(segment: Segment) -> dict[str, object]:
    return {
        "id": segment.id,
        "name": segment.name,
        "description": segment.description,
        "definition": json.dumps(definition_to_json(segment.definition), ensure_ascii=False),
        "purpose": segment.purpose,
        "created_at": iso(segment.created_at),
        "updated_at": iso(segment.updated_at),
    }


def segment_from_row(row: Mapping[str, Any]) -> Segment:
    return Segment(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        definition=parse_definition(json.loads(row["definition"])),
        purpose=row["purpose"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )
