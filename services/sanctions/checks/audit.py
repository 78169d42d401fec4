"""The check audit: every check and screen, buffered in memory and written in batches.

A synchronous INSERT per check would cost the hot path a round trip and a WAL flush. Instead
entries go to an in-process buffer that a background task COPYs into `check_audit` every
`audit_flush_seconds` (default 1 s). The trade-off, documented and tested: if the process is
killed, the entries of at most about the last flush interval are lost; a clean shutdown flushes
everything. If the database is down, entries stay buffered (up to `audit_max_buffered`, then
the oldest are dropped with an error log) and are written when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger("sanctions.audit")

COLUMNS = ("id", "checked_at", "consumer", "operation", "purpose", "subject_code", "outcome", "at",
           "request_id", "detail")


class AuditBuffer:
    """Entries waiting to be written; `add` never blocks or touches the database."""

    def __init__(self, engine: AsyncEngine, *, interval: float = 1.0,
                 max_buffered: int = 2_000_000) -> None:
        self._engine = engine
        self._interval = interval
        self._max = max_buffered
        self._pending: deque[tuple] = deque()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self.written = 0
        self.dropped = 0

    def add(self, *, consumer: str, operation: str, purpose: str, subject_code: str | None,
            outcome: str, checked_at: datetime, at: datetime | None, request_id: str | None,
            detail: str | None = None, entry_id: uuid.UUID | None = None) -> uuid.UUID:
        """Queue one entry; returns its id (the check's `reference`)."""
        entry_id = entry_id or uuid.uuid4()
        self._pending.append((entry_id, checked_at, consumer, operation, purpose, subject_code,
                              outcome, at, request_id, detail))
        if len(self._pending) > self._max:
            self._pending.popleft()
            self.dropped += 1
        return entry_id

    def extend(self, rows: list[tuple]) -> None:
        self._pending.extend(rows)
        while len(self._pending) > self._max:
            self._pending.popleft()
            self.dropped += 1

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> int:
        """Write everything buffered so far with one COPY; returns how many entries."""
        async with self._lock:
            if not self._pending:
                return 0
            batch = list(self._pending)
            self._pending.clear()
            try:
                async with self._engine.connect() as conn:
                    raw = await conn.get_raw_connection()
                    await raw.driver_connection.copy_records_to_table(
                        "check_audit", schema_name="sanctions", columns=COLUMNS, records=batch)
            except BaseException:
                # Put them back in front, keep order; the next flush tries again.
                self._pending.extendleft(reversed(batch))
                raise
            self.written += len(batch)
            return len(batch)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("check audit flush failed; entries stay buffered",
                          pending=self.pending, error=type(exc).__name__)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="check-audit-flush")

    async def stop(self) -> None:
        """Stop the background task and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        except Exception as exc:
            log.error("check audit: final flush failed", pending=self.pending,
                      error=type(exc).__name__)
