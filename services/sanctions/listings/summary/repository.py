"""All SQL of the listing summary's write side: facets, tally, schedule, compaction, rebuild."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import DateTime, Integer, bindparam, delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.decisionlog.chain import CHAIN_LOCK_KEY
from services.sanctions.listings.summary.models import (
    ListingFacet,
    ListingStatusChange,
)
from services.sanctions.listings.summary.status_sql import (
    decided_month_sql,
    region_sql,
    status_sql,
)

S = "sanctions"
GROUP_COLUMNS = ("list_code", "authority", "province", "subject_kind", "decided_month")


class TallyKey(NamedTuple):
    list_code: str
    authority: str
    province: str
    subject_kind: str
    decided_month: object  # date
    status: str


class Change(NamedTuple):
    at: datetime
    from_status: str
    to_status: str


async def _driver(session: AsyncSession):
    """The session's asyncpg connection, inside its (already begun) transaction."""
    conn = await session.connection()
    return (await conn.get_raw_connection()).driver_connection


class SummaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def facet(self, listing_id: uuid.UUID) -> ListingFacet | None:
        return (await self.session.execute(
            select(ListingFacet).where(ListingFacet.listing_id == listing_id)
            .execution_options(populate_existing=True))).scalar_one_or_none()

    async def put_facet(self, values: dict) -> None:
        stmt = insert(ListingFacet).values(**values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["listing_id"],
            set_={k: v for k, v in values.items() if k != "listing_id"}))

    async def replace_schedule(self, listing_id: uuid.UUID, changes: list[Change]) -> None:
        await self.session.execute(delete(ListingStatusChange).where(
            ListingStatusChange.listing_id == listing_id))
        if changes:
            await self.session.execute(insert(ListingStatusChange), [
                {"listing_id": listing_id, "at": c.at, "from_status": c.from_status,
                 "to_status": c.to_status} for c in changes])

    async def add_facets(self, rows: list[dict]) -> None:
        """Facets of listings that have none yet (COPY: a migrated chunk's thousands)."""
        if rows:
            columns = list(rows[0])
            pg = await _driver(self.session)
            await pg.copy_records_to_table("listing_facets", schema_name=S, columns=columns,
                                           records=[tuple(r[c] for c in columns) for r in rows])

    async def add_schedule(self, rows: list[tuple]) -> None:
        """(listing_id, at, from_status, to_status) of listings with no schedule yet."""
        if rows:
            pg = await _driver(self.session)
            await pg.copy_records_to_table(
                "listing_status_schedule", schema_name=S,
                columns=["listing_id", "at", "from_status", "to_status"], records=rows)

    async def add_to_tally(self, deltas: dict[TallyKey, int]) -> None:
        """Add each delta to its tally row, in one statement whatever the number of keys (rows
        in key order; the chain lock makes the order moot)."""
        keys = [k for k in sorted(deltas, key=lambda k: tuple(map(str, k))) if deltas[k]]
        if not keys:
            return
        columns = (*GROUP_COLUMNS, "status")
        await self.session.execute(text(f"""
            INSERT INTO {S}.listing_tally AS t ({", ".join(columns)}, n)
            SELECT * FROM unnest(CAST(:list_code AS text[]), CAST(:authority AS text[]),
                                 CAST(:province AS text[]), CAST(:subject_kind AS text[]),
                                 CAST(:decided_month AS date[]), CAST(:status AS text[]),
                                 CAST(:n AS integer[]))
            ON CONFLICT ({", ".join(columns)}) DO UPDATE SET n = t.n + excluded.n"""),
            {**{c: [getattr(k, c) for k in keys] for c in columns},
             "n": [deltas[k] for k in keys]})

    async def compact(self, now: datetime, limit: int) -> int:
        """Fold up to `limit` scheduled changes due by `now` into the tally; returns how many.

        The earliest first, so what is left for a listing is always its later changes. Every
        part of the statement runs (PostgreSQL runs data-modifying WITH parts to completion).
        """
        stmt = text(f"""
            WITH due AS (
                DELETE FROM {S}.listing_status_schedule s
                USING (SELECT listing_id, at FROM {S}.listing_status_schedule
                       WHERE at <= :now ORDER BY at, listing_id LIMIT :limit) pick
                WHERE s.listing_id = pick.listing_id AND s.at = pick.at
                RETURNING s.listing_id, s.at, s.from_status, s.to_status
            ), moved AS (
                SELECT {", ".join("f." + c for c in GROUP_COLUMNS)}, x.status, sum(x.n) AS n
                FROM due JOIN {S}.listing_facets f ON f.listing_id = due.listing_id
                CROSS JOIN LATERAL (VALUES (due.from_status, -1), (due.to_status, 1))
                    AS x(status, n)
                GROUP BY {", ".join("f." + c for c in GROUP_COLUMNS)}, x.status
            ), tallied AS (
                INSERT INTO {S}.listing_tally AS t ({", ".join(GROUP_COLUMNS)}, status, n)
                SELECT * FROM moved WHERE n <> 0
                ORDER BY {", ".join(GROUP_COLUMNS)}, status
                ON CONFLICT ({", ".join(GROUP_COLUMNS)}, status) DO UPDATE SET n = t.n + excluded.n
                RETURNING 1
            ), latest AS (
                SELECT DISTINCT ON (listing_id) listing_id, to_status FROM due
                ORDER BY listing_id, at DESC
            ), counted AS (
                UPDATE {S}.listing_facets f SET counted_status = latest.to_status
                FROM latest WHERE f.listing_id = latest.listing_id
                RETURNING 1
            )
            SELECT count(*) FROM due
        """).bindparams(bindparam("now", type_=DateTime(timezone=True)),
                        bindparam("limit", type_=Integer))
        return int(await self.session.scalar(stmt, {"now": now, "limit": limit}) or 0)


