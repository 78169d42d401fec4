"""SQL over the consumed records events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.sanctions.events.models import ProcessedEvent


def classify(event_type: str) -> str | None:
    """WITHDRAWN, CORRECTED or None, however records spells it (record.withdrawn, ...)."""
    t = event_type.upper().replace(".", "_").replace("-", "_")
    if t.endswith("WITHDRAWN"):
        return "WITHDRAWN"
    if t.endswith("CORRECTED"):
        return "CORRECTED"
    return None


async def withdrawn_among(session: AsyncSession, record_ids: list[str]) -> list[str]:
    """Records among `record_ids` that a consumed event reported withdrawn or corrected."""
    rows = await session.execute(select(ProcessedEvent.record_id, ProcessedEvent.type)
                                 .where(ProcessedEvent.record_id.in_(record_ids)))
    return sorted({rid for rid, type_ in rows.all() if classify(type_)})
