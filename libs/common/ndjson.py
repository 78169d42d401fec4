"""Streaming NDJSON request bodies for the bulk REST endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.requests import Request

from libs.common.errors import InvalidInput, LimitExceeded

MAX_LINE_BYTES = 64 * 1024
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "text/plain",
                "application/octet-stream")


def check_bulk_request(request: Request, max_bytes: int, what: str) -> None:
    """Refuse before reading: a declared body over `max_bytes`, or a type that is not NDJSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise LimitExceeded(f"the body is larger than {max_bytes} bytes; split the file",
                            limit=max_bytes)
    content_type = request.headers.get("content-type", "")
    if content_type and not content_type.startswith(NDJSON_TYPES):
        raise InvalidInput(f"send NDJSON (application/x-ndjson), one {what} per line")


async def body_pieces(request: Request, max_bytes: int) -> AsyncIterator[bytes]:
    """A streamed body as it arrives, refused once it passes `max_bytes`."""
    total = 0
    async for piece in request.stream():
        total += len(piece)
        if total > max_bytes:
            raise LimitExceeded(f"the body is larger than {max_bytes} bytes; split the file",
                                limit=max_bytes)
        yield piece


async def ndjson_lines(request: Request, max_bytes: int) -> AsyncIterator[bytes]:
    """Split a streamed body into lines without holding the whole body."""
    buffer = b""
    async for piece in body_pieces(request, max_bytes):
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        if len(buffer) > MAX_LINE_BYTES:
            raise LimitExceeded(f"a line is longer than {MAX_LINE_BYTES} bytes")
        for line in lines:
            yield line
    if buffer:
        yield buffer


async def file_pieces(path: Path, size: int = 1 << 20) -> AsyncIterator[bytes]:
    """A file's bytes in pieces of `size`, as a bulk import reads them (it finds the lines)."""
    with path.open("rb") as fh:
        while piece := fh.read(size):
            yield piece


@contextmanager
def file_progress(path: Path, label: str, show: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over `path`'s bytes for the import CLIs; yields `progress(lines, done)`."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(f"[bold]{label}[/] {{task.fields[lines]}} lines"), BarColumn(),
                   DownloadColumn(), TimeRemainingColumn(), disable=not show)
    with bar:
        task = bar.add_task("import", total=path.stat().st_size, lines=0)
        yield lambda lines, done: bar.update(task, completed=done, lines=lines)
