"""The per-request GraphQL context of the sanctions subgraph."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from libs.common.db import transaction
from libs.common.graphql import ServiceContext


class SanctionsContext(ServiceContext):
    """ServiceContext plus the read engine (replica when configured), clients and audit buffer."""

    def __init__(self, *, read_sessionmaker, read_engine, deps, audit, budget=None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.read_sessionmaker = read_sessionmaker
        self.read_engine = read_engine
        self.deps = deps
        self.audit = audit
        self.budget = budget

    def read(self):
        """A read-only unit of work on the read engine (may lag a replica's worth)."""
        return transaction(self.read_sessionmaker)


def context_getter(settings) -> Callable[[Request], Awaitable[SanctionsContext]]:
    async def get_context(request: Request) -> SanctionsContext:
        state = request.app.state
        return SanctionsContext(
            sessionmaker=state.sessionmaker, read_sessionmaker=state.read_sessionmaker,
            read_engine=state.read_engine,
            deps=state.deps, audit=state.audit, budget=state.budget, verifier=state.verifier,
            authorization=request.headers.get("authorization"),
            request_id=request.scope.get("state", {}).get("request_id"), settings=settings)

    return get_context
