"""The records request context: the common one plus the identity client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from libs.common.graphql import ServiceContext
from libs.contracts.identity import IdentityClient


class RecordsContext(ServiceContext):
    def __init__(self, *, identity: IdentityClient, **kwargs) -> None:
        super().__init__(**kwargs)
        self.identity = identity


def context_getter(settings) -> Callable[[Request], Awaitable[RecordsContext]]:
    async def get_context(request: Request) -> RecordsContext:
        state = request.app.state
        return RecordsContext(
            identity=state.identity,
            sessionmaker=state.sessionmaker,
            verifier=state.verifier,
            authorization=request.headers.get("authorization"),
            request_id=request.scope.get("state", {}).get("request_id"),
            settings=settings,
        )

    return get_context
