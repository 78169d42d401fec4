"""REST bulk registration: NDJSON in, per-line results out."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request

from libs.common.auth import ANONYMOUS, AccessRole
from libs.common.db import transaction
from libs.common.errors import Unauthenticated
from libs.common.ndjson import check_bulk_request, ndjson_lines
from libs.common.web import principal_from_request
from services.identity.subjects.service import bulk_register

router = APIRouter()


@router.post("/subjects/bulk", summary="Register subjects from NDJSON, idempotent on code")
async def bulk(request: Request) -> dict:
    """Each line `{"code", "kind", "name", "registrationNumber"?}`; valid chunks are committed."""
    principal = principal_from_request(request)
    if principal is ANONYMOUS:
        raise Unauthenticated("this operation needs a bearer token")
    principal.require(AccessRole.AUTHORITY, AccessRole.ADMIN)
    settings = request.app.state.settings
    check_bulk_request(request, settings.max_bulk_bytes, "subject")
    result = await bulk_register(
        partial(transaction, request.app.state.sessionmaker),
        ndjson_lines(request, settings.max_bulk_bytes),
        chunk_size=settings.bulk_chunk_size,
    )
    return result.as_dict()
