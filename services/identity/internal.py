"""Internal REST for other services: subject lookup and roles at a time (libs/contracts/identity)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request

from libs.common.db import transaction
from libs.common.errors import InvalidInput
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.timeutil import as_utc
from libs.contracts.identity import (
    InvalidCodeReason,
    OrganizationRoles,
    RoleHeld,
    RolesDirectory,
    RolesLookup,
    SubjectDirectory,
    SubjectLookup,
    SubjectSummary,
)
from services.identity.roles.repository import RoleRepository
from services.identity.subjects.repository import SubjectRepository
from services.identity.subjects.service import require_subject

router = APIRouter(prefix="/internal", include_in_schema=False)


@router.post("/subjects/lookup")
async def lookup(body: SubjectLookup, request: Request) -> SubjectDirectory:
    """Known subjects by normalised code; invalid codes with the rule that failed."""
    invalid: dict[str, InvalidCodeReason] = {}
    codes: list[str] = []
    for raw in body.codes:
        try:
            codes.append(parse_code(raw).code)
        except InvalidCode as exc:
            invalid[raw] = InvalidCodeReason(rule=exc.rule, reason=exc.message)
    async with transaction(request.app.state.sessionmaker) as session:
        found = await SubjectRepository(session).get_many(sorted(set(codes)))
    return SubjectDirectory(
        subjects={c: SubjectSummary(kind=s.kind, name=s.name, region_code=s.region_code)
                  for c, s in found.items()},
        invalid=invalid)


@router.get("/organizations/{code}/roles")
async def organization_roles(code: str, at: datetime, request: Request) -> OrganizationRoles:
    """Roles held in the organisation at `at` (naive times are Asia/Shanghai)."""
    async with transaction(request.app.state.sessionmaker) as session:
        subject = await require_subject(session, code)
        if subject.kind == "NATURAL_PERSON":
            raise InvalidInput("that code belongs to a natural person, not an organisation")
        rows = await RoleRepository(session).of_organizations([subject.code], as_utc(at))
    return OrganizationRoles(roles=[RoleHeld(person_code=r.person_code, role=r.role,
                                             since=r.valid_from, until=r.valid_until)
                                    for r in rows])


@router.post("/organizations/roles")
async def roles_of_organizations(body: RolesLookup, request: Request) -> RolesDirectory:
    """Every role assignment of each organisation among the codes (past ones too), by code."""
    codes = sorted({c.strip().upper() for c in body.codes if c and c.strip()})
    async with transaction(request.app.state.sessionmaker) as session:
        rows = await RoleRepository(session).of_organizations(codes, None)
    out: dict[str, list[RoleHeld]] = {}
    for r in rows:
        out.setdefault(r.organization_code, []).append(RoleHeld(
            person_code=r.person_code, role=r.role, since=r.valid_from, until=r.valid_until))
    return RolesDirectory(roles=out)
