"""Each outbox event type has one payload shape, whichever path wrote it."""

from datetime import datetime, timezone

import pytest

from libs.contracts.records import OutboxEvent
from tests.callers import SPC, subject
from tests.records.factories import (
    RESOLVE,
    WITHDRAW,
    WITHDRAW_RECORD,
    all_events,
    create_subject,
    fetch,
    ndjson,
    org_code,
    record,
    submit,
)

NDJSON = {"content-type": "application/x-ndjson"}


async def published(records_app) -> list[tuple[str, str, dict]]:
    """(type, recordId, payload) of every event; each payload is exactly its type's model."""
    out = []
    for wire in await all_events(records_app):
        event = OutboxEvent.model_validate(wire)
        assert event.typed_payload().wire() == event.payload, event  # no field more or less
        out.append((event.type, event.record_id, event.payload))
    return out


async def resolved_by(db_url: str, objection_id: str) -> str:
    rows = await fetch(db_url, "select resolved_by from records.objections where id = $1",
                       int(objection_id))
    return rows[0][0]


async def test_filing_publishes_the_objection_its_deadline_and_the_disputed_version(
        disputed, records_app):
    _, rec, objection = disputed
    assert await published(records_app) == [
        ("RECORD_DISPUTED", rec["id"], {"objectionId": objection["id"],
                                        "deadline": objection["deadline"], "version": 1})]


async def test_an_upheld_objection_publishes_its_outcome_and_reason(
        disputed, gql, records_app, db_url):
    _, rec, objection = disputed
    body = await gql.execute(RESOLVE, {"i": {"objectionId": objection["id"], "outcome": "UPHELD",
                                             "reason": "核实无误"}}, as_=SPC)
    assert "errors" not in body, body
    assert (await published(records_app))[1:] == [
        ("OBJECTION_RESOLVED", rec["id"], {"objectionId": objection["id"], "outcome": "UPHELD",
                                           "resolution": "核实无误"})]
    assert await resolved_by(db_url, objection["id"]) == SPC["sub"]


async def test_a_corrected_objection_publishes_the_new_version_and_the_officials_reason(
        disputed, gql, records_app, db_url):
    _, rec, objection = disputed
    body = await gql.execute(RESOLVE, {"i": {
        "objectionId": objection["id"], "outcome": "CORRECTED", "reason": "金额更正",
        "correction": {"summary": "罚款 3 万元"}}}, as_=SPC)
    assert "errors" not in body, body
    assert (await published(records_app))[1:] == [
        ("RECORD_CORRECTED", rec["id"], {"agency": "SPC", "sourceRecordId": "O-1", "version": 2,
                                         "previousVersion": 1}),
        ("OBJECTION_RESOLVED", rec["id"], {"objectionId": objection["id"],
                                           "outcome": "CORRECTED", "resolution": "金额更正"})]
    assert await resolved_by(db_url, objection["id"]) == SPC["sub"]


@pytest.mark.parametrize("path", ["submitRecords", "bulk-ndjson"])
async def test_a_resubmitted_correction_publishes_the_same_events_on_every_path(
        disputed, gql, http, headers, records_app, db_url, path):
    org, rec, objection = disputed
    fixed = record("O-1", org, summary="罚款 3 万元")
    if path == "submitRecords":
        await submit(gql, [fixed], SPC)
    else:
        response = await http.post("/records/bulk", content=ndjson(fixed),
                                   headers={**headers(**SPC), **NDJSON})
        assert response.json()["corrected"] == 1, response.text
    assert (await published(records_app))[1:] == [
        ("RECORD_CORRECTED", rec["id"], {"agency": "SPC", "sourceRecordId": "O-1", "version": 2,
                                         "previousVersion": 1}),
        ("OBJECTION_RESOLVED", rec["id"], {"objectionId": objection["id"],
                                           "outcome": "CORRECTED",
                                           "resolution": "corrected by the source agency"})]
    assert await resolved_by(db_url, objection["id"]) == SPC["sub"]


async def test_a_correction_without_an_open_objection_publishes_only_the_new_version(
        gql, identity_gql, records_app):
    org = await create_subject(identity_gql, org_code(2))
    first = (await submit(gql, [record("C-1", org, summary="一")], SPC))["accepted"][0]
    await submit(gql, [record("C-1", org, summary="二"), record("C-1", org, summary="三")], SPC)
    assert await published(records_app) == [
        ("RECORD_CORRECTED", first["id"], {"agency": "SPC", "sourceRecordId": "C-1",
                                           "version": v, "previousVersion": v - 1})
        for v in (2, 3)]


async def test_a_withdrawn_objection_publishes_who_ended_it(disputed, gql, records_app, db_url):
    org, rec, objection = disputed
    filer = subject(org)
    body = await gql.execute(WITHDRAW, {"id": objection["id"]}, as_=filer)
    assert "errors" not in body, body
    assert (await published(records_app))[1:] == [
        ("OBJECTION_RESOLVED", rec["id"], {"objectionId": objection["id"],
                                           "outcome": "WITHDRAWN",
                                           "resolution": "withdrawn by the filer"})]
    assert await resolved_by(db_url, objection["id"]) == org


async def test_withdrawing_a_disputed_record_resolves_the_objection_then_publishes_why(
        disputed, gql, records_app, db_url):
    _, rec, objection = disputed
    before = datetime.now(timezone.utc)
    body = await gql.execute(WITHDRAW_RECORD, {"i": {"recordId": rec["id"], "reason": "撤销处罚"}},
                             as_=SPC)
    assert "errors" not in body, body
    events = (await published(records_app))[1:]
    at = datetime.fromisoformat(events[1][2]["at"])
    assert before <= at <= datetime.now(timezone.utc)
    assert events == [
        ("OBJECTION_RESOLVED", rec["id"], {"objectionId": objection["id"],
                                           "outcome": "CORRECTED",
                                           "resolution": "record withdrawn: 撤销处罚"}),
        ("RECORD_WITHDRAWN", rec["id"], {"agency": "SPC", "sourceRecordId": "O-1", "version": 1,
                                         "reason": "撤销处罚", "at": at.isoformat()})]
    assert await resolved_by(db_url, objection["id"]) == SPC["sub"]


async def test_an_unknown_payload_field_is_refused_by_the_contract(records_app, db_url):
    from tests.records.factories import execute

    await execute(db_url, "insert into records.outbox_events (type, record_id, payload) values "
                          "('OBJECTION_RESOLVED', 1, '{\"objectionId\": \"1\", \"outcome\": "
                          "\"UPHELD\", \"resolution\": \"x\", \"resolvedBy\": \"y\"}')")
    (wire,) = await all_events(records_app)
    with pytest.raises(ValueError, match="resolvedBy"):
        OutboxEvent.model_validate(wire).typed_payload()
    assert wire["payload"]["resolvedBy"] == "y"  # the feed carries it; the contract refuses it
