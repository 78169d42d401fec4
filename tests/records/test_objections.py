"""Objections: DISPUTED with a 20-day deadline, outcomes, and events through the outbox."""

from datetime import datetime, timedelta

import asyncpg

from devtools.testing import asyncpg_kwargs, error_codes
from tests.callers import ANALYST, CONSUMER, SAMR, SPC, subject
from tests.records.factories import (
    FILE,
    RESOLVE,
    WITHDRAW,
    WITHDRAW_RECORD,
    all_events,
    create_subject,
    events_client,
    fetch,
    org_code,
    person_code,
    record,
    submit,
)


async def test_filing_marks_the_record_disputed_with_a_20_day_deadline_and_publishes(
        disputed, records_app):
    org, rec, objection = disputed
    assert objection["status"] == "OPEN" and objection["record"]["status"] == "DISPUTED"
    filed = datetime.fromisoformat(objection["filedAt"])
    assert datetime.fromisoformat(objection["deadline"]) - filed == timedelta(days=20)
    assert objection["verificationDays"] == 20 and objection["agency"] == "SPC"
    events = await all_events(records_app)
    assert [(e["type"], e["recordId"]) for e in events] == [("RECORD_DISPUTED", rec["id"])]
    assert events[0]["payload"]["objectionId"] == objection["id"]


async def test_only_the_subject_or_an_analyst_may_object(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(2))
    rec = (await submit(gql, [record("O-2", org)], SPC))["accepted"][0]
    body = await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": "x"}}, as_=CONSUMER)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": "代为申请"}}, as_=ANALYST)
    assert body["data"]["fileRecordObjection"]["status"] == "OPEN"
    again = await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": "再次"}}, as_=ANALYST)
    assert error_codes(again) == ["CONFLICT"]
    blank = await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": "  "}}, as_=ANALYST)
    assert error_codes(blank) == ["BAD_REQUEST"]


async def test_upheld_restores_the_record_and_only_the_source_decides(disputed, gql, records_app):
    _, rec, objection = disputed
    body = await gql.execute(RESOLVE, {"i": {"objectionId": objection["id"], "outcome": "UPHELD",
                                             "reason": "核实无误"}}, as_=SAMR)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await gql.execute(RESOLVE, {"i": {"objectionId": objection["id"], "outcome": "UPHELD",
                                             "reason": "核实无误"}}, as_=SPC)
    resolved = body["data"]["resolveRecordObjection"]
    assert resolved["status"] == "UPHELD" and resolved["record"]["status"] == "ACTIVE"
    events = await all_events(records_app)
    assert [e["type"] for e in events] == ["RECORD_DISPUTED", "OBJECTION_RESOLVED"]
    assert events[1]["payload"]["outcome"] == "UPHELD"
    twice = await gql.execute(RESOLVE, {"i": {"objectionId": objection["id"], "outcome": "UPHELD",
                                              "reason": "再次"}}, as_=SPC)
    assert error_codes(twice) == ["CONFLICT"]


async def test_corrected_writes_a_new_chained_version_and_publishes_the_correction(
        disputed, gql, records_app, db_url):
    _, rec, objection = disputed
    missing = await gql.execute(RESOLVE, {"i": {"objectionId": objection["id"],
                                                "outcome": "CORRECTED", "reason": "金额更正"}},
                                as_=SPC)
    assert error_codes(missing) == ["BAD_REQUEST"]
    body = await gql.execute(RESOLVE, {"i": {
        "objectionId": objection["id"], "outcome": "CORRECTED", "reason": "金额更正",
        "correction": {"summary": "罚款 3 万元"}}}, as_=SPC)
    assert "errors" not in body, body
    resolved = body["data"]["resolveRecordObjection"]
    assert resolved["status"] == "CORRECTED" and resolved["resolution"] == "金额更正"
    assert resolved["record"] == {"id": rec["id"], "version": 2, "status": "ACTIVE",
                                  "summary": "罚款 3 万元"}
    events = await all_events(records_app)
    assert [e["type"] for e in events] == ["RECORD_DISPUTED", "RECORD_CORRECTED",
                                           "OBJECTION_RESOLVED"]
    assert events[1]["payload"]["version"] == 2
    assert events[2]["payload"]["outcome"] == "CORRECTED"
    rows = await fetch(db_url, "select version, status from records.credit_records order by 1")
    assert [tuple(r) for r in rows] == [(1, "SUPERSEDED"), (2, "ACTIVE")]


