"""All SQL of the records-event inbox: the events applied once, and the consumer's cursor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.inbox.models import ConsumerCursor, ProcessedEvent


def classify(event_type: str) -> str | None:
    """WITHDRAWN, CORRECTED or None, however records spells it (record.withdrawn, ...)."""
    t = event_type.upper().replace(".", "_").replace("-", "_")
    if t.endswith("WITHDRAWN"):
        return "WITHDRAWN"
    if t.endswith("CORRECTED"):
        return "CORRECTED"
    return None


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, event_id: str, event_type: str, record_id: str | None) -> bool:
        """Note the event as being applied; False when it was applied before (a redelivery)."""
        inserted = await self.session.scalar(
            insert(ProcessedEvent).values(event_id=event_id, type=event_type[:64],
                                          record_id=record_id, effect="pending")
            .on_conflict_do_nothing().returning(ProcessedEvent.event_id))
        return inserted is not None

    async def set_effect(self, event_id: str, effect: str) -> None:
        await self.session.execute(update(ProcessedEvent)
                                   .where(ProcessedEvent.event_id == event_id)
                                   .values(effect=effect))

    async def withdrawn_among(self, record_ids: list[str]) -> list[str]:
        """Records among `record_ids` that a consumed event reported withdrawn or corrected."""
        rows = await self.session.execute(select(ProcessedEvent.record_id, ProcessedEvent.type)
                                          .where(ProcessedEvent.record_id.in_(record_ids)))
        return sorted({rid for rid, type_ in rows.all() if classify(type_)})

    async def cursor(self, consumer: str) -> str | None:
        """Where `consumer` stopped reading (None: from the start)."""
        return await self.session.scalar(select(ConsumerCursor.cursor)
                                         .where(ConsumerCursor.name == consumer))

    async def save_cursor(self, consumer: str, cursor: str | None, at: datetime) -> None:
        await self.session.execute(
            insert(ConsumerCursor).values(name=consumer, cursor=cursor, updated_at=at)
            .on_conflict_do_update(index_elements=["name"],
                                   set_={"cursor": cursor, "updated_at": at}))
