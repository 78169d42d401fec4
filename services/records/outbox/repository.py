"""Writing events in the caller's transaction and reading them in commit-safe order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.errors import InvalidInput
from libs.common.ids import decimal_id
from libs.contracts.records import EventPayload
from services.records.outbox.models import OutboxEvent

MAX_PAGE = 1000


class RecordEvent(NamedTuple):
    """An event about one record, before it is written: its type is its payload's."""

    payload: EventPayload
    record_id: int
    subject_code: str


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def publish(self, events: Sequence[RecordEvent]) -> None:
        """Write events in the current transaction, in order: they exist exactly when the
        change does. Every payload is serialised here, the same way."""
        if events:
            await self.session.execute(insert(OutboxEvent), [
                {"type": e.payload.TYPE, "record_id": e.record_id, "subject_code": e.subject_code,
                 "payload": e.payload.wire()} for e in events])

    async def read(self, after: str | None, limit: int) -> tuple[list[dict], str | None, bool]:
        """Events after the cursor, oldest first, only from transactions no longer running.

        Rows are ordered by (txid, id) and a reader only sees transactions older than the oldest
        one still in flight, so an event committed late is never skipped by a cursor that has
        moved past a later id.
        """
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
        params: dict = {"limit": limit + 1}
        where = "txid < pg_snapshot_xmin(pg_current_snapshot())"
        if after:
            txid, _, event_id = (decimal_id(part) for part in after.partition(":"))
            if txid is None or event_id is None:
                raise InvalidInput("malformed cursor", field="after")
            where += " AND (txid, id) > (CAST(:txid AS xid8), :id)"
            params.update(txid=txid, id=event_id)
        rows = (await self.session.execute(text(
            "SELECT id, txid::text AS txid_text, type, record_id, subject_code, occurred_at, payload"
            f" FROM records.outbox_events WHERE {where}"
            " ORDER BY outbox_events.txid, outbox_events.id LIMIT :limit"),
            params)).mappings().all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        events = [{"id": str(r["id"]), "type": r["type"],
                   "recordId": str(r["record_id"]) if r["record_id"] is not None else None,
                   "subjectCode": r["subject_code"], "occurredAt": r["occurred_at"].isoformat(),
                   "payload": r["payload"]} for r in rows]
        cursor = f"{rows[-1]['txid_text']}:{rows[-1]['id']}" if rows else after
        return events, cursor, has_more