def rebuild_statements() -> list[str]:
    """Recompute facets, tally and schedule from the listings, as of :now (one transaction).

    Plain SQL strings (bind :now), so that a migration's synchronous connection and the
    services' async sessions can both run them.
    """
    group = ", ".join(GROUP_COLUMNS)
    return [
        f"TRUNCATE {S}.listing_status_schedule, {S}.listing_tally, {S}.listing_facets",
        f"""INSERT INTO {S}.listing_facets (listing_id, list_code, authority, subject_kind,
                region_code, province, decided_at, decided_month, publicity_until,
                effective_until, ended, counted_status)
            SELECT l.id, l.list_code, l.authority, l.subject_kind, {region_sql('l')},
                   substr({region_sql('l')}, 1, 2), l.decided_at, {decided_month_sql('l')},
                   l.publicity_until, l.effective_until, l.terminal_status IS NOT NULL,
                   {status_sql('l', 'CAST(:now AS timestamptz)')}
            FROM {S}.listings l""",
        f"""INSERT INTO {S}.listing_tally ({group}, status, n)
            SELECT {group}, counted_status, count(*) FROM {S}.listing_facets
            GROUP BY {group}, counted_status""",
        f"""WITH boundary AS (
                SELECT DISTINCT l.id, b.at FROM {S}.listings l
                CROSS JOIN LATERAL (
                    SELECT l.publicity_until UNION ALL SELECT l.effective_until
                    UNION ALL SELECT l.terminal_at
                    UNION ALL SELECT (h->>'from')::timestamptz FROM jsonb_array_elements(l.holds) h
                    UNION ALL SELECT (NULLIF(h->>'until', ''))::timestamptz
                              FROM jsonb_array_elements(l.holds) h
                ) AS b(at)
                WHERE b.at > CAST(:now AS timestamptz)
            ), stepped AS (
                SELECT boundary.id, boundary.at, {status_sql('l', 'boundary.at')} AS status
                FROM boundary JOIN {S}.listings l ON l.id = boundary.id
            ), sequenced AS (
                SELECT stepped.*, coalesce(lag(stepped.status) OVER (
                           PARTITION BY stepped.id ORDER BY stepped.at), f.counted_status) AS before
                FROM stepped JOIN {S}.listing_facets f ON f.listing_id = stepped.id
            )
            INSERT INTO {S}.listing_status_schedule (listing_id, at, from_status, to_status)
            SELECT id, at, before, status FROM sequenced WHERE status <> before""",
    ]


async def rebuild(session: AsyncSession, now: datetime) -> None:
    """Run `rebuild_statements` in the session's transaction (under the chain lock)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})
    for sql in rebuild_statements():
        await session.execute(text(sql), {"now": now} if ":now" in sql else {})
