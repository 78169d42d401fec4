"""All SQL for objections to records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.records.objections.models import Objection


@dataclass(frozen=True)
class QueueCriteria:
    """Which objections a page holds: every field set narrows."""

    statuses: tuple[str, ...]
    agency: str | None = None
    subject_code: str | None = None
    record_id: int | None = None

    def clauses(self) -> list:
        out = [Objection.status.in_(self.statuses)]
        if self.agency is not None:
            out.append(Objection.agency == self.agency)
        if self.subject_code is not None:
            out.append(Objection.subject_code == self.subject_code)
        if self.record_id is not None:
            out.append(Objection.record_id == self.record_id)
        return out


class ObjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, objection_id: int, *, lock: bool = False) -> Objection | None:
        """One objection, row-locked to the end of the transaction when `lock`."""
        return await self.session.get(Objection, objection_id, with_for_update=lock or None)

    async def add(self, objection: Objection) -> Objection:
        """Insert now, so a concurrent open objection fails here (IntegrityError)."""
        self.session.add(objection)
        await self.session.flush()
        return objection

    async def many(self, objection_ids: Sequence[int]) -> dict[int, Objection]:
        """The objections with these ids (those that exist)."""
        rows = await self.session.scalars(
            select(Objection).where(Objection.id.in_(list(objection_ids))))
        return {o.id: o for o in rows}

    async def close_open(self, record_ids: Sequence[int], *, outcome: str, by: str,
                         resolution: str, at: datetime) -> list[Objection]:
        """Close the open objection of each record (at most one each); the ones closed."""
        if not record_ids:
            return []
        closed = await self.session.scalars(
            update(Objection)
            .where(Objection.record_id.in_(list(record_ids)), Objection.status == "OPEN")
            .values(status=outcome, resolved_at=at, resolved_by=by, resolution=resolution)
            .returning(Objection))
        return sorted(closed, key=lambda o: o.id)

    async def page(self, criteria: QueueCriteria, after: tuple[datetime, int] | None,
                   limit: int) -> list[Objection]:
        """Objections matching `criteria`, earliest filing first, from after `after`."""
        stmt = select(Objection).where(*criteria.clauses())
        if after is not None:
            stmt = stmt.where(tuple_(Objection.filed_at, Objection.id) > tuple_(*after))
        stmt = stmt.order_by(Objection.filed_at, Objection.id).limit(limit)
        return list(await self.session.scalars(stmt))

    async def count(self, criteria: QueueCriteria) -> int:
        return await self.session.scalar(
            select(func.count()).select_from(Objection).where(*criteria.clauses()))
