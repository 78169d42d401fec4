"""GraphQL types and resolvers for roles."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from libs.common.auth import AccessRole
from libs.common.schema_types import Role, shown_code
from libs.common.timeutil import as_utc
from services.identity.roles import models, service
from services.identity.roles.repository import RoleRepository
from services.identity.subjects import models as subject_models


@strawberry.type(description="A person holding a role in an organisation during [since, until).")
class RoleAssignment:
    _model: strawberry.Private[models.RoleAssignment]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._model.id))

    @strawberry.field
    def organization_code(self) -> strawberry.ID:
        return strawberry.ID(self._model.organization_code)

    @strawberry.field(description="Masked unless the caller is an analyst or admin.")
    def person_code(self, info: Info) -> strawberry.ID:
        return strawberry.ID(shown_code(info, self._model.person_code, True))

    @strawberry.field
    def role(self) -> Role:
        return Role(self._model.role)

    @strawberry.field
    def since(self) -> datetime:
        return self._model.valid_from

    @strawberry.field(description="Exclusive end; null while open-ended.")
    def until(self) -> datetime | None:
        return self._model.valid_until


def _loader(info: Info, at: datetime | None) -> DataLoader:
    ctx = info.context

    async def load(keys: list[tuple[str, bool]]) -> list[list[models.RoleAssignment]]:
        orgs = [code for code, is_person in keys if not is_person]
        persons = [code for code, is_person in keys if is_person]
        by_key: dict[tuple[str, bool], list] = defaultdict(list)
        async with ctx.transaction() as session:
            repo = RoleRepository(session)
            if orgs:
                for r in await repo.of_organizations(orgs, at):
                    by_key[(r.organization_code, False)].append(r)
            if persons:
                for r in await repo.of_persons(persons, at):
                    by_key[(r.person_code, True)].append(r)
        return [by_key.get(k, []) for k in keys]

    return ctx.loader(f"roles@{at.isoformat() if at else ''}", lambda: DataLoader(load_fn=load))


async def roles_of(info: Info, subject: subject_models.Subject,
                   at: datetime | None) -> list[RoleAssignment]:
    """Roles of a person, or in an organisation, in force at `at` (all when `at` is null)."""
    is_person = subject.kind == subject_models.SubjectKind.NATURAL_PERSON.value
    # A time without an offset is Asia/Shanghai, as for since/until; asyncpg would read it as
    # the server process's local time.
    at = as_utc(at) if at is not None else None
    rows = await _loader(info, at).load((subject.code, is_person))
    return [RoleAssignment(_model=r) for r in rows]


@strawberry.input
class AssignRoleInput:
    organization_code: strawberry.ID
    person_code: strawberry.ID
    role: Role
    since: datetime
    until: datetime | None = None


@strawberry.type
class RoleMutation:
    @strawberry.mutation(description="Record that a person holds a role in an organisation.")
    async def assign_role(self, info: Info, input: AssignRoleInput) -> RoleAssignment:
        info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        async with info.context.transaction() as session:
            model = await service.assign_role(
                session, organization_code=str(input.organization_code),
                person_code=str(input.person_code), role=input.role.value,
                since=input.since, until=input.until)
        return RoleAssignment(_model=model)
