"""Writing events in the caller's transaction and reading them in commit-safe order."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.errors import InvalidInput
from services.records.outbox.models import OutboxEvent

MAX_PAGE = 1000


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def publish(self, type_: str, *, record_id: int | None, subject_code: str | None,
                      payload: dict) -> None:
        """Add an event to the current transaction: it exists exactly when the change does."""
        self.session.add(OutboxEvent(type=type_, record_id=record_id, subject_code=subject_code,
                                     payload=payload))
        await self.session.flush()

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
            txid, _, event_id = after.partition(":")
            if not (txid.isdigit() and event_id.isdigit()):
                raise InvalidInput("malformed cursor", field="after")
            where += " AND (txid, id) > (CAST(:txid AS xid8), :id)"
            params.update(txid=int(txid), id=int(event_id))
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
