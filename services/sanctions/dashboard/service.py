"""The rules of the dashboard queries: who sees what, paging, counting, deadlines.

Officials (role `authority`) see their agency's listings and work; analysts and admins see
everything; anyone else is FORBIDDEN. `checkVolume` is for analysts and admins only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Forbidden, InvalidInput
from libs.common.identifiers import mask_code
from libs.common.regions import region_name
from services.sanctions.catalogue.models import CreditList
from services.sanctions.catalogue.repository import CatalogueRepository
from services.sanctions.dashboard import cursors, deadlines
from services.sanctions.dashboard.criteria import IN_FORCE, ListingCriteria
from services.sanctions.dashboard.repository import (
    DashboardRepository,
    Position,
    VolumeRow,
    WorkPosition,
)
from services.sanctions.listings.models import Listing

MAX_PAGE = 100
MAX_VOLUME_DAYS = 366
LISTING_CURSOR = "listing.1"
WORK_CURSOR = "work.1"
# The order of kinds among items due at the same instant.
WORK_KINDS = ("LISTING_OBJECTION", "REPAIR_APPLICATION", "PUBLICITY_ENDING", "LISTING_EXPIRING")
GROUPS = ("LIST", "AUTHORITY", "PROVINCE", "STATUS", "MONTH_DECIDED")


def scope(principal: Principal) -> str | None:
    """The agency whose listings the caller sees, or None for all of them."""
    if principal.has(AccessRole.ANALYST, AccessRole.ADMIN):
        return None
    if principal.has(AccessRole.AUTHORITY):
        if not principal.agency:
            raise Forbidden("an official's token must name the agency it acts for")
        return principal.agency
    raise Forbidden("this needs one of the roles: authority, analyst, admin")


def scoped(principal: Principal, criteria: ListingCriteria) -> ListingCriteria:
    agency = scope(principal)
    if agency is not None and criteria.authority not in (None, agency):
        raise Forbidden(f"officials of {agency} see only {agency}'s listings",
                        field="authority")
    return criteria.within(agency)


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    return first


def shown(principal: Principal, listing: Listing) -> str:
    if listing.subject_kind == "NATURAL_PERSON" and not principal.sees_personal_data:
        return mask_code(listing.subject_code)
    return listing.subject_code


# -- listings -----------------------------------------------------------------------------------

@dataclass
class ListingPage:
    rows: list[tuple[Listing, CreditList]]
    total: int
    end_cursor: str | None
    has_more: bool


async def _count(repo: DashboardRepository, c: ListingCriteria, now: datetime,
                 group: str | None) -> list[tuple[object, int]]:
    return await (repo.count_tally if c.by_tally else repo.count_direct)(c, now, group)


async def search(session: AsyncSession, principal: Principal, criteria: ListingCriteria,
                 first: int, after: str | None, now: datetime) -> ListingPage:
    """Listings matching the filter, newest decision first, with how many match in all."""
    c = scoped(principal, criteria)
    page_size(first)
    position = None
    if after is not None:
        at, listing_id = cursors.decode(after, LISTING_CURSOR, 2)
        position = Position(cursors.instant(at), cursors.identifier(listing_id))
    repo = DashboardRepository(session)
    positions = await repo.listing_page(c, now, position, first + 1)
    page = positions[:first]
    found = await repo.listings([p.id for p in page])
    total = sum(n for _, n in await _count(repo, c, now, None))
    last = page[-1] if page else None
    return ListingPage(
        rows=[found[p.id] for p in page], total=total,
        end_cursor=cursors.encode(LISTING_CURSOR, last.at.isoformat(), str(last.id))
        if last else None,
        has_more=len(positions) > first)


# -- counts -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupCount:
    key: str
    label: str
    count: int


async def counts(session: AsyncSession, principal: Principal, group: str,
                 criteria: ListingCriteria | None, now: datetime) -> list[GroupCount]:
    """Listings in force now (no filter) or matching the filter, per group."""
    assert group in GROUPS
    c = scoped(principal, criteria if criteria is not None else ListingCriteria(
        statuses=IN_FORCE))
    repo = DashboardRepository(session)
    rows = [(k, n) for k, n in await _count(repo, c, now, group) if n]
    names = await repo.list_names() if group == "LIST" else {}
    out = []
    for key, n in rows:
        if group == "PROVINCE":
            code = f"{key}0000"
            out.append(GroupCount(code, region_name(code) or code, n))
        elif group == "MONTH_DECIDED":
            out.append(GroupCount(f"{key:%Y-%m}", f"{key:%Y-%m}", n))
        elif group == "LIST":
            out.append(GroupCount(key, names.get(key, key), n))
        else:
            out.append(GroupCount(key, key, n))
    if group == "MONTH_DECIDED":
        return sorted(out, key=lambda g: g.key)
    return sorted(out, key=lambda g: (-g.count, g.key))


# -- the work queue -----------------------------------------------------------------------------

@dataclass
class WorkItem:
    kind: str
    id: str
    listing: Listing
    credit_list: CreditList
    opened_at: datetime
    due_at: datetime
    overdue: bool
    summary: str


@dataclass
class WorkPage:
    items: list[WorkItem]
    total: int
    end_cursor: str | None
    has_more: bool


@dataclass(frozen=True)
class _Due:
    """A work item before its listing is loaded: enough to order and page it."""

    kind: str
    id: str
    listing_id: uuid.UUID
    due_at: datetime
    opened_at: datetime | None = None  # None: from the listing (the windows' kinds)
    suspends: bool = False

    @property
    def key(self) -> tuple:
        return (self.due_at, WORK_KINDS.index(self.kind), self.id)


WINDOWS = {  # kind -> the facet column that is its deadline, how far ahead it enters the queue
    "PUBLICITY_ENDING": ("publicity_until", deadlines.PUBLICITY_ENDING_WITHIN),
    "LISTING_EXPIRING": ("effective_until", deadlines.LISTING_EXPIRING_WITHIN),
}


def _summary(principal: Principal, due: _Due, listing: Listing, credit_list: CreditList) -> str:
    whose = f"the {credit_list.code} listing of {shown(principal, listing)}"
    if due.kind == "LISTING_OBJECTION":
        held = " (the listing is held meanwhile)" if due.suspends else ""
        return (f"Objection to {whose}{held}: review within "
                f"{deadlines.OBJECTION_REVIEW_DAYS} days")
    if due.kind == "REPAIR_APPLICATION":
        return (f"Credit repair of {whose}: answer within "
                f"{deadlines.REPAIR_ANSWER_WORKING_DAYS} working days")
    if due.kind == "PUBLICITY_ENDING":
        return f"The publicity window of {whose} ends; its measures apply from then"
    return f"The end of {whose}: extend it where the list allows, or let it expire"


async def work_queue(session: AsyncSession, principal: Principal, kinds: list[str] | None,
                     first: int, after: str | None, now: datetime) -> WorkPage:
    """Open work of the caller's agency (all for analysts and admins), earliest deadline first.

    Objections and repair applications (few: they are open for days) are all read and their
    deadlines computed on the calendar; the windows' kinds are read a page at a time from the
    facets. Listings are loaded for the page only.
    """
    agency = scope(principal)
    page_size(first)
    if kinds is not None and not kinds:
        raise InvalidInput("kinds names at least one kind (leave it out for all)", field="kinds")
    wanted = set(kinds or WORK_KINDS)
    position = None
    if after is not None:
        at, rank, item_id = cursors.decode(after, WORK_CURSOR, 3)
        position = WorkPosition(cursors.instant(at), cursors.integer(rank, 0, len(WORK_KINDS) - 1),
                                cursors.identifier(item_id))
    repo = DashboardRepository(session)
    objections = await repo.open_objections(agency) if "LISTING_OBJECTION" in wanted else []
    repairs = await repo.pending_repairs(agency) if "REPAIR_APPLICATION" in wanted else []
    span = deadlines.calendar_range([w.opened_at for w in objections + repairs])
    calendar = await CatalogueRepository(session).calendar(*span) if span else {}
    total = len(objections) + len(repairs)
    candidates = [_Due("LISTING_OBJECTION", str(w.id), w.listing_id,
                       deadlines.objection_due(w.opened_at, calendar), w.opened_at, w.suspends)
                  for w in objections]
    candidates += [_Due("REPAIR_APPLICATION", str(w.id), w.listing_id,
                        deadlines.repair_due(w.opened_at, calendar), w.opened_at)
                   for w in repairs]
    if position is not None:
        candidates = [c for c in candidates
                      if c.key > (position.at, position.rank, str(position.id))]
    for kind, (column, within) in WINDOWS.items():
        if kind in wanted:
            positions, n = await repo.windows_ending(column, WORK_KINDS.index(kind), agency,
                                                     now, now + within, position, first + 1)
            total += n
            candidates += [_Due(kind, str(p.id), p.id, p.at) for p in positions]
    candidates.sort(key=lambda c: c.key)
    page = candidates[:first]
    found = await repo.listings(list({c.listing_id for c in page}))
    items = []
    for c in page:
        listing, credit_list = found[c.listing_id]
        opened = c.opened_at or max(listing.decided_at, c.due_at - WINDOWS[c.kind][1])
        items.append(WorkItem(c.kind, c.id, listing, credit_list, opened, c.due_at,
                              c.opened_at is not None and deadlines.overdue(c.due_at, None, now),
                              _summary(principal, c, listing, credit_list)))
    last = page[-1] if page else None
    return WorkPage(
        items=items, total=total,
        end_cursor=cursors.encode(WORK_CURSOR, last.due_at.isoformat(),
                                  str(WORK_KINDS.index(last.kind)), last.id) if last else None,
        has_more=len(candidates) > first)


# -- check volume -------------------------------------------------------------------------------

def volume_request(principal: Principal, start: date, until: date,
                   consumer: str | None) -> None:
    """Refuse a `checkVolume` request before anything is read (analysts and admins only)."""
    principal.require(AccessRole.ANALYST, AccessRole.ADMIN)
    if until <= start:
        raise InvalidInput("until must be after from (days in [from, until))", field="until")
    if (until - start).days > MAX_VOLUME_DAYS:
        raise InvalidInput(f"at most {MAX_VOLUME_DAYS} days per request", field="until",
                           max=MAX_VOLUME_DAYS)
    if consumer is not None and not consumer.strip():
        raise InvalidInput("consumer is the `sub` of a consumer's token", field="consumer")


async def check_volume(session: AsyncSession, principal: Principal, start: date, until: date,
                       purpose: str | None, consumer: str | None) -> list[VolumeRow]:
    """Checks and screened codes answered per day [start, until) and purpose."""
    volume_request(principal, start, until, consumer)
    return await DashboardRepository(session).check_volume(start, until, purpose, consumer)
