"""Writing validated records: subject lookup, versioning, the hash chain and COPY.

One chunk = one transaction holding the source's row lock, so concurrent submitters for the same
agency take turns at the chain head (none breaks it, none is lost) while other agencies proceed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.db import transaction
from libs.common.errors import Forbidden
from libs.common.internal import IdentityClient
from libs.common.timeutil import SHANGHAI, now
from services.records.pg import driver_connection
from services.records.ingestion.parse import LineRejected, RecordDraft, parse_line
from services.records.records.chain import content_hash, link_hash, micros
from services.records.records.policy import RecordStatus, retention_until

COLUMNS = (
    "record_id", "version", "agency", "source_record_id", "subject_code", "subject_kind",
    "category", "summary", "doc_number", "doc_kind", "doc_issued_on", "doc_authority",
    "occurred_on", "conduct_ended_on", "amount", "disclosure", "retention_until", "status",
    "is_current", "recorded_at", "archived_at", "content_hash", "chain_seq", "prev_hash", "hash",
)
LOOKUP_BATCH = 10_000
# Lines parsed between chances for the writer to run: each of its round trips waits for one.
YIELD_EVERY = 512
_gc_pauses = 0


@contextlib.contextmanager
def cyclic_gc_paused():
    """Pause the cyclic garbage collector during a bulk ingestion (reference counting goes on).

    Ingestion allocates millions of short-lived, acyclic objects; the collector's passes over
    them cost about a third of the CPU. Nested and concurrent pauses re-enable on the last exit.
    """
    global _gc_pauses
    if _gc_pauses == 0 and not gc.isenabled():
        yield  # someone else disabled it; leave it alone
        return
    _gc_pauses += 1
    gc.disable()
    try:
        yield
    finally:
        _gc_pauses -= 1
        if _gc_pauses == 0:
            gc.enable()


@dataclass
class Rejection:
    index: int
    reason: str
    rule: str

    def as_dict(self) -> dict:
        return {"line": self.index, "reason": self.reason, "rule": self.rule}


@dataclass
class IngestResult:
    lines: int = 0
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # (index, record_id) of every accepted record, created, corrected or unchanged
    accepted: list[tuple[int, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"lines": self.lines, "created": self.created, "corrected": self.corrected,
                "unchanged": self.unchanged,
                "rejected": [r.as_dict() for r in sorted(self.rejected, key=lambda r: r.index)]}


class SubjectDirectory:
    """Subject kinds: remembered for the run, then records' own known_subjects, then identity.

    Identity never deletes a subject nor changes a code's kind, so a code confirmed once is
    stored in known_subjects and identity is asked about it only once, ever. Unknown codes are
    asked again every time. Lookups are serialised so concurrent chunks never ask twice.
    """

    def __init__(self, client: IdentityClient, sessionmaker=None) -> None:
        self._client = client
        self._sessionmaker = sessionmaker
        self._kinds: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def kinds(self, codes: Iterable[str]) -> dict[str, str]:
        wanted = set(codes)
        async with self._lock:
            missing = sorted(wanted - self._kinds.keys())
            if missing and self._sessionmaker is not None:
                async with transaction(self._sessionmaker) as session:
                    pg = await driver_connection(session)
                    rows = await pg.fetch("SELECT code, kind FROM records.known_subjects"
                                          " WHERE code = ANY($1::text[])", missing)
                self._kinds.update((r[0], r[1]) for r in rows)
                missing = sorted(wanted - self._kinds.keys())
            for i in range(0, len(missing), LOOKUP_BATCH):
                found, _ = await self._client.lookup(missing[i:i + LOOKUP_BATCH])
                learned = {c: s.kind for c, s in found.items()}
                self._kinds.update(learned)
                if learned and self._sessionmaker is not None:
                    async with transaction(self._sessionmaker) as session:
                        pg = await driver_connection(session)
                        await pg.execute(
                            "INSERT INTO records.known_subjects (code, kind)"
                            " SELECT * FROM unnest($1::text[], $2::text[])"
                            " ON CONFLICT DO NOTHING", list(learned), list(learned.values()))
        return {c: self._kinds[c] for c in wanted if c in self._kinds}


def today_in_china() -> date:
    return now().astimezone(SHANGHAI).date()


@dataclass
class PreparedChunk:
    """A chunk turned into rows and chain links from a given head, not yet written."""

    agency: str
    head: tuple[int, bytes]          # (seq, hash) the links were computed from
    final: tuple[int, bytes]         # the head after these rows
    rows: list[tuple] = field(default_factory=list)
    superseded: list[tuple[int, int]] = field(default_factory=list)
    corrections: list[tuple[int, int, str, str]] = field(default_factory=list)
    current: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)
    outcome: IngestResult = field(default_factory=IngestResult)  # counts, applied on commit


async def _current_versions(pg, agency: str, source_ids: list[str]) -> dict[str, tuple[int, int, bytes]]:
    return {r[0]: (r[1], r[2], bytes(r[3])) for r in await pg.fetch(
        "SELECT source_record_id, record_id, version, content_hash FROM records.credit_records"
        " WHERE agency = $1 AND source_record_id = ANY($2::text[]) AND is_current",
        agency, source_ids)}


async def prepare_chunk(pg, agency: str, drafts: list[tuple[int, RecordDraft]],
                        kinds: dict[str, str], head: tuple[int, bytes],
                        known: dict[str, tuple[int, int, bytes]] | None = None) -> PreparedChunk:
    """Version the drafts against the current versions and link them from `head`.

    `known` holds current versions this run wrote itself (possibly not yet committed); the rest
    are read from the database.
    """
    known = known or {}
    source_ids = list({d.source_record_id for _, d in drafts})
    current = {s: known[s] for s in source_ids if s in known}
    unread = [s for s in source_ids if s not in current]
    if unread:
        current.update(await _current_versions(pg, agency, unread))
    need_ids = sum(1 for s in source_ids if s not in current)
    fresh_ids = iter([r[0] for r in await pg.fetch(
        "SELECT nextval('records.record_id_seq') FROM generate_series(1, $1)", need_ids)]
        if need_ids else [])
    repeats = len(source_ids) < len(drafts)  # a source id twice in one chunk
    seq, prev = head
    out = PreparedChunk(agency=agency, head=head, final=head)
    rows, outcome = out.rows, out.outcome
    recorded_at = now()
    recorded_us = micros(recorded_at)
    positions: dict[tuple[int, int], int] = {}  # rows of this chunk that a later line may correct
    for index, d in drafts:
        kind = kinds[d.subject_code]
        disclosure = d.disclosure or ("SHARED" if kind == "NATURAL_PERSON" else "PUBLIC")
        content = content_hash(agency, d.source_record_id, d.subject_code, d.category, d.summary,
                               d.doc_number, d.doc_kind, d.doc_issued_on, d.doc_authority,
                               d.occurred_on, d.conduct_ended_on, d.amount, disclosure)
        was = current.get(d.source_record_id)
        if was is not None and was[2] == content:
            outcome.unchanged += 1
            outcome.accepted.append((index, was[0]))
            continue
        if was is None:
            record_id, version = next(fresh_ids), 1
            outcome.created += 1
        else:
            record_id, version = was[0], was[1] + 1
            earlier = positions.get((record_id, was[1]))
            if earlier is not None:
                # corrected twice in one chunk: the earlier new row is superseded before insert
                r = rows[earlier]
                rows[earlier] = r[:17] + (RecordStatus.SUPERSEDED.value, False) + r[19:]
            else:
                out.superseded.append((record_id, was[1]))
            out.corrections.append((record_id, version, d.source_record_id, d.subject_code))
            outcome.corrected += 1
        seq += 1
        digest = link_hash(prev, content, seq, record_id, version, recorded_us)
        rows.append((record_id, version, agency, d.source_record_id, d.subject_code, kind,
                     d.category, d.summary, d.doc_number, d.doc_kind, d.doc_issued_on,
                     d.doc_authority, d.occurred_on, d.conduct_ended_on, d.amount, disclosure,
                     retention_until(d.category, d.occurred_on, d.conduct_ended_on),
                     RecordStatus.ACTIVE.value, True, recorded_at, None, content, seq, prev,
                     digest))
        prev = digest
        if repeats:
            positions[(record_id, version)] = len(rows) - 1
        current[d.source_record_id] = (record_id, version, content)
        outcome.accepted.append((index, record_id))
    out.final = (seq, prev)
    out.current = current
    return out


async def lock_head(pg, agency: str) -> tuple[int, bytes]:
    """Take the source's row lock (held to commit) and return its chain head."""
    head = await pg.fetchrow(
        "SELECT head_seq, head_hash FROM records.sources WHERE code = $1 FOR UPDATE", agency)
    if head is None:
        raise Forbidden(f"agency {agency} is not registered as a source of records")
    return head[0], bytes(head[1])


