"""Strawberry pieces shared by the subgraphs: context, error masking, limits and caches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.fastapi import BaseContext

from libs.common.auth import ANONYMOUS, AccessRole, Principal, TokenVerifier
from libs.common.db import transaction
from libs.common.errors import AppError, Unauthenticated

log = structlog.get_logger("graphql")

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000


class ServiceContext(BaseContext):
    """Per-request context: the caller, a transaction factory and per-request loaders."""

    def __init__(self, *, sessionmaker: async_sessionmaker[AsyncSession],
                 verifier: TokenVerifier, authorization: str | None, request_id: str | None,
                 settings: Any = None) -> None:
        super().__init__()
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.request_id = request_id
        self._verifier = verifier
        self._authorization = authorization
        self._principal: Principal | None = None
        self.loaders: dict[str, Any] = {}

    @property
    def principal(self) -> Principal:
        """The verified caller; an invalid token raises UNAUTHENTICATED when first needed."""
        if self._principal is None:
            self._principal = self._verifier.from_header(self._authorization)
        return self._principal

    def authenticated(self, *roles: AccessRole) -> Principal:
        """The caller, who must hold a token and, when `roles` are given, one of them."""
        p = self.principal
        if p is ANONYMOUS:
            raise Unauthenticated("this operation needs a bearer token")
        if roles:
            p.require(*roles)
        return p

    def transaction(self):
        """A unit of work for this request: commits at the end of the block, rolls back on error."""
        return transaction(self.sessionmaker)

    def loader(self, name: str, factory: Callable[[], Any]) -> Any:
        """A DataLoader created once per request."""
        if name not in self.loaders:
            self.loaders[name] = factory()
        return self.loaders[name]


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, (AppError, GraphQLError)):
        return False
    log.error("unexpected error", path=error.path, exc_info=original)
    return True


class MaskUnexpectedErrors(MaskErrors):
    """Hide unexpected exceptions behind a request id; typed errors pass through."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = structlog.contextvars.get_contextvars().get("request_id", "")
        return GraphQLError(
            message=f"Internal server error (request id {request_id})",
            nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


def schema_extensions() -> list:
    """Extensions every subgraph runs: limits first, then caches, then error masking."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
    ]

