"""Sanctions errors, mapped to API.md codes."""

from libs.common.errors import (AppError, Conflict, Forbidden, ForbiddenPurpose, InvalidCodeError,
                                InvalidInput, LimitExceeded, NotFound, Unavailable, UnknownSubject)
from libs.common.identifiers import InvalidCode


def invalid_code(exc: InvalidCode) -> InvalidCodeError:
    """INVALID_CODE with the rule that failed."""
    return InvalidCodeError(exc.message, rule=exc.rule)


class TransitionConflict(Conflict):
    """The listing's state does not allow this transition (expired, lifted, already open...)."""


__all__ = ["AppError", "Conflict", "Forbidden", "ForbiddenPurpose", "InvalidCodeError",
           "InvalidInput", "LimitExceeded", "NotFound", "TransitionConflict", "Unavailable",
           "UnknownSubject", "invalid_code"]
