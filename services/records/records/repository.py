"""All SQL for reading credit records and sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.records.records.models import CreditRecord, Source


@dataclass(frozen=True)
class Visibility:
    """What a caller may see: disclosure levels, plus RESTRICTED records of its own agency."""

    levels: frozenset[str]
    own_agency: str | None = None

    def allows(self, record: CreditRecord) -> bool:
        return record.disclosure in self.levels or (
            record.disclosure == "RESTRICTED" and record.agency == self.own_agency)

    def clause(self):
        clause = CreditRecord.disclosure.in_(sorted(self.levels))
        if self.own_agency and "RESTRICTED" not in self.levels:
            clause = or_(clause, and_(CreditRecord.disclosure == "RESTRICTED",
                                      CreditRecord.agency == self.own_agency))
        return clause


def in_default_view(today: date):
    """Current, not withdrawn, and not past its retention period."""
    return and_(CreditRecord.is_current, CreditRecord.status != "WITHDRAWN",
                or_(CreditRecord.retention_until.is_(None), CreditRecord.retention_until > today))


class RecordRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def source(self, code: str) -> Source | None:
        return await self.session.get(Source, code)

    async def sources(self) -> list[Source]:
        return list(await self.session.scalars(select(Source).order_by(Source.code)))

    async def current(self, record_ids: Sequence[int], *, lock: bool = False) -> dict[int, CreditRecord]:
        """The current version of each record."""
        if not record_ids:
            return {}
        stmt = select(CreditRecord).where(CreditRecord.record_id.in_(list(set(record_ids))),
                                          CreditRecord.is_current)
        if lock:
            stmt = stmt.with_for_update()
        return {r.record_id: r for r in await self.session.scalars(stmt)}

    async def versions(self, record_id: int) -> list[CreditRecord]:
        stmt = (select(CreditRecord).where(CreditRecord.record_id == record_id)
                .order_by(CreditRecord.version))
        return list(await self.session.scalars(stmt))

    async def of_subjects(self, codes: Sequence[str], *, today: date, visibility: Visibility | None,
                          categories: Sequence[str] | None = None, include_archived: bool = False,
                          occurred_from: date | None = None, occurred_until: date | None = None,
                          after: tuple[date, int] | None = None,
                          limit: int | None = None) -> list[CreditRecord]:
        """Records of subjects, newest first (occurred_on, record_id descending)."""
        stmt = select(CreditRecord).where(CreditRecord.subject_code.in_(list(codes)))
        if include_archived:
            stmt = stmt.where(CreditRecord.is_current)
        else:
            stmt = stmt.where(in_default_view(today))
        if visibility is not None:
            stmt = stmt.where(visibility.clause())
        if categories:
            stmt = stmt.where(CreditRecord.category.in_(list(categories)))
        if occurred_from:
            stmt = stmt.where(CreditRecord.occurred_on >= occurred_from)
        if occurred_until:
            stmt = stmt.where(CreditRecord.occurred_on < occurred_until)
        if after:
            stmt = stmt.where(tuple_(CreditRecord.occurred_on, CreditRecord.record_id)
                              < tuple_(after[0], after[1]))
        stmt = stmt.order_by(CreditRecord.subject_code, CreditRecord.occurred_on.desc(),
                             CreditRecord.record_id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(await self.session.scalars(stmt))

    async def set_status(self, record_id: int, version: int, status: str) -> None:
        await self.session.execute(
            update(CreditRecord)
            .where(CreditRecord.record_id == record_id, CreditRecord.version == version)
            .values(status=status))

    async def due_for_archiving(self, today: date, limit: int) -> list[CreditRecord]:
        stmt = (select(CreditRecord)
                .where(CreditRecord.is_current, CreditRecord.archived_at.is_(None),
                       CreditRecord.retention_until <= today)
                .order_by(CreditRecord.record_id).limit(limit)
                .with_for_update(skip_locked=True))
        return list(await self.session.scalars(stmt))
