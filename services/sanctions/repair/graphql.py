"""GraphQL: credit repair applications and decisions."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry.types import Info

from libs.common.auth import AccessRole
from services.sanctions.listings.graphql import Listing
from services.sanctions.repair import models, service


@strawberry.enum
class RepairStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@strawberry.type(description="An application to have a listing ended by credit repair.")
class RepairApplication:
    _model: strawberry.Private[models.RepairApplication]
    listing: Listing

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._model.id))

    @strawberry.field
    def status(self) -> RepairStatus:
        return RepairStatus(self._model.status)

    @strawberry.field
    def statement(self) -> str:
        return self._model.statement

    @strawberry.field
    def applied_at(self) -> datetime:
        return self._model.applied_at

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self._model.decided_at

    @strawberry.field
    def reason(self) -> str | None:
        return self._model.reason


@strawberry.input
class ApplyForRepairInput:
    listing_id: strawberry.ID
    statement: str


@strawberry.input
class DecideRepairInput:
    application_id: strawberry.ID
    approve: bool
    reason: str | None = None


@strawberry.type
class RepairMutation:
    @strawberry.mutation(description="Apply for credit repair after the list's minimum period.")
    async def apply_for_repair(self, info: Info, input: ApplyForRepairInput) -> RepairApplication:
        principal = info.context.authenticated()
        async with info.context.transaction() as session:
            application, listing, credit_list = await service.apply(
                session, principal, str(input.listing_id), input.statement)
        return RepairApplication(_model=application, listing=Listing.of(listing, credit_list))

    @strawberry.mutation(description="Approve (listing REPAIRED) or reject a repair application.")
    async def decide_repair(self, info: Info, input: DecideRepairInput) -> RepairApplication:
        principal = info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        async with info.context.transaction() as session:
            application, listing, credit_list = await service.decide(
                session, principal, str(input.application_id), input.approve, input.reason)
        return RepairApplication(_model=application, listing=Listing.of(listing, credit_list))
