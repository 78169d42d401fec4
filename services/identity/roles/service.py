"""Rules for roles linking persons to organisations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.timeutil import as_utc
from services.identity.errors import InvalidInput, RoleConflict, UnknownSubject
from services.identity.roles.models import Role, RoleAssignment
from services.identity.roles.repository import RoleRepository
from services.identity.subjects.models import SubjectKind
from services.identity.subjects.repository import SubjectRepository
from services.identity.subjects.service import parse


async def assign_role(session: AsyncSession, *, organization_code: str, person_code: str,
                      role: Role | str, since: datetime, until: datetime | None) -> RoleAssignment:
    """Record that a person holds a role in an organisation during [since, until)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}", field="role") from None
    org_code = parse(organization_code).code
    person = parse(person_code).code
    since, until = as_utc(since), as_utc(until) if until else None
    if until is not None and until <= since:
        raise InvalidInput("a role's window must end after it starts (until > since)",
                           field="until")
    subjects = await SubjectRepository(session).get_many([org_code, person])
    org, who = subjects.get(org_code), subjects.get(person)
    if org is None:
        raise UnknownSubject("no organisation is registered with that code",
                             field="organizationCode")
    if who is None:
        raise UnknownSubject("no person is registered with that code", field="personCode")
    if org.kind == SubjectKind.NATURAL_PERSON.value:
        raise InvalidInput("the organisation code belongs to a natural person",
                           field="organizationCode")
    if who.kind != SubjectKind.NATURAL_PERSON.value:
        raise InvalidInput("roles are held by natural persons", field="personCode")
    repo = RoleRepository(session)
    await repo.lock_organization(org_code)
    clash = await repo.overlapping(org_code, person, role.value, since, until)
    if clash:
        raise RoleConflict("the person already holds this role in an overlapping window",
                           existing=str(clash[0].id))
    return await repo.add(RoleAssignment(organization_code=org_code, person_code=person,
                                         role=role.value, valid_from=since, valid_until=until))
