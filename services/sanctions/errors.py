"""Sanctions errors, mapped to API.md codes."""

from libs.common.errors import (
    AppError,
    Conflict,
    Forbidden,
    ForbiddenPurpose,
    InvalidCodeError,
    InvalidInput,
    LimitExceeded,
    NotFound,
    Unavailable,
    UnknownSubject,
    invalid_code,
)


class TransitionConflict(Conflict):
    """The listing's state does not allow this transition (expired, lifted, already open...)."""


__all__ = ["AppError", "Conflict", "Forbidden", "ForbiddenPurpose", "InvalidCodeError",
           "InvalidInput", "LimitExceeded", "NotFound", "TransitionConflict", "Unavailable",
           "UnknownSubject", "invalid_code"]
