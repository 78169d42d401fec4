"""Appending to and verifying the hash-chained decision log; the change feed rides the same lock.

Every listing transition appends entries under one transaction-scoped advisory lock, taken as
the last step before commit. Holding it to commit gives (a) a single chain without forks and
(b) decision-log and restriction-change ids in commit order, which is what makes the feed's
cursor gap-free (see feed/repository.py).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.timeutil import as_utc
from services.sanctions.decisionlog.models import DecisionLogEntry
from services.sanctions.feed.models import RestrictionChange

CHAIN_LOCK_KEY = 0x58594E47_53414E43  # "XYNGSANC"
GENESIS = "0" * 64


def entry_hash(prev_hash: str, listing_id: str, event: str, actor: str, occurred_at: datetime,
               payload: dict[str, Any]) -> str:
    """sha256 over the previous hash and a canonical JSON of the entry."""
    body = json.dumps({"listing": str(listing_id), "event": event, "actor": actor,
                       "at": as_utc(occurred_at).isoformat(), "payload": payload},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


async def take_chain_lock(session: AsyncSession) -> None:
    """The transaction-scoped lock every listing write ends with (re-entrant within it)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})


# From this many entries or changes, a journal is written by COPY (ids still in order, the
# change rows' xid and recorded_at from their column defaults, as with INSERT).
COPY_FROM = 500
LOG_COLUMNS = ("listing_id", "event", "actor", "occurred_at", "payload", "prev_hash", "hash")
CHANGE_COLUMNS = ("purpose", "subject_code", "measure_code", "listing_id", "op",
                  "effective_from", "effective_until")


async def _copy(session: AsyncSession, rows: list[dict[str, Any]],
                changes: list[dict[str, Any]]) -> None:
    conn = await session.connection()
    pg = (await conn.get_raw_connection()).driver_connection
    if rows:
        await pg.copy_records_to_table(
            "decision_log", schema_name="sanctions", columns=LOG_COLUMNS,
            records=[(r["listing_id"], r["event"], r["actor"], r["occurred_at"],
                      json.dumps(r["payload"], ensure_ascii=False), r["prev_hash"], r["hash"])
                     for r in rows])
    if changes:
        await pg.copy_records_to_table(
            "restriction_changes", schema_name="sanctions", columns=CHANGE_COLUMNS,
            records=[tuple(c[k] for k in CHANGE_COLUMNS) for c in changes])


@dataclass
class Journal:
    """What one unit of work appends: decision-log events and restriction-index changes."""

    events: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def record(self, listing_id: uuid.UUID, event: str, actor: str, occurred_at: datetime,
               **payload: Any) -> None:
        self.events.append({"listing_id": listing_id, "event": event, "actor": actor,
                            "occurred_at": occurred_at, "payload": payload})

    def change(self, **row: Any) -> None:
        self.changes.append(row)

    async def write(self, session: AsyncSession) -> None:
        """Take the chain lock, append the events to the chain and the changes to the feed."""
        if not self.events and not self.changes:
            return
        await take_chain_lock(session)
        prev = await session.scalar(
            select(DecisionLogEntry.hash).order_by(DecisionLogEntry.id.desc()).limit(1)) or GENESIS
        rows = []
        for e in self.events:
            h = entry_hash(prev, str(e["listing_id"]), e["event"], e["actor"], e["occurred_at"],
                           e["payload"])
            rows.append({**e, "prev_hash": prev, "hash": h})
            prev = h
        if len(rows) >= COPY_FROM or len(self.changes) >= COPY_FROM:
            await _copy(session, rows, self.changes)  # a migrated chunk's thousands
        else:
            if rows:
                await session.execute(insert(DecisionLogEntry), rows)
            if self.changes:
                await session.execute(insert(RestrictionChange), self.changes)
        self.events.clear()
        self.changes.clear()


@dataclass
class Verification:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str | None = None


async def verify(session: AsyncSession, batch: int = 5000) -> Verification:
    """Recompute the whole chain in id order; report the first entry that does not fit."""
    prev = GENESIS
    last_id = 0
    count = 0
    while True:
        rows = (await session.execute(
            select(DecisionLogEntry).where(DecisionLogEntry.id > last_id)
            .order_by(DecisionLogEntry.id).limit(batch))).scalars().all()
        if not rows:
            return Verification(ok=True, entries=count)
        for r in rows:
            if r.prev_hash != prev:
                return Verification(False, count, r.id, "prev_hash does not match the entry before")
            expected = entry_hash(prev, str(r.listing_id), r.event, r.actor, r.occurred_at,
                                  r.payload)
            if expected != r.hash:
                return Verification(False, count, r.id, "hash does not match the entry's content")
            prev = r.hash
            count += 1
            last_id = r.id
