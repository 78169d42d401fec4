"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-secret-change-me-not-for-production"
DEV_GATEWAY_SECRET = "dev-gateway-secret-change-me"
GATEWAY_SECRET_HEADER = "x-xinyong-gateway-secret"


def asyncpg_url(url: str) -> str:
    """Return a SQLAlchemy asyncpg URL for any postgres:// or postgresql:// DSN."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    return url


class CommonSettings(BaseSettings):
    """What every service needs: database, auth, gateway secret, telemetry, limits."""

    # Unknown keyword arguments are refused (a misspelt setting must not silently do nothing);
    # unknown XINYONG_* environment variables are not settings of this class and are left alone.
    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="forbid")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    read_database_url: str = ""
    db_pool_size: int = 10
    db_max_overflow: int = 10
    statement_timeout_ms: int = 5000

    jwt_secret: str = DEV_JWT_SECRET
    jwt_public_key: str = ""
    jwt_jwks_url: str = ""
    jwt_audience: str = ""
    jwt_issuer: str = ""

    gateway_secret: str = DEV_GATEWAY_SECRET
    require_gateway_secret: bool = True

    otlp_endpoint: str = ""
    log_level: str = "INFO"
    log_json: bool = False

    @model_validator(mode="after")
    def _database_and_secrets(self) -> "CommonSettings":
        if not self.database_url:
            self.database_url = os.environ.get("DATABASE_URL", "")
        self.database_url = asyncpg_url(self.database_url)
        self.read_database_url = asyncpg_url(self.read_database_url)
        if self.environment == "production":
            weak = []
            if self.jwt_secret == DEV_JWT_SECRET and not (self.jwt_public_key or self.jwt_jwks_url):
                weak.append("XINYONG_JWT_SECRET (or a public key / JWKS URL)")
            if self.gateway_secret == DEV_GATEWAY_SECRET:
                weak.append("XINYONG_GATEWAY_SECRET")
            if weak:
                raise ValueError(
                    "refusing to start in production with development defaults: " + ", ".join(weak)
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"
