"""Identity service settings (env prefix XINYONG_; XINYONG_IDENTITY_DATABASE_URL wins)."""

from __future__ import annotations

import os

from pydantic import model_validator

from libs.common.settings import CommonSettings, asyncpg_url


class IdentitySettings(CommonSettings):
    """Settings of the identity service."""

    bulk_chunk_size: int = 1000
    max_bulk_bytes: int = 200 * 1024 * 1024

    @model_validator(mode="after")
    def _own_database(self) -> "IdentitySettings":
        own = os.environ.get("XINYONG_IDENTITY_DATABASE_URL")
        if own:
            self.database_url = asyncpg_url(own)
        return self
