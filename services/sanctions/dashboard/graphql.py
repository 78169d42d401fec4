"""GraphQL: `listings(filter)`, `workQueue`, `listingCounts`, `checkVolume` (API.md, "Officials,
analysts and dashboards")."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from libs.common.timeutil import now as clock
from services.sanctions.catalogue.repository import CatalogueRepository
from services.sanctions.dashboard import criteria as listing_criteria
from services.sanctions.dashboard import service
from services.sanctions.enums import ListingStatus, Purpose, SubjectKind
from services.sanctions.listings.graphql import Listing


@strawberry.input(description="Which listings: every field narrows; leave a field out for all.")
class ListingFilter:
    list_code: strawberry.ID | None = None
    status: list[ListingStatus] | None = strawberry.field(
        default=None, description="Status now (derived from each listing's facts).")
    authority: str | None = strawberry.field(default=None, description="The deciding agency.")
    region: strawberry.ID | None = strawberry.field(
        default=None, description="GB/T 2260 prefix of the subject's code: 310000 (or 31) is "
                                  "the province, 310100 (or 3101) the city, 310101 the county.")
    subject_kind: SubjectKind | None = None
    decided_after: datetime | None = strawberry.field(default=None,
                                                      description="Inclusive.")
    decided_before: datetime | None = strawberry.field(default=None,
                                                       description="Exclusive.")
    effective_until_before: datetime | None = strawberry.field(
        default=None, description="Exclusive; open-ended listings never match.")


@strawberry.type(description="A page of listings, newest decision first.")
class ListingPage:
    nodes: list[Listing]
    total_count: int
    end_cursor: str | None
    has_more: bool


@strawberry.enum
class WorkItemKind(enum.Enum):
    LISTING_OBJECTION = "LISTING_OBJECTION"
    REPAIR_APPLICATION = "REPAIR_APPLICATION"
    PUBLICITY_ENDING = "PUBLICITY_ENDING"
    LISTING_EXPIRING = "LISTING_EXPIRING"


@strawberry.type(description="Open work on a listing with its statutory deadline.")
class WorkItem:
    kind: WorkItemKind
    id: strawberry.ID = strawberry.field(
        description="The objection, repair application or listing id.")
    listing: Listing
    authority: str
    opened_at: datetime = strawberry.field(
        description="When the work arose: filing, application, or when the window's end came "
                    "within the queue's horizon (7 days for publicity, 30 for the listing).")
    due_at: datetime | None = strawberry.field(
        description="The statutory deadline, counted in working days where the rule says so.")
    overdue: bool
    summary: str


@strawberry.type(description="A page of the work queue, earliest deadline first.")
class WorkItemPage:
    nodes: list[WorkItem]
    total_count: int
    end_cursor: str | None
    has_more: bool


@strawberry.enum
class ListingGroup(enum.Enum):
    LIST = "LIST"
    AUTHORITY = "AUTHORITY"
    PROVINCE = "PROVINCE"
    STATUS = "STATUS"
    MONTH_DECIDED = "MONTH_DECIDED"


@strawberry.type(description="How many listings fall in one group.")
class GroupCount:
    key: str
    label: str
    count: int


@strawberry.type(description="Checks and screened codes answered one day (Asia/Shanghai) for "
                             "one purpose.")
class CheckVolume:
    day: date
    purpose: Purpose
    checks: int = strawberry.field(description="Answered (CLEAR or RESTRICTED).")
    restricted: int
    invalid: int = strawberry.field(description="Codes refused as invalid, not answered.")


async def _criteria(session, f: ListingFilter | None) -> listing_criteria.ListingCriteria:
    if f is None:
        return listing_criteria.ListingCriteria()
    known: set[str] = set()
    if f.list_code is not None:
        credit_list = await CatalogueRepository(session).list_by_code(str(f.list_code))
        known = {credit_list.code} if credit_list else set()
    return listing_criteria.check(
        list_code=str(f.list_code) if f.list_code is not None else None,
        statuses=[s.value for s in f.status] if f.status is not None else None,
        authority=f.authority, region=str(f.region) if f.region is not None else None,
        subject_kind=f.subject_kind.value if f.subject_kind else None,
        decided_after=f.decided_after, decided_before=f.decided_before,
        effective_until_before=f.effective_until_before, known_lists=known)


def _work_item(item: service.WorkItem, now: datetime) -> WorkItem:
    return WorkItem(kind=WorkItemKind(item.kind), id=strawberry.ID(item.id),
                    listing=Listing.of(item.listing, item.credit_list, now),
                    authority=item.listing.authority, opened_at=item.opened_at,
                    due_at=item.due_at, overdue=item.overdue, summary=item.summary)


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="Listings matching the filter, newest decision first "
                                  "(officials: their agency's; analysts and admins: all).")
    async def listings(self, info: Info, filter: ListingFilter | None = None, first: int = 50,
                       after: str | None = None) -> ListingPage:
        principal = info.context.authenticated()
        service.scope(principal)
        now = clock()
        async with info.context.read() as session:
            page = await service.search(session, principal, await _criteria(session, filter),
                                        first, after, now)
        return ListingPage(nodes=[Listing.of(m, c, now) for m, c in page.rows],
                           total_count=page.total, end_cursor=page.end_cursor,
                           has_more=page.has_more)

    @strawberry.field(description="Open work for the caller's agency (all agencies for admins "
                                  "and analysts), earliest dueAt first.")
    async def work_queue(self, info: Info, kinds: list[WorkItemKind] | None = None,
                         first: int = 50, after: str | None = None) -> WorkItemPage:
        principal = info.context.authenticated()
        now = clock()
        async with info.context.read() as session:
            page = await service.work_queue(session, principal,
                                            [k.value for k in kinds] if kinds is not None
                                            else None, first, after, now)
        return WorkItemPage(nodes=[_work_item(i, now) for i in page.items],
                            total_count=page.total, end_cursor=page.end_cursor,
                            has_more=page.has_more)

    @strawberry.field(description="Counts of listings in force now (no filter) or matching the "
                                  "filter (every status unless it names some), grouped; "
                                  "MONTH_DECIDED oldest first, the others largest first.")
    async def listing_counts(self, info: Info, group_by: ListingGroup,
                             filter: ListingFilter | None = None) -> list[GroupCount]:
        principal = info.context.authenticated()
        service.scope(principal)
        now = clock()
        async with info.context.read() as session:
            criteria = await _criteria(session, filter) if filter is not None else None
            rows = await service.counts(session, principal, group_by.value, criteria, now)
        return [GroupCount(key=r.key, label=r.label, count=r.count) for r in rows]

    @strawberry.field(description="Checks and screens answered per day (Asia/Shanghai) and "
                                  "purpose, days in [from, until), at most 366; from the audit "
                                  "(analysts and admins).")
    async def check_volume(self, info: Info,
                           from_: Annotated[date, strawberry.argument(name="from")],
                           until: date, purpose: Purpose | None = None,
                           consumer: str | None = None) -> list[CheckVolume]:
        ctx = info.context
        principal = ctx.authenticated()
        service.volume_request(principal, from_, until, consumer)
        await ctx.audit.flush()  # what this process has buffered is part of the answer
        async with ctx.read() as session:
            rows = await service.check_volume(session, principal, from_, until,
                                              purpose.value if purpose else None, consumer)
        return [CheckVolume(day=r.day, purpose=Purpose(r.purpose), checks=r.checks,
                            restricted=r.restricted, invalid=r.invalid) for r in rows]
