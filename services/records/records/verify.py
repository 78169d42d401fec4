"""Walk each source's hash chain and report the first broken link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from services.records.pg import driver_connection
from services.records.records.chain import BrokenLink, check_row
from services.records.records.models import GENESIS_HASH

_ROWS = """
SELECT record_id, version, agency, source_record_id, subject_code, category, summary,
       doc_number, doc_kind, doc_issued_on, doc_authority, occurred_on, conduct_ended_on, amount,
       disclosure, recorded_at, content_hash, chain_seq, prev_hash, hash
FROM records.credit_records WHERE agency = $1 ORDER BY chain_seq
"""


@dataclass
class ChainReport:
    agency: str
    checked: int = 0
    broken: BrokenLink | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict:
        return {"agency": self.agency, "checked": self.checked, "intact": self.intact,
                "broken": self.broken.as_dict() if self.broken else None}


@dataclass
class VerificationResult:
    reports: list[ChainReport] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return all(r.intact for r in self.reports)


async def verify_source(session: AsyncSession, agency: str,
                        progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every link of one agency's chain, stopping at the first broken one.

    Runs in a REPEATABLE READ snapshot when the caller's transaction is one; rows are streamed.
    """
    pg = await driver_connection(session)
    report = ChainReport(agency)
    head = await pg.fetchrow("SELECT head_seq, head_hash FROM records.sources WHERE code = $1",
                             agency)
    prev, expected = GENESIS_HASH, 1
    last = None
    async for row in pg.cursor(_ROWS, agency, prefetch=2000):
        reason = check_row(row, expected, prev)
        if reason:
            report.broken = BrokenLink(agency, row["chain_seq"], row["record_id"], row["version"],
                                       reason)
            return report
        report.checked += 1
        prev, expected, last = bytes(row["hash"]), expected + 1, row
        if progress and report.checked % 10_000 == 0:
            progress(report.checked)
    if head is not None and (head["head_seq"] != report.checked
                             or bytes(head["head_hash"]) != prev):
        report.broken = BrokenLink(
            agency, report.checked + 1, last["record_id"] if last else 0,
            last["version"] if last else 0,
            f"the source's head says {head['head_seq']} links; the table ends after "
            f"{report.checked} (rows were removed from the end)")
    return report


async def verify_all(session: AsyncSession, agencies: list[str] | None = None,
                     progress: Callable[[int], None] | None = None) -> VerificationResult:
    pg = await driver_connection(session)
    if not agencies:
        agencies = [r[0] for r in await pg.fetch("SELECT code FROM records.sources ORDER BY code")]
    result = VerificationResult()
    for agency in agencies:
        result.reports.append(await verify_source(session, agency, progress))
    return result
