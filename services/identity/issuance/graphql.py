"""GraphQL mutation for issuing codes."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from libs.common.auth import AccessRole
from services.identity.issuance import service


@strawberry.input
class IssueCodeInput:
    registration_authority: str
    category: str
    region_code: str


@strawberry.type
class IssuedCode:
    code: strawberry.ID


@strawberry.type
class IssuanceMutation:
    @strawberry.mutation(description="Issue the next free, valid USCC for an authority, category "
                                     "and region.")
    async def issue_code(self, info: Info, input: IssueCodeInput) -> IssuedCode:
        principal = info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        async with info.context.transaction() as session:
            code = await service.issue_code(
                session, registration_authority=input.registration_authority,
                category=input.category, region_code=input.region_code,
                issued_by=principal.sub)
        return IssuedCode(code=strawberry.ID(code))
