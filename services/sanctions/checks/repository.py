"""The check path's SQL: one indexed statement for a check, one for a whole screen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.catalogue.models import CreditList, Measure
from services.sanctions.checks.models import CheckAuditEntry, Restriction
from services.sanctions.listings.models import Listing

Row = tuple[Restriction, Listing, CreditList, Measure]


def _in_force(codes_clause, purpose: str, at: datetime):
    return (
        select(Restriction, Listing, CreditList, Measure)
        .join(Listing, Listing.id == Restriction.listing_id)
        .join(CreditList, CreditList.code == Listing.list_code)
        .join(Measure, Measure.code == Restriction.measure_code)
        .where(codes_clause, Restriction.purpose == purpose, Restriction.effective_from <= at,
               or_(Restriction.effective_until.is_(None), Restriction.effective_until > at))
        .order_by(Restriction.subject_code, Listing.decided_at, Restriction.measure_code)
    )


class RestrictionIndex:
    """Reads of the restriction index (writes are in checks/index.py)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def in_force(self, code: str, purpose: str, at: datetime) -> list[Row]:
        """Measures reaching `code` for `purpose` at `at`: uses uq_restrictions_key."""
        rows = await self.session.execute(_in_force(Restriction.subject_code == code, purpose, at))
        return list(rows.all())

    async def in_force_many(self, codes: list[str], purpose: str, at: datetime) -> list[Row]:
        """The same for a whole batch in one statement (`= ANY` over the same index)."""
        rows = await self.session.execute(
            _in_force(Restriction.subject_code.in_(codes), purpose, at))
        return list(rows.all())

    async def rows_for_purpose(self, purpose: str) -> list[Restriction]:
        rows = await self.session.execute(select(Restriction).where(Restriction.purpose == purpose))
        return list(rows.scalars())


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_subject(self, code: str, before: tuple[datetime, str] | None,
                         limit: int) -> list[CheckAuditEntry]:
        q = select(CheckAuditEntry).where(CheckAuditEntry.subject_code == code)
        if before is not None:
            q = q.where(or_(CheckAuditEntry.checked_at < before[0],
                            and_(CheckAuditEntry.checked_at == before[0],
                                 CheckAuditEntry.id < before[1])))
        q = q.order_by(CheckAuditEntry.checked_at.desc(), CheckAuditEntry.id.desc()).limit(limit)
        return list((await self.session.execute(q)).scalars())
