"""REST bulk ingestion: NDJSON in (one RecordInput-shaped object per line), per-line results out."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request

from libs.common.auth import ANONYMOUS, AccessRole
from libs.common.db import transaction
from libs.common.errors import Forbidden, Unauthenticated
from libs.common.ndjson import body_pieces, check_bulk_request
from libs.common.web import principal_from_request
from services.records.ingestion.pipeline import ingest_ndjson
from services.records.ingestion.subjects import SubjectDirectory

router = APIRouter()


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
    check_bulk_request(request, settings.max_bulk_bytes, "record")
    result = await ingest_ndjson(
        partial(transaction, request.app.state.sessionmaker), principal.agency,
        body_pieces(request, settings.max_bulk_bytes),
        SubjectDirectory(request.app.state.identity, request.app.state.sessionmaker),
        chunk_size=settings.bulk_chunk_size, parser=request.app.state.chunk_parser,
        by=principal.sub)
    return result.as_dict()
