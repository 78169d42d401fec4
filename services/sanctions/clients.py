"""The identity and records clients this service uses, built once per app in lifespan."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from libs.contracts.identity import IdentityClient
from libs.contracts.records import RecordsClient
from services.sanctions.config import SanctionsSettings


@dataclass
class Dependencies:
    identity: IdentityClient
    records: RecordsClient

    async def aclose(self) -> None:
        await self.identity.aclose()
        await self.records.aclose()


def build_dependencies(settings: SanctionsSettings, *,
                       identity_transport: httpx.AsyncBaseTransport | None = None,
                       records_transport: httpx.AsyncBaseTransport | None = None) -> Dependencies:
    """Clients for identity and records; tests inject in-process ASGI transports."""
    timeout = settings.internal_timeout_seconds
    return Dependencies(
        identity=IdentityClient(settings.identity_internal_url, settings.gateway_secret,
                                caller="sanctions", transport=identity_transport, timeout=timeout),
        records=RecordsClient(settings.records_internal_url, settings.gateway_secret,
                              caller="sanctions", transport=records_transport, timeout=timeout),
    )
