"""`POST /listings/bulk`: listings decided elsewhere, NDJSON in, a JSON summary out."""

from __future__ import annotations

from fastapi import APIRouter, Request

from libs.common.auth import ANONYMOUS, AccessRole
from libs.common.errors import Forbidden, InvalidInput, Unauthenticated
from libs.common.ndjson import body_pieces, check_bulk_request
from libs.common.web import principal_from_request
from services.sanctions.imports.service import import_ndjson

router = APIRouter()


def importing_agency(principal, named: str | None) -> str:
    """The agency a migration is for: an official's own (the token's `agency`; naming another
    is refused), or the one an admin names with `?agency=`."""
    if principal is ANONYMOUS:
        raise Unauthenticated("this operation needs a bearer token")
    named = (named or "").strip() or None
    if principal.has(AccessRole.AUTHORITY) and principal.agency:
        if named is not None and named != principal.agency:
            raise Forbidden(f"an official of {principal.agency} migrates only its own listings")
        return principal.agency
    if principal.has(AccessRole.ADMIN):
        if named is None:
            raise InvalidInput("an admin names the agency the listings come from: "
                               "POST /listings/bulk?agency=CODE", field="agency")
        return named
    principal.require(AccessRole.AUTHORITY)
    raise Forbidden("the token names no agency; listings are migrated by the agency that "
                    "decided them")


@router.post("/listings/bulk", summary="Migrate listings decided elsewhere, from NDJSON")
async def bulk(request: Request) -> dict:
    """Idempotent on (agency, sourceListingId); each chunk of valid lines is committed."""
    principal = principal_from_request(request)
    agency = importing_agency(principal, request.query_params.get("agency"))
    settings = request.app.state.settings
    check_bulk_request(request, settings.max_bulk_bytes, "listing")
    result = await import_ndjson(
        request.app.state.sessionmaker, request.app.state.deps, agency,
        body_pieces(request, settings.max_bulk_bytes), chunk_size=settings.bulk_chunk_size,
        by=principal.sub)
    return result.as_dict()
