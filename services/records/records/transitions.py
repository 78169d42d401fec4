"""Every change in a record's life and the objections it closes, each with its outbox event.

The one write path for lifecycle changes: GraphQL submissions, bulk files, objection decisions,
withdrawals and archiving all come through here, so each event type is written with one payload
shape (libs/contracts/records.py) whichever path caused it. New versions themselves are written
by the ingestion (services/records/ingestion), which calls `corrected` for each chunk. Nothing
here checks who may act: the services do, then call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.timeutil import now
from libs.contracts.records import (
    ObjectionResolved,
    RecordArchived,
    RecordCorrected,
    RecordDisputed,
    RecordWithdrawn,
)
from services.records.objections.models import Objection
from services.records.objections.repository import ObjectionRepository
from services.records.outbox.repository import OutboxRepository, RecordEvent
from services.records.records.models import CreditRecord
from services.records.records.policy import RecordStatus

# Why an objection closes when its record's source submits changed content.
SOURCE_CORRECTION = "corrected by the source agency"


class Correction(NamedTuple):
    """A new version written over the current one."""

    record_id: int
    version: int
    source_record_id: str
    subject_code: str


async def resolve_objections(session: AsyncSession, record_ids: Sequence[int], outcome: str, *,
                             by: str, resolution: str) -> list[Objection]:
    """Close the open objection of each record as `outcome` and publish OBJECTION_RESOLVED."""
    closed = await ObjectionRepository(session).close_open(
        record_ids, outcome=outcome, by=by, resolution=resolution, at=now())
    await OutboxRepository(session).publish([RecordEvent(
        ObjectionResolved(objection_id=str(o.id), outcome=o.status, resolution=o.resolution),
        o.record_id, o.subject_code) for o in closed])
    return closed


async def corrected(session: AsyncSession, agency: str, corrections: Sequence[Correction], *,
                    by: str, resolution: str = SOURCE_CORRECTION) -> None:
    """RECORD_CORRECTED for each new version, then its open objection resolved CORRECTED."""
    await OutboxRepository(session).publish([RecordEvent(
        RecordCorrected(agency=agency, source_record_id=c.source_record_id, version=c.version,
                        previous_version=c.version - 1),
        c.record_id, c.subject_code) for c in corrections])
    await resolve_objections(session, [c.record_id for c in corrections], "CORRECTED", by=by,
                             resolution=resolution)


async def disputed(session: AsyncSession, record: CreditRecord, objection: Objection) -> None:
    """The record is DISPUTED while `objection` (just filed) is open."""
    record.status = RecordStatus.DISPUTED.value
    await OutboxRepository(session).publish([RecordEvent(
        RecordDisputed(objection_id=str(objection.id), deadline=objection.deadline,
                       version=record.version),
        record.record_id, record.subject_code)])


async def dispute_ended(session: AsyncSession, record: CreditRecord, outcome: str, *, by: str,
                        resolution: str) -> Objection:
    """The record's open objection is UPHELD or WITHDRAWN: the record is ACTIVE again."""
    if record.status == RecordStatus.DISPUTED.value:
        record.status = RecordStatus.ACTIVE.value
    (objection,) = await resolve_objections(session, [record.record_id], outcome, by=by,
                                            resolution=resolution)
    return objection


async def withdrawn(session: AsyncSession, record: CreditRecord, *, by: str, reason: str) -> None:
    """The source withdrew the record: an open objection to it is resolved, sanctions told."""
    record.status = RecordStatus.WITHDRAWN.value
    await resolve_objections(session, [record.record_id], "CORRECTED", by=by,
                             resolution=f"record withdrawn: {reason}")
    await OutboxRepository(session).publish([RecordEvent(
        RecordWithdrawn(agency=record.agency, source_record_id=record.source_record_id,
                        version=record.version, reason=reason, at=now()),
        record.record_id, record.subject_code)])


async def archived(session: AsyncSession, records: Sequence[CreditRecord]) -> None:
    """The records passed their retention period: stamped and published, never deleted."""
    stamp = now()
    for record in records:
        record.archived_at = stamp
    await OutboxRepository(session).publish([RecordEvent(
        RecordArchived(agency=r.agency, version=r.version, retention_until=r.retention_until),
        r.record_id, r.subject_code) for r in records])