async def test_a_correction_submitted_by_the_source_closes_the_objection(disputed, gql, records_app):
    org, rec, objection = disputed
    await submit(gql, [record("O-1", org, summary="罚款 3 万元")], SPC)
    body = await gql.execute("query($id: ID!) { recordObjections(recordId: $id) { nodes {"
                             " status } } }", {"id": rec["id"]}, as_=ANALYST)
    assert body["data"]["recordObjections"]["nodes"] == [{"status": "CORRECTED"}]
    assert [e["type"] for e in await all_events(records_app)] == [
        "RECORD_DISPUTED", "RECORD_CORRECTED", "OBJECTION_RESOLVED"]


async def test_the_filer_withdraws_and_the_record_is_active_again(disputed, gql):
    org, _, objection = disputed
    other = await gql.execute(WITHDRAW, {"id": objection["id"]}, as_=CONSUMER)
    assert error_codes(other) == ["FORBIDDEN"]
    body = await gql.execute(WITHDRAW, {"id": objection["id"]}, as_=subject(org))
    assert body["data"]["withdrawRecordObjection"] == {"status": "WITHDRAWN",
                                                       "record": {"status": "ACTIVE"}}


async def test_withdrawing_a_record_hides_it_and_tells_sanctions(gql, identity_gql, records_app):
    org = await create_subject(identity_gql, org_code(3))
    rec = (await submit(gql, [record("W-1", org)], SPC))["accepted"][0]
    body = await gql.execute(WITHDRAW_RECORD, {"i": {"recordId": rec["id"], "reason": "撤销处罚"}},
                             as_=SAMR)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await gql.execute(WITHDRAW_RECORD, {"i": {"recordId": rec["id"], "reason": "撤销处罚"}},
                             as_=SPC)
    assert body["data"]["withdrawRecord"]["status"] == "WITHDRAWN"
    events = await all_events(records_app)
    assert [(e["type"], e["recordId"], e["payload"]["reason"]) for e in events] == [
        ("RECORD_WITHDRAWN", rec["id"], "撤销处罚")]
    listed = await gql.execute("""query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Subject { records { id } } } }""",
                               {"r": [{"__typename": "Subject", "code": org}]}, as_=ANALYST)
    assert listed["data"]["_entities"][0]["records"] == []


async def test_an_event_committed_late_is_not_skipped_by_the_feed(records_app, db_url):
    """Ids are handed out before commit; the feed must wait for the slower transaction."""
    slow = await asyncpg.connect(**asyncpg_kwargs(db_url))
    fast = await asyncpg.connect(**asyncpg_kwargs(db_url))
    insert = ("insert into records.outbox_events (type, record_id, payload) "
              "values ($1, $2, '{}'::jsonb)")
    try:
        tx = slow.transaction()
        await tx.start()
        await slow.execute(insert, "RECORD_WITHDRAWN", 1)        # smaller id, commits last
        await fast.execute(insert, "RECORD_WITHDRAWN", 2)        # larger id, commits first
        client = events_client(records_app)
        first = await client.events(None)
        assert first.events == []                             # held back, not skipped
        await tx.commit()
        second = await client.events(first.cursor)
        await client.aclose()
        assert [e.record_id for e in second.events] == ["1", "2"]
    finally:
        await slow.close()
        await fast.close()


async def test_the_internal_feed_carries_codes_in_clear_for_the_enforcing_service(
        gql, identity_gql, records_app):
    person = await create_subject(identity_gql, person_code(4), kind="NATURAL_PERSON", name="李四")
    rec = (await submit(gql, [record("P-1", person, category="JUDGMENT")], SPC))["accepted"][0]
    await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": "并非本人"}}, as_=ANALYST)
    events = await all_events(records_app)
    # the internal feed serves services that enforce by code: it carries the code in clear
    assert events[0]["subjectCode"] == person


async def test_the_feed_orders_transaction_ids_as_numbers_not_as_text(records_app, db_url):
    """xid 9 comes before xid 10 (a text sort would put it after)."""
    from tests.records.factories import execute

    await execute(db_url, "insert into records.outbox_events (txid, type, record_id, payload) "
                          "values ('10', 'RECORD_WITHDRAWN', 2, '{}'), "
                          "('9', 'RECORD_WITHDRAWN', 1, '{}')")
    client = events_client(records_app)
    first = await client.events(None, limit=1)
    second = await client.events(first.cursor, limit=1)
    await client.aclose()
    assert [e.record_id for e in first.events + second.events] == ["1", "2"]
