"""Load every service's demo data into one database."""

from __future__ import annotations

import importlib

from libs.common.db import create_engine, make_sessionmaker
from libs.common.settings import CommonSettings

# Each service with demo data exposes `load(sessionmaker, urls) -> dict` in `services.<name>.demo`;
# `urls` maps service names to their running base URLs, for loaders that go through another
# service's API (records checks subjects with identity, sanctions checks records).
DEMO_MODULES = ("services.identity.demo", "services.records.demo", "services.sanctions.demo")


def default_urls() -> dict[str, str]:
    from services.gateway.subgraphs import SUBGRAPHS

    return {s.name: s.url.removesuffix("/graphql") for s in SUBGRAPHS}


async def load(database_url: str, urls: dict[str, str] | None = None) -> dict:
    """Run each service's demo loader in order; loaders are idempotent."""
    engine = create_engine(CommonSettings(database_url=database_url), application_name="xinyong-demo")
    results = {}
    try:
        sessionmaker = make_sessionmaker(engine)
        for name in DEMO_MODULES:
            module = importlib.import_module(name)
            results[name.split(".")[1]] = await module.load(sessionmaker, urls or default_urls())
    finally:
        await engine.dispose()
    return results
