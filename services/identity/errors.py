"""Identity errors, mapped to API.md codes."""

from libs.common.errors import (
    AppError,
    Conflict,
    InvalidCodeError,
    InvalidInput,
    UnknownSubject,
    invalid_code,
)


class KindMismatch(InvalidInput):
    """The code's scheme does not fit the subject kind (persons need a resident number)."""

    code = "INVALID_CODE"
    status = 422


class SubjectExists(Conflict):
    """A subject with that code is registered with different details."""


class RoleConflict(Conflict):
    """The same role already covers an overlapping window."""


__all__ = ["AppError", "Conflict", "InvalidCodeError", "InvalidInput", "KindMismatch",
           "RoleConflict", "SubjectExists", "UnknownSubject", "invalid_code"]
