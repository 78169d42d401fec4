"""All SQL for the scorecard."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.records.grades.models import GradeBand, ScorecardRule


class ScorecardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rules(self) -> dict[str, ScorecardRule]:
        """The rule for each record category that moves a score."""
        return {r.category: r for r in await self.session.scalars(select(ScorecardRule))}

    async def bands(self) -> list[GradeBand]:
        return list(await self.session.scalars(select(GradeBand)))
