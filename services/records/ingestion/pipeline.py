"""Orchestrating an ingestion: NDJSON in, chunks validated, subjects looked up, chunks written.

The rooms it calls: `workers` validates (in a worker process on the bulk path), `subjects`
knows which subjects exist, `chunks` versions, chains and writes, `repository` holds the SQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterable, AsyncIterator, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.errors import LimitExceeded
from libs.common.ndjson import MAX_LINE_BYTES
from services.records.ingestion.chunks import (
    IngestResult,
    PreparedChunk,
    apply_chunk,
    known_only,
    locked_head,
    not_a_source,
    prepare_chunk,
    write_items,
)
from services.records.ingestion.parse import RecordDraft
from services.records.ingestion.repository import ChainHead, CurrentVersion, IngestionRepository
from services.records.ingestion.subjects import SubjectDirectory
from services.records.ingestion.workers import IN_PROCESS, ChunkParser, ingestible
from services.records.records.policy import today_in_china

# Chunks validated and looked up ahead of the one being written.
AHEAD = 2
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


def submitter(agency: str, by: str | None) -> str:
    """Who a write is recorded as: the official acting, else the agency (a file import)."""
    return by or f"agency:{agency}"


async def ingest_drafts(session: AsyncSession, agency: str, drafts: list[tuple[int, RecordDraft]],
                        subjects: SubjectDirectory, result: IngestResult, *,
                        by: str | None = None) -> None:
    """Reject drafts about unknown subjects, write the rest (one transaction: the caller's)."""
    kinds = await subjects.kinds(d.subject_code for _, d in drafts)
    items = [ingestible(agency, index, d) for index, d in drafts]
    await write_items(session, agency, known_only(items, kinds, result), kinds, result,
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
        validated = await parser.parse(block, lines, first_line, today, agency)
        kinds = await subjects.kinds({item.subject_code for item in validated.items})
        return validated, kinds, read_bytes

    async def commit(prepared: PreparedChunk, items, kinds) -> None:
        """Write a speculatively prepared chunk; if another submitter moved the head since,
        prepare it again under the lock (the database is then authoritative)."""
        async with session_scope() as session:
            repo = await IngestionRepository.of(session)
            head = await locked_head(repo, agency)
            if head != prepared.head:
                prepared = await prepare_chunk(repo, agency, items, kinds, head)
            await apply_chunk(session, prepared, result, by=by)

    async def writer() -> None:
        """Prepare chunk N+1 (versions, ids, chain links: Python work) while chunk N is being
        written and committed, then commit in order."""
        head: ChainHead | None = None              # the head after the last prepared chunk
        known: dict[str, CurrentVersion] = {}      # current versions this run wrote
        committing: asyncio.Task | None = None
        try:
            while (task := await queue.get()) is not None:
                staged.discard(task)
                validated, kinds, read_bytes = await task
                result.lines += validated.lines
                result.rejected.extend(validated.rejections)
                items = known_only(validated.items, kinds, result)
                if items:
                    async with session_scope() as session:
                        repo = await IngestionRepository.of(session)
                        if head is None:
                            head = await repo.head(agency)
                            if head is None:
                                raise not_a_source(agency)
                        prepared = await prepare_chunk(repo, agency, items, kinds, head, known)
                    if committing is not None:
                        await committing
                    committing = asyncio.create_task(commit(prepared, items, kinds))
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
