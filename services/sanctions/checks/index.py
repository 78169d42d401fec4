"""Keeping the restriction index in step with a listing, in the same transaction.

The index holds one row per (subject, purpose, measure, listing) with the window in which the
measure applies. After any transition the listing's desired rows are recomputed from its facts
and diffed against the stored ones; every difference is written to the index and, as an UPSERT
or DELETE, to the change feed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.checks.models import Restriction
from services.sanctions.decisionlog.chain import Journal
from services.sanctions.listings.models import Derivation, Listing, ListingMeasure
from services.sanctions.listings.status import index_window

# When a person holds several extended roles, `via` names the most senior one.
ROLE_ORDER = ("LEGAL_REPRESENTATIVE", "PRINCIPAL_RESPONSIBLE_PERSON",
              "DIRECTLY_RESPONSIBLE_PERSON", "DIRECTOR", "SHAREHOLDER")


def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


async def sync_index(session: AsyncSession, listing: Listing, journal: Journal,
                     now: datetime) -> int:
    """Bring the listing's index rows to what its facts say; returns how many rows changed."""
    window = index_window(listing, now)
    desired: dict[tuple[str, str, str], dict] = {}
    if window is not None:
        measures = (await session.execute(
            select(ListingMeasure).where(ListingMeasure.listing_id == listing.id)
            .order_by(ListingMeasure.measure_code))).scalars().all()
        derivations = sorted((await session.execute(
            select(Derivation).where(Derivation.listing_id == listing.id))).scalars().all(),
            key=lambda d: (_role_rank(d.role), d.person_code))
        for m in measures:
            desired[(listing.subject_code, m.purpose, m.measure_code)] = {
                "effect": m.effect, "via_organization": None, "via_role": None}
            for d in derivations:
                key = (d.person_code, m.purpose, m.measure_code)
                if d.role in m.extends_to_roles and key not in desired:
                    desired[key] = {"effect": m.effect, "via_organization": d.organization_code,
                                    "via_role": d.role}
    existing = {(r.subject_code, r.purpose, r.measure_code): r for r in (await session.execute(
        select(Restriction).where(Restriction.listing_id == listing.id))).scalars()}
    changed = 0
    for key, row in desired.items():
        values = {**row, "effective_from": window[0], "effective_until": window[1]}
        old = existing.get(key)
        if old is not None and all(getattr(old, k) == v for k, v in values.items()):
            continue
        code, purpose, measure = key
        stmt = insert(Restriction).values(subject_code=code, purpose=purpose, measure_code=measure,
                                          listing_id=listing.id, **values)
        await session.execute(stmt.on_conflict_do_update(
            constraint="uq_restrictions_key", set_=values))
        journal.change(purpose=purpose, subject_code=code, measure_code=measure,
                       listing_id=listing.id, op="UPSERT", effective_from=window[0],
                       effective_until=window[1])
        changed += 1
    for key in existing.keys() - desired.keys():
        code, purpose, measure = key
        await session.execute(delete(Restriction).where(
            Restriction.subject_code == code, Restriction.purpose == purpose,
            Restriction.measure_code == measure, Restriction.listing_id == listing.id))
        journal.change(purpose=purpose, subject_code=code, measure_code=measure,
                       listing_id=listing.id, op="DELETE", effective_from=None,
                       effective_until=None)
        changed += 1
    return changed
