"""GraphQL: `restrictionChanges`, for consumers keeping a local copy of the index."""

from __future__ import annotations

import base64
import enum
from datetime import datetime

import strawberry
from strawberry.types import Info

from libs.common.errors import InvalidInput
from libs.common.ids import decimal_id
from libs.common.timeutil import now
from services.sanctions.checks.service import allowed
from services.sanctions.enums import Purpose
from services.sanctions.feed.repository import ChangeFeed

MAX_PAGE = 10_000


@strawberry.enum
class ChangeOp(enum.Enum):
    UPSERT = "UPSERT"
    DELETE = "DELETE"


@strawberry.type(description="One change to a restriction-index row (code, purpose, measure, "
                             "listing); replaying every change from the start rebuilds the index.")
class RestrictionChange:
    code: strawberry.ID
    purpose: Purpose
    measure: strawberry.ID
    listing_id: strawberry.ID
    op: ChangeOp
    effective_from: datetime | None
    effective_until: datetime | None


@strawberry.type
class RestrictionChangePage:
    changes: list[RestrictionChange]
    end_cursor: str | None
    has_more: bool


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"rc:{last_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        prefix, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        position = decimal_id(value)
        if prefix != "rc" or position is None:
            raise ValueError(prefix)
        return position
    except Exception:
        raise InvalidInput("malformed cursor", field="after") from None


@strawberry.type(description="A page of changes as NDJSON: one object per line with the fields of "
                             "RestrictionChange, for bulk synchronisation without per-field cost.")
class RestrictionChangeBatch:
    ndjson: str
    count: int
    end_cursor: str | None
    has_more: bool


def _start(info: Info, purpose: Purpose, after: str | None, first: int) -> tuple:
    """Check the caller, the purpose and the page size; returns (principal, position)."""
    principal = info.context.authenticated()
    allowed(principal, purpose)
    info.context.audit.reserve(1)  # every page read is audited: no page without room for it
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    return principal, decode_cursor(after)


def _audit(info: Info, principal, purpose: Purpose, position: int, rows: int) -> None:
    """Every page a consumer reads is audited."""
    ctx = info.context
    ctx.audit.add(consumer=principal.sub, operation="FEED", purpose=purpose.value,
                  subject_code=None, outcome="PAGE", checked_at=now(), at=None,
                  request_id=ctx.request_id, detail=f"after={position} rows={rows}")


@strawberry.type
class FeedQuery:
    @strawberry.field(description="Changes to the restriction index for one purpose, oldest first. "
                                  "Codes are in clear: a consumer gets what it must enforce for "
                                  "its own purposes, and every page read is audited.")
    async def restriction_changes(self, info: Info, purpose: Purpose, after: str | None = None,
                                  first: int = 1000) -> RestrictionChangePage:
        principal, position = _start(info, purpose, after, first)
        async with info.context.read() as session:
            rows = await ChangeFeed(session).page(purpose.value, position, first + 1)
        page = rows[:first]
        _audit(info, principal, purpose, position, len(page))
        end = encode_cursor(page[-1].id) if page else after
        has_more = len(rows) > first
        return RestrictionChangePage(
            changes=[RestrictionChange(
                code=strawberry.ID(r.subject_code), purpose=Purpose(r.purpose),
                measure=strawberry.ID(r.measure_code), listing_id=strawberry.ID(str(r.listing_id)),
                op=ChangeOp(r.op), effective_from=r.effective_from,
                effective_until=r.effective_until) for r in page],
            end_cursor=end, has_more=has_more)

    @strawberry.field(description="The same feed, cursors and audit as restrictionChanges, with each "
                                  "page as NDJSON: for a full sync, where resolving every field of "
                                  "every change would cost more than the query.")
    async def restriction_changes_ndjson(self, info: Info, purpose: Purpose,
                                         after: str | None = None,
                                         first: int = MAX_PAGE) -> RestrictionChangeBatch:
        principal, position = _start(info, purpose, after, first)
        async with info.context.read() as session:
            ndjson, count, last_id, has_more = await ChangeFeed(session).ndjson_page(
                purpose.value, position, first)
        _audit(info, principal, purpose, position, count)
        return RestrictionChangeBatch(
            ndjson=ndjson, count=count,
            end_cursor=encode_cursor(last_id) if last_id is not None else after,
            has_more=has_more)
