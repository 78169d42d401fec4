"""GraphQL: `RecordObjection.dueAt` and `overdue`, resolved here from records' fields."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from strawberry.types import Info

from libs.common.errors import InvalidInput
from libs.common.scalars import parse_datetime
from libs.common.timeutil import SHANGHAI
from libs.common.timeutil import now as clock
from services.sanctions.dashboard.deadlines import calendar_days_deadline
from services.sanctions.dashboard.loaders import calendar_from

# Calendar exceptions a period can need beyond its own days: the longest run of days off
# (Spring Festival, National Day: 8-9 with the weekends around them), with room to spare.
_CALENDAR_SLACK = timedelta(days=40)
MAX_VERIFICATION_DAYS = 366


def _instant(value: object, field: str) -> datetime:
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}", field=field) from None


@strawberry.federation.type(keys=["id"], description="An objection to a credit record (records "
                            "subgraph); its deadline is counted here, on the working calendar.")
class RecordObjection:
    id: strawberry.ID
    filed_at: datetime = strawberry.federation.field(external=True)
    verification_days: int = strawberry.federation.field(external=True)
    resolved_at: datetime | None = strawberry.federation.field(external=True)

    async def _due(self, info: Info) -> datetime:
        filed = self.filed_at.astimezone(SHANGHAI).date()
        calendar = await calendar_from(
            info, filed, filed + timedelta(days=self.verification_days) + _CALENDAR_SLACK)
        # The same count as a listing objection's review period (dashboard/deadlines).
        return calendar_days_deadline(self.filed_at, self.verification_days, calendar)

    @strawberry.federation.field(
        requires=["filedAt verificationDays"],
        description="The verification deadline: `verificationDays` calendar days from the day "
                    "after filing, a last day that is a weekend or holiday on the working "
                    "calendar moved to the next working day; 00:00 Asia/Shanghai after it.")
    async def due_at(self, info: Info) -> datetime:
        return await self._due(info)

    @strawberry.federation.field(requires=["filedAt verificationDays resolvedAt"],
                                 description="Open past its deadline, or resolved after it.")
    async def overdue(self, info: Info) -> bool:
        return (self.resolved_at or clock()) >= await self._due(info)

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID, filedAt: object = None,
                          verificationDays: object = None, resolvedAt: object = None,
                          **_: object) -> "RecordObjection":
        info.context.authenticated()
        if (not isinstance(verificationDays, int) or isinstance(verificationDays, bool)
                or not 0 <= verificationDays <= MAX_VERIFICATION_DAYS):
            raise InvalidInput(f"verificationDays is a whole number of days, 0 to "
                               f"{MAX_VERIFICATION_DAYS}", field="verificationDays")
        return cls(id=id, filed_at=_instant(filedAt, "filedAt"),
                   verification_days=verificationDays,
                   resolved_at=None if resolvedAt is None else _instant(resolvedAt, "resolvedAt"))
