"""All SQL for role assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.roles.models import RoleAssignment
from services.identity.subjects.models import Subject


def _in_force(at: datetime | None):
    if at is None:
        return True
    return (RoleAssignment.valid_from <= at) & (
        or_(RoleAssignment.valid_until.is_(None), RoleAssignment.valid_until > at))


class RoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_organization(self, code: str) -> None:
        """Serialise role changes of one organisation (overlap checks need it)."""
        await self.session.execute(select(Subject.code).where(Subject.code == code).with_for_update())

    async def overlapping(self, org: str, person: str, role: str, start: datetime,
                          end: datetime | None) -> list[RoleAssignment]:
        stmt = select(RoleAssignment).where(
            RoleAssignment.organization_code == org, RoleAssignment.person_code == person,
            RoleAssignment.role == role,
            or_(RoleAssignment.valid_until.is_(None), RoleAssignment.valid_until > start))
        if end is not None:
            stmt = stmt.where(RoleAssignment.valid_from < end)
        return list(await self.session.scalars(stmt))

    async def add(self, assignment: RoleAssignment) -> RoleAssignment:
        self.session.add(assignment)
        await self.session.flush()
        return assignment

    async def of_organizations(self, codes: list[str], at: datetime | None) -> list[RoleAssignment]:
        stmt = (select(RoleAssignment)
                .where(RoleAssignment.organization_code.in_(codes), _in_force(at))
                .order_by(RoleAssignment.valid_from, RoleAssignment.id))
        return list(await self.session.scalars(stmt))

    async def of_persons(self, codes: list[str], at: datetime | None) -> list[RoleAssignment]:
        stmt = (select(RoleAssignment)
                .where(RoleAssignment.person_code.in_(codes), _in_force(at))
                .order_by(RoleAssignment.valid_from, RoleAssignment.id))
        return list(await self.session.scalars(stmt))
