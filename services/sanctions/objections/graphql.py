"""GraphQL: objections against listings."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry.types import Info

from libs.common.auth import AccessRole
from libs.common.errors import Forbidden
from libs.common.timeutil import SHANGHAI
from libs.common.timeutil import now as clock
from services.sanctions.dashboard import deadlines
from services.sanctions.dashboard.loaders import calendar_from
from services.sanctions.listings.graphql import Listing
from services.sanctions.objections import models, service


@strawberry.enum
class ObjectionStatus(enum.Enum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"


@strawberry.enum
class ObjectionOutcome(enum.Enum):
    UPHELD = "UPHELD"
    DISMISSED = "DISMISSED"


@strawberry.type(description="An objection against a listing.")
class Objection:
    _model: strawberry.Private[models.Objection]
    listing: Listing

    @classmethod
    def of(cls, model: models.Objection, listing: Listing) -> "Objection":
        return cls(_model=model, listing=listing)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._model.id))

    @strawberry.field
    def status(self) -> ObjectionStatus:
        return ObjectionStatus(self._model.status)

    def _due_process_only(self, info: Info, what: str) -> None:
        """Grounds and resolutions are between the subject and the authorities: FORBIDDEN to a
        caller who sees the listing purpose-limited (a consumer)."""
        if self.listing.shown_purposes(info) is not None:
            raise Forbidden(f"an objection's {what} is for the subject, authorities, analysts and "
                            "admins")

    @strawberry.field(description="Why the subject objects (not for consumers: FORBIDDEN).")
    def grounds(self, info: Info) -> str:
        self._due_process_only(info, "grounds")
        return self._model.grounds

    @strawberry.field
    def filed_at(self) -> datetime:
        return self._model.filed_at

    @strawberry.field(description="Whether the listing is held while the objection is open.")
    def suspends(self) -> bool:
        return self._model.suspends

    @strawberry.field
    def resolved_at(self) -> datetime | None:
        return self._model.resolved_at

    @strawberry.field(description="Why it was resolved so (not for consumers: FORBIDDEN).")
    def reason(self, info: Info) -> str | None:
        self._due_process_only(info, "resolution")
        return self._model.reason

    async def _due(self, info: Info) -> datetime:
        filed = self._model.filed_at.astimezone(SHANGHAI).date()
        calendar = await calendar_from(info, filed, filed + deadlines.CALENDAR_SPAN)
        return deadlines.objection_due(self._model.filed_at, calendar)

    @strawberry.field(description="The review deadline: 15 days from the day after filing, a "
                                  "last day off moved to the next working day.")
    async def due_at(self, info: Info) -> datetime:
        return await self._due(info)

    @strawberry.field(description="Open past its deadline, or resolved after it.")
    async def overdue(self, info: Info) -> bool:
        return deadlines.overdue(await self._due(info), self._model.resolved_at, clock())


@strawberry.input
class FileObjectionInput:
    listing_id: strawberry.ID
    grounds: str


@strawberry.input
class ResolveObjectionInput:
    objection_id: strawberry.ID
    outcome: ObjectionOutcome
    reason: str | None = None


@strawberry.type
class ObjectionMutation:
    @strawberry.mutation(description="Object to a listing (the subject, an authority or an admin).")
    async def file_objection(self, info: Info, input: FileObjectionInput) -> Objection:
        principal = info.context.authenticated()
        async with info.context.transaction() as session:
            objection, listing, credit_list = await service.file(
                session, principal, str(input.listing_id), input.grounds)
        return Objection.of(objection, Listing.of(listing, credit_list))

    @strawberry.mutation(description="Resolve an objection (the list's authority or an admin).")
    async def resolve_objection(self, info: Info, input: ResolveObjectionInput) -> Objection:
        principal = info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        async with info.context.transaction() as session:
            objection, listing, credit_list = await service.resolve(
                session, principal, str(input.objection_id), input.outcome.value, input.reason)
        return Objection.of(objection, Listing.of(listing, credit_list))
