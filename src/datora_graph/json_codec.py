"""JSON through orjson wherever it gives exactly what `json` gives, several times faster.

Reading a journey page decodes two JSON texts per event, and writing a GraphQL answer encodes
hundreds of fields: with `json` that was a tenth of a request's time. orjson differs from
`json` in four ways that matter here; the first three go through `json` instead:
- it reads an integer beyond 64 bits as a float, silently (a client's order number of 25
  digits in event properties would change): texts with a run of 19 or more digits are read
  by `json`;
- it refuses `NaN` and `Infinity`, which `json` writes for such floats;
- it refuses to write an integer beyond 64 bits;
- it writes a float `NaN` or infinity as `null`, where `json` writes `NaN` and `Infinity`,
  which no JSON parser but Python's reads: kept, answers stay JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from datora_graph.domain.json_text import compact_json
from datora_graph.domain.reasons import lone_surrogate
from datora_graph.domain.records import encodable

_LONG_DIGITS = re.compile(r"\d{19}")


def loads(text: str) -> Any:
    """`json.loads(text)`, quicker."""
    if _LONG_DIGITS.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # NaN or Infinity, or not JSON at all: `json` reads it or says why not
    return json.loads(text)


NESTED_TOO_DEEPLY = "is nested too deeply to read"


class ClientJsonError(ValueError):
    """A client's JSON refused, with the words to answer it with, and the path in the
    document of what is wrong when it is one value (`attributes.city`), else ''."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def read_client_json(data: str | bytes, root: str = "body") -> Any:
    """JSON a client sent (a request body, a line of a file), or a ClientJsonError whose
    message says why it is not, in words a client can act on: not UTF-8, not valid JSON and
    where, a key given twice in one object, or nested past what the reader can follow (`json`
    raises RecursionError for that, which would otherwise fail the whole request or file).
    A place in the document is named from `root` (`body.observations[0]`; a line of a file
    names its fields from '')."""
    try:
        document = read_unique_keys(data, root)
    except ClientJsonError:
        raise
    except (RecursionError, ValueError) as exc:
        raise ClientJsonError(why_not_json(exc)) from None
    if _SURROGATE_ESCAPE.search(data if isinstance(data, str) else data.decode(errors="replace")):
        found = _lone_surrogate(document)
        if found is not None:
            path, key = found
            where = f"{_under(root, path)}{' (a key)' if key else ''}"
            raise ClientJsonError(lone_surrogate(where), path)
    return document


def read_unique_keys(data: str | bytes, root: str = "body") -> Any:
    """`json.loads(data)`, refusing an object that gives a key twice (`json` would keep the
    last value and drop the first unsaid: a batch's attribute, an erasure's profile) with a
    ClientJsonError naming where; a JSONDecodeError as `json` raises it."""
    try:
        return json.loads(data, object_pairs_hook=_unique)
    except _KeyGivenTwice:
        path, key = _key_given_twice(data)
        raise ClientJsonError(
            f"gives the key {json.dumps(key, ensure_ascii=False)} twice in one object, at "
            f"{_under(root, path)}: a JSON object names each key once, and which of the values "
            "was meant cannot be told",
            path,
        ) from None


class _KeyGivenTwice(Exception):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise _KeyGivenTwice
    return document


class _Pairs(list[tuple[str, Any]]):
    """An object read as its pairs, in order, duplicates kept."""


def _key_given_twice(data: str | bytes) -> tuple[str, str]:
    """The path of a key given twice and the key, in the object that opens first of those
    giving one."""
    stack: list[tuple[str, object]] = [("", json.loads(data, object_pairs_hook=_Pairs))]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Pairs):
            seen: set[str] = set()
            for key, _ in value:
                if key in seen:
                    return _field(path, key), key
                seen.add(key)
            stack.extend((_field(path, key), item) for key, item in reversed(value))
        elif isinstance(value, list):
            stack.extend((f"{path}[{n}]", item) for n, item in reversed(list(enumerate(value))))
    raise AssertionError("json's reader and its pairs disagree on a key given twice")


def _field(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _under(root: str, path: str) -> str:
    """`path` (`a.b`, `[1].c`) named from `root` (`body.a.b`, `body[1].c`)."""
    if not root:
        return path or "the top level"
    if not path:
        return root
    return f"{root}{path}" if path.startswith("[") else f"{root}.{path}"


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""`\\ud800`-`\\udfff` in JSON text: halves of a pair, which `json` joins, or a lone half,
which it keeps as a string no store or encoder can take."""


def _lone_surrogate(document: object) -> tuple[str, bool] | None:
    """The path of the first string or key holding a lone surrogate, and whether it is the
    key, else None."""
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not encodable(value):
                return path, False
        elif isinstance(value, dict):
            for key, item in value.items():
                if not encodable(key):
                    return path, True
                stack.append((_field(path, key), item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{n}]", item) for n, item in enumerate(value))
    return None


def why_not_json(error: BaseException) -> str:
    """The words for a failure to decode a client's JSON, wherever it was decoded (here, or
    by FastAPI for a route with a body model)."""
    if isinstance(error, RecursionError):
        return NESTED_TOO_DEEPLY
    if isinstance(error, ClientJsonError):
        return str(error)
    if isinstance(error, json.JSONDecodeError):
        where = (
            f"character {error.colno}"
            if error.lineno == 1
            else f"line {error.lineno} column {error.colno}"
        )
        return f"is not valid JSON ({error.msg} at {where})"
    if isinstance(error, UnicodeDecodeError):
        return f"is not UTF-8 text ({error.reason} at byte {error.start})"
    return f"is not valid JSON ({error})"


def dumps_compact(data: object) -> bytes:
    """`data` as compact UTF-8 JSON (no spaces after separators), keys in the given order."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return compact_json(data).encode()
