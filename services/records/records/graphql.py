"""GraphQL types for credit records, `Subject.records` and the submit / withdraw mutations."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Forbidden, InvalidInput, LimitExceeded
from libs.common.ids import decimal_id
from libs.common.scalars import parse_date
from libs.common.schema_types import LegalDocument, LegalDocumentInput, shown_code
from services.records.ingestion.chunks import IngestResult
from services.records.ingestion.parse import LineRejected, Rejection, validate_record
from services.records.ingestion.pipeline import ingest_drafts
from services.records.ingestion.subjects import SubjectDirectory
from services.records.records import models, policy, service
from services.records.records.policy import today_in_china
from services.records.records.repository import RecordRepository

MAX_PAGE = 100

RecordCategory = strawberry.enum(policy.RecordCategory, description="What kind of fact a record states.")
Disclosure = strawberry.enum(policy.Disclosure, description="Who may read a record: PUBLIC (any "
                             "token), SHARED (authorities and up), RESTRICTED (source agency, "
                             "analysts, admins).")
RecordStatus = strawberry.enum(policy.RecordStatus, description="Lifecycle of a record version.")


@strawberry.federation.type(keys=["id"], description="A fact about a subject from a source "
                            "agency, backed by a legally effective document.")
class CreditRecord:
    _model: strawberry.Private[models.CreditRecord]

    @strawberry.field(description="Stable across versions.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self._model.record_id))

    @strawberry.field
    def category(self) -> RecordCategory:
        return policy.RecordCategory(self._model.category)

    @strawberry.field
    def legal_basis(self) -> LegalDocument:
        m = self._model
        return LegalDocument(number=m.doc_number, kind=m.doc_kind, issued_on=m.doc_issued_on,
                             authority=m.doc_authority)

    @strawberry.field(description="When this version was recorded.")
    def recorded_at(self) -> datetime:
        return self._model.recorded_at

    @strawberry.field
    def summary(self) -> str:
        return self._model.summary

    @strawberry.field(description="Masked for persons unless the caller is an analyst or admin.")
    def subject_code(self, info: Info) -> strawberry.ID:
        return strawberry.ID(shown_code(info, self._model.subject_code,
                                         self._model.subject_kind == "NATURAL_PERSON"))

    @strawberry.field(description="Code of the source agency.")
    def agency(self) -> strawberry.ID:
        return strawberry.ID(self._model.agency)

    @strawberry.field
    def source_record_id(self) -> strawberry.ID:
        return strawberry.ID(self._model.source_record_id)

    @strawberry.field(description="1 for the original; each correction adds one.")
    def version(self) -> int:
        return self._model.version

    @strawberry.field
    def occurred_on(self) -> date:
        return self._model.occurred_on

    @strawberry.field
    def conduct_ended_on(self) -> date | None:
        return self._model.conduct_ended_on

    @strawberry.field(description="RMB, where the fact is about money.")
    def amount(self) -> Decimal | None:
        return self._model.amount

    @strawberry.field
    def disclosure(self) -> Disclosure:
        return policy.Disclosure(self._model.disclosure)

    @strawberry.field
    def status(self) -> RecordStatus:
        return policy.RecordStatus(self._model.status)

    @strawberry.field(description="First day this negative record is out of default views.")
    def retention_until(self) -> date | None:
        return self._model.retention_until

    @strawberry.field(description="Past its retention period: shown only when asked for.")
    def archived(self) -> bool:
        m = self._model
        return m.retention_until is not None and m.retention_until <= today_in_china()

    @strawberry.field(description="Earlier versions, oldest first (analysts, admins, source).")
    async def versions(self, info: Info) -> list["CreditRecord"]:
        principal = info.context.authenticated()
        if not (principal.has(AccessRole.ANALYST, AccessRole.ADMIN)
                or principal.agency == self._model.agency):
            raise Forbidden("earlier versions are for analysts, admins and the source agency")
        async with info.context.transaction() as session:
            rows = await RecordRepository(session).versions(self._model.record_id)
        return [CreditRecord(_model=r) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> "CreditRecord | None":
        principal = info.context.authenticated()
        try:
            record_id = service.parse_record_id(str(id))
        except InvalidInput:
            return None
        record = await record_loader(info).load(record_id)
        if record is not None and principal.subject_only:
            principal.require_self(record.subject_code)  # another subject's record: FORBIDDEN
        if record is None or not service.visibility_for(principal, record.subject_code).allows(record):
            return None
        return cls(_model=record)


def record_loader(info: Info) -> DataLoader[int, models.CreditRecord | None]:
    return info.context.batch_loader(
        "records", lambda session, ids: RecordRepository(session).current(ids))


@strawberry.type
class RecordPage:
    nodes: list[CreditRecord]
    end_cursor: str | None
    has_more: bool


def _cursor(record: models.CreditRecord) -> str:
    return base64.urlsafe_b64encode(f"{record.occurred_on}|{record.record_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[date, int]:
    try:
        day, _, rid = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        record_id = decimal_id(rid)
        if record_id is None:
            raise ValueError(rid)
        return parse_date(day), record_id
    except Exception:
        raise InvalidInput("malformed cursor", field="after") from None


@strawberry.input(description="Which records of a subject to show.")
class RecordFilter:
    categories: list[RecordCategory] | None = None
    occurred_from: date | None = None
    occurred_until: date | None = strawberry.field(default=None, description="exclusive")
    include_archived: bool = strawberry.field(
        default=False, description="Also records past retention or withdrawn (analysts, admins).")


async def records_page(info: Info, code: str, filter: RecordFilter | None, first: int,
                        after: str | None) -> RecordPage:
    principal = info.context.authenticated()
    f = filter or RecordFilter()
    if f.include_archived and not principal.has(AccessRole.ANALYST, AccessRole.ADMIN):
        raise Forbidden("archived records are for analysts and admins")
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    async with info.context.transaction() as session:
        rows = await RecordRepository(session).of_subjects(
            [code], today=today_in_china(), visibility=service.visibility_for(principal, code),
            categories=[c.value for c in f.categories or []], include_archived=f.include_archived,
            occurred_from=f.occurred_from, occurred_until=f.occurred_until,
            after=_decode_cursor(after) if after else None, limit=first + 1)
    page = rows[:first]
    return RecordPage(nodes=[CreditRecord(_model=m) for m in page],
                      end_cursor=_cursor(page[-1]) if page else None, has_more=len(rows) > first)


@strawberry.input
class RecordInput:
    source_record_id: strawberry.ID
    subject_code: strawberry.ID
    category: RecordCategory
    summary: str
    legal_basis: LegalDocumentInput
    occurred_on: date
    conduct_ended_on: date | None = None
    amount: Decimal | None = None
    disclosure: Disclosure | None = strawberry.field(
        default=None, description="Default: PUBLIC for organisations, SHARED for persons.")


@strawberry.type
class RejectedRecord:
    index: int
    reason: str
    rule: str


@strawberry.type
class RecordSubmission:
    accepted: list[CreditRecord]
    rejected: list[RejectedRecord]
    created: int
    corrected: int
    unchanged: int


def input_as_submission(r: RecordInput) -> dict:
    return {
        "sourceRecordId": str(r.source_record_id), "subjectCode": str(r.subject_code),
        "category": r.category.value, "summary": r.summary,
        "legalBasis": {"number": r.legal_basis.number, "kind": r.legal_basis.kind,
                       "issuedOn": r.legal_basis.issued_on, "authority": r.legal_basis.authority},
        "occurredOn": r.occurred_on, "conductEndedOn": r.conduct_ended_on,
        "amount": r.amount, "disclosure": r.disclosure.value if r.disclosure else None,
    }


def submitting_agency(info: Info) -> tuple[Principal, str]:
    """Only an authority acting for an agency submits, and only as that agency."""
    principal = info.context.authenticated(AccessRole.AUTHORITY)
    if not principal.agency:
        raise Forbidden("the token names no agency; records are submitted by their source agency")
    return principal, principal.agency


@strawberry.input
class WithdrawRecordInput:
    record_id: strawberry.ID
    reason: str


@strawberry.type
class RecordMutation:
    @strawberry.mutation(description="Submit records as the token's agency; idempotent on "
                                     "(agency, sourceRecordId); changed content is a correction.")
    async def submit_records(self, info: Info, input: list[RecordInput]) -> RecordSubmission:
        principal, agency = submitting_agency(info)
        limit = info.context.settings.max_submission
        if len(input) > limit:
            raise LimitExceeded(f"at most {limit} records per submission; use the bulk NDJSON "
                                f"endpoint for more", limit=limit)
        result = IngestResult(lines=len(input))
        today = today_in_china()
        drafts = []
        for index, r in enumerate(input):
            try:
                drafts.append((index, validate_record(input_as_submission(r), today)))
            except LineRejected as exc:
                result.rejected.append(Rejection(index, exc.reason, exc.rule))
        subjects = SubjectDirectory(info.context.identity, info.context.sessionmaker)
        async with info.context.transaction() as session:
            await ingest_drafts(session, agency, drafts, subjects, result, by=principal.sub)
            found = await RecordRepository(session).current([rid for _, rid in result.accepted])
        return RecordSubmission(
            accepted=[CreditRecord(_model=found[rid]) for _, rid in result.accepted],
            rejected=[RejectedRecord(index=r.index, reason=r.reason, rule=r.rule)
                      for r in sorted(result.rejected, key=lambda r: r.index)],
            created=result.created, corrected=result.corrected, unchanged=result.unchanged)

    @strawberry.mutation(description="The source agency withdraws a record (published to "
                                     "sanctions through the outbox).")
    async def withdraw_record(self, info: Info, input: WithdrawRecordInput) -> CreditRecord:
        principal = info.context.authenticated(AccessRole.AUTHORITY, AccessRole.ADMIN)
        record_id = service.parse_record_id(str(input.record_id), "recordId")
        async with info.context.transaction() as session:
            record = await service.withdraw(session, principal, record_id, input.reason)
        return CreditRecord(_model=record)


@strawberry.type
class RecordQuery:
    @strawberry.field(description="One record (current version) if the caller may see it.")
    async def credit_record(self, info: Info, id: strawberry.ID) -> CreditRecord | None:
        principal = info.context.authenticated()
        record_id = service.parse_record_id(str(id))
        record = await record_loader(info).load(record_id)
        if record is None or not service.visibility_for(principal, record.subject_code).allows(record):
            return None
        return CreditRecord(_model=record)
