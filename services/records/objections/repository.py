"""All SQL for objections to records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.records.objections.models import Objection


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

    async def of_records(self, record_ids: Sequence[int]) -> dict[int, list[Objection]]:
        """Objections to each record, oldest first."""
        rows = await self.session.scalars(
            select(Objection).where(Objection.record_id.in_(list(record_ids)))
            .order_by(Objection.id))
        out: dict[int, list[Objection]] = {}
        for o in rows:
            out.setdefault(o.record_id, []).append(o)
        return out

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
