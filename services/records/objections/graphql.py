"""GraphQL for record objections (named Record* so they never clash with sanctions' objections)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from libs.common.errors import InvalidInput
from libs.common.ids import decimal_id
from services.records.objections import models, service
from services.records.objections.repository import ObjectionRepository
from services.records.records.graphql import (
    CreditRecord,
    Disclosure,
    LegalDocumentInput,
    RecordCategory,
    record_loader,
)
from services.records.records.service import visibility_for


@strawberry.enum
class RecordObjectionStatus(enum.Enum):
    OPEN = "OPEN"
    CORRECTED = "CORRECTED"
    UPHELD = "UPHELD"
    WITHDRAWN = "WITHDRAWN"


@strawberry.enum
class RecordObjectionOutcome(enum.Enum):
    CORRECTED = "CORRECTED"
    UPHELD = "UPHELD"


@strawberry.federation.type(keys=["id"], description="A dispute of a credit record; the source "
                            "verifies it within `verificationDays` (20) calendar days. Its "
                            "`dueAt` and `overdue` come from sanctions, which keeps the working "
                            "calendar.")
class RecordObjection:
    _model: strawberry.Private[models.Objection]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._model.id))

    @strawberry.field
    def status(self) -> RecordObjectionStatus:
        return RecordObjectionStatus(self._model.status)

    @strawberry.field
    def grounds(self) -> str:
        return self._model.grounds

    @strawberry.field(description="The version that was disputed.")
    def version(self) -> int:
        return self._model.version

    @strawberry.field
    def filed_at(self) -> datetime:
        return self._model.filed_at

    @strawberry.field(description="Filing time plus `verificationDays` days, without the "
                                  "working calendar.",
                      deprecation_reason="Use dueAt: the deadline on the working calendar.")
    def deadline(self) -> datetime:
        return self._model.deadline

    @strawberry.field(description="Calendar days the source has to verify the record, from the "
                                  "day after filing (the deadline, `dueAt`, moves a last day "
                                  "off to the next working day).")
    def verification_days(self) -> int:
        return service.VERIFICATION_DAYS

    @strawberry.field(description="The source agency of the disputed record.")
    def agency(self) -> strawberry.ID:
        return strawberry.ID(self._model.agency)

    @strawberry.field
    def resolved_at(self) -> datetime | None:
        return self._model.resolved_at

    @strawberry.field
    def resolution(self) -> str | None:
        return self._model.resolution

    @strawberry.field(description="The record's current version.")
    async def record(self, info: Info) -> CreditRecord | None:
        model = await record_loader(info).load(self._model.record_id)
        return CreditRecord(_model=model) if model else None

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> "RecordObjection | None":
        """An objection to a record the caller may see (a subject token: its own), else null."""
        principal = info.context.authenticated()
        try:
            objection_id = _id(id, "id")
        except InvalidInput:
            return None
        objection = await objection_loader(info).load(objection_id)
        if objection is None:
            return None
        if principal.subject_only:
            principal.require_self(objection.subject_code)
        record = await record_loader(info).load(objection.record_id)
        if record is None or not visibility_for(principal, record.subject_code).allows(record):
            return None
        return cls(_model=objection)


def objection_loader(info: Info) -> DataLoader[int, models.Objection | None]:
    return info.context.batch_loader(
        "record_objections", lambda session, ids: ObjectionRepository(session).many(ids))


@strawberry.type(description="A page of record objections, earliest dueAt first.")
class RecordObjectionPage:
    nodes: list[RecordObjection]
    total_count: int
    end_cursor: str | None
    has_more: bool


@strawberry.input
class FileRecordObjectionInput:
    record_id: strawberry.ID
    grounds: str


@strawberry.input(description="Fields to change; unset fields keep their value.")
class RecordCorrectionInput:
    category: RecordCategory | None = None
    summary: str | None = None
    legal_basis: LegalDocumentInput | None = None
    occurred_on: date | None = None
    conduct_ended_on: date | None = None
    amount: Decimal | None = None
    disclosure: Disclosure | None = None

    def as_dict(self) -> dict:
        out: dict = {}
        if self.category:
            out["category"] = self.category.value
        if self.summary is not None:
            out["summary"] = self.summary
        if self.legal_basis:
            b = self.legal_basis
            out["legalBasis"] = {"number": b.number, "kind": b.kind, "issuedOn": b.issued_on,
                                 "authority": b.authority}
        if self.occurred_on is not None:
            out["occurredOn"] = self.occurred_on
        if self.conduct_ended_on is not None:
            out["conductEndedOn"] = self.conduct_ended_on
        if self.amount is not None:
            out["amount"] = self.amount
        if self.disclosure:
            out["disclosure"] = self.disclosure.value
        return out


@strawberry.input
class ResolveRecordObjectionInput:
    objection_id: strawberry.ID
    outcome: RecordObjectionOutcome
    reason: str
    correction: RecordCorrectionInput | None = None


def _id(raw: strawberry.ID, field: str) -> int:
    value = decimal_id(str(raw).strip())
    if value is None:
        raise InvalidInput(f"{field} is a decimal number (ASCII digits)", field=field)
    return value


@strawberry.type
class ObjectionMutation:
    @strawberry.mutation(description="The subject, or an analyst for them, disputes a record.")
    async def file_record_objection(self, info: Info,
                                    input: FileRecordObjectionInput) -> RecordObjection:
        principal = info.context.authenticated()
        async with info.context.transaction() as session:
            objection = await service.file(session, principal, _id(input.record_id, "recordId"),
                                           input.grounds)
        return RecordObjection(_model=objection)

    @strawberry.mutation(description="The source agency (or an analyst) decides: CORRECTED "
                                     "writes a new version, UPHELD keeps the record.")
    async def resolve_record_objection(self, info: Info,
                                       input: ResolveRecordObjectionInput) -> RecordObjection:
        principal = info.context.authenticated()
        correction = input.correction.as_dict() if input.correction else None
        async with info.context.transaction() as session:
            objection = await service.resolve(session, principal,
                                              _id(input.objection_id, "objectionId"),
                                              input.outcome.value, input.reason, correction)
        return RecordObjection(_model=objection)

    @strawberry.mutation(description="Whoever filed an objection withdraws it.")
    async def withdraw_record_objection(self, info: Info,
                                        objection_id: strawberry.ID) -> RecordObjection:
        principal = info.context.authenticated()
        async with info.context.transaction() as session:
            objection = await service.withdraw(session, principal,
                                               _id(objection_id, "objectionId"))
        return RecordObjection(_model=objection)


@strawberry.type
class ObjectionQuery:
    @strawberry.field(description="Record objections, earliest dueAt first. Without `recordId`, "
                                  "the queue: objections to the caller's agency's records "
                                  "(every agency for analysts and admins, its own for a "
                                  "subject), open ones unless `status` says otherwise. With "
                                  "`recordId`, that record's objections (every status unless "
                                  "`status`), if the caller may see the record.")
    async def record_objections(
        self, info: Info, record_id: strawberry.ID | None = None,
        status: list[RecordObjectionStatus] | None = None, first: int = 50,
        after: str | None = None,
    ) -> RecordObjectionPage:
        principal = info.context.authenticated()
        record = _id(record_id, "recordId") if record_id is not None else None
        async with info.context.transaction() as session:
            page = await service.queue(
                session, principal, record_id=record,
                statuses=None if status is None else [s.value for s in status],
                first=first, after=after)
        return RecordObjectionPage(nodes=[RecordObjection(_model=o) for o in page.objections],
                                   total_count=page.total, end_cursor=page.end_cursor,
                                   has_more=page.has_more)
