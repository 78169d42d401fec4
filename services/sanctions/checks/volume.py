"""Checks and screens answered per day (Asia/Shanghai), purpose and consumer, kept current.

`checkVolume` reads this table instead of counting the audit (tens of millions of rows a
month). The audit buffer adds each batch's counts in the same transaction as the batch's COPY
(`add_batch`, called from checks/audit.py), so the volumes and the audit never disagree: a
batch that is not written is not counted, and one retried after an outage is counted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import BigInteger, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from libs.common.timeutil import SHANGHAI
from services.sanctions.db import Base

ANSWERED = {"CLEAR": 0, "RESTRICTED": 1}  # outcomes of an answered check; INVALID is not one
COUNTED_OPERATIONS = frozenset({"CHECK", "SCREEN"})  # feed pages are audited but not checks

UPSERT = """
    INSERT INTO sanctions.check_volume AS v (day, purpose, consumer, checks, restricted, invalid)
    SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
                         $6::bigint[])
    ON CONFLICT (day, purpose, consumer) DO UPDATE
    SET checks = v.checks + excluded.checks, restricted = v.restricted + excluded.restricted,
        invalid = v.invalid + excluded.invalid
"""

# The same counts from the audit itself: the migration's backfill, and bulk-loaded audits.
REBUILD = [
    "TRUNCATE sanctions.check_volume",
    """INSERT INTO sanctions.check_volume (day, purpose, consumer, checks, restricted, invalid)
       SELECT (checked_at AT TIME ZONE 'Asia/Shanghai')::date, purpose, consumer,
              count(*) FILTER (WHERE outcome IN ('CLEAR', 'RESTRICTED')),
              count(*) FILTER (WHERE outcome = 'RESTRICTED'),
              count(*) FILTER (WHERE outcome NOT IN ('CLEAR', 'RESTRICTED'))
       FROM sanctions.check_audit WHERE operation IN ('CHECK', 'SCREEN')
       GROUP BY 1, 2, 3""",
]


class CheckVolume(Base):
    """How many checks (and screened codes) one consumer had answered for one purpose one day."""

    __tablename__ = "check_volume"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    consumer: Mapped[str] = mapped_column(Text, primary_key=True)
    checks: Mapped[int] = mapped_column(BigInteger)  # answered: CLEAR or RESTRICTED
    restricted: Mapped[int] = mapped_column(BigInteger)
    invalid: Mapped[int] = mapped_column(BigInteger)  # codes refused as invalid, not answered


def tally(batch: Sequence[tuple], columns: Sequence[str]) -> dict[tuple, list[int]]:
    """(day, purpose, consumer) -> [checks, restricted, invalid] for a batch of audit rows."""
    at, consumer, operation, purpose, outcome = (
        columns.index(c) for c in ("checked_at", "consumer", "operation", "purpose", "outcome"))
    counts: dict[tuple, list[int]] = {}
    for row in batch:
        if row[operation] not in COUNTED_OPERATIONS:
            continue
        key = (row[at].astimezone(SHANGHAI).date(), row[purpose], row[consumer])
        entry = counts.setdefault(key, [0, 0, 0])
        result = ANSWERED.get(row[outcome])
        if result is None:
            entry[2] += 1
        else:
            entry[0] += 1
            entry[1] += result
    return counts


async def add_batch(connection, batch: Sequence[tuple], columns: Sequence[str]) -> None:
    """Add a batch's counts to `check_volume` on the raw asyncpg connection writing the batch.

    Rows are upserted in key order, so concurrent flushes (several workers) never deadlock.
    """
    counts = tally(batch, columns)
    if not counts:
        return
    keys = sorted(counts)
    await connection.execute(
        UPSERT, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
        [counts[k][0] for k in keys], [counts[k][1] for k in keys], [counts[k][2] for k in keys])
