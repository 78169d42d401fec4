"""`recordObjections`: the queue of record objections (API.md: "the same kind of queue" as
workQueue) — scoped to whoever works it, earliest due (= earliest filed) first, paged on keyset
cursors, with typed errors for bad input. `dueAt` and `overdue` come from sanctions' calendar and
are tested there (tests/sanctions/test_record_objection_deadlines.py) and through the gateway."""

import asyncio
import base64

import pytest

from devtools.testing import error_codes
from libs.common import migrate
from tests.callers import ADMIN, ANALYST, CONSUMER, SAMR, SPC, STA, subject
from tests.records.factories import (
    FILE,
    RESOLVE,
    create_subject,
    execute,
    fetch,
    org_code,
    person_code,
    record,
    submit,
)

QUEUE = """query($r: ID, $s: [RecordObjectionStatus!], $first: Int!, $after: String) {
  recordObjections(recordId: $r, status: $s, first: $first, after: $after) {
    nodes { id status agency grounds record { id } } totalCount endCursor hasMore } }"""


async def queue(gql, as_, *, record_id=None, status=None, first=50, after=None) -> dict:
    body = await gql.execute(QUEUE, {"r": record_id, "s": status, "first": first, "after": after},
                             as_=as_)
    assert "errors" not in body, body
    return body["data"]["recordObjections"]


async def disputed(gql, identity_gql, n: int, agency: dict, *, person: bool = False) -> dict:
    """A record of a new subject from `agency`, disputed by the subject; its objection."""
    code = await create_subject(identity_gql, person_code(n) if person else org_code(n),
                                kind="NATURAL_PERSON" if person else "ENTERPRISE")
    rec = (await submit(gql, [record(f"Q-{n}", code)], agency))["accepted"][0]
    body = await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": f"有误 {n}"}},
                             as_=subject(code))
    assert "errors" not in body, body
    return {**body["data"]["fileRecordObjection"], "code": code, "recordId": rec["id"]}


def ids(page: dict) -> list[str]:
    return [n["id"] for n in page["nodes"]]


async def test_an_official_sees_the_open_objections_to_its_agencys_records_earliest_first(
        gql, identity_gql):
    first = await disputed(gql, identity_gql, 1, SPC)
    await disputed(gql, identity_gql, 2, STA)
    second = await disputed(gql, identity_gql, 3, SPC)
    page = await queue(gql, SPC)
    assert ids(page) == [first["id"], second["id"]] and page["totalCount"] == 2
    assert {n["agency"] for n in page["nodes"]} == {"SPC"} and page["hasMore"] is False
    assert (await queue(gql, STA))["totalCount"] == 1
    assert (await queue(gql, SAMR)) == {"nodes": [], "totalCount": 0, "endCursor": None,
                                        "hasMore": False}


@pytest.mark.parametrize("caller", [ANALYST, ADMIN], ids=["analyst", "admin"])
async def test_analysts_and_admins_see_every_agencys_queue(gql, identity_gql, caller):
    made = [await disputed(gql, identity_gql, n, agency)
            for n, agency in ((11, SPC), (12, STA), (13, SAMR))]
    page = await queue(gql, caller)
    assert ids(page) == [o["id"] for o in made] and page["totalCount"] == 3


async def test_resolved_objections_leave_the_queue_and_stay_findable_by_status_and_record(
        gql, identity_gql):
    done = await disputed(gql, identity_gql, 21, SPC)
    still = await disputed(gql, identity_gql, 22, SPC)
    body = await gql.execute(RESOLVE, {"i": {"objectionId": done["id"], "outcome": "UPHELD",
                                             "reason": "核实无误"}}, as_=SPC)
    assert "errors" not in body, body
    assert ids(await queue(gql, SPC)) == [still["id"]]
    assert ids(await queue(gql, SPC, status=["UPHELD"])) == [done["id"]]
    assert ids(await queue(gql, SPC, status=["OPEN", "UPHELD"])) == [done["id"], still["id"]]
    # One record's objections: every status unless asked, for whoever may see the record.
    history = await queue(gql, STA, record_id=done["recordId"])
    assert [(n["id"], n["status"]) for n in history["nodes"]] == [(done["id"], "UPHELD")]
    assert (await queue(gql, STA, record_id=done["recordId"], status=["OPEN"]))["nodes"] == []


async def test_pages_follow_each_other_and_a_new_objection_joins_at_the_end(gql, identity_gql):
    made = [await disputed(gql, identity_gql, n, SPC) for n in (31, 32, 33)]
    one = await queue(gql, SPC, first=2)
    assert ids(one) == [made[0]["id"], made[1]["id"]] and one["hasMore"] is True
    assert one["totalCount"] == 3
    late = await disputed(gql, identity_gql, 34, SPC)  # filed between the two pages
    two = await queue(gql, SPC, first=2, after=one["endCursor"])
    assert ids(two) == [made[2]["id"], late["id"]] and two["hasMore"] is False
    assert two["totalCount"] == 4


