"""REST bulk ingestion: NDJSON in (one RecordInput-shaped object per line), per-line results out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from fastapi import APIRouter, Request

from libs.common.auth import ANONYMOUS, AccessRole
from libs.common.db import transaction
from libs.common.errors import Forbidden, InvalidInput, LimitExceeded, Unauthenticated
from libs.common.web import principal_from_request
from services.records.ingestion.pipeline import SubjectDirectory, ingest_lines

router = APIRouter()

MAX_LINE_BYTES = 64 * 1024


async def ndjson_lines(request: Request, max_bytes: int) -> AsyncIterator[bytes]:
    """Split a streamed body into lines without holding the whole body."""
    buffer = b""
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > max_bytes:
            raise LimitExceeded(f"the body is larger than {max_bytes} bytes; split the file")
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        if len(buffer) > MAX_LINE_BYTES:
            raise LimitExceeded(f"a line is longer than {MAX_LINE_BYTES} bytes")
        for line in lines:
            yield line
    if buffer:
        yield buffer


@router.post("/records/bulk", summary="Submit records from NDJSON as the token's agency")
async def bulk(request: Request) -> dict:
    """Idempotent on (agency, sourceRecordId); each chunk of valid lines is committed."""
    principal = principal_from_request(request)
    if principal is ANONYMOUS:
        raise Unauthenticated("this operation needs a bearer token")
    principal.require(AccessRole.AUTHORITY)
    if not principal.agency:
        raise Forbidden("the token names no agency; records are submitted by their source agency")
    settings = request.app.state.settings
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_bulk_bytes:
        raise LimitExceeded(f"the body is larger than {settings.max_bulk_bytes} bytes; split "
                            "the file", limit=settings.max_bulk_bytes)
    content_type = request.headers.get("content-type", "")
    if content_type and not content_type.startswith(("application/x-ndjson", "application/jsonl",
                                                     "text/plain", "application/octet-stream")):
        raise InvalidInput("send NDJSON (application/x-ndjson), one record per line")
    result = await ingest_lines(
        partial(transaction, request.app.state.sessionmaker), principal.agency,
        ndjson_lines(request, settings.max_bulk_bytes),
        SubjectDirectory(request.app.state.identity, request.app.state.sessionmaker),
        chunk_size=settings.bulk_chunk_size)
    return result.as_dict()
