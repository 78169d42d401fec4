"""Who learns what of a subject's listings: purpose limitation outside the officials' roles.

Authorities, analysts and admins see every listing and every measure, and a subject sees its own
file whole (token `sub` = its code). Anybody else — a consumer — learns a subject's restrictions
only for the purposes in its token, the way `check` limits it: a listing only when one of its
measures serves one of those purposes, of its measures only those, and no objection grounds.
Each such read is written to the check audit, so `checksOfSubject` shows it beside the checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from libs.common.auth import AccessRole, Principal
from libs.common.timeutil import now
from services.sanctions.checks.audit import AuditBuffer

# check_audit.operation of a read that revealed listings (String(16)).
SUBJECT_LISTINGS = "SUBJECT_LISTINGS"
LISTING = "LISTING"


def shown_purposes(principal: Principal, file_code: str) -> frozenset[str] | None:
    """None when the caller sees every purpose of `file_code`'s listings, else the purposes it may
    learn about (a consumer's token purposes; none for a token without any)."""
    if principal.has(AccessRole.AUTHORITY, AccessRole.ANALYST, AccessRole.ADMIN):
        return None
    if principal.is_self(file_code):  # a subject token, its own file
        return None
    return frozenset(p.value for p in principal.purposes)


def audit_read(audit: AuditBuffer, principal: Principal, operation: str, subject_code: str,
               purposes: Iterable[str], shown: Mapping[str, Iterable[str]], at: datetime | None,
               request_id: str | None) -> None:
    """One audit entry per purpose the caller learned about: the listings shown for it (listing
    id -> its purposes among those shown), or that there were none. UNAVAILABLE, like a check,
    when the audit has no room for them."""
    purposes = sorted(purposes)
    audit.reserve(len(purposes))  # as a check: no answer without room for its audit entries
    checked_at = now()
    for purpose in purposes:
        ids = sorted(lid for lid, ps in shown.items() if purpose in ps)
        audit.add(consumer=principal.sub, operation=operation, purpose=purpose,
                  subject_code=subject_code, outcome="LISTED" if ids else "NOT_LISTED",
                  checked_at=checked_at, at=at, request_id=request_id,
                  detail="listings=" + ",".join(ids) if ids else None)
