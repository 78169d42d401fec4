"""What a catalogue code and text may be: checked before an admin upsert writes anything.

Codes are identifiers other systems store and compare (consumers key their local copies on
measure codes, tokens carry agency codes), so each has one spelling: upper-case ASCII letters,
digits and underscores, starting with a letter. Every code seeded by migration 0002 and used by
the demo data fits (e.g. `SPC_DISHONEST_DEBTORS`, `ADMINISTRATIVE_LICENSING_RESTRICTION`,
`MOU_2016_TAX_A_GRADE`, agencies `SPC`, `SAMR`, `NDRC`). Control characters are refused earlier,
for every string, by the kit (libs/common/graphql.py).
"""

from __future__ import annotations

import re

from libs.common.errors import InvalidInput

# Lists, measures and memoranda: 2-64 characters (their String(64) keys).
CATALOGUE_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
# Agencies (a list's authority, a memorandum's signatories): 2-16 characters (String(16)).
AGENCY_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,15}")
MAX_NAME = 200
MAX_TEXT = 2000


def require_code(value: str, field: str, *, agency: bool = False) -> str:
    """`value` if it is a catalogue code (an agency code with `agency`), else BAD_REQUEST
    naming `field`."""
    pattern, longest = (AGENCY_CODE, 16) if agency else (CATALOGUE_CODE, 64)
    if not pattern.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 2 to {longest} upper-case ASCII letters, digits or underscores, "
            f"starting with a letter; got {value[:70]!r}", field=field,
            pattern=f"^{pattern.pattern}$")
    return value


def require_text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    """A text that says something: not empty or only spaces, at most `limit` characters."""
    if not value.strip():
        raise InvalidInput(f"{field} is required", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field)
    return value
