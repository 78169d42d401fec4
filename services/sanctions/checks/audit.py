"""The check audit: every check and screen, buffered in memory and written in bounded batches.

A synchronous INSERT per check would cost the hot path a round trip and a WAL flush. Instead
entries go to an in-process buffer that a background task COPYs into `check_audit` every
`audit_flush_seconds` (default 1 s), and sooner whenever a batch's worth (`batch_size`) is
waiting. The promises, each tested:

- A clean shutdown flushes everything; a SIGKILL loses at most what was buffered, which the
  early flush keeps to about a second of checks.
- Each COPY writes at most `batch_size` entries, so a flush is never one statement the
  statement timeout can cut forever; a write, once started, finishes even if the request that
  asked for it is cancelled (an entry is never written twice or lost to a cancellation).
- Backpressure: the buffer holds at most `max_buffered` entries. A check or screen first
  reserves room for its entries (`reserve`); when there is none — the database has been away
  or writes fall behind — it is refused UNAVAILABLE rather than answered without a record of
  who checked whom. Screens may fill only half the buffer, so a flood of batches is refused
  before a single check is. Nothing already buffered is ever dropped to make room.
- An entry the database refuses for what it holds (not for being down) would block every
  later flush; a failing batch is halved until the refused entries are found, and only those
  are dropped, with an error log each.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import deque
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common.db import DATABASE_UNAVAILABLE, is_unavailable
from libs.common.errors import Unavailable
from services.sanctions.checks.volume import add_batch as add_volume

log = structlog.get_logger("sanctions.audit")

COLUMNS = ("id", "checked_at", "consumer", "operation", "purpose", "subject_code", "outcome", "at",
           "request_id", "detail")

AUDIT_BEHIND = "the check audit cannot keep up right now; the check was not answered, try again"


class AuditBuffer:
    """Entries waiting to be written; `add` and `extend` never block or touch the database."""

    def __init__(self, engine: AsyncEngine, *, interval: float = 1.0,
                 max_buffered: int = 200_000, batch_size: int = 20_000) -> None:
        self._engine = engine
        self._interval = interval
        self._max = max_buffered
        self._batch = max(1, batch_size)
        self._pending: deque[tuple] = deque()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._writing: set[asyncio.Task] = set()
        self.written = 0
        self.dropped = 0
        self.refused = 0

    # -- the hot path -------------------------------------------------------------------------

    def reserve(self, entries: int, *, bulk: bool = False) -> None:
        """Refuse (UNAVAILABLE) unless `entries` more fit in the buffer; call before answering.

        Bulk work (a screen) may fill only half of it: when writes fall behind, batches are
        refused first and single checks keep the other half.
        """
        room = self._max // 2 if bulk else self._max
        if len(self._pending) + entries > room:
            self.refused += 1
            self._wake.set()
            raise Unavailable(AUDIT_BEHIND)

    def add(self, *, consumer: str, operation: str, purpose: str, subject_code: str | None,
            outcome: str, checked_at: datetime, at: datetime | None, request_id: str | None,
            detail: str | None = None, entry_id: uuid.UUID | None = None) -> uuid.UUID:
        """Queue one entry; returns its id (the check's `reference`)."""
        entry_id = entry_id or uuid.uuid4()
        self._pending.append((entry_id, checked_at, consumer, operation, purpose, subject_code,
                              outcome, at, request_id, detail))
        self._nudge()
        return entry_id

    def extend(self, rows: list[tuple]) -> None:
        self._pending.extend(rows)
        self._nudge()

    def _nudge(self) -> None:
        if len(self._pending) >= self._batch:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    # -- writing ------------------------------------------------------------------------------

    async def flush(self) -> int:
        """Write everything buffered so far, `batch_size` entries per COPY; returns how many.

        Raises UNAVAILABLE when the database cannot take them (they stay buffered, in order).
        """
        written = 0
        async with self._lock:
            while self._pending:
                batch = [self._pending.popleft()
                         for _ in range(min(self._batch, len(self._pending)))]
                task = asyncio.ensure_future(self._write(batch))
                self._writing.add(task)
                task.add_done_callback(self._writing.discard)
                # The write finishes even if this caller is cancelled: cancelling a COPY the
                # server may already have committed would put written entries back.
                written += await asyncio.shield(task)
        return written

    async def _write(self, batch: list[tuple]) -> int:
        try:
            await self._copy(batch)
        except Exception as exc:
            if is_unavailable(exc):
                self._pending.extendleft(reversed(batch))
                raise Unavailable(DATABASE_UNAVAILABLE) from exc
            if len(batch) == 1:
                self.dropped += 1
                log.error("check audit: the database refused an entry; dropped",
                          entry=str(batch[0][0]), error=type(exc).__name__, detail=str(exc)[:200])
                return 0
            half = len(batch) // 2
            return await self._write(batch[:half]) + await self._write(batch[half:])
        self.written += len(batch)
        return len(batch)

    async def _copy(self, batch: list[tuple]) -> None:
        async with self._engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            # The batch's counts per day, purpose and consumer (checkVolume) commit with it.
            async with raw.transaction():
                await raw.copy_records_to_table(
                    "check_audit", schema_name="sanctions", columns=COLUMNS, records=batch)
                await add_volume(raw, batch, COLUMNS)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("check audit flush failed; entries stay buffered",
                          pending=self.pending, error=type(exc).__name__)
                await asyncio.sleep(self._interval)  # the database is away: do not spin

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
        if self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
        try:
            await self.flush()
        except Exception as exc:
            log.error("check audit: final flush failed", pending=self.pending,
                      error=type(exc).__name__)
