"""Writing validated records: subject lookup, versioning, the hash chain and COPY.

One chunk = one transaction holding the source's row lock, so concurrent submitters for the same
agency take turns at the chain head (none breaks it, none is lost) while other agencies proceed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.db import transaction
from libs.common.errors import Forbidden, LimitExceeded
from libs.common.ndjson import MAX_LINE_BYTES
from libs.common.timeutil import now
from libs.contracts.identity import IdentityClient
from services.records.ingestion import copyrows
from services.records.ingestion.parse import RecordDraft
from services.records.ingestion.workers import IN_PROCESS, ChunkParser, Ingestible, ingestible
from services.records.pg import driver_connection
from services.records.records import transitions
from services.records.records.chain import link_hash, micros
from services.records.records.policy import RecordStatus, today_in_china
from services.records.records.transitions import SOURCE_CORRECTION, Correction

ACTIVE, SUPERSEDED = RecordStatus.ACTIVE.value, RecordStatus.SUPERSEDED.value
LOOKUP_BATCH = 10_000
# Chunks validated and looked up ahead of the one being written.
AHEAD = 2
# Rows prepared between chances for other tasks (a COPY streaming, a lookup) to run.
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
                found = (await self._client.lookup(missing[i:i + LOOKUP_BATCH])).subjects
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


@dataclass
class PreparedChunk:
    """A chunk turned into rows and chain links from a given head, not yet written."""

    agency: str
    head: tuple[int, bytes]          # (seq, hash) the links were computed from
    final: tuple[int, bytes]         # the head after these rows
    recorded_us: int                 # recorded_at of every row, in Unix microseconds
    # (record_id, version, kind, status, is_current, chain_seq, prev_hash, hash, static part)
    rows: list[tuple] = field(default_factory=list)
    superseded: list[tuple[int, int]] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    current: dict[str, tuple[int, int, bytes]] = field(default_factory=dict)
    outcome: IngestResult = field(default_factory=IngestResult)  # counts, applied on commit


async def _current_versions(pg, agency: str, source_ids: list[str]) -> dict[str, tuple[int, int, bytes]]:
    return {r[0]: (r[1], r[2], bytes(r[3])) for r in await pg.fetch(
        "SELECT source_record_id, record_id, version, content_hash FROM records.credit_records"
        " WHERE agency = $1 AND source_record_id = ANY($2::text[]) AND is_current",
        agency, source_ids)}


async def prepare_chunk(pg, agency: str, items: list[Ingestible], kinds: dict[str, str],
                        head: tuple[int, bytes],
                        known: dict[str, tuple[int, int, bytes]] | None = None) -> PreparedChunk:
    """Version the items against the current versions and link them from `head`.

    `known` holds current versions this run wrote itself (possibly not yet committed); the rest
    are read from the database.
    """
    known = known or {}
    source_ids = list({item[1] for item in items})
    current = {s: known[s] for s in source_ids if s in known}
    unread = [s for s in source_ids if s not in current]
    if unread:
        current.update(await _current_versions(pg, agency, unread))
    need_ids = sum(1 for s in source_ids if s not in current)
    fresh_ids = iter([r[0] for r in await pg.fetch(
        "SELECT nextval('records.record_id_seq') FROM generate_series(1, $1)", need_ids)]
        if need_ids else [])
    repeats = len(source_ids) < len(items)  # a source id twice in one chunk
    seq, prev = head
    out = PreparedChunk(agency=agency, head=head, final=head, recorded_us=micros(now()))
    rows, outcome, recorded_us = out.rows, out.outcome, out.recorded_us
    positions: dict[tuple[int, int], int] = {}  # rows of this chunk that a later line may correct
    for n, (index, source_id, subject_code, content, static) in enumerate(items, 1):
        if not n % YIELD_EVERY:
            # let a COPY of the previous chunk stream on while this one is prepared
            await asyncio.sleep(0)
        was = current.get(source_id)
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
                rows[earlier] = r[:3] + (SUPERSEDED, False) + r[5:]
            else:
                out.superseded.append((record_id, was[1]))
            out.corrections.append(Correction(record_id, version, source_id, subject_code))
            outcome.corrected += 1
        seq += 1
        digest = link_hash(prev, content, seq, record_id, version, recorded_us)
        rows.append((record_id, version, kinds[subject_code], ACTIVE, True, seq, prev, digest,
                     static))
        prev = digest
        if repeats:
            positions[(record_id, version)] = len(rows) - 1
        current[source_id] = (record_id, version, content)
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


async def _copy_data(prepared: PreparedChunk) -> AsyncIterator[bytes]:
    """The chunk's rows in binary COPY format, in pieces, so PostgreSQL starts on the first
    rows while the rest are encoded."""
    us, rows, encode = prepared.recorded_us, prepared.rows, copyrows.row
    yield copyrows.HEADER
    for start in range(0, len(rows), YIELD_EVERY):
        yield b"".join([encode(record_id, version, kind, status, is_current, us, seq, prev,
                               digest, static)
                        for record_id, version, kind, status, is_current, seq, prev, digest, static
                        in rows[start:start + YIELD_EVERY]])
    yield copyrows.TRAILER


async def apply_chunk(session: AsyncSession, prepared: PreparedChunk, result: IngestResult, *,
                      by: str, resolution: str = SOURCE_CORRECTION) -> None:
    """Write a prepared chunk under the source lock (the caller holds it, head unchanged).

    Objections to corrected records are resolved `by` whoever submitted, with `resolution`.
    """
    pg = await driver_connection(session)
    if prepared.rows:
        if prepared.superseded:
            await pg.execute(
                "UPDATE records.credit_records SET is_current = false, status = 'SUPERSEDED'"
                " WHERE (record_id, version) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))",
                [r for r, _ in prepared.superseded], [v for _, v in prepared.superseded])
        await pg.copy_to_table("credit_records", schema_name="records",
                               columns=copyrows.COLUMNS, format="binary",
                               source=_copy_data(prepared))
        if prepared.corrections:
            await transitions.corrected(session, prepared.agency, prepared.corrections, by=by,
                                        resolution=resolution)
        await pg.execute("UPDATE records.sources SET head_seq = $2, head_hash = $3"
                         " WHERE code = $1", prepared.agency, *prepared.final)
    o = prepared.outcome
    result.created += o.created
    result.corrected += o.corrected
    result.unchanged += o.unchanged
    result.accepted.extend(o.accepted)


async def write_chunk(session: AsyncSession, agency: str, drafts: list[tuple[int, RecordDraft]],
                      kinds: dict[str, str], result: IngestResult, *, by: str,
                      resolution: str = SOURCE_CORRECTION) -> None:
    """Store drafts whose subject is known, in order, as new records, corrections or no-ops."""
    await _write_items(session, agency, [ingestible(agency, i, d) for i, d in drafts], kinds,
                       result, by=by, resolution=resolution)


async def _write_items(session: AsyncSession, agency: str, items: list[Ingestible],
                       kinds: dict[str, str], result: IngestResult, *, by: str,
                       resolution: str = SOURCE_CORRECTION) -> None:
    if not items:
        return
    pg = await driver_connection(session)
    head = await lock_head(pg, agency)
    await apply_chunk(session, await prepare_chunk(pg, agency, items, kinds, head), result,
                      by=by, resolution=resolution)


def submitter(agency: str, by: str | None) -> str:
    """Who a write is recorded as: the official acting, else the agency (a file import)."""
    return by or f"agency:{agency}"


def _known_only(items: list[Ingestible], kinds: dict[str, str],
                result: IngestResult) -> list[Ingestible]:
    """Items about known subjects; the others are rejected."""
    known = []
    for item in items:
        if item[2] in kinds:
            known.append(item)
        else:
            result.rejected.append(Rejection(
                item[0], "unknown subject: no subject is registered with this code",
                "unknown_subject"))
    return known


async def ingest_drafts(session: AsyncSession, agency: str, drafts: list[tuple[int, RecordDraft]],
                        subjects: SubjectDirectory, result: IngestResult, *,
                        by: str | None = None) -> None:
    """Reject drafts about unknown subjects, write the rest (one transaction: the caller's)."""
    kinds = await subjects.kinds(d.subject_code for _, d in drafts)
    items = [ingestible(agency, index, d) for index, d in drafts]
    await _write_items(session, agency, _known_only(items, kinds, result), kinds, result,
                       by=submitter(agency, by))


async def ingest_lines(session_scope: Callable, agency: str, lines: AsyncIterable[bytes],
                       subjects: SubjectDirectory, *, chunk_size: int = 5000,
                       progress: Callable[[int, int], None] | None = None,
                       parser: ChunkParser = IN_PROCESS, by: str | None = None) -> IngestResult:
    """Ingest NDJSON given line by line (without their newlines); see `_ingest`."""
    async def chunks() -> AsyncIterator[tuple[bytes, int, int]]:
        pending: list[bytes] = []
        read_bytes = 0
        async for raw in lines:
            read_bytes += len(raw) + 1
            pending.append(raw)
            if len(pending) >= chunk_size:
                yield b"\n".join(pending), len(pending), read_bytes
                pending = []
        if pending:
            yield b"\n".join(pending), len(pending), read_bytes

    return await _ingest(session_scope, agency, chunks(), subjects, progress, parser,
                         submitter(agency, by))


async def ingest_ndjson(session_scope: Callable, agency: str, data: AsyncIterable[bytes],
                        subjects: SubjectDirectory, *, chunk_size: int = 5000,
                        progress: Callable[[int, int], None] | None = None,
                        parser: ChunkParser = IN_PROCESS,
                        max_line_bytes: int = MAX_LINE_BYTES, by: str | None = None) -> IngestResult:
    """Ingest NDJSON given as raw bytes in pieces of any size (a file read, a request body).

    The ingesting process only finds newlines; splitting and validating the lines is the
    parser's. A piece of a line longer than `max_line_bytes` fails the ingestion (LIMIT_EXCEEDED)
    before it is held whole; the chunks committed before it stay.
    """
    async def chunks() -> AsyncIterator[tuple[bytes, int, int]]:
        parts: list[bytes] = []
        newlines = seen = read_bytes = tail = 0  # tail: bytes after the last newline seen
        async for piece in data:
            read_bytes += len(piece)
            found = piece.count(b"\n")
            seen += found
            tail = tail + len(piece) if not found else len(piece) - piece.rfind(b"\n") - 1
            if tail > max_line_bytes:
                raise LimitExceeded(f"line {seen + 1} is longer than {max_line_bytes} bytes",
                                    limit=max_line_bytes)
            parts.append(piece)
            newlines += found
            if newlines >= chunk_size:
                joined = b"".join(parts)
                cut = joined.rfind(b"\n")
                yield joined[:cut], newlines, read_bytes - (len(joined) - cut - 1)
                parts, newlines = [joined[cut + 1:]], 0
        rest = b"".join(parts)
        if rest:
            rest = rest[:-1] if rest.endswith(b"\n") else rest
            yield rest, rest.count(b"\n") + 1, read_bytes

    return await _ingest(session_scope, agency, chunks(), subjects, progress, parser,
                         submitter(agency, by))


async def _ingest(session_scope: Callable, agency: str,
                  chunks: AsyncIterable[tuple[bytes, int, int]], subjects: SubjectDirectory,
                  progress: Callable[[int, int], None] | None,
                  parser: ChunkParser, by: str) -> IngestResult:
    """Ingest chunks of NDJSON (lines joined by newlines, their count, bytes read so far), one
    transaction per chunk: valid lines land, bad ones are reported.

    Stages overlap: reading (the caller's task), validating (`parser`, in a worker process when
    it has one) and subject lookup (a task per chunk, up to AHEAD chunks ahead), and writing (a
    writer task that prepares chunk N+1 while chunk N is copied and committed). Line numbers
    are physical, 1-based; blank lines count but are skipped.
    """
    result = IngestResult()
    today = today_in_china()
    parser.warm()
    queue: asyncio.Queue = asyncio.Queue(AHEAD)
    staged: set[asyncio.Task] = set()  # chunks handed over but not yet taken by the writer

    async def stage(block: bytes, lines: int, first_line: int, read_bytes: int) -> tuple:
        parsed = await parser.parse(block, lines, first_line, today, agency)
        kinds = await subjects.kinds({item[2] for item in parsed[1]})
        return parsed, kinds, read_bytes

    async def commit(prepared: PreparedChunk, drafts, kinds) -> None:
        """Write a speculatively prepared chunk; if another submitter moved the head since,
        prepare it again under the lock (the database is then authoritative)."""
        async with session_scope() as session:
            pg = await driver_connection(session)
            head = await lock_head(pg, agency)
            if head != prepared.head:
                prepared = await prepare_chunk(pg, agency, drafts, kinds, head)
            await apply_chunk(session, prepared, result, by=by)

    async def writer() -> None:
        """Prepare chunk N+1 (versions, ids, chain links: Python work) while chunk N is being
        written and committed, then commit in order."""
        head: tuple[int, bytes] | None = None     # the head after the last prepared chunk
        known: dict[str, tuple[int, int, bytes]] = {}  # current versions this run wrote
        committing: asyncio.Task | None = None
        try:
            while (task := await queue.get()) is not None:
                staged.discard(task)
                (lines_seen, items, rejections), kinds, read_bytes = await task
                result.lines += lines_seen
                result.rejected.extend(Rejection(*r) for r in rejections)
                drafts = _known_only(items, kinds, result)
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
        except asyncio.CancelledError:
            if committing is not None and not committing.done():
                committing.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await committing
            raise
        except Exception:
            # a later chunk failed: the one being committed is whole and valid, let it land
            if committing is not None:
                with contextlib.suppress(Exception):
                    await committing
            raise

    write_task = asyncio.create_task(writer())

    async def hand_over(item: asyncio.Task | None) -> None:
        """Queue a staged chunk for the writer; re-raise at once if the writer has failed."""
        if item is not None:
            staged.add(item)
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
            line_no = 0
            source = aiter(chunks)
            failed: Exception | None = None  # the input broke off: write what came before it
            while True:
                try:
                    block, lines, read_bytes = await anext(source)
                except StopAsyncIteration:
                    break
                except Exception as exc:
                    failed = exc
                    break
                await hand_over(asyncio.create_task(stage(block, lines, line_no + 1, read_bytes)))
                line_no += lines
            await hand_over(None)
            await write_task
            if failed is not None:
                raise failed
        finally:
            for task in [write_task, *staged]:
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task  # also retrieves the error of a stage nobody awaited
    return result
