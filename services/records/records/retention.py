"""Archiving negative records past retention: marked and published, never deleted.

Default views already leave such records out by date (no job has to run for that); archiving
stamps `archived_at` and tells sanctions through the outbox.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.records.records import transitions
from services.records.records.repository import RecordRepository


async def archive_due(session: AsyncSession, today: date, limit: int = 1000) -> int:
    """Archive up to `limit` records whose retention ended by `today`; returns how many."""
    records = await RecordRepository(session).due_for_archiving(today, limit)
    await transitions.archived(session, records)
    return len(records)
