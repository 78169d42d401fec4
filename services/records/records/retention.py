"""Archiving negative records past retention: marked and published, never deleted.

Default views already leave such records out by date (no job has to run for that); archiving
stamps `archived_at` and tells sanctions through the outbox.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.timeutil import now
from services.records.outbox.repository import OutboxRepository
from services.records.records.repository import RecordRepository


async def archive_due(session: AsyncSession, today: date, limit: int = 1000) -> int:
    """Archive up to `limit` records whose retention ended by `today`; returns how many."""
    records = await RecordRepository(session).due_for_archiving(today, limit)
    outbox = OutboxRepository(session)
    stamp = now()
    for record in records:
        record.archived_at = stamp
        await outbox.publish("RECORD_ARCHIVED", record_id=record.record_id,
                             subject_code=record.subject_code,
                             payload={"agency": record.agency, "version": record.version,
                                      "retentionUntil": record.retention_until.isoformat()})
    return len(records)
