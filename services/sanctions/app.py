"""The sanctions service: lists, listings, the restriction index, check and screen."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from libs.common.web import add_graphql, create_service_app
from services.sanctions.checks.audit import AuditBuffer
from services.sanctions.checks.limits import ConsumerBudget
from services.sanctions.clients import build_dependencies
from services.sanctions.config import SanctionsSettings
from services.sanctions.context import context_getter
from services.sanctions.events.consumer import run_forever
from services.sanctions.imports.endpoints import router as bulk_router
from services.sanctions.schema import schema


def create_app(settings: SanctionsSettings | None = None, *,
               identity_transport: httpx.AsyncBaseTransport | None = None,
               records_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """Build the sanctions app; engine, clients, audit flusher and event poller live in lifespan."""
    settings = settings or SanctionsSettings()

    def routers(app: FastAPI) -> None:
        add_graphql(app, schema, context_getter(settings), settings)
        app.include_router(bulk_router)

    async def on_startup(app: FastAPI) -> None:
        app.state.deps = build_dependencies(settings, identity_transport=identity_transport,
                                            records_transport=records_transport)
        app.state.audit = AuditBuffer(app.state.engine, interval=settings.audit_flush_seconds,
                                      max_buffered=settings.audit_max_buffered,
                                      batch_size=settings.audit_batch_size)
        app.state.audit.start()
        app.state.budget = ConsumerBudget(settings.consumer_codes_in_flight)
        app.state.events_task = None
        if settings.records_events_poll_seconds > 0:
            app.state.events_task = asyncio.create_task(run_forever(
                app.state.sessionmaker, app.state.deps.records,
                settings.records_events_poll_seconds, settings.records_events_batch),
                name="records-events")
        # Long-lived process: keep start-up objects out of the collector's generations.
        gc.collect()
        gc.freeze()

    app = create_service_app(service="sanctions", settings=settings, build_routers=routers,
                             on_startup=on_startup)
    base_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        # Stop background work and flush the audit while the engine is still open.
        async with base_lifespan(app_):
            try:
                yield
            finally:
                task = getattr(app_.state, "events_task", None)
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await app_.state.audit.stop()
                await app_.state.deps.aclose()

    app.router.lifespan_context = lifespan
    return app
