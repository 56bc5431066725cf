"""Guards: the rules that refuse a merge, so shared devices and typos do not fuse people.

A refused merge is never dropped: the engine keeps the link as `held` evidence and opens a
review item with the refusal's reason.
"""

from __future__ import annotations

from datora_graph.domain.changeset import ProfileState
from datora_graph.domain.identifiers import IdentifierRegistry


class MergeGuard:
    """Per-type limits (a profile holds at most one crm_id, say) and cannot-link constraints."""

    def __init__(self, registry: IdentifierRegistry) -> None:
        self._limits = registry.limits()

    def refusal(self, left: ProfileState, right: ProfileState) -> str | None:
        """Why `left` and `right` must not merge, or None when they may."""
        for type_name, limit in self._limits.items():
            total = left.type_counts.get(type_name, 0) + right.type_counts.get(type_name, 0)
            if total > limit:
                return (
                    f"limit: the merge would give one profile {total} {type_name} identifiers "
                    f"(at most {limit} allowed)"
                )
        for constraint_id, side in left.constraint_sides:
            if (constraint_id, 1 - side) in right.constraint_sides:
                return f"cannot-link: constraint #{constraint_id} keeps these identifiers apart"
        return None
