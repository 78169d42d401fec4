"""Load every service's demo data into one database."""

from __future__ import annotations

import importlib

from libs.common.db import create_engine, make_sessionmaker
from libs.common.settings import CommonSettings

# Each service with demo data exposes `load(sessionmaker) -> dict` in `services.<name>.demo`.
DEMO_MODULES = ("services.identity.demo",)


async def load(database_url: str) -> dict:
    """Run each service's demo loader; loaders are idempotent."""
    engine = create_engine(CommonSettings(database_url=database_url), application_name="xinyong-demo")
    results = {}
    try:
        sessionmaker = make_sessionmaker(engine)
        for name in DEMO_MODULES:
            module = importlib.import_module(name)
            results[name.split(".")[1]] = await module.load(sessionmaker)
    finally:
        await engine.dispose()
    return results
