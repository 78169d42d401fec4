"""Sanctions service settings (env prefix XINYONG_; XINYONG_SANCTIONS_DATABASE_URL wins)."""

from __future__ import annotations

import os

from pydantic import model_validator

from libs.common.settings import CommonSettings, asyncpg_url


class SanctionsSettings(CommonSettings):
    """Settings of the sanctions service."""

    identity_internal_url: str = "http://127.0.0.1:4001"
    records_internal_url: str = "http://127.0.0.1:4002"
    internal_timeout_seconds: float = 5.0
    # Largest batch `screen` accepts; beyond it the answer is LIMIT_EXCEEDED.
    max_screen_codes: int = 10_000
    # Codes one caller may have being checked at once in one process (checks/limits.py).
    consumer_codes_in_flight: int = 10_000
    # Check audit: entries are buffered in memory and written every `audit_flush_seconds`
    # (sooner once `audit_batch_size` are waiting), at most `audit_batch_size` per COPY, so a
    # crash loses at most about that much of the audit trail. A check that finds no room for its
    # entries among `audit_max_buffered` is refused UNAVAILABLE (see checks/audit.py).
    audit_flush_seconds: float = 1.0
    audit_max_buffered: int = 200_000
    audit_batch_size: int = 20_000
    # Polling of the records service's outbox (withdrawn / corrected records); 0 disables.
    records_events_poll_seconds: float = 5.0
    records_events_batch: int = 500
    # POST /listings/bulk: lines per transaction, and the largest body (the edge allows 512 MiB).
    bulk_chunk_size: int = 2_000
    max_bulk_bytes: int = 512 * 1024 * 1024

    @model_validator(mode="after")
    def _own_database(self) -> "SanctionsSettings":
        own = os.environ.get("XINYONG_SANCTIONS_DATABASE_URL")
        if own:
            self.database_url = asyncpg_url(own)
        return self
