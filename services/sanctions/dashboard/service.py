"""The rules of the dashboard queries: who sees what, paging, counting.

Officials (role `authority`) see their agency's listings; analysts and admins see everything;
anyone else is FORBIDDEN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Forbidden, InvalidInput
from libs.common.regions import region_name
from services.sanctions.catalogue.models import CreditList
from services.sanctions.dashboard import cursors
from services.sanctions.dashboard.criteria import IN_FORCE, ListingCriteria
from services.sanctions.dashboard.repository import DashboardRepository, Position
from services.sanctions.listings.models import Listing

MAX_PAGE = 100
LISTING_CURSOR = "listing.1"
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
