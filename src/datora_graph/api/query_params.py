"""Query parameters a REST route does not take are refused, not ignored.

FastAPI reads the query parameters a route declares and drops the rest, so a misspelling
(`?type=purchase` on a route taking `types`) answered as if the filter were never sent. The
README promises that nothing a client sends is silently ignored: `refuse_stray_query`, a
dependency of the REST router, answers 422 naming the parameter, the intended one when the
spelling is close, and the parameters the route takes. It reads them from the matched
route's own declaration, so a new route or parameter needs nothing here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from datora_graph.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Declared:
    """What a route says of one query parameter: its description, and whether it takes a
    list (`?tag=a&tag=b`) or a single value, which FastAPI takes from the last occurrence."""

    description: str
    many: bool


_DECLARED: dict[tuple[Callable[..., Any], str], dict[str, Declared]] = {}
"""Each route's query parameters by name, read from its declaration once; keyed by endpoint
and path, as a route is not hashable."""


async def refuse_stray_query(request: Request) -> None:
    """InvalidInput for the first query parameter the matched route does not declare, or for
    a declared one given more than once (FastAPI would keep only the last value)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = declared_query_parameters(route)
    params = request.query_params
    stray = [name for name in params if name not in declared]
    if stray:
        raise _not_taken(stray, list(declared))
    for name in params:
        given = len(params.getlist(name))
        if given > 1 and not declared[name].many:
            about = declared[name].description
            about = f" ({about})" if about else ""
            raise InvalidInput(name, f"was given {given} times, and takes one value{about}")


def declared_query_parameters(route: APIRoute) -> dict[str, Declared]:
    """The query parameters `route` declares, its dependencies' included, by name."""
    key = (route.endpoint, route.path_format)
    known = _DECLARED.get(key)
    if known is None:
        known = {}
        pending: list[Dependant] = [route.dependant]
        while pending:
            dependant = pending.pop()
            for param in dependant.query_params:
                info = param.field_info
                known[param.alias] = Declared(info.description or "", _many(info.annotation))
            pending.extend(dependant.dependencies)
        _DECLARED[key] = known
    return known


def _many(annotation: object) -> bool:
    """Whether a parameter's type is a collection, `list[str] | None` included."""
    kinds = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    return any(get_origin(kind) in _COLLECTIONS for kind in (annotation, *kinds))


_COLLECTIONS = (list, set, frozenset, tuple, Sequence, AbstractSet)


def _not_taken(stray: list[str], declared: list[str]) -> InvalidInput:
    name = stray[0]
    takes = f"it takes {', '.join(declared)}" if declared else "it takes no query parameters"
    guess = _closest(name, declared)
    hint = f" (did you mean {guess}?)" if guess else ""
    rest = stray[1:]
    others = f" (nor {'is' if len(rest) == 1 else 'are'} {', '.join(rest)})" if rest else ""
    if not name:
        return InvalidInput("query", f"holds a parameter with no name (=value); {takes}{others}")
    return InvalidInput(name, f"is not a parameter of this endpoint{hint}; {takes}{others}")


def _closest(name: str, declared: list[str]) -> str | None:
    """The declared parameter `name` is most likely a misspelling of, ignoring case."""
    by_lower = {known.lower(): known for known in declared}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None