async def apply_chunk(pg, prepared: PreparedChunk, result: IngestResult) -> None:
    """Write a prepared chunk under the source lock (the caller holds it, head unchanged)."""
    if prepared.rows:
        if prepared.superseded:
            await pg.execute(
                "UPDATE records.credit_records SET is_current = false, status = 'SUPERSEDED'"
                " WHERE (record_id, version) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))",
                [r for r, _ in prepared.superseded], [v for _, v in prepared.superseded])
        await pg.copy_records_to_table("credit_records", schema_name="records", columns=COLUMNS,
                                       records=prepared.rows)
        if prepared.corrections:
            await _publish_corrections(pg, prepared.agency, prepared.corrections)
        await pg.execute("UPDATE records.sources SET head_seq = $2, head_hash = $3"
                         " WHERE code = $1", prepared.agency, *prepared.final)
    o = prepared.outcome
    result.created += o.created
    result.corrected += o.corrected
    result.unchanged += o.unchanged
    result.accepted.extend(o.accepted)


async def write_chunk(session: AsyncSession, agency: str, drafts: list[tuple[int, RecordDraft]],
                      kinds: dict[str, str], result: IngestResult) -> None:
    """Store drafts whose subject is known, in order, as new records, corrections or no-ops."""
    if not drafts:
        return
    pg = await driver_connection(session)
    head = await lock_head(pg, agency)
    await apply_chunk(pg, await prepare_chunk(pg, agency, drafts, kinds, head), result)


