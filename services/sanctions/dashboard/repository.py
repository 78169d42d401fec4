"""All dashboard SQL: listing search and counts, the work queue's sources, check volume.

Listings are searched on `listing_facets` (indexed by decision time per authority, list and
province), joined to `listings` only when a status is asked for: status is derived from the
listing's facts at the time asked (`status_sql`, the SQL twin of `status_at`). Counts come from
the tally plus the scheduled changes due (`count_tally`) where the filter fits the tally's
groups, else from the facets (`count_direct`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.catalogue.models import CreditList
from services.sanctions.checks.volume import CheckVolume
from services.sanctions.dashboard.criteria import ListingCriteria
from services.sanctions.listings.models import Listing
from services.sanctions.listings.summary.status_sql import status_sql
from services.sanctions.objections.models import Objection
from services.sanctions.repair.models import RepairApplication

S = "sanctions"
NOW = "CAST(:now AS timestamptz)"
# groupBy -> the column of facets and tally it groups on (STATUS is the status itself).
GROUP_COLUMNS = {"LIST": "list_code", "AUTHORITY": "authority", "PROVINCE": "province",
                 "MONTH_DECIDED": "decided_month"}


class Position(NamedTuple):
    """Where a page starts: after this sort key."""

    at: datetime
    id: uuid.UUID


class WorkPosition(NamedTuple):
    """Where a work-queue page starts: after this (due, kind rank, id)."""

    at: datetime
    rank: int
    id: uuid.UUID


class OpenWork(NamedTuple):
    """An open objection or pending repair application: its id, listing, and when it opened."""

    id: uuid.UUID
    listing_id: uuid.UUID
    opened_at: datetime
    suspends: bool


class VolumeRow(NamedTuple):
    day: date
    purpose: str
    checks: int
    restricted: int
    invalid: int


def _facet_filters(c: ListingCriteria, params: dict) -> list[str]:
    where = []
    for column, value in (("list_code", c.list_code), ("authority", c.authority),
                          ("subject_kind", c.subject_kind)):
        if value is not None:
            where.append(f"f.{column} = :{column}")
            params[column] = value
    if c.region is not None:
        where.append("f.province = :province")
        params["province"] = c.region[:2]
        if len(c.region) > 2:
            where.append("f.region_code LIKE :region_like")
            params["region_like"] = c.region + "%"
    if c.decided_after is not None:
        where.append("f.decided_at >= :decided_after")
        params["decided_after"] = c.decided_after
    if c.decided_before is not None:
        where.append("f.decided_at < :decided_before")
        params["decided_before"] = c.decided_before
    if c.effective_until_before is not None:
        where.append("f.effective_until < :effective_until_before")
        params["effective_until_before"] = c.effective_until_before
    return where


def _group_filters(alias: str, c: ListingCriteria, params: dict) -> list[str]:
    """The filter on the tally's group columns (of the tally, or of facets: same names)."""
    where = []
    for column, value in (("list_code", c.list_code), ("authority", c.authority),
                          ("subject_kind", c.subject_kind)):
        if value is not None:
            where.append(f"{alias}.{column} = :{column}")
            params[column] = value
    if c.region is not None:
        where.append(f"{alias}.province = :province")
        params["province"] = c.region
    months = c.months
    if months and months[0] is not None:
        where.append(f"{alias}.decided_month >= :month_from")
        params["month_from"] = months[0]
    if months and months[1] is not None:
        where.append(f"{alias}.decided_month < :month_until")
        params["month_until"] = months[1]
    return where


def _and(where: list[str]) -> str:
    return " AND ".join(where) if where else "TRUE"


class DashboardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_names(self) -> dict[str, str]:
        rows = await self.session.execute(select(CreditList.code, CreditList.name))
        return {code: name for code, name in rows.all()}

    # -- listings -------------------------------------------------------------------------------

    async def listing_page(self, c: ListingCriteria, now: datetime, after: Position | None,
                           limit: int) -> list[Position]:
        """Newest decision first, (decided_at, id) descending, after `after`."""
        params: dict = {"now": now, "limit": limit}
        where = _facet_filters(c, params)
        join = ""
        if c.statuses is not None:
            join = f"JOIN {S}.listings l ON l.id = f.listing_id"
            where.append(f"{status_sql('l', NOW)} = ANY(:statuses)")
            params["statuses"] = list(c.statuses)
        if after is not None:
            where.append("(f.decided_at, f.listing_id) < (:after_at, :after_id)")
            params.update(after_at=after.at, after_id=after.id)
        rows = await self.session.execute(text(
            f"SELECT f.decided_at, f.listing_id FROM {S}.listing_facets f {join} "
            f"WHERE {_and(where)} ORDER BY f.decided_at DESC, f.listing_id DESC LIMIT :limit"),
            params)
        return [Position(at, listing_id) for at, listing_id in rows.all()]

    async def listings(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Listing, CreditList]]:
        rows = await self.session.execute(
            select(Listing, CreditList).join(CreditList, CreditList.code == Listing.list_code)
            .where(Listing.id.in_(ids)))
        return {listing.id: (listing, credit_list) for listing, credit_list in rows.all()}

    async def count_direct(self, c: ListingCriteria, now: datetime,
                           group: str | None) -> list[tuple[object, int]]:
        """Counted from the facets (and the listings' facts, for a status)."""
        params: dict = {"now": now}
        where = _facet_filters(c, params)
        status = status_sql("l", NOW)
        needs_listing = c.statuses is not None or group == "STATUS"
        if c.statuses is not None:
            where.append(f"{status} = ANY(:statuses)")
            params["statuses"] = list(c.statuses)
        key = ("NULL" if group is None else status if group == "STATUS"
               else f"f.{GROUP_COLUMNS[group]}")
        join = f"JOIN {S}.listings l ON l.id = f.listing_id" if needs_listing else ""
        rows = await self.session.execute(text(
            f"SELECT {key} AS key, count(*) FROM {S}.listing_facets f {join} "
            f"WHERE {_and(where)} GROUP BY 1"), params)
        return [(k, int(n)) for k, n in rows.all()]

    async def count_tally(self, c: ListingCriteria, now: datetime,
                          group: str | None) -> list[tuple[object, int]]:
        """The tally plus the scheduled changes due by `now`; only for `c.by_tally` filters."""
        params: dict = {"now": now}
        tally_where = _group_filters("t", c, params)
        due_where = [*_group_filters("f", c, params), f"s.at <= {NOW}"]
        if c.statuses is not None:
            tally_where.append("t.status = ANY(:statuses)")
            due_where.append("x.status = ANY(:statuses)")
            params["statuses"] = list(c.statuses)
        column = GROUP_COLUMNS.get(group or "", "")
        tally_key = "NULL" if group is None else "t.status" if group == "STATUS" else f"t.{column}"
        due_key = "NULL" if group is None else "x.status" if group == "STATUS" else f"f.{column}"
        rows = await self.session.execute(text(f"""
            SELECT key, sum(n) FROM (
                SELECT {tally_key} AS key, t.n FROM {S}.listing_tally t WHERE {_and(tally_where)}
                UNION ALL
                SELECT {due_key} AS key, x.n FROM {S}.listing_status_schedule s
                JOIN {S}.listing_facets f ON f.listing_id = s.listing_id
                CROSS JOIN LATERAL (VALUES (s.from_status, -1), (s.to_status, 1)) AS x(status, n)
                WHERE {_and(due_where)}
            ) AS parts GROUP BY key HAVING sum(n) <> 0"""), params)
        return [(k, int(n)) for k, n in rows.all()]

    # -- the work queue ---------------------------------------------------------------------------

    async def open_objections(self, authority: str | None) -> list[OpenWork]:
        """Every open objection (of the agency's listings): what its deadline needs, no more."""
        q = (select(Objection.id, Objection.listing_id, Objection.filed_at, Objection.suspends)
             .where(Objection.status == "OPEN"))
        if authority is not None:
            q = q.join(Listing, Listing.id == Objection.listing_id).where(
                Listing.authority == authority)
        return [OpenWork(*r) for r in (await self.session.execute(q)).all()]

    async def pending_repairs(self, authority: str | None) -> list[OpenWork]:
        q = (select(RepairApplication.id, RepairApplication.listing_id,
                    RepairApplication.applied_at, literal(False))
             .where(RepairApplication.status == "PENDING"))
        if authority is not None:
            q = q.join(Listing, Listing.id == RepairApplication.listing_id).where(
                Listing.authority == authority)
        return [OpenWork(*r) for r in (await self.session.execute(q)).all()]

    async def windows_ending(self, column: str, rank: int, authority: str | None,
                             now: datetime, until: datetime, after: WorkPosition | None,
                             limit: int) -> tuple[list[Position], int]:
        """Listings no decision ended whose `column` (publicity_until, effective_until) falls in
        (now, until], as work items of sort rank `rank` ordered (instant, rank, id) after
        `after`; and how many there are in all."""
        assert column in ("publicity_until", "effective_until")
        params: dict = {"now": now, "until": until}
        where = ["NOT f.ended", f"f.{column} > :now", f"f.{column} <= :until"]
        if authority is not None:
            where.append("f.authority = :authority")
            params["authority"] = authority
        total = int(await self.session.scalar(text(
            f"SELECT count(*) FROM {S}.listing_facets f WHERE {_and(where)}"), params) or 0)
        if after is not None:
            if rank == after.rank:
                where.append(f"(f.{column}, f.listing_id) > (:after_at, :after_id)")
                params["after_id"] = after.id
            else:  # a later kind at the same instant comes after the cursor, an earlier one not
                where.append(f"f.{column} {'>=' if rank > after.rank else '>'} :after_at")
            params["after_at"] = after.at
        params["limit"] = limit
        rows = await self.session.execute(text(
            f"SELECT f.{column}, f.listing_id FROM {S}.listing_facets f WHERE {_and(where)} "
            f"ORDER BY f.{column}, f.listing_id LIMIT :limit"), params)
        return [Position(at, listing_id) for at, listing_id in rows.all()], total

    # -- check volume -----------------------------------------------------------------------------

    async def check_volume(self, start: date, until: date, purpose: str | None,
                           consumer: str | None) -> list[VolumeRow]:
        q = (select(CheckVolume.day, CheckVolume.purpose, *(
            text(f"sum({c})::bigint") for c in ("checks", "restricted", "invalid")))
            .where(CheckVolume.day >= start, CheckVolume.day < until)
            .group_by(CheckVolume.day, CheckVolume.purpose)
            .order_by(CheckVolume.day, CheckVolume.purpose))
        if purpose is not None:
            q = q.where(CheckVolume.purpose == purpose)
        if consumer is not None:
            q = q.where(CheckVolume.consumer == consumer)
        return [VolumeRow(*r) for r in (await self.session.execute(q)).all()]
