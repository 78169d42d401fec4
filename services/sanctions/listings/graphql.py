"""GraphQL: the Listing type, `Subject.listings`, and the authorities' listing mutations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from libs.common.auth import AccessRole
from libs.common.errors import Forbidden, NotFound
from libs.common.ids import uuid_id
from libs.common.schema_types import (
    LegalDocument,
    LegalDocumentInput,
    Role,
    shown_code,
    subject_reference,
)
from libs.common.timeutil import as_utc, now
from services.sanctions import loaders
from services.sanctions.catalogue import models as catalogue_models
from services.sanctions.catalogue.graphql import CreditList, Measure
from services.sanctions.enums import ListingStatus, MeasureEffect, Purpose
from services.sanctions.listings import disclosure, models, service
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.status import status_at

if TYPE_CHECKING:
    from services.sanctions.objections.graphql import Objection
    from services.sanctions.repair.graphql import RepairApplication


def legal_document(doc: LegalDocumentInput) -> service.LegalDocument:
    return service.LegalDocument(number=doc.number, kind=doc.kind, issued_on=doc.issued_on,
                                 authority=doc.authority)


@strawberry.type(description="How a measure reaches a person: a role in a listed organisation.")
class RoleLink:
    organization_code: strawberry.ID
    role: Role


@strawberry.type(description="A person an organisation's listing reaches through a role.")
class DerivedRestriction:
    code: strawberry.ID
    via: RoleLink


@strawberry.type(description="One entry of the hash-chained decision log.")
class ListingEvent:
    event: str
    actor: str
    occurred_at: datetime
    hash: str


@strawberry.type(description="A decision putting a subject on a list; status is derived from "
                             "its events and the time asked about.")
class Listing:
    _model: strawberry.Private[models.Listing]
    _list: strawberry.Private[catalogue_models.CreditList]
    _at: strawberry.Private[datetime]
    # The file it is shown in (Subject.listings: that subject; else the listed subject), and the
    # purposes it was reached for (a check's purpose): what a consumer may learn of it.
    _file: strawberry.Private[str | None] = None
    _scope: strawberry.Private[frozenset[str] | None] = None

    @classmethod
    def of(cls, model: models.Listing, credit_list: catalogue_models.CreditList,
           at: datetime | None = None, *, file: str | None = None,
           scope: frozenset[str] | None = None) -> "Listing":
        return cls(_model=model, _list=credit_list, _at=at or now(), _file=file, _scope=scope)

    def shown_purposes(self, info: Info) -> frozenset[str] | None:
        """None when the caller sees all of this listing; else the purposes it may learn of."""
        shown = disclosure.shown_purposes(info.context.principal,
                                          self._file or self._model.subject_code)
        if shown is not None and self._scope is not None:
            shown = shown & self._scope
        return shown

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._model.id))

    @strawberry.field(name="list")
    def list_(self) -> CreditList:
        return CreditList.from_model(self._list)

    @strawberry.field(description="Status at the time of the question (the check's `at`, or now).")
    def status(self) -> ListingStatus:
        return status_at(self._model, self._at)

    @strawberry.field
    def effective_from(self) -> datetime:
        return self._model.effective_from

    @strawberry.field(description="Exclusive; null only where the list allows open-ended listings.")
    def effective_until(self) -> datetime | None:
        return self._model.effective_until

    @strawberry.field(description="Measures apply from here: the end of the publicity window.")
    def publicity_until(self) -> datetime:
        return self._model.publicity_until

    @strawberry.field(description="The agency that decided.")
    def authority(self) -> str:
        return self._model.authority

    @strawberry.field
    def decided_at(self) -> datetime:
        return self._model.decided_at

    @strawberry.field
    def legal_basis(self) -> LegalDocument:
        m = self._model
        return LegalDocument(number=m.doc_number, kind=m.doc_kind, issued_on=m.doc_issued_on,
                             authority=m.doc_authority)

    @strawberry.field(description="Where and until when the subject can object.")
    def how_to_object(self) -> str:
        m = self._model
        until = m.effective_until.isoformat() if m.effective_until else "the listing ends"
        text = (f"Object in writing to {m.authority}: {m.objection_channel}. Objections are "
                f"accepted while the listing is in force, until {until}.")
        if m.publicity_until > m.effective_from:
            text += (f" An objection filed before {m.publicity_until.isoformat()} (end of the "
                     "publicity window) holds the listing until it is resolved.")
        elif m.objection_suspends:
            text += " An objection suspends the listing until it is resolved."
        return text

    @strawberry.field(description="The listed subject; a person's code is masked unless the "
                                  "caller is an analyst or admin.")
    def subject_code(self, info: Info) -> strawberry.ID:
        m = self._model
        return strawberry.ID(shown_code(info, m.subject_code, m.subject_kind == "NATURAL_PERSON"))

    @strawberry.field
    def basis_record_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self._model.basis_record_ids]

    @strawberry.field(description="True when the listing rests on no basis record: only a "
                                  "listing migrated from another system can (its basis records "
                                  "are missing here).")
    def basis_missing(self) -> bool:
        return not self._model.basis_record_ids

    @strawberry.field(description="For a listing migrated with POST /listings/bulk: the agency "
                                  "whose system it came from (its decidedAt is the original "
                                  "decision's); null for listings decided here.")
    def imported_from(self) -> str | None:
        return self._model.imported_from

    @strawberry.field(description="The agency's own id of a migrated listing (its "
                                  "sourceListingId); null for listings decided here.")
    def source_listing_id(self) -> str | None:
        return self._model.source_listing_id

    @strawberry.field(description="Why the listing ended, when a decision ended it.")
    def end_reason(self) -> str | None:
        return self._model.terminal_reason

    @strawberry.field(description="Basis records withdrawn or corrected since the decision.")
    def withdrawn_record_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self._model.withdrawn_record_ids or []]

    @strawberry.field(description="The measures it triggers; a consumer sees those of its own "
                                  "purposes only.")
    async def measures(self, info: Info) -> list[Measure]:
        rows = await loaders.measures_of_listings(info).load(self._model.id)
        shown = self.shown_purposes(info)
        return [Measure(code=strawberry.ID(m.code), name=m.name, purpose=Purpose(lm.purpose),
                        effect=MeasureEffect(lm.effect)) for lm, m in rows
                if shown is None or lm.purpose in shown]

    @strawberry.field(description="Persons the listing reaches through roles held on the "
                                  "decision date.")
    async def derived_restrictions(self, info: Info) -> list[DerivedRestriction]:
        rows = await loaders.derivations_of_listings(info).load(self._model.id)
        return [DerivedRestriction(
            code=strawberry.ID(shown_code(info, d.person_code, True)),
            via=RoleLink(organization_code=strawberry.ID(d.organization_code), role=Role(d.role)))
            for d in rows]

    @strawberry.field(description="Its decision-log entries, oldest first (authorities, analysts, "
                                  "admins).")
    async def history(self, info: Info) -> list[ListingEvent]:
        info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ANALYST, AccessRole.ADMIN)
        rows = await loaders.history_of_listings(info).load(self._model.id)
        m = self._model
        # The listed subject acting on its own listing (objection, repair) is logged by its code:
        # a person's is masked here as everywhere.
        return [ListingEvent(event=r.event, occurred_at=r.occurred_at, hash=r.hash,
                             actor=shown_code(info, r.actor, m.subject_kind == "NATURAL_PERSON")
                             if r.actor == m.subject_code else r.actor)
                for r in rows]

    @strawberry.field
    async def objections(self, info: Info) -> list[
            Annotated["Objection", strawberry.lazy("services.sanctions.objections.graphql")]]:
        from services.sanctions.objections.graphql import Objection

        rows = await loaders.objections_of_listings(info).load(self._model.id)
        return [Objection.of(o, self) for o in rows]

    @strawberry.field(description="Credit repair applications on it, oldest first (authorities, "
                                  "analysts, admins, and the subject in its own file).")
    async def repair_applications(self, info: Info) -> list[
            Annotated["RepairApplication", strawberry.lazy("services.sanctions.repair.graphql")]]:
        from services.sanctions.repair.graphql import RepairApplication

        principal = info.context.authenticated()
        # A subject-only token reaches no listing outside its own file (SubjectScope and the
        # self checks), so the role is enough here.
        if not principal.subject_only:
            principal.require(AccessRole.AUTHORITY, AccessRole.ANALYST, AccessRole.ADMIN)
        rows = await loaders.repairs_of_listings(info).load(self._model.id)
        return [RepairApplication(_model=r, listing=self) for r in rows]


@strawberry.federation.type(keys=["code"], description="A person or organisation with a code.")
class Subject:
    code: strawberry.ID

    @strawberry.field(description="Listings of this subject (with `includeDerived`, also those of "
                                  "organisations reaching it through a role); status at `at`. A "
                                  "consumer sees only listings with a measure for one of its "
                                  "purposes, and each such read is audited.")
    async def listings(self, info: Info, at: datetime | None = None,
                       include_derived: bool = False) -> list[Listing]:
        ctx = info.context
        principal = ctx.authenticated()
        when = as_utc(at) if at else now()
        code = str(self.code)
        rows = await loaders.listings_of_subjects(info).load((code, include_derived))
        listings = [Listing.of(listing, credit_list, when, file=code)
                    for listing, credit_list, _ in rows]
        shown = disclosure.shown_purposes(principal, code)
        if shown is None:
            return listings
        measures = await loaders.measures_of_listings(info).load_many(
            [listing._model.id for listing in listings])
        purposes = {str(listing._model.id): {lm.purpose for lm, _ in ms} & shown
                    for listing, ms in zip(listings, measures, strict=True)}
        disclosure.audit_read(ctx.audit, principal, disclosure.SUBJECT_LISTINGS, code, shown,
                              purposes, when, ctx.request_id)
        return [listing for listing in listings if purposes[str(listing._model.id)]]

    @classmethod
    async def resolve_reference(cls, info: Info, code: strawberry.ID) -> "Subject":
        return cls(code=strawberry.ID(subject_reference(info, str(code))))


@strawberry.input
class DecideListingInput:
    list_code: strawberry.ID
    subject_code: strawberry.ID
    basis_record_ids: list[strawberry.ID]
    legal_basis: LegalDocumentInput
    effective_from: datetime | None = None
    effective_until: datetime | None = None


@strawberry.enum(description="Why a listing is lifted.")
class LiftReason(enum.Enum):
    FULFILLED = "FULFILLED"
    REPAIRED = "REPAIRED"
    ERROR = "ERROR"
    COURT_ORDER = "COURT_ORDER"
    SUBJECT_DISSOLVED = "SUBJECT_DISSOLVED"
    SUBJECT_DECEASED = "SUBJECT_DECEASED"
    OTHER = "OTHER"


@strawberry.input
class LiftListingInput:
    listing_id: strawberry.ID
    reason: LiftReason
    note: str | None = None


@strawberry.input
class ExtendListingInput:
    listing_id: strawberry.ID
    effective_until: datetime
    legal_basis: LegalDocumentInput | None = None


@strawberry.input
class ReinstateListingInput:
    listing_id: strawberry.ID
    reason: str


@strawberry.type
class ListingQuery:
    @strawberry.field(description="One listing by id; status at `at` (default: now).")
    async def listing(self, info: Info, id: strawberry.ID,
                      at: datetime | None = None) -> Listing | None:
        ctx = info.context
        principal = ctx.authenticated()
        key = uuid_id(str(id))
        if key is None:
            return None
        async with info.context.transaction() as session:
            found = await ListingRepository(session).get(key)
        if found is None:
            return None
        file = found[0].subject_code
        if principal.subject_only and not principal.is_self(file):
            # A subject token: its own listings and those reaching it through a role (its file).
            reached = await loaders.derivations_of_listings(info).load(found[0].id)
            if not any(principal.is_self(d.person_code) for d in reached):
                raise Forbidden("a subject token reaches only its own file")
            file = principal.own_code
        listing = Listing.of(found[0], found[1], as_utc(at) if at else None, file=file)
        shown = disclosure.shown_purposes(principal, file)
        if shown is not None:
            # A consumer: only a listing with a measure for its purposes, as if absent otherwise.
            rows = await loaders.measures_of_listings(info).load(found[0].id)
            visible = {lm.purpose for lm, _ in rows} & shown
            if not visible:
                return None
            disclosure.audit_read(ctx.audit, principal, disclosure.LISTING,
                                  found[0].subject_code, visible, {str(found[0].id): visible},
                                  listing._at, ctx.request_id)
        return listing


@strawberry.type
class ListingMutation:
    @strawberry.mutation(description="Put a subject on a list (officials of the list's authority).")
    async def decide_listing(self, info: Info, input: DecideListingInput) -> Listing:
        principal = info.context.authenticated(AccessRole.AUTHORITY)
        req = service.DecisionRequest(
            list_code=str(input.list_code), subject_code=str(input.subject_code),
            basis_record_ids=[str(i) for i in input.basis_record_ids],
            legal_basis=legal_document(input.legal_basis), effective_from=input.effective_from,
            effective_until=input.effective_until)
        # Identity and records are asked first, outside the transaction that writes.
        facts = await service.gather_facts(info.context.deps, info.context.sessionmaker,
                                           principal, req)
        async with info.context.transaction() as session:
            listing, credit_list = await service.decide(session, principal, facts)
        return Listing.of(listing, credit_list)

    @strawberry.mutation(description="End a listing now (e.g. FULFILLED); checks clear at once.")
    async def lift_listing(self, info: Info, input: LiftListingInput) -> Listing:
        principal = info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        async with info.context.transaction() as session:
            listing, credit_list = await service.lift(session, principal, str(input.listing_id),
                                                      input.reason.value, input.note)
        return Listing.of(listing, credit_list)

    @strawberry.mutation(description="Extend a listing in force, where its list allows.")
    async def extend_listing(self, info: Info, input: ExtendListingInput) -> Listing:
        principal = info.context.authenticated(AccessRole.AUTHORITY)
        doc = legal_document(input.legal_basis) if input.legal_basis else None
        async with info.context.transaction() as session:
            listing, credit_list = await service.extend(session, principal, str(input.listing_id),
                                                        input.effective_until, doc)
        return Listing.of(listing, credit_list)

    @strawberry.mutation(description="Put a listing suspended for review (basis record withdrawn "
                                     "or corrected) back in force.")
    async def reinstate_listing(self, info: Info, input: ReinstateListingInput) -> Listing:
        principal = info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        async with info.context.transaction() as session:
            listing, credit_list = await service.reinstate(session, principal,
                                                           str(input.listing_id), input.reason)
        return Listing.of(listing, credit_list)


__all__ = ["DecideListingInput", "LegalDocument", "LegalDocumentInput", "Listing",
           "ListingMutation", "ListingQuery", "NotFound", "RoleLink", "Subject"]
