"""Typed application errors; each carries the GraphQL `extensions.code` of API.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from libs.common.identifiers import InvalidCode


class AppError(Exception):
    """An expected failure with a stable code, a human message and an HTTP status."""

    code = "BAD_REQUEST"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        """GraphQL error extensions; graphql-core copies them from the original error."""
        return {"code": self.code, **self.details}

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, **self.extensions}


class InvalidInput(AppError):
    code = "BAD_REQUEST"
    status = 400


class InvalidCodeError(AppError):
    code = "INVALID_CODE"
    status = 422


class UnknownSubject(AppError):
    code = "UNKNOWN_SUBJECT"
    status = 404


class NotFound(AppError):
    code = "NOT_FOUND"
    status = 404


class Conflict(AppError):
    code = "CONFLICT"
    status = 409


class Unauthenticated(AppError):
    code = "UNAUTHENTICATED"
    status = 401


class Forbidden(AppError):
    code = "FORBIDDEN"
    status = 403


class ForbiddenPurpose(AppError):
    code = "FORBIDDEN_PURPOSE"
    status = 403


class LimitExceeded(AppError):
    code = "LIMIT_EXCEEDED"
    status = 413


class Unavailable(AppError):
    code = "UNAVAILABLE"
    status = 503


def invalid_code(exc: "InvalidCode") -> InvalidCodeError:
    """INVALID_CODE with the rule that failed (`rule`) and what it said."""
    return InvalidCodeError(exc.message, rule=exc.rule)
