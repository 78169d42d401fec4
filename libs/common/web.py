"""FastAPI building blocks every service uses: lifespan, middleware, health, error rendering."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from libs.common.auth import TokenVerifier
from libs.common.db import create_engine, make_sessionmaker
from libs.common.errors import AppError
from libs.common.graphql import MAX_BODY_BYTES, ServiceContext
from libs.common.logging import configure_logging
from libs.common.settings import GATEWAY_SECRET_HEADER, CommonSettings
from libs.common.telemetry import instrument_app, setup_tracing

OPEN_PATHS = ("/healthz", "/readyz")
log = structlog.get_logger("web")


class RequestIdMiddleware:
    """Binds a request id (from `x-request-id` or new) to logs and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                request_id = value.decode("latin-1")[:128]
                break
        request_id = request_id or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


class GatewaySecretMiddleware:
    """Refuses requests that do not carry the gateway's shared secret.

    `_entities` and `_service` bypass the gateway's rules, so subgraphs are not public.
    """

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        presented = b""
        for key, value in scope["headers"]:
            if key == GATEWAY_SECRET_HEADER.encode():
                presented = value
                break
        if not hmac.compare_digest(presented, self.secret):
            response = JSONResponse(
                {"errors": [{"message": "subgraphs accept requests from the gateway only",
                             "extensions": {"code": "FORBIDDEN"}}]},
                status_code=403,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuses request bodies over `max_bytes` on the GraphQL path with 413 LIMIT_EXCEEDED.

    Checks Content-Length up front and counts streamed (chunked) bodies as they arrive; bulk
    REST endpoints keep their own, larger limits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES,
                 path_prefix: str = "/graphql") -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_prefix = path_prefix

    def _too_large(self) -> JSONResponse:
        return JSONResponse(
            {"errors": [{"message": f"The request body is larger than {self.max_bytes} bytes.",
                         "extensions": {"code": "LIMIT_EXCEEDED", "limit": "maxBodyBytes",
                                        "max": self.max_bytes}}]},
            status_code=413,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        for key, value in scope["headers"]:
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._too_large()(scope, receive, send)
                    return
                break
        # Read the whole (bounded) body first, so an oversized chunked body is refused before
        # the app starts a response.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        answered = False

        async def sending(message) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered = True

        await run_until_disconnect(self.app(scope, replay, sending), receive, lambda: answered)


async def run_until_disconnect(handler: Awaitable[None], receive: Receive,
                               answered: Callable[[], bool]) -> None:
    """Run `handler`, cancelled if the client goes away before it answered (the edge gave up,
    or its caller did).

    The whole request body has been read, so the next `receive` returns only when the client
    disconnects (or, after the response, at once): work nobody waits for any more stops at its
    next await instead of running to the end and holding the database and the process.
    """
    work = asyncio.ensure_future(handler)

    async def gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait((work, watcher), return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        work.cancel()
        watcher.cancel()
        raise
    if work.done() or answered():  # a disconnect after the answer is just the end
        watcher.cancel()
        await work
        return
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await work
    log.info("client went away; request cancelled", path="/graphql")


def create_service_app(
    *,
    service: str,
    settings: CommonSettings,
    build_routers: Callable[[FastAPI], None],
    on_startup: Callable[[FastAPI], Awaitable[None]] | None = None,
    on_shutdown: Callable[[FastAPI], Awaitable[None]] | None = None,
) -> FastAPI:
    """A FastAPI app with engine lifecycle, request ids, the gateway secret check and health."""
    configure_logging(settings.log_level, settings.log_json)
    setup_tracing(f"xinyong-{service}", otlp_endpoint=settings.otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings, application_name=f"xinyong-{service}")
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        # Reads that may lag slightly (check, screen, change feeds) can go to a replica.
        read_engine = engine
        if settings.read_database_url:
            read_engine = create_engine(settings, url=settings.read_database_url,
                                        application_name=f"xinyong-{service}-read")
        app.state.read_engine = read_engine
        app.state.read_sessionmaker = make_sessionmaker(read_engine)
        app.state.verifier = TokenVerifier(settings)
        instrument_app(app, engine, read_engine if read_engine is not engine else None)
        if on_startup is not None:
            await on_startup(app)
        try:
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown(app)
            if read_engine is not engine:
                await read_engine.dispose()
            await engine.dispose()

    app = FastAPI(title=f"Xinyong {service}", lifespan=lifespan,
                  docs_url=None if settings.is_production else "/docs",
                  openapi_url=None if settings.is_production else "/openapi.json")
    app.state.settings = settings

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse({"error": exc.as_dict()}, status_code=exc.status)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("select 1"))
        except Exception as exc:  # readiness reports, it does not raise
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__},
                                status_code=503)
        return JSONResponse({"status": "ready"})

    build_routers(app)
    app.add_middleware(BodySizeLimitMiddleware)
    if settings.require_gateway_secret:
        app.add_middleware(GatewaySecretMiddleware, secret=settings.gateway_secret)
    app.add_middleware(RequestIdMiddleware)
    return app


class _GraphQLEndpoint(GraphQL):
    """strawberry's ASGI endpoint with a service's context getter."""

    def __init__(self, schema: Any, context_getter: Callable[[Request], Awaitable[Any]],
                 **options: Any) -> None:
        super().__init__(schema, **options)
        self._context_getter = context_getter

    async def get_context(self, request: Any, response: Any) -> Any:
        return await self._context_getter(request)


def add_graphql(app: FastAPI, schema: Any, context_getter: Callable[[Request], Awaitable[Any]],
                settings: CommonSettings) -> None:
    """Serve `schema` at /graphql (GraphiQL outside production).

    A plain ASGI route, not a FastAPI router: the endpoint needs none of FastAPI's dependency
    injection, which cost ~5% of a `check` in a profile of the sanctions subgraph.
    """
    app.add_route("/graphql", _GraphQLEndpoint(
        schema, context_getter, graphql_ide=None if settings.is_production else "graphiql"),
        include_in_schema=False)


def context_getter_for(settings: CommonSettings) -> Callable[[Request], Awaitable[ServiceContext]]:
    """A strawberry context getter reading engine and verifier from app state."""

    async def get_context(request: Request) -> ServiceContext:
        state = request.app.state
        return ServiceContext(
            sessionmaker=state.sessionmaker,
            verifier=state.verifier,
            authorization=request.headers.get("authorization"),
            request_id=request.scope.get("state", {}).get("request_id"),
            settings=settings,
        )

    return get_context


def principal_from_request(request: Request) -> Any:
    """The verified caller of a REST request (raises UNAUTHENTICATED on a bad token)."""
    return request.app.state.verifier.from_header(request.headers.get("authorization"))
