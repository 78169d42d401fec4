"""All SQL for code issuance."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.issuance.models import IssuanceCounter, IssuedCode
from services.identity.subjects.models import Subject


class IssuanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_value(self, authority: str, category: str, region: str) -> int:
        """Increment the counter; its row stays locked until commit, serialising issuers."""
        stmt = insert(IssuanceCounter).values(
            registration_authority=authority, category=category, region_code=region, last_value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[IssuanceCounter.registration_authority, IssuanceCounter.category,
                            IssuanceCounter.region_code],
            set_={"last_value": IssuanceCounter.last_value + 1},
        ).returning(IssuanceCounter.last_value)
        return (await self.session.execute(stmt)).scalar_one()

    async def claim(self, code: str, issued_by: str) -> bool:
        """Record a code as issued unless it already was or a subject already holds it."""
        if await self.session.scalar(select(Subject.code).where(Subject.code == code)):
            return False
        stmt = (insert(IssuedCode).values(code=code, issued_by=issued_by)
                .on_conflict_do_nothing().returning(IssuedCode.code))
        return (await self.session.scalar(stmt)) is not None
