"""All credit-repair SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.repair.models import RepairApplication


class RepairRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, application: RepairApplication) -> None:
        """Insert now: a second pending application on the listing raises IntegrityError here."""
        self.session.add(application)
        await self.session.flush()

    async def listing_of(self, application_id: uuid.UUID) -> uuid.UUID | None:
        """The listing an application is about (None: no such application)."""
        return await self.session.scalar(select(RepairApplication.listing_id)
                                         .where(RepairApplication.id == application_id))

    async def lock(self, application_id: uuid.UUID) -> RepairApplication | None:
        """The application, locked for this transaction and read afresh."""
        return await self.session.get(RepairApplication, application_id, with_for_update=True,
                                      populate_existing=True)

    async def of_listings(self, ids: list[uuid.UUID]) -> list[RepairApplication]:
        """The applications on these listings, oldest first."""
        rows = await self.session.execute(
            select(RepairApplication).where(RepairApplication.listing_id.in_(ids))
            .order_by(RepairApplication.applied_at, RepairApplication.id))
        return list(rows.scalars())
