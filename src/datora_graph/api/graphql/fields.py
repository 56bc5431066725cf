"""`strawberry.field` and `strawberry.mutation` as typed decorators.

Strawberry types `@strawberry.field(description=...)` as returning `Any`, which `mypy --strict`
refuses on a decorated resolver ("untyped decorator"). These return exactly what Strawberry
returns at run time; they only tell mypy that the resolver keeps its own signature.

    @field("The profile's identifiers, of one type if `type` is given.")
    def identifiers(self, type: str | None = None) -> list[ProfileIdentifier]: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


def field(description: str | None = None) -> Callable[[Resolver], Resolver]:
    decorator: Callable[[Resolver], Resolver] = strawberry.field(description=description)
    return decorator


def mutation(description: str) -> Callable[[Resolver], Resolver]:
    decorator: Callable[[Resolver], Resolver] = strawberry.mutation(description=description)
    return decorator
