"""Deciding listings and the transitions authorities make on them (lift, extend, reinstate).

A decision is the one flow that asks other services before it writes, so it has two phases:
`gather_facts` (the catalogue read in a short transaction of its own, then identity and records
over HTTP with no transaction open) returns `DecisionFacts`; `decide` writes them in the
caller's transaction, re-checking under the chain lock what can have changed in between. Lift,
extend and reinstate take the caller's session like every other transition.

Each transition goes through the kernel in transitions.py (lock, authorisation, holds, end,
apply_change), as objections, repair and the records-event consumer do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.common.auth import AccessRole, Principal
from libs.common.db import transaction
from libs.common.errors import InvalidInput, NotFound, UnknownSubject
from libs.common.identifiers import InvalidCode, normalise, parse_code
from libs.common.ids import decimal_id
from libs.common.timeutil import SHANGHAI, as_utc
from libs.common.timeutil import now as clock
from services.sanctions.catalogue.models import CreditList
from services.sanctions.catalogue.repository import CatalogueRepository
from services.sanctions.clients import Dependencies
from services.sanctions.decisionlog.chain import Journal, take_chain_lock
from services.sanctions.errors import TransitionConflict, invalid_code
from services.sanctions.inbox.repository import InboxRepository
from services.sanctions.listings.models import Listing, ListingStatus
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.status import status_at
from services.sanctions.listings.summary.service import follow
from services.sanctions.listings.transitions import (
    apply_change,
    close_holds,
    end_listing,
    locked,
    may_act_for_list,
    sync_index,
)
from services.sanctions.windows import add_working_days

MAX_BASIS_RECORDS = 100
BACKDATE_TOLERANCE = timedelta(minutes=1)
UNUSABLE_RECORD_STATUSES = frozenset({"WITHDRAWN", "DELETED", "REVOKED", "SUPERSEDED", "REJECTED"})


@dataclass(frozen=True)
class LegalDocument:
    number: str
    kind: str
    issued_on: date
    authority: str


@dataclass(frozen=True)
class DecisionRequest:
    list_code: str
    subject_code: str
    basis_record_ids: list[str]
    legal_basis: LegalDocument
    effective_from: datetime | None = None
    effective_until: datetime | None = None


def validate_document(doc: LegalDocument, today: date) -> None:
    for name in ("number", "kind", "authority"):
        value = getattr(doc, name)
        if not value or not value.strip():
            raise InvalidInput(f"legalBasis.{name} is required", field=f"legalBasis.{name}")
    if doc.issued_on > today:
        raise InvalidInput("the legal document cannot be issued in the future",
                           field="legalBasis.issuedOn")


def _window(credit_list: CreditList, req: DecisionRequest, now: datetime,
            calendar: dict[date, bool]) -> tuple[datetime, datetime | None, datetime]:
    start = as_utc(req.effective_from) if req.effective_from else now
    if start < now - BACKDATE_TOLERANCE:
        raise InvalidInput("a listing cannot take effect before it is decided",
                           field="effectiveFrom")
    return window_of(credit_list, start, req.effective_until, calendar)


def window_of(credit_list: CreditList, start: datetime, effective_until: datetime | None,
              calendar: dict[date, bool]) -> tuple[datetime, datetime | None, datetime]:
    """(effectiveFrom, effectiveUntil, publicityUntil) of a listing starting at `start`, within
    the list's rules (default and maximum duration, open-ended or not, the publicity window);
    raises INVALID_INPUT on `effectiveUntil`. Decisions and migrated listings both use it."""
    if effective_until is not None:
        until = as_utc(effective_until)
    elif credit_list.default_duration_days is not None:
        until = start + timedelta(days=credit_list.default_duration_days)
    else:
        until = None
    if until is None and not credit_list.open_ended:
        raise InvalidInput(f"{credit_list.code} does not allow open-ended listings",
                           field="effectiveUntil")
    if until is not None and until <= start:
        raise InvalidInput("effectiveUntil must be after effectiveFrom", field="effectiveUntil")
    if (until is not None and credit_list.max_duration_days is not None
            and until - start > timedelta(days=credit_list.max_duration_days)):
        raise InvalidInput(f"{credit_list.code} allows at most {credit_list.max_duration_days} "
                           "days", field="effectiveUntil")
    publicity_until = add_working_days(start, credit_list.publicity_working_days, calendar)
    if until is not None and until <= publicity_until:
        raise InvalidInput("the listing would end before its publicity window closes",
                           field="effectiveUntil")
    return start, until, publicity_until


def measures_of(bindings: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    """The measures a listing carries from the memoranda bindings in force at its decision (one
    per measure code)."""
    measures = [{"measure_code": b.measure_code, "purpose": m.purpose, "effect": m.effect,
                 "memorandum_code": b.memorandum_code, "extends_to_roles": list(b.extends_to_roles)}
                for b, m in bindings]
    return list({m["measure_code"]: m for m in measures}.values())


def extended_roles(measures: list[dict[str, Any]]) -> set[str]:
    """The roles through which the measures reach persons of a listed organisation."""
    return {r for m in measures for r in m["extends_to_roles"]}


def derivations_of(code: str, roles: list[Any], measures: list[dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """The persons an organisation's listing reaches: holders (on the decision date) of a role
    the measures extend to, once per (person, role)."""
    extended = extended_roles(measures)
    derivations = [{"person_code": role.person_code, "role": role.role, "organization_code": code}
                   for role in roles if role.role in extended]
    return list({(d["person_code"], d["role"]): d for d in derivations}.values())


def check_basis_record(rid: str, record: Any, code: str) -> None:
    """A basis record must exist, belong to the listed subject and be usable."""
    if record is None:
        raise NotFound(f"basis record {rid} does not exist", field="basisRecordIds",
                       recordId=rid)
    try:
        owner = normalise(record.subject_code)
    except InvalidCode:
        owner = ""
    if owner != code:
        raise InvalidInput(f"basis record {rid} belongs to another subject",
                           field="basisRecordIds", recordId=rid)
    if record.status.upper() in UNUSABLE_RECORD_STATUSES:
        raise InvalidInput(f"basis record {rid} is {record.status}", field="basisRecordIds",
                           recordId=rid)


async def _check_basis(deps: Dependencies, code: str, ids: list[str]) -> list[str]:
    ids = sorted({i.strip() for i in ids if i and i.strip()})
    if not ids:
        raise InvalidInput("a listing needs at least one basis record", field="basisRecordIds")
    if len(ids) > MAX_BASIS_RECORDS:
        raise InvalidInput(f"at most {MAX_BASIS_RECORDS} basis records", field="basisRecordIds")
    for rid in ids:
        if decimal_id(rid) is None:
            raise InvalidInput(f"basis record id {rid[:40]!r} is not a decimal number (ASCII "
                               "digits)", field="basisRecordIds", recordId=rid[:40])
    records = await deps.records.lookup(ids)
    for rid in ids:
        check_basis_record(rid, records.get(rid), code)
    return ids


@dataclass(frozen=True)
class DecisionFacts:
    """Everything a decision rests on, gathered (and validated) before it is written.

    The catalogue's answer (the list, the measures its memoranda bind to it at `decided_at`),
    identity's (the subject's kind, the persons reached through extended roles) and records'
    (the basis records, checked to belong to the subject and to be usable), with the window
    they give. `decide` writes them as they are and re-checks only what can change in between.
    """

    credit_list: CreditList
    subject_code: str
    subject_kind: str
    basis: tuple[str, ...]
    legal_basis: LegalDocument
    effective_from: datetime
    effective_until: datetime | None
    publicity_until: datetime
    measures: tuple[dict[str, Any], ...]
    derivations: tuple[dict[str, Any], ...]
    decided_at: datetime


async def gather_facts(deps: Dependencies, sessionmaker: async_sessionmaker[AsyncSession],
                       principal: Principal, req: DecisionRequest, *,
                       now: datetime | None = None) -> DecisionFacts:
    """Phase 1 of a decision: read and validate everything it rests on; writes nothing.

    Runs outside any transaction of the caller: one short read-only transaction of its own
    (`sessionmaker`) for the catalogue (the list, the measures bound to it now, the working
    calendar of its publicity window), which ends before identity (the subject, its roles) and
    records (the basis records) are asked over HTTP, so no database connection is held while
    other services answer. Raises the caller's and the input's errors before any call is made.
    """
    now = now or clock()
    principal.require(AccessRole.AUTHORITY)
    try:
        parsed = parse_code(req.subject_code)
    except InvalidCode as exc:
        raise invalid_code(exc) from None
    code = parsed.code
    async with transaction(sessionmaker) as session:
        repo = CatalogueRepository(session)
        credit_list = await repo.list_by_code(req.list_code)
        if credit_list is None:
            raise NotFound(f"no list {req.list_code}", field="listCode")
        bindings = await repo.bindings_in_force(credit_list.code, now)
        first_day = (as_utc(req.effective_from) if req.effective_from else now).astimezone(
            SHANGHAI).date()
        calendar = await repo.calendar(
            first_day, first_day + timedelta(days=3 * credit_list.publicity_working_days + 60))
    may_act_for_list(principal, credit_list, admin=False)
    validate_document(req.legal_basis, now.astimezone(SHANGHAI).date())
    start, until, publicity_until = _window(credit_list, req, now, calendar)

    subject = (await deps.identity.lookup([code])).subjects.get(code)
    if subject is None:
        raise UnknownSubject(f"no subject with code {parsed.masked} is registered")
    if subject.kind not in credit_list.admits_kinds:
        raise InvalidInput(f"{credit_list.code} does not admit {subject.kind} subjects",
                           field="subjectCode", kind=subject.kind)
    basis = await _check_basis(deps, code, req.basis_record_ids)

    measures = measures_of(bindings)
    derivations: list[dict] = []
    if extended_roles(measures) and not subject.is_person:
        derivations = derivations_of(code, await deps.identity.organization_roles(code, now),
                                     measures)
    return DecisionFacts(
        credit_list=credit_list, subject_code=code, subject_kind=subject.kind, basis=tuple(basis),
        legal_basis=req.legal_basis, effective_from=start, effective_until=until,
        publicity_until=publicity_until, measures=tuple(measures),
        derivations=tuple(derivations), decided_at=now)


async def decide(session: AsyncSession, principal: Principal,
                 facts: DecisionFacts) -> tuple[Listing, CreditList]:
    """Phase 2 of a decision: put the subject on the list, in the caller's transaction.

    Writes the listing with its measures and derivations, its index rows and its DECIDED entry
    in the one transaction of `session` (it does not commit), making no call to another service.
    Under the chain lock, which the records-event consumer also takes, it re-checks what can
    have changed since `gather_facts`: a basis record withdrawn or corrected meanwhile refuses
    the decision (CONFLICT), as does an open listing of the subject on the same list and basis.
    """
    principal.require(AccessRole.AUTHORITY)
    credit_list = facts.credit_list
    may_act_for_list(principal, credit_list, admin=False)
    now = facts.decided_at
    code, basis, doc = facts.subject_code, list(facts.basis), facts.legal_basis
    start, until, publicity_until = (facts.effective_from, facts.effective_until,
                                     facts.publicity_until)
    measures, derivations = list(facts.measures), list(facts.derivations)
    listing = Listing(
        id=uuid.uuid4(), list_code=credit_list.code, subject_code=code,
        subject_kind=facts.subject_kind, authority=credit_list.authority,
        decided_by=principal.sub, decided_at=now,
        effective_from=start, publicity_until=publicity_until, effective_until=until,
        objection_suspends=credit_list.objection_suspends,
        objection_channel=credit_list.objection_channel, doc_number=doc.number.strip(),
        doc_kind=doc.kind.strip(), doc_issued_on=doc.issued_on, doc_authority=doc.authority.strip(),
        basis_record_ids=basis, basis_key=",".join(basis), withdrawn_record_ids=[], holds=[],
        extensions=0, version=1)
    journal = Journal()
    journal.record(listing.id, "DECIDED", principal.sub, now, list=credit_list.code,
                   subject=code, kind=facts.subject_kind, effectiveFrom=start.isoformat(),
                   publicityUntil=publicity_until.isoformat(),
                   effectiveUntil=until.isoformat() if until else None, basis=basis,
                   document={"number": listing.doc_number, "kind": listing.doc_kind,
                             "issuedOn": doc.issued_on.isoformat(),
                             "authority": listing.doc_authority},
                   measures=sorted(m["measure_code"] for m in measures),
                   derived=sorted(f"{d['role']}:{d['person_code']}" for d in derivations))
    try:
        await ListingRepository(session).add(listing, measures, derivations)
    except IntegrityError as exc:
        if "uq_listings_open_decision" in str(exc.orig):
            raise TransitionConflict("this subject is already listed on this list on the same "
                                     "basis records") from None
        raise
    await sync_index(session, listing, journal, now)
    await follow(session, listing, now)  # the dashboards' summary, in the same transaction
    # Under the chain lock, which the records-event consumer also takes: an event that
    # withdrew a basis record after the lookup in gather_facts is visible here.
    await take_chain_lock(session)
    withdrawn = await InboxRepository(session).withdrawn_among(basis)
    if withdrawn:
        raise TransitionConflict(f"basis record {withdrawn[0]} was withdrawn or corrected "
                                 "meanwhile", recordId=withdrawn[0])
    await journal.write(session)
    return listing, credit_list


LIFT_STATUSES = {"REPAIRED": ListingStatus.REPAIRED}


async def lift(session: AsyncSession, principal: Principal, listing_id: str, reason: str,
               note: str | None, *, now: datetime | None = None) -> tuple[Listing, CreditList]:
    """End a listing now (e.g. FULFILLED when the debt is paid); checks clear at once."""
    now = now or clock()
    listing, credit_list = await locked(session, listing_id)
    may_act_for_list(principal, credit_list)
    status = status_at(listing, now)
    if status in (ListingStatus.EXPIRED, ListingStatus.LIFTED, ListingStatus.REVOKED,
                  ListingStatus.REPAIRED):
        raise TransitionConflict(f"the listing is already {status.value}", status=status.value)
    end_listing(listing, LIFT_STATUSES.get(reason, ListingStatus.LIFTED), reason, now)
    journal = Journal()
    journal.record(listing.id, "LIFTED", principal.sub, now, reason=reason, note=note)
    await apply_change(session, listing, journal, now)
    return listing, credit_list


async def extend(session: AsyncSession, principal: Principal, listing_id: str, until: datetime,
                 doc: LegalDocument | None, *, now: datetime | None = None
                 ) -> tuple[Listing, CreditList]:
    """Extend a listing still in force, where its list allows and within the list's bound."""
    now = now or clock()
    until = as_utc(until)
    listing, credit_list = await locked(session, listing_id)
    may_act_for_list(principal, credit_list, admin=False)
    if not credit_list.extendable:
        raise TransitionConflict(f"{credit_list.code} does not allow extensions")
    status = status_at(listing, now)
    if status not in (ListingStatus.PENDING, ListingStatus.ACTIVE, ListingStatus.SUSPENDED):
        raise TransitionConflict(f"the listing is {status.value}", status=status.value)
    if listing.effective_until is None or until <= listing.effective_until:
        raise InvalidInput("an extension must end after the current end", field="until")
    if (credit_list.max_extension_days is not None
            and until - listing.effective_until > timedelta(days=credit_list.max_extension_days)):
        raise InvalidInput(f"{credit_list.code} allows extensions of at most "
                           f"{credit_list.max_extension_days} days", field="until")
    if doc is not None:
        validate_document(doc, now.astimezone(SHANGHAI).date())
    previous = listing.effective_until
    listing.effective_until = until
    listing.extensions += 1
    journal = Journal()
    journal.record(listing.id, "EXTENDED", principal.sub, now, previousUntil=previous.isoformat(),
                   until=until.isoformat(),
                   document=None if doc is None else {"number": doc.number, "kind": doc.kind,
                                                      "issuedOn": doc.issued_on.isoformat(),
                                                      "authority": doc.authority})
    await apply_change(session, listing, journal, now)
    return listing, credit_list


async def reinstate(session: AsyncSession, principal: Principal, listing_id: str, reason: str,
                    *, now: datetime | None = None) -> tuple[Listing, CreditList]:
    """End a review hold (its basis record was withdrawn or corrected): back in force."""
    now = now or clock()
    listing, credit_list = await locked(session, listing_id)
    may_act_for_list(principal, credit_list)
    if listing.terminal_status is not None:
        raise TransitionConflict(f"the listing is {listing.terminal_status}")
    if not close_holds(listing, now, kind="RECORD_REVIEW"):
        raise TransitionConflict("the listing is not suspended for review")
    journal = Journal()
    journal.record(listing.id, "REINSTATED", principal.sub, now, reason=reason)
    await apply_change(session, listing, journal, now)
    return listing, credit_list
