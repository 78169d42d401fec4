"""Where NDJSON chunks are validated: in the ingesting process, or in a worker process.

Validation, content hashing and encoding the static part of each row are most of the CPU of
bulk ingestion and need nothing but the line, so a worker process does them for chunk N+1 while
the ingesting process versions, chains and copies chunk N. Small chunks (a test, a short REST
submission) stay in-process: a worker's start would cost more than it saves.

A validated chunk crosses the process boundary as columns of plain values (see
`ValidatedChunk.__reduce__`): pickling one named tuple per line would cost a Python call per
line on each side, on the ingesting process's serial path too.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from functools import partial
from typing import NamedTuple

from libs.common.errors import Unavailable
from services.records.ingestion.copyrows import static_part
from services.records.ingestion.parse import LineRejected, RecordDraft, Rejection, parse_line

# Lines validated between chances for the writer's round trips to proceed (in-process only).
YIELD_EVERY = 512
# Chunks smaller than this are validated in-process even when a worker is configured.
WORKER_MIN_LINES = 1_000


class Ingestible(NamedTuple):
    """What the writer needs of a valid line."""

    line: int
    source_record_id: str
    subject_code: str
    content_hash: bytes
    static: bytes  # the static part of its row, in binary COPY format (copyrows.static_part)


def ingestible(agency: str, line_no: int, d: RecordDraft) -> Ingestible:
    """The draft on line `line_no`, hashed and with its static part encoded."""
    return Ingestible(line_no, d.source_record_id, d.subject_code, d.content_hash(agency),
                      static_part(agency, d))


_ingestible = partial(tuple.__new__, Ingestible)  # from a plain tuple, without a Python call


def _from_columns(lines: int, columns: tuple[list, ...],
                  rejections: list[Rejection]) -> ValidatedChunk:
    return ValidatedChunk(lines, list(map(_ingestible, zip(*columns))), rejections)


class ValidatedChunk(NamedTuple):
    """A chunk of lines validated: how many were not blank, the valid ones, the rejected ones."""

    lines: int
    items: list[Ingestible]
    rejections: list[Rejection]

    def __reduce__(self):
        columns = tuple(map(list, zip(*self.items))) or ([],) * len(Ingestible._fields)
        return _from_columns, (self.lines, columns, self.rejections)


def prepare_lines(lines: list[bytes], first_line: int, today: date, agency: str) -> ValidatedChunk:
    """Validate lines numbered from `first_line`; blank lines count in the numbering but are
    skipped."""
    items, rejections, count = [], [], 0
    for line_no, raw in enumerate(lines, first_line):
        if not raw.strip():
            continue
        count += 1
        try:
            items.append(ingestible(agency, line_no, parse_line(raw, today)))
        except LineRejected as exc:
            rejections.append(Rejection(line_no, exc.reason, exc.rule))
    return ValidatedChunk(count, items, rejections)


def prepare_block(block: bytes, first_line: int, today: date, agency: str) -> ValidatedChunk:
    """`prepare_lines` for lines joined by newlines: what a worker is sent."""
    return prepare_lines(block.split(b"\n"), first_line, today, agency)


def _worker_ready() -> None:
    """Nothing: submitted to have the worker process started and its modules imported."""


def _worker_init() -> None:
    gc.disable()  # it allocates only short-lived, acyclic objects (see cyclic_gc_paused)


class ChunkParser:
    """Validates chunks in-process, or in `workers` worker processes started on first use."""

    def __init__(self, workers: int = 0, min_lines: int = WORKER_MIN_LINES) -> None:
        self.workers = workers
        self.min_lines = min_lines
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: the ingesting process has event loops, threads and open connections
                # that a forked child must not inherit
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init)
            return self._pool

    def warm(self) -> None:
        """Start the worker now (it imports while the first chunk is read), if there is one."""
        if self.workers:
            self._executor().submit(_worker_ready)

    def start(self) -> None:
        """Start the worker and wait until it is ready (blocking)."""
        if self.workers:
            self._executor().submit(_worker_ready).result()

    async def parse(self, block: bytes, count: int, first_line: int, today: date,
                    agency: str) -> ValidatedChunk:
        """Validate `count` lines joined by newlines, numbered from `first_line`."""
        if self.workers and count >= self.min_lines:
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    self._executor(), prepare_block, block, first_line, today, agency)
            except BrokenProcessPool:
                with self._lock:
                    self._pool = None  # the next ingestion starts a new worker
                raise Unavailable(
                    "the ingestion worker process stopped; the chunks committed before it are "
                    "kept, submit the file again (resubmitted lines are recognised as unchanged)"
                ) from None
        lines = block.split(b"\n")
        count, items, rejections = 0, [], []
        for start in range(0, len(lines), YIELD_EVERY):
            part = prepare_lines(lines[start:start + YIELD_EVERY], first_line + start, today,
                                 agency)
            count += part.lines
            items += part.items
            rejections += part.rejections
            await asyncio.sleep(0)
        return ValidatedChunk(count, items, rejections)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


IN_PROCESS = ChunkParser(0)