async def test_the_queue_is_ordered_by_filing_even_when_ids_are_not(gql, identity_gql, db_url):
    older, newer = [await disputed(gql, identity_gql, n, SPC) for n in (41, 42)]
    # An objection filed earlier can carry the larger id (a slow transaction commits last).
    await execute(db_url, "update records.objections set filed_at = filed_at - interval '1 day'"
                  " where id = $1", int(newer["id"]))
    assert ids(await queue(gql, SPC)) == [newer["id"], older["id"]]


async def test_a_subject_token_sees_its_own_objections_only(gql, identity_gql):
    mine = await disputed(gql, identity_gql, 51, SPC, person=True)
    other = await disputed(gql, identity_gql, 52, SPC)
    page = await queue(gql, subject(mine["code"]))
    assert ids(page) == [mine["id"]] and page["nodes"][0]["grounds"] == "有误 51"
    assert ids(await queue(gql, subject(mine["code"]), record_id=mine["recordId"])) == [mine["id"]]
    body = await gql.execute(QUEUE, {"r": other["recordId"], "first": 50},
                             as_=subject(mine["code"]))
    assert error_codes(body) == ["FORBIDDEN"]
    body = await gql.execute(QUEUE, {"r": "999999", "first": 50}, as_=subject(mine["code"]))
    assert error_codes(body) == ["NOT_FOUND"]


@pytest.mark.parametrize("caller", [CONSUMER, {"sub": "no-agency", "roles": ["authority"]}, None],
                         ids=["consumer", "official-without-agency", "anonymous"])
async def test_the_queue_is_refused_to_callers_who_work_none(gql, caller):
    body = await gql.execute(QUEUE, {"first": 50}, as_=caller)
    assert error_codes(body) == ["UNAUTHENTICATED" if caller is None else "FORBIDDEN"]


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("variables,field", [
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"first": 10, "after": "not a cursor"}, "after"),
    ({"first": 10, "after": _cursor("recordObjections.1|2026-12-01T00:00:00+00:00")}, "after"),
    ({"first": 10, "after": _cursor("recordObjections.1|yesterday|1")}, "after"),
    ({"first": 10, "after": _cursor("recordObjections.1|2026-12-01T00:00:00|1")}, "after"),
    ({"first": 10, "after": _cursor("recordObjections.1|2026-12-01T00:00:00+00:00|１")}, "after"),
    ({"first": 10, "after": _cursor("listing.1|2026-12-01T00:00:00+00:00|1")}, "after"),
    ({"first": 10, "s": []}, "status"),
    ({"first": 10, "r": "12a"}, "recordId"),
], ids=["first-zero", "first-over-100", "garbage-cursor", "cursor-missing-part",
        "cursor-bad-time", "cursor-time-without-offset", "cursor-full-width-id",
        "another-querys-cursor", "no-status", "bad-record-id"])
async def test_bad_input_is_bad_request_naming_its_field(gql, variables, field):
    body = await gql.execute(QUEUE, variables, as_=SPC)
    assert error_codes(body) == ["BAD_REQUEST"], body
    assert body["errors"][0]["extensions"]["field"] == field


async def test_an_unknown_status_is_bad_request_naming_the_variable(gql):
    body = await gql.execute(QUEUE, {"first": 10, "s": ["LOST"]}, as_=SPC)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert body["errors"][0]["extensions"]["variable"] == "s"


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on RecordObjection { id status filedAt verificationDays resolvedAt } } }"""


async def test_record_objection_entities_resolve_for_callers_who_may_see_the_record(
        gql, identity_gql):
    mine = await disputed(gql, identity_gql, 61, SPC, person=True)
    refs = [{"__typename": "RecordObjection", "id": mine["id"]},
            {"__typename": "RecordObjection", "id": "999999"},
            {"__typename": "RecordObjection", "id": "x"}]
    body = await gql.execute(ENTITIES, {"r": refs}, as_=SPC)
    assert "errors" not in body, body
    found, unknown, malformed = body["data"]["_entities"]
    assert found["id"] == mine["id"] and found["verificationDays"] == 20
    assert unknown is None and malformed is None
    # A person's record is SHARED by default: hidden from a consumer, so is its objection.
    body = await gql.execute(ENTITIES, {"r": refs[:1]}, as_=CONSUMER)
    assert body["data"]["_entities"] == [None]
    assert (await gql.execute(ENTITIES, {"r": refs[:1]}, as_=subject(mine["code"])))[
        "data"]["_entities"][0]["id"] == mine["id"]
    other = await disputed(gql, identity_gql, 62, SPC)
    body = await gql.execute(ENTITIES, {"r": [{"__typename": "RecordObjection",
                                               "id": other["id"]}]}, as_=subject(mine["code"]))
    assert error_codes(body) == ["FORBIDDEN"]


async def test_the_migration_gives_existing_objections_their_records_agency(gql, identity_gql,
                                                                           db_url):
    spc, sta = await disputed(gql, identity_gql, 71, SPC), await disputed(gql, identity_gql, 72, STA)
    await asyncio.to_thread(migrate.downgrade, db_url, "records", "0002")
    await asyncio.to_thread(migrate.upgrade, db_url, ("records",))
    rows = await fetch(db_url, "select id, agency from records.objections order by id")
    assert [(str(r["id"]), r["agency"]) for r in rows] == [(spc["id"], "SPC"), (sta["id"], "STA")]
