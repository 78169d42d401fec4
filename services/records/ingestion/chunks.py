"""A chunk of valid records: versioned against the current ones, chained from the source's
head, then written (rows by COPY, superseded versions, events, the new head).

One chunk = one transaction holding the source's row lock, so concurrent submitters for the same
agency take turns at the chain head (none breaks it, none is lost) while other agencies proceed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.errors import Forbidden
from libs.common.timeutil import now
from services.records.ingestion.parse import RecordDraft, Rejection
from services.records.ingestion.repository import (
    ChainedRow,
    ChainHead,
    CurrentVersion,
    IngestionRepository,
    RecordVersion,
)
from services.records.ingestion.workers import Ingestible, ingestible
from services.records.records import transitions
from services.records.records.chain import link_hash, micros
from services.records.records.policy import RecordStatus
from services.records.records.transitions import SOURCE_CORRECTION, Correction

ACTIVE, SUPERSEDED = RecordStatus.ACTIVE.value, RecordStatus.SUPERSEDED.value
# Rows prepared between chances for other tasks (a COPY streaming, a lookup) to run.
YIELD_EVERY = 512
# Named rows made in the per-line loop: tuple.__new__(Cls, values) skips the Python-level
# __new__ a NamedTuple call runs (measured: ~10% of preparing a chunk for two rows a line).
_row = tuple.__new__


@dataclass
class IngestResult:
    lines: int = 0
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # (index, record_id) of every line stored, created, corrected or unchanged: pairs, not a
    # named row, as one is made per line on the serial path (measured ~15% of preparing a chunk)
    accepted: list[tuple[int, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"lines": self.lines, "created": self.created, "corrected": self.corrected,
                "unchanged": self.unchanged,
                "rejected": [r.as_dict() for r in sorted(self.rejected, key=lambda r: r.index)]}

    def add(self, other: IngestResult) -> None:
        """Count a written chunk's outcome in."""
        self.created += other.created
        self.corrected += other.corrected
        self.unchanged += other.unchanged
        self.accepted.extend(other.accepted)


@dataclass
class PreparedChunk:
    """A chunk turned into rows and chain links from a given head, not yet written."""

    agency: str
    head: ChainHead                  # the head the links were computed from
    final: ChainHead                 # the head after these rows
    recorded_us: int                 # recorded_at of every row, in Unix microseconds
    rows: list[ChainedRow] = field(default_factory=list)
    superseded: list[RecordVersion] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    current: dict[str, CurrentVersion] = field(default_factory=dict)
    outcome: IngestResult = field(default_factory=IngestResult)  # counts, applied on commit


def not_a_source(agency: str) -> Forbidden:
    return Forbidden(f"agency {agency} is not registered as a source of records")


async def locked_head(repo: IngestionRepository, agency: str) -> ChainHead:
    """Take the source's row lock (held to commit) and return its chain head."""
    head = await repo.head(agency, lock=True)
    if head is None:
        raise not_a_source(agency)
    return head


def known_only(items: list[Ingestible], kinds: dict[str, str],
               result: IngestResult) -> list[Ingestible]:
    """Items about known subjects; the others are rejected."""
    known = []
    for item in items:
        if item.subject_code in kinds:
            known.append(item)
        else:
            result.rejected.append(Rejection(
                item.line, "unknown subject: no subject is registered with this code",
                "unknown_subject"))
    return known


async def prepare_chunk(repo: IngestionRepository, agency: str, items: list[Ingestible],
                        kinds: dict[str, str], head: ChainHead,
                        known: dict[str, CurrentVersion] | None = None) -> PreparedChunk:
    """Version the items against the current versions and link them from `head`.

    `known` holds current versions this run wrote itself (possibly not yet committed); the rest
    are read from the database.
    """
    known = known or {}
    source_ids = list({item.source_record_id for item in items})
    current = {s: known[s] for s in source_ids if s in known}
    unread = [s for s in source_ids if s not in current]
    if unread:
        current.update(await repo.current_versions(agency, unread))
    fresh_ids = iter(await repo.new_record_ids(sum(1 for s in source_ids if s not in current)))
    repeats = len(source_ids) < len(items)  # a source id twice in one chunk
    seq, prev = head
    out = PreparedChunk(agency=agency, head=head, final=head, recorded_us=micros(now()))
    rows, outcome, recorded_us = out.rows, out.outcome, out.recorded_us
    positions: dict[tuple[int, int], int] = {}  # rows of this chunk a later line may correct
    for n, (line, source_id, subject_code, content, static) in enumerate(items, 1):
        if not n % YIELD_EVERY:
            # let a COPY of the previous chunk stream on while this one is prepared
            await asyncio.sleep(0)
        was = current.get(source_id)
        if was is not None and was.content_hash == content:
            outcome.unchanged += 1
            outcome.accepted.append((line, was.record_id))
            continue
        if was is None:
            record_id, version = next(fresh_ids), 1
            outcome.created += 1
        else:
            record_id, version = was.record_id, was.version + 1
            earlier = positions.get((record_id, was.version))
            if earlier is not None:
                # corrected twice in one chunk: the earlier new row is superseded before insert
                rows[earlier] = rows[earlier]._replace(status=SUPERSEDED, is_current=False)
            else:
                out.superseded.append(RecordVersion(record_id, was.version))
            out.corrections.append(Correction(record_id, version, source_id, subject_code))
            outcome.corrected += 1
        seq += 1
        digest = link_hash(prev, content, seq, record_id, version, recorded_us)
        rows.append(_row(ChainedRow, (record_id, version, kinds[subject_code], ACTIVE, True, seq,
                                      prev, digest, static)))
        prev = digest
        if repeats:
            positions[(record_id, version)] = len(rows) - 1
        current[source_id] = _row(CurrentVersion, (record_id, version, content))
        outcome.accepted.append((line, record_id))
    out.final = ChainHead(seq, prev)
    out.current = current
    return out


async def apply_chunk(session: AsyncSession, prepared: PreparedChunk, result: IngestResult, *,
                      by: str, resolution: str = SOURCE_CORRECTION) -> None:
    """Write a prepared chunk under the source lock (the caller holds it, head unchanged).

    Objections to corrected records are resolved `by` whoever submitted, with `resolution`.
    """
    if prepared.rows:
        repo = await IngestionRepository.of(session)
        if prepared.superseded:
            await repo.supersede(prepared.superseded)
        await repo.copy(prepared.rows, prepared.recorded_us)
        if prepared.corrections:
            await transitions.corrected(session, prepared.agency, prepared.corrections, by=by,
                                        resolution=resolution)
        await repo.move_head(prepared.agency, prepared.final)
    result.add(prepared.outcome)


async def write_items(session: AsyncSession, agency: str, items: list[Ingestible],
                      kinds: dict[str, str], result: IngestResult, *, by: str,
                      resolution: str = SOURCE_CORRECTION) -> None:
    """Version, chain and write items about known subjects in the caller's transaction."""
    if not items:
        return
    repo = await IngestionRepository.of(session)
    head = await locked_head(repo, agency)
    await apply_chunk(session, await prepare_chunk(repo, agency, items, kinds, head), result,
                      by=by, resolution=resolution)


async def write_chunk(session: AsyncSession, agency: str, drafts: list[tuple[int, RecordDraft]],
                      kinds: dict[str, str], result: IngestResult, *, by: str,
                      resolution: str = SOURCE_CORRECTION) -> None:
    """Store drafts whose subject is known, in order, as new records, corrections or no-ops."""
    await write_items(session, agency, [ingestible(agency, i, d) for i, d in drafts], kinds,
                      result, by=by, resolution=resolution)