async def _publish_corrections(pg, agency: str, corrections: list[tuple[int, int, str, str]]) -> None:
    """RECORD_CORRECTED for each new version; open objections to them are resolved CORRECTED."""
    resolved = await pg.fetch(
        "UPDATE records.objections SET status = 'CORRECTED', resolved_at = now(),"
        " resolved_by = $2, resolution = 'corrected by the source agency'"
        " WHERE record_id = ANY($1::bigint[]) AND status = 'OPEN'"
        " RETURNING id, record_id, subject_code",
        [c[0] for c in corrections], f"agency:{agency}")
    events = [("RECORD_CORRECTED", rid, subject, orjson.dumps(
        {"agency": agency, "sourceRecordId": src, "version": version,
         "previousVersion": version - 1}).decode())
        for rid, version, src, subject in corrections]
    events += [("OBJECTION_RESOLVED", r["record_id"], r["subject_code"], orjson.dumps(
        {"objectionId": str(r["id"]), "outcome": "CORRECTED"}).decode()) for r in resolved]
    await pg.executemany(
        "INSERT INTO records.outbox_events (type, record_id, subject_code, payload)"
        " VALUES ($1, $2, $3, $4::jsonb)", events)


def _known_only(drafts: list[tuple[int, RecordDraft]], kinds: dict[str, str],
                result: IngestResult) -> list[tuple[int, RecordDraft]]:
    """Drafts about known subjects; the others are rejected."""
    known = []
    for index, d in drafts:
        if d.subject_code in kinds:
            known.append((index, d))
        else:
            result.rejected.append(Rejection(
                index, "unknown subject: no subject is registered with this code",
                "unknown_subject"))
    return known


async def ingest_drafts(session: AsyncSession, agency: str, drafts: list[tuple[int, RecordDraft]],
                        subjects: SubjectDirectory, result: IngestResult,
                        kinds: dict[str, str] | None = None) -> None:
    """Reject drafts about unknown subjects, write the rest (one transaction: the caller's).

    `kinds` may be looked up beforehand (the bulk path does it while the previous chunk writes).
    """
    if kinds is None:
        kinds = await subjects.kinds(d.subject_code for _, d in drafts)
    await write_chunk(session, agency, _known_only(drafts, kinds, result), kinds, result)


