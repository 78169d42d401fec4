"""Writing the restriction index: all of its SQL but the check path's reads (repository.py).

It knows rows, not listings: which rows a listing should have is decided by the listing
kernel (listings/transitions.py, `sync_index`), which then writes the differences here.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.checks.models import Restriction

# (subject code, purpose, measure code): one listing has at most one row per key.
IndexKey = tuple[str, str, str]


COPY_COLUMNS = ("subject_code", "purpose", "measure_code", "listing_id", "effect",
                "via_organization", "via_role", "effective_from", "effective_until")


class IndexRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_listing(self, listing_id: uuid.UUID) -> dict[IndexKey, Restriction]:
        """The rows the index holds for a listing, by key."""
        rows = await self.session.execute(select(Restriction)
                                          .where(Restriction.listing_id == listing_id))
        return {(r.subject_code, r.purpose, r.measure_code): r for r in rows.scalars()}

    async def put(self, listing_id: uuid.UUID, key: IndexKey, *, effect: str,
                  via_organization: str | None, via_role: str | None,
                  effective_from: datetime, effective_until: datetime | None) -> None:
        """Insert the row, or bring the stored one to these values (uq_restrictions_key)."""
        code, purpose, measure = key
        values = {"effect": effect, "via_organization": via_organization, "via_role": via_role,
                  "effective_from": effective_from, "effective_until": effective_until}
        stmt = insert(Restriction).values(subject_code=code, purpose=purpose, measure_code=measure,
                                          listing_id=listing_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(constraint="uq_restrictions_key",
                                                              set_=values))

    async def copy_new(self, rows: list[tuple]) -> None:
        """Rows of listings that have none yet, by COPY (columns COPY_COLUMNS)."""
        if rows:
            conn = await self.session.connection()
            pg = (await conn.get_raw_connection()).driver_connection
            await pg.copy_records_to_table("restrictions", schema_name="sanctions",
                                           columns=COPY_COLUMNS, records=rows)

    async def remove(self, listing_id: uuid.UUID, key: IndexKey) -> None:
        code, purpose, measure = key
        await self.session.execute(delete(Restriction).where(
            Restriction.subject_code == code, Restriction.purpose == purpose,
            Restriction.measure_code == measure, Restriction.listing_id == listing_id))
