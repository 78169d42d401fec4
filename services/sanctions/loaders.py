"""Per-request DataLoaders: one query for everything a request needs of one kind."""

from __future__ import annotations

import uuid
from collections import defaultdict

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from libs.common.graphql import group_by
from services.sanctions.decisionlog.repository import DecisionLogRepository
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.objections.repository import ObjectionRepository
from services.sanctions.repair.repository import RepairRepository


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
    async def fetch(session, ids: list[uuid.UUID]) -> dict:
        return group_by(await ObjectionRepository(session).of_listings(ids),
                        lambda r: r.listing_id)

    return info.context.batch_loader("objections_of_listings", fetch, missing=list)


def derivations_of_listings(info: Info) -> DataLoader:
    async def fetch(session, ids: list[uuid.UUID]) -> dict:
        return group_by(await ListingRepository(session).derivations(ids), lambda r: r.listing_id)

    return info.context.batch_loader("derivations_of_listings", fetch, missing=list)


def measures_of_listings(info: Info) -> DataLoader:
    async def fetch(session, ids: list[uuid.UUID]) -> dict:
        rows = await ListingRepository(session).measures_with_catalogue(ids)
        return group_by(rows, lambda pair: pair[0].listing_id)

    return info.context.batch_loader("measures_of_listings", fetch, missing=list)


def history_of_listings(info: Info) -> DataLoader:
    async def fetch(session, ids: list[uuid.UUID]) -> dict:
        rows = await DecisionLogRepository(session).of_listings(ids)
        return group_by(rows, lambda r: r.listing_id)

    return info.context.batch_loader("history_of_listings", fetch, missing=list)


def repairs_of_listings(info: Info) -> DataLoader:
    async def fetch(session, ids: list[uuid.UUID]) -> dict:
        return group_by(await RepairRepository(session).of_listings(ids), lambda r: r.listing_id)

    return info.context.batch_loader("repairs_of_listings", fetch, missing=list)