async def ingest_lines(session_scope: Callable, agency: str, lines: AsyncIterable[bytes],
                       subjects: SubjectDirectory, *, chunk_size: int = 5000,
                       progress: Callable[[int, int], None] | None = None) -> IngestResult:
    """Ingest NDJSON lines, one transaction per chunk: valid lines land, bad ones are reported.

    Three things overlap: parsing (the caller's task), subject lookups (a task per chunk) and
    writing (a writer task that prepares chunk N+1 while chunk N is copied and committed). Line numbers are physical, 1-based; blank lines
    count but are skipped.
    """
    result = IngestResult()
    today = today_in_china()
    queue: asyncio.Queue = asyncio.Queue(1)
    lookups: set[asyncio.Task] = set()  # lookups handed over but not yet awaited by the writer

    async def commit(prepared: PreparedChunk, drafts, kinds) -> None:
        """Write a speculatively prepared chunk; if another submitter moved the head since,
        prepare it again under the lock (the database is then authoritative)."""
        async with session_scope() as session:
            pg = await driver_connection(session)
            head = await lock_head(pg, agency)
            if head != prepared.head:
                prepared = await prepare_chunk(pg, agency, drafts, kinds, head)
            await apply_chunk(pg, prepared, result)

    async def writer() -> None:
        """Prepare chunk N+1 (versions, ids, chain links: Python work) while chunk N is being
        written and committed, then commit in order."""
        head: tuple[int, bytes] | None = None     # the head after the last prepared chunk
        known: dict[str, tuple[int, int, bytes]] = {}  # current versions this run wrote
        committing: asyncio.Task | None = None
        try:
            while (item := await queue.get()) is not None:
                chunk, read_bytes, lookup = item
                lookups.discard(lookup)
                kinds = await lookup
                drafts = _known_only(chunk, kinds, result)
                if drafts:
                    async with session_scope() as session:
                        pg = await driver_connection(session)
                        if head is None:
                            row = await pg.fetchrow("SELECT head_seq, head_hash FROM "
                                                    "records.sources WHERE code = $1", agency)
                            if row is None:
                                raise Forbidden(f"agency {agency} is not registered as a "
                                                "source of records")
                            head = (row[0], bytes(row[1]))
                        prepared = await prepare_chunk(pg, agency, drafts, kinds, head, known)
                    if committing is not None:
                        await committing
                    committing = asyncio.create_task(commit(prepared, drafts, kinds))
                    head = prepared.final
                    known.update(prepared.current)
                if progress:
                    progress(result.lines, read_bytes)
            if committing is not None:
                await committing
        finally:
            if committing is not None and not committing.done():
                committing.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await committing

    def with_lookup(chunk: list[tuple[int, RecordDraft]], read_bytes: int) -> tuple:
        """The chunk with its subject lookup already under way (it overlaps earlier writes)."""
        lookup = asyncio.create_task(subjects.kinds({d.subject_code for _, d in chunk}))
        lookups.add(lookup)
        return chunk, read_bytes, lookup

    write_task = asyncio.create_task(writer())

    async def hand_over(item) -> None:
        """Queue an item for the writer; re-raise at once if the writer has failed."""
        put = asyncio.create_task(queue.put(item))
        await asyncio.wait({put, write_task}, return_when=asyncio.FIRST_COMPLETED)
        if not put.done():
            put.cancel()
        if write_task.done():
            write_task.result()  # raises the writer's error
            if item is not None:
                raise RuntimeError("the writer stopped before the input ended")

    with cyclic_gc_paused():
        try:
            pending: list[tuple[int, RecordDraft]] = []
            read_bytes = 0
            line_no = 0
            async for raw in lines:
                line_no += 1
                read_bytes += len(raw) + 1
                if not raw.strip():
                    continue
                result.lines += 1
                try:
                    pending.append((line_no, parse_line(raw, today)))
                except LineRejected as exc:
                    result.rejected.append(Rejection(line_no, exc.reason, exc.rule))
                if len(pending) >= chunk_size:
                    await hand_over(with_lookup(pending, read_bytes))
                    pending = []
                elif not line_no % YIELD_EVERY:
                    await asyncio.sleep(0)  # let the writer's round trips proceed while we parse
            await hand_over(with_lookup(pending, read_bytes))
            await hand_over(None)
            await write_task
        finally:
            for task in [write_task, *lookups]:
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task  # also retrieves the error of a lookup nobody awaited
    return result
