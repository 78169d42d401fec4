"""The directory of subject kinds every ingested record's subject is checked against."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from libs.common.db import transaction
from libs.contracts.identity import IdentityClient
from services.records.ingestion.repository import IngestionRepository

LOOKUP_BATCH = 10_000


class SubjectDirectory:
    """Subject kinds: remembered for the run, then records' own known_subjects, then identity.

    Identity never deletes a subject nor changes a code's kind, so a code confirmed once is
    stored in known_subjects and identity is asked about it only once, ever. Unknown codes are
    asked again every time. Lookups are serialised so concurrent chunks never ask twice. What is
    learned is committed in transactions of its own (without `sessionmaker`, only remembered for
    the run): it stays true whatever becomes of the records that asked.
    """

    def __init__(self, client: IdentityClient, sessionmaker=None) -> None:
        self._client = client
        self._sessionmaker = sessionmaker
        self._kinds: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def kinds(self, codes: Iterable[str]) -> dict[str, str]:
        """The kind of each code that belongs to a registered subject; unknown codes are absent."""
        wanted = set(codes)
        async with self._lock:
            missing = sorted(wanted - self._kinds.keys())
            if missing and self._sessionmaker is not None:
                async with transaction(self._sessionmaker) as session:
                    self._kinds.update(await (await IngestionRepository.of(session))
                                       .known_kinds(missing))
                missing = sorted(wanted - self._kinds.keys())
            for i in range(0, len(missing), LOOKUP_BATCH):
                found = (await self._client.lookup(missing[i:i + LOOKUP_BATCH])).subjects
                learned = {c: s.kind for c, s in found.items()}
                self._kinds.update(learned)
                if learned and self._sessionmaker is not None:
                    async with transaction(self._sessionmaker) as session:
                        await (await IngestionRepository.of(session)).remember_kinds(learned)
        return {c: self._kinds[c] for c in wanted if c in self._kinds}
