"""REST bulk registration: NDJSON in, per-line results out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from fastapi import APIRouter, Request

from libs.common.auth import ANONYMOUS, AccessRole
from libs.common.db import transaction
from libs.common.errors import InvalidInput, LimitExceeded, Unauthenticated
from libs.common.web import principal_from_request
from services.identity.subjects.service import bulk_register

router = APIRouter()

MAX_LINE_BYTES = 64 * 1024


async def ndjson_lines(request: Request, max_bytes: int) -> AsyncIterator[bytes]:
    """Split a streamed request body into lines without holding the whole body."""
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


@router.post("/subjects/bulk", summary="Register subjects from NDJSON, idempotent on code")
async def bulk(request: Request) -> dict:
    """Each line `{"code", "kind", "name", "registrationNumber"?}`; valid chunks are committed."""
    principal = principal_from_request(request)
    if principal is ANONYMOUS:
        raise Unauthenticated("this operation needs a bearer token")
    principal.require(AccessRole.AUTHORITY, AccessRole.ADMIN)
    content_type = request.headers.get("content-type", "")
    if content_type and not content_type.startswith(("application/x-ndjson", "application/jsonl",
                                                     "text/plain", "application/octet-stream")):
        raise InvalidInput("send NDJSON (application/x-ndjson), one subject per line")
    settings = request.app.state.settings
    result = await bulk_register(
        partial(transaction, request.app.state.sessionmaker),
        ndjson_lines(request, settings.max_bulk_bytes),
        chunk_size=settings.bulk_chunk_size,
    )
    return result.as_dict()
