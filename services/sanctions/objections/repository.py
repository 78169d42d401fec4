"""All objection SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.objections.models import Objection


class ObjectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, objection: Objection) -> None:
        """Insert now: a second open objection on the listing raises IntegrityError here."""
        self.session.add(objection)
        await self.session.flush()

    async def listing_of(self, objection_id: uuid.UUID) -> uuid.UUID | None:
        """The listing an objection is against (None: no such objection)."""
        return await self.session.scalar(select(Objection.listing_id)
                                         .where(Objection.id == objection_id))

    async def lock(self, objection_id: uuid.UUID) -> Objection | None:
        """The objection, locked for this transaction and read afresh."""
        return await self.session.get(Objection, objection_id, with_for_update=True,
                                      populate_existing=True)

    async def of_listings(self, ids: list[uuid.UUID]) -> list[Objection]:
        rows = await self.session.execute(select(Objection).where(Objection.listing_id.in_(ids))
                                          .order_by(Objection.filed_at))
        return list(rows.scalars())
