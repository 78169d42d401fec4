"""GraphQL: `check`, `screen`, and analysts asking who checked a subject."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry.types import Info

from libs.common.identifiers import mask_code
from services.sanctions.catalogue.graphql import Measure
from services.sanctions.checks import service
from services.sanctions.checks.repository import IndexRow
from services.sanctions.enums import MeasureEffect, Purpose, Role
from services.sanctions.listings.graphql import Listing, RoleLink


@strawberry.enum
class CheckStatus(enum.Enum):
    CLEAR = "CLEAR"
    RESTRICTED = "RESTRICTED"


@strawberry.type(description="A measure applied to the subject, the listing behind it, and the "
                             "role through which it reaches the subject, if any.")
class AppliedMeasure:
    measure: Measure
    listing: Listing
    via: RoleLink | None


def _applied(row: IndexRow, at: datetime) -> AppliedMeasure:
    restriction, measure = row.restriction, row.measure
    via = None
    if restriction.via_organization:
        via = RoleLink(organization_code=strawberry.ID(restriction.via_organization),
                       role=Role(restriction.via_role))
    return AppliedMeasure(
        measure=Measure(code=strawberry.ID(measure.code), name=measure.name,
                        purpose=Purpose(restriction.purpose),
                        effect=MeasureEffect(restriction.effect)),
        # Reached for this purpose: a consumer learns the listing's measures for it only.
        listing=Listing.of(row.listing, row.list, at, scope=frozenset({restriction.purpose})),
        via=via)


@strawberry.type(description="The answer to one check; `reference` is its audit entry.")
class Check:
    code: strawberry.ID
    purpose: Purpose
    status: CheckStatus
    restricted: bool
    checked_at: datetime
    at: datetime
    reference: strawberry.ID
    restrictions: list[AppliedMeasure]
    incentives: list[AppliedMeasure]
    input_index: int | None = strawberry.field(
        default=None, description="In a screen: the position of this code in the input list.")

    @classmethod
    def of(cls, info: Info, r: service.CheckResult) -> "Check":
        sees = info.context.principal.sees_personal_data
        return cls(
            code=strawberry.ID(mask_code(r.code) if r.is_person and not sees else r.code),
            purpose=r.purpose,
            status=CheckStatus.RESTRICTED if r.restricted else CheckStatus.CLEAR,
            restricted=r.restricted, checked_at=r.checked_at, at=r.at,
            reference=strawberry.ID(str(r.reference)),
            restrictions=[_applied(row, r.at) for row in r.restrictions],
            incentives=[_applied(row, r.at) for row in r.incentives], input_index=r.index)


@strawberry.type(name="InvalidCode", description="A code that was not checked, and why.")
class InvalidCodeEntry:
    code: str
    reason: str


@strawberry.type(description="Many subjects, one purpose: only restricted and invalid codes.")
class Screening:
    checked: int
    restricted: list[Check]
    invalid: list[InvalidCodeEntry]


@strawberry.type(description="One audited check or screen entry about a subject.")
class CheckAuditRecord:
    reference: strawberry.ID
    consumer: str
    operation: str
    purpose: Purpose
    outcome: str
    checked_at: datetime
    at: datetime | None
    request_id: str | None


@strawberry.type
class CheckAuditPage:
    entries: list[CheckAuditRecord]
    end_cursor: str | None
    has_more: bool


@strawberry.type
class CheckQuery:
    @strawberry.field(description="Is this subject restricted for this purpose at `at` (default: "
                                  "now)? Never null, never a guess.")
    async def check(self, info: Info, code: strawberry.ID, purpose: Purpose,
                    at: datetime | None = None) -> Check:
        ctx = info.context
        principal = ctx.authenticated()
        result = await service.check(ctx.read_engine, ctx.audit, principal, str(code),
                                     purpose, at, ctx.request_id)
        return Check.of(info, result)

    @strawberry.field(description="Many subjects, one purpose: returns only the restricted "
                                  "ones and the codes that were invalid. At most 10,000 "
                                  "codes (LIMIT_EXCEEDED beyond).")
    async def screen(self, info: Info, codes: list[strawberry.ID], purpose: Purpose,
                     at: datetime | None = None) -> Screening:
        ctx = info.context
        principal = ctx.authenticated()
        result = await service.screen(ctx.read_engine, ctx.audit, principal,
                                      [str(c) for c in codes], purpose, at, ctx.request_id,
                                      ctx.settings.max_screen_codes)
        return Screening(checked=result.checked,
                         restricted=[Check.of(info, r) for r in result.restricted],
                         invalid=[InvalidCodeEntry(code=c, reason=reason)
                                  for c, reason in result.invalid])

    @strawberry.field(description="Who checked this subject, newest first (analysts, admins, "
                                  "and a subject token for its own code).")
    async def checks_of_subject(self, info: Info, code: strawberry.ID, first: int = 50,
                                after: str | None = None) -> CheckAuditPage:
        ctx = info.context
        page = await service.checks_of_subject(ctx.transaction, ctx.audit, ctx.authenticated(),
                                               str(code), first, after)
        return CheckAuditPage(
            entries=[CheckAuditRecord(reference=strawberry.ID(str(r.id)), consumer=r.consumer,
                                      operation=r.operation, purpose=Purpose(r.purpose),
                                      outcome=r.outcome, checked_at=r.checked_at, at=r.at,
                                      request_id=r.request_id) for r in page.entries],
            end_cursor=page.end_cursor, has_more=page.has_more)
