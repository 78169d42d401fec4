"""Per-request DataLoaders: one query for everything a request needs of one kind."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from services.sanctions.catalogue.models import Measure
from services.sanctions.decisionlog.models import DecisionLogEntry
from services.sanctions.listings.models import ListingMeasure
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.objections.service import of_listings


def listings_of_subjects(info: Info) -> DataLoader:
    """(code, include_derived) -> [(listing, list, derivation | None)]."""
    ctx = info.context

    async def load(keys: list[tuple[str, bool]]) -> list[list]:
        codes = sorted({c for c, _ in keys})
        derived_codes = sorted({c for c, d in keys if d})
        by_code: dict[str, list] = defaultdict(list)
        async with ctx.transaction() as session:
            repo = ListingRepository(session)
            for listing, credit_list in await repo.of_subjects(codes):
                by_code[listing.subject_code].append((listing, credit_list, None))
            reached: dict[str, list] = defaultdict(list)
            if derived_codes:
                for d, listing, credit_list in await repo.reaching_persons(derived_codes):
                    reached[d.person_code].append((listing, credit_list, d))
        out = []
        for code, derived in keys:
            rows = list(by_code.get(code, []))
            if derived:
                seen = {r[0].id for r in rows}
                for row in reached.get(code, []):
                    if row[0].id not in seen:
                        seen.add(row[0].id)
                        rows.append(row)
            out.append(rows)
        return out

    return ctx.loader("listings_of_subjects", lambda: DataLoader(load_fn=load))


def objections_of_listings(info: Info) -> DataLoader:
    ctx = info.context

    async def load(ids: list[uuid.UUID]) -> list[list]:
        async with ctx.transaction() as session:
            rows = await of_listings(session, ids)
        grouped: dict[uuid.UUID, list] = defaultdict(list)
        for r in rows:
            grouped[r.listing_id].append(r)
        return [grouped.get(i, []) for i in ids]

    return ctx.loader("objections_of_listings", lambda: DataLoader(load_fn=load))


def derivations_of_listings(info: Info) -> DataLoader:
    ctx = info.context

    async def load(ids: list[uuid.UUID]) -> list[list]:
        async with ctx.transaction() as session:
            rows = await ListingRepository(session).derivations(ids)
        grouped: dict[uuid.UUID, list] = defaultdict(list)
        for r in rows:
            grouped[r.listing_id].append(r)
        return [grouped.get(i, []) for i in ids]

    return ctx.loader("derivations_of_listings", lambda: DataLoader(load_fn=load))


def measures_of_listings(info: Info) -> DataLoader:
    ctx = info.context

    async def load(ids: list[uuid.UUID]) -> list[list]:
        async with ctx.transaction() as session:
            rows = (await session.execute(
                select(ListingMeasure, Measure).join(Measure,
                                                     Measure.code == ListingMeasure.measure_code)
                .where(ListingMeasure.listing_id.in_(ids))
                .order_by(ListingMeasure.measure_code))).all()
        grouped: dict[uuid.UUID, list] = defaultdict(list)
        for lm, m in rows:
            grouped[lm.listing_id].append((lm, m))
        return [grouped.get(i, []) for i in ids]

    return ctx.loader("measures_of_listings", lambda: DataLoader(load_fn=load))


def history_of_listings(info: Info) -> DataLoader:
    ctx = info.context

    async def load(ids: list[uuid.UUID]) -> list[list]:
        async with ctx.transaction() as session:
            rows = (await session.execute(
                select(DecisionLogEntry).where(DecisionLogEntry.listing_id.in_(ids))
                .order_by(DecisionLogEntry.id))).scalars().all()
        grouped: dict[uuid.UUID, list] = defaultdict(list)
        for r in rows:
            grouped[r.listing_id].append(r)
        return [grouped.get(i, []) for i in ids]

    return ctx.loader("history_of_listings", lambda: DataLoader(load_fn=load))
