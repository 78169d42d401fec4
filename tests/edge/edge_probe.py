"""A small subgraph (`tests.edge.edge_probe:schema`) built with the same kit as the real services (libs/common), for edge tests.

It gives the gateway shapes the real schemas do not have yet or cannot produce on demand: a
recursive type (deep nesting), a slow field (timeouts), a field that fails unexpectedly (masking),
role and purpose checks through libs/common.auth, and a `check` root field that stands in for the
sanctions service's (all-or-nothing answers).
"""

from __future__ import annotations

import asyncio
import enum

import strawberry
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter
from strawberry.types import Info

from libs.common.auth import AccessRole, Purpose
from libs.common.graphql import schema_extensions
from libs.common.settings import CommonSettings
from libs.common.web import context_getter_for, create_service_app


@strawberry.type
class Node:
    id: int

    @strawberry.field
    def child(self) -> "Node":
        return Node(id=self.id + 1)


ProbePurpose = strawberry.enum(enum.Enum("ProbePurpose", {p.value: p.value for p in Purpose}))


@strawberry.type
class ProbeCheck:
    code: strawberry.ID
    status: str


@strawberry.type
class Query:
    @strawberry.field
    def node(self) -> Node:
        return Node(id=0)

    @strawberry.field
    async def slow(self, ms: int) -> str:
        await asyncio.sleep(ms / 1000)
        return "done"

    @strawberry.field
    async def sql_sleep(self, info: Info, ms: int) -> str:
        from sqlalchemy import text

        async with info.context.transaction() as session:
            await session.execute(text("select pg_sleep(:s)"), {"s": ms / 1000})
        return "slept"

    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("connection string postgresql://secret@db leaked")

    @strawberry.field
    def whoami(self, info: Info) -> str:
        return info.context.authenticated().sub

    @strawberry.field
    def admin_only(self, info: Info) -> str:
        return info.context.authenticated(AccessRole.ADMIN).sub

    @strawberry.field
    def check(self, info: Info, code: strawberry.ID, purpose: ProbePurpose) -> ProbeCheck:
        principal = info.context.authenticated(AccessRole.CONSUMER, AccessRole.ADMIN)
        principal.require_purpose(Purpose(purpose.value))
        return ProbeCheck(code=code, status="CLEAR")


schema = strawberry.federation.Schema(query=Query, extensions=schema_extensions(),
                                      federation_version="2.9")


def create_app(settings: CommonSettings) -> FastAPI:
    def routers(app: FastAPI) -> None:
        app.include_router(GraphQLRouter(schema, context_getter=context_getter_for(settings),
                                         graphql_ide=None), prefix="/graphql")

    return create_service_app(service="probe", settings=settings, build_routers=routers)
