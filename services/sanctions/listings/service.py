"""Deciding listings and the transitions authorities make on them (lift, extend, reinstate)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.db import transaction
from libs.common.errors import Forbidden, InvalidInput, NotFound, UnknownSubject
from libs.common.identifiers import InvalidCode, normalise, parse_code
from libs.common.timeutil import SHANGHAI, as_utc
from libs.common.timeutil import now as clock
from services.sanctions.catalogue.models import CreditList
from services.sanctions.catalogue.repository import CatalogueRepository
from services.sanctions.checks.index import sync_index
from services.sanctions.clients import Dependencies
from services.sanctions.decisionlog.chain import Journal, take_chain_lock
from services.sanctions.errors import TransitionConflict, invalid_code
from services.sanctions.events.repository import withdrawn_among
from services.sanctions.listings.models import Listing, ListingStatus
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.status import status_at
from services.sanctions.listings.summary.service import follow
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


def may_act_for_list(principal: Principal, credit_list: CreditList, *, admin: bool = True) -> None:
    """Only officials of the list's authority (and, where allowed, admins) change its listings."""
    if admin and principal.has(AccessRole.ADMIN):
        return
    if principal.has(AccessRole.AUTHORITY) and principal.agency == credit_list.authority:
        return
    raise Forbidden(f"only officials of {credit_list.authority} may do this on "
                    f"{credit_list.code}" + (" (or an admin)" if admin else ""))


def _validate_document(doc: LegalDocument, today: date) -> None:
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
    if req.effective_until is not None:
        until = as_utc(req.effective_until)
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


async def _check_basis(deps: Dependencies, code: str, ids: list[str]) -> list[str]:
    ids = sorted({i.strip() for i in ids if i and i.strip()})
    if not ids:
        raise InvalidInput("a listing needs at least one basis record", field="basisRecordIds")
    if len(ids) > MAX_BASIS_RECORDS:
        raise InvalidInput(f"at most {MAX_BASIS_RECORDS} basis records", field="basisRecordIds")
    records = await deps.records.lookup(ids)
    for rid in ids:
        record = records.get(rid)
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
    return ids


async def decide(deps: Dependencies, sessionmaker, principal: Principal,
                 req: DecisionRequest, *,
                 now: datetime | None = None) -> tuple[Listing, CreditList]:
    """Put a subject on a list: validated against identity, records and the catalogue."""
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
    _validate_document(req.legal_basis, now.astimezone(SHANGHAI).date())
    start, until, publicity_until = _window(credit_list, req, now, calendar)

    subject = (await deps.identity.lookup([code])).subjects.get(code)
    if subject is None:
        raise UnknownSubject(f"no subject with code {parsed.masked} is registered")
    if subject.kind not in credit_list.admits_kinds:
        raise InvalidInput(f"{credit_list.code} does not admit {subject.kind} subjects",
                           field="subjectCode", kind=subject.kind)
    basis = await _check_basis(deps, code, req.basis_record_ids)

    measures = [{"measure_code": b.measure_code, "purpose": m.purpose, "effect": m.effect,
                 "memorandum_code": b.memorandum_code, "extends_to_roles": list(b.extends_to_roles)}
                for b, m in bindings]
    measures = list({m["measure_code"]: m for m in measures}.values())
    extended = {r for m in measures for r in m["extends_to_roles"]}
    derivations: list[dict] = []
    if extended and not subject.is_person:
        for role in await deps.identity.organization_roles(code, now):
            if role.role in extended:
                derivations.append({"person_code": role.person_code, "role": role.role,
                                    "organization_code": code})
        derivations = list({(d["person_code"], d["role"]): d for d in derivations}.values())

    doc = req.legal_basis
    listing = Listing(
        id=uuid.uuid4(), list_code=credit_list.code, subject_code=code, subject_kind=subject.kind,
        authority=credit_list.authority, decided_by=principal.sub, decided_at=now,
        effective_from=start, publicity_until=publicity_until, effective_until=until,
        objection_suspends=credit_list.objection_suspends,
        objection_channel=credit_list.objection_channel, doc_number=doc.number.strip(),
        doc_kind=doc.kind.strip(), doc_issued_on=doc.issued_on, doc_authority=doc.authority.strip(),
        basis_record_ids=basis, basis_key=",".join(basis), withdrawn_record_ids=[], holds=[],
        extensions=0, version=1)
    journal = Journal()
    journal.record(listing.id, "DECIDED", principal.sub, now, list=credit_list.code,
                   subject=code, kind=subject.kind, effectiveFrom=start.isoformat(),
                   publicityUntil=publicity_until.isoformat(),
                   effectiveUntil=until.isoformat() if until else None, basis=basis,
                   document={"number": listing.doc_number, "kind": listing.doc_kind,
                             "issuedOn": doc.issued_on.isoformat(),
                             "authority": listing.doc_authority},
                   measures=sorted(m["measure_code"] for m in measures),
                   derived=sorted(f"{d['role']}:{d['person_code']}" for d in derivations))
    try:
        async with transaction(sessionmaker) as session:
            await ListingRepository(session).add(listing, measures, derivations)
            await sync_index(session, listing, journal, now)
            await follow(session, listing, now)
            # Under the chain lock, which the records-event consumer also takes: an event that
            # withdrew a basis record after our lookup above is visible here.
            await take_chain_lock(session)
            withdrawn = await withdrawn_among(session, basis)
            if withdrawn:
                raise TransitionConflict(f"basis record {withdrawn[0]} was withdrawn or corrected "
                                         "meanwhile", recordId=withdrawn[0])
            await journal.write(session)
    except IntegrityError as exc:
        if "uq_listings_open_decision" in str(exc.orig):
            raise TransitionConflict("this subject is already listed on this list on the same "
                                     "basis records") from None
        raise
    return listing, credit_list


