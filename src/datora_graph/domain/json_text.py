"""The one way a record is written as JSON text in the store.

Compact, and characters as themselves (`Zoë`, not `Zo\\u00eb`): a record rewritten by an
erasure or a redaction reads as the log's other records do, and an erasure searching the log's
text for a value finds it as written.
"""

from __future__ import annotations

import json


def compact_json(value: object) -> str:
    """`value` as JSON text without spaces after separators, non-ASCII characters kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
