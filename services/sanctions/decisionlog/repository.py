"""Reading the decision log (appending and verifying the chain are in chain.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.decisionlog.models import DecisionLogEntry


class DecisionLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_listings(self, ids: list[uuid.UUID]) -> list[DecisionLogEntry]:
        """The entries of these listings, in chain order."""
        rows = await self.session.execute(
            select(DecisionLogEntry).where(DecisionLogEntry.listing_id.in_(ids))
            .order_by(DecisionLogEntry.id))
        return list(rows.scalars())
