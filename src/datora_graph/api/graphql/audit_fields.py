"""The audit log over GraphQL (`AuditQuery.auditLog`), merged into `Query` by `schema.py`.

    { auditLog(first: 20, action: "split") { edges { node { at actor action reason
        profilesBefore profilesAfter subject } } pageInfo { endCursor hasNextPage } } }

Needs the `steward` scope (`access.FIELD_SCOPES`). Profile IDs are not personal data, so the
entries are shown whole to every key that may read the log.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from datora_graph.access_service import audit_log
from datora_graph.api.graphql.context import Info
from datora_graph.api.graphql.fields import field
from datora_graph.api.graphql.limits import page_size
from datora_graph.api.graphql.pagination import Connection, connection
from datora_graph.domain import audit as domain
from datora_graph.domain.audit import AuditFilter, audit_cursor


@strawberry.type(
    description="One change to the graph or to access: who (`actor`, the API key's name, "
    "`dev-mode` or `cli:<user>`), when, what (`action`), why, and the profiles before and after."
)
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor: str
    action: str
    reason: str
    subject: str = strawberry.field(
        description="What the action was about: a decision, key, segment or review item ID"
    )
    profiles_before: list[str]
    profiles_after: list[str]
    details: JSON

    @classmethod
    def of(cls, entry: domain.AuditEntry) -> AuditEntry:
        return cls(
            id=strawberry.ID(entry.id),
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            reason=entry.reason,
            subject=entry.subject,
            profiles_before=list(entry.before),
            profiles_after=list(entry.after),
            details=JSON(dict(entry.details)),
        )


@strawberry.type
class AuditQuery:
    @field(
        "The audit log, newest first: merges, splits, undos, review decisions, erasures, key "
        "changes and segment exports. `profileId` matches entries naming it before or after; "
        "`since` includes its instant, `until` excludes it."
    )
    async def audit_log(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        profile_id: strawberry.ID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Connection[AuditEntry]:
        query = AuditFilter(
            actor=actor,
            action=action,
            profile_id=str(profile_id) if profile_id is not None else None,
            since=since,
            until=until,
            first=page_size(first),
            after=after,
        )
        page = await info.context.read(audit_log, info.context.service.store, query)
        return connection(
            page.items, AuditEntry.of, audit_cursor, page.next_cursor is not None, bool(after)
        )
