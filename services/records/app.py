"""The records service: credit records, their sources, objections and grades."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from libs.common.web import add_graphql, create_service_app
from libs.contracts.identity import IdentityClient
from services.records.config import RecordsSettings
from services.records.context import context_getter
from services.records.ingestion.endpoints import router as bulk_router
from services.records.ingestion.workers import ChunkParser
from services.records.internal import router as internal_router
from services.records.schema import schema


def create_app(settings: RecordsSettings | None = None, *,
               identity_transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """Build the records app; the engine and the identity client are created in lifespan.

    `identity_transport` lets tests run the real identity app in-process.
    """
    settings = settings or RecordsSettings()

    def routers(app: FastAPI) -> None:
        add_graphql(app, schema, context_getter(settings), settings)
        app.include_router(bulk_router)
        app.include_router(internal_router)

    async def on_startup(app: FastAPI) -> None:
        app.state.identity = IdentityClient(settings.identity_internal_url, settings.gateway_secret,
                                            caller="records", transport=identity_transport)
        app.state.chunk_parser = ChunkParser(settings.ingest_workers)

    async def on_shutdown(app: FastAPI) -> None:
        await app.state.identity.aclose()
        await asyncio.to_thread(app.state.chunk_parser.close)

    return create_service_app(service="records", settings=settings, build_routers=routers,
                              on_startup=on_startup, on_shutdown=on_shutdown)