async def locked(session: AsyncSession, listing_id: str) -> tuple[Listing, CreditList]:
    """The listing and its list, locked for the transaction; NOT_FOUND when absent."""
    try:
        key = uuid.UUID(str(listing_id))
    except ValueError:
        raise NotFound(f"no listing {listing_id}") from None
    found = await ListingRepository(session).lock(key)
    if found is None:
        raise NotFound(f"no listing {listing_id}")
    return found


async def commit_transition(session: AsyncSession, listing: Listing, journal: Journal,
                            now: datetime) -> None:
    """Index, summary and journal follow the listing's new facts within the same transaction."""
    listing.version += 1
    await session.flush()
    await sync_index(session, listing, journal, now)
    await follow(session, listing, now)
    await journal.write(session)


def close_holds(listing: Listing, now: datetime, kind: str | None = None,
                ref: str | None = None) -> bool:
    """End open holds (all, or of one kind / reference) at `now`; True when any was open."""
    changed = False
    holds: list[dict[str, Any]] = []
    for h in listing.holds:
        h = dict(h)
        if h.get("until") is None and (kind is None or h["kind"] == kind) and (
                ref is None or h["ref"] == ref):
            h["until"] = now.isoformat()
            changed = True
        holds.append(h)
    listing.holds = holds
    return changed


def open_hold(listing: Listing, kind: str, ref: str, now: datetime) -> None:
    listing.holds = [*listing.holds, {"kind": kind, "ref": ref, "from": now.isoformat(),
                                      "until": None}]


def end_listing(listing: Listing, status: ListingStatus, reason: str, now: datetime) -> None:
    close_holds(listing, now)
    listing.terminal_status = status.value
    listing.terminal_at = now
    listing.terminal_reason = reason


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
    await commit_transition(session, listing, journal, now)
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
        _validate_document(doc, now.astimezone(SHANGHAI).date())
    previous = listing.effective_until
    listing.effective_until = until
    listing.extensions += 1
    journal = Journal()
    journal.record(listing.id, "EXTENDED", principal.sub, now, previousUntil=previous.isoformat(),
                   until=until.isoformat(),
                   document=None if doc is None else {"number": doc.number, "kind": doc.kind,
                                                      "issuedOn": doc.issued_on.isoformat(),
                                                      "authority": doc.authority})
    await commit_transition(session, listing, journal, now)
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
    await commit_transition(session, listing, journal, now)
    return listing, credit_list
