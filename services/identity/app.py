"""The identity service: subjects, codes and roles."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.web import add_graphql, context_getter_for, create_service_app
from services.identity.config import IdentitySettings
from services.identity.internal import router as internal_router
from services.identity.schema import schema
from services.identity.subjects.endpoints import router as bulk_router


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    """Build the identity app; the engine is created in lifespan."""
    settings = settings or IdentitySettings()

    def routers(app: FastAPI) -> None:
        add_graphql(app, schema, context_getter_for(settings), settings)
        app.include_router(bulk_router)
        app.include_router(internal_router)

    return create_service_app(service="identity", settings=settings, build_routers=routers)
