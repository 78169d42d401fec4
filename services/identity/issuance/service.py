"""Issuing the next valid USCC for a registration authority, category and region."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.identifiers import (
    CATEGORIES,
    REGISTRATION_AUTHORITIES,
    USCC_ALPHABET,
    InvalidCode,
    make_uscc,
    normalise,
)
from services.identity.errors import InvalidInput, invalid_code
from services.identity.issuance.repository import IssuanceRepository

# Issued organisation-code bodies are "MA" + 6 characters of the USCC alphabet, as issuers have
# done since 2015; it keeps them apart from the legacy all-digit organisation codes.
BODY_PREFIX = "MA"
BODY_DIGITS = 6
CAPACITY = len(USCC_ALPHABET) ** BODY_DIGITS
MAX_SKIPS = 1000


def body_for(value: int) -> str:
    """The organisation-code body for the `value`-th issued code (base 31, USCC alphabet)."""
    if not 0 < value <= CAPACITY:
        raise InvalidInput("this registration authority, category and region has no codes left")
    digits = []
    n = value - 1
    for _ in range(BODY_DIGITS):
        n, r = divmod(n, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[r])
    return BODY_PREFIX + "".join(reversed(digits))


async def issue_code(session: AsyncSession, *, registration_authority: str, category: str,
                     region_code: str, issued_by: str) -> str:
    """Issue a code no subject holds and nobody was issued before; safe under concurrency."""
    try:
        authority = normalise(registration_authority)
        category = normalise(category)
        region = normalise(region_code)
    except InvalidCode as exc:
        raise invalid_code(exc) from None
    if authority not in REGISTRATION_AUTHORITIES:
        known = ", ".join(REGISTRATION_AUTHORITIES)
        raise invalid_code(InvalidCode("alphabet",
                                       f"unknown registration authority; known: {known}"))
    if category not in CATEGORIES.get(authority, {}):
        known = ", ".join(CATEGORIES.get(authority, {}))
        raise invalid_code(InvalidCode(
            "alphabet", f"registration authority {authority} has categories {known}"))
    try:
        # Check the region before the counter moves: a malformed one must not reach the table.
        make_uscc(authority, category, region, body_for(1))
    except InvalidCode as exc:
        raise invalid_code(exc) from None
    repo = IssuanceRepository(session)
    for _ in range(MAX_SKIPS):
        value = await repo.next_value(authority, category, region)
        try:
            code = make_uscc(authority, category, region, body_for(value))
        except InvalidCode as exc:
            raise invalid_code(exc) from None
        if await repo.claim(code, issued_by):
            return code
    raise InvalidInput("could not find a free code; the counter is far behind registered codes")
