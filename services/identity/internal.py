"""Internal REST for other services: subject lookup and roles at a time."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.db import transaction
from libs.common.errors import InvalidInput
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.timeutil import as_utc
from services.identity.roles.repository import RoleRepository
from services.identity.subjects.repository import SubjectRepository
from services.identity.subjects.service import require_subject

router = APIRouter(prefix="/internal", include_in_schema=False)

MAX_LOOKUP = 10_000


class LookupRequest(BaseModel):
    codes: list[str] = Field(max_length=MAX_LOOKUP)


@router.post("/subjects/lookup")
async def lookup(body: LookupRequest, request: Request) -> dict:
    """Known subjects by normalised code; invalid codes with the rule that failed."""
    invalid: dict[str, dict] = {}
    codes: list[str] = []
    for raw in body.codes:
        try:
            codes.append(parse_code(raw).code)
        except InvalidCode as exc:
            invalid[raw] = {"rule": exc.rule, "reason": exc.message}
    async with transaction(request.app.state.sessionmaker) as session:
        found = await SubjectRepository(session).get_many(sorted(set(codes)))
    return {
        "subjects": {c: {"kind": s.kind, "name": s.name, "regionCode": s.region_code}
                     for c, s in found.items()},
        "invalid": invalid,
    }


@router.get("/organizations/{code}/roles")
async def organization_roles(code: str, at: datetime, request: Request) -> dict:
    """Roles held in the organisation at `at` (naive times are Asia/Shanghai)."""
    async with transaction(request.app.state.sessionmaker) as session:
        subject = await require_subject(session, code)
        if subject.kind == "NATURAL_PERSON":
            raise InvalidInput("that code belongs to a natural person, not an organisation")
        rows = await RoleRepository(session).of_organizations([subject.code], as_utc(at))
    return {"roles": [{"personCode": r.person_code, "role": r.role,
                       "since": r.valid_from.isoformat(),
                       "until": r.valid_until.isoformat() if r.valid_until else None}
                      for r in rows]}
