"""What callers see: disclosure by role, retention, pagination, entities and grades."""

import asyncio
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from devtools.testing import error_codes
from services.records.records.policy import today_in_china
from tests.callers import ADMIN, ANALYST, CONSUMER, SAMR, SPC
from tests.records.factories import (
    RECORD_FIELDS,
    create_subject,
    fetch,
    org_code,
    person_code,
    record,
    submit,
)

XINYONG = Path(sys.executable).with_name("xinyong")

RECORDS = """query($r: [_Any!]!, $f: RecordFilter, $first: Int!, $after: String) {
  _entities(representations: $r) { ... on Subject {
    recordPage(filter: $f, first: $first, after: $after) {
      nodes { %s } endCursor hasMore } } } }""" % RECORD_FIELDS
GRADE = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject {
  grade { grade score baseScore
          deductions { points reason category recordId record { id } }
          bonuses { points reason recordId } } } } }"""


async def page(gql, code, as_, *, filter=None, first=50, after=None):
    body = await gql.execute(RECORDS, {"r": [{"__typename": "Subject", "code": code}],
                                       "f": filter, "first": first, "after": after}, as_=as_)
    assert "errors" not in body, body
    return body["data"]["_entities"][0]["recordPage"]


async def ids(gql, code, as_, **kw) -> list[str]:
    return [r["sourceRecordId"] for r in (await page(gql, code, as_, **kw))["nodes"]]


@pytest.fixture
async def org_with_levels(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(1))
    await submit(gql, [record("PUB", org, disclosure="PUBLIC", occurred="2025-01-03"),
                       record("SHR", org, disclosure="SHARED", occurred="2025-01-02"),
                       record("RST", org, disclosure="RESTRICTED", occurred="2025-01-01")], SPC)
    return org


@pytest.mark.parametrize(("who", "expected"), [
    pytest.param(CONSUMER, ["PUB"], id="consumer"),
    pytest.param(SAMR, ["PUB", "SHR"], id="other-authority"),
    pytest.param(SPC, ["PUB", "SHR", "RST"], id="source-authority"),
    pytest.param(ANALYST, ["PUB", "SHR", "RST"], id="analyst"),
    pytest.param(ADMIN, ["PUB", "SHR", "RST"], id="admin"),
])
async def test_disclosure_levels_are_respected_by_role(gql, org_with_levels, who, expected):
    assert await ids(gql, org_with_levels, who) == expected


async def test_a_hidden_record_is_not_found_by_id_either(gql, org_with_levels):
    rows = await fetch_ids(gql, org_with_levels)
    body = await gql.execute("query($id: ID!) { creditRecord(id: $id) { id } }",
                             {"id": rows["RST"]}, as_=CONSUMER)
    assert body["data"]["creditRecord"] is None
    ent = await gql.execute("""query($r: [_Any!]!) { _entities(representations: $r) {
        ... on CreditRecord { id summary } } }""",
                            {"r": [{"__typename": "CreditRecord", "id": rows["PUB"]},
                                   {"__typename": "CreditRecord", "id": rows["RST"]}]},
                            as_=CONSUMER)
    assert ent["data"]["_entities"] == [{"id": rows["PUB"], "summary": "未按规定公示年度报告"}, None]


async def fetch_ids(gql, org) -> dict[str, str]:
    return {r["sourceRecordId"]: r["id"] for r in (await page(gql, org, ADMIN))["nodes"]}


async def test_records_of_a_person_need_an_analyst_and_masked_references_are_refused(
        gql, identity_gql):
    person = await create_subject(identity_gql, person_code(2), kind="NATURAL_PERSON", name="王五")
    await submit(gql, [record("P-1", person, category="JUDGMENT", disclosure="PUBLIC")], SPC)
    masked = person[:6] + "*" * 8 + person[-4:]
    body = await gql.execute(RECORDS, {"r": [{"__typename": "Subject", "code": masked}],
                                       "first": 10}, as_=CONSUMER)
    assert error_codes(body) == ["FORBIDDEN"]
    nodes = (await page(gql, person, ANALYST))["nodes"]
    assert [n["subjectCode"] for n in nodes] == [person]
    nodes = (await page(gql, person, SPC))["nodes"]
    assert "*" in nodes[0]["subjectCode"]


async def test_pagination_and_filters(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(3))
    await submit(gql, [record(f"R-{i}", org, occurred=f"2025-02-{i + 1:02d}",
                              category="JUDGMENT" if i % 2 else "ADMINISTRATIVE_PENALTY")
                       for i in range(5)], SPC)
    first = await page(gql, org, ANALYST, first=2)
    assert [n["sourceRecordId"] for n in first["nodes"]] == ["R-4", "R-3"] and first["hasMore"]
    rest = await page(gql, org, ANALYST, first=10, after=first["endCursor"])
    assert [n["sourceRecordId"] for n in rest["nodes"]] == ["R-2", "R-1", "R-0"]
    assert not rest["hasMore"]
    judged = await ids(gql, org, ANALYST, filter={"categories": ["JUDGMENT"]})
    assert judged == ["R-3", "R-1"]
    window = await ids(gql, org, ANALYST, filter={"occurredFrom": "2025-02-02",
                                                  "occurredUntil": "2025-02-04"})
    assert window == ["R-2", "R-1"]
    bad = await gql.execute(RECORDS, {"r": [{"__typename": "Subject", "code": org}], "first": 5,
                                      "after": "%%%"}, as_=ANALYST)
    assert error_codes(bad) == ["BAD_REQUEST"]


async def test_negative_records_past_retention_leave_default_views_and_are_archived_not_lost(
        gql, identity_gql, db_url, records_app):
    org = await create_subject(identity_gql, org_code(4))
    today = today_in_china()
    old = date(today.year - 4, 1, 10).isoformat()          # penalty: 3 years
    await submit(gql, [record("OLD", org, occurred=old),
                       record("ENDED", org, category="UNFULFILLED_OBLIGATION",
                              occurred=date(today.year - 8, 1, 1).isoformat(),
                              conductEndedOn=date(today.year - 2, 1, 1).isoformat()),
                       record("PRAISE", org, category="COMMENDATION", occurred="2000-01-01"),
                       record("NEW", org)], SPC)
    assert sorted(await ids(gql, org, ANALYST)) == ["ENDED", "NEW", "PRAISE"]
    archived = await ids(gql, org, ANALYST, filter={"includeArchived": True})
    assert sorted(archived) == ["ENDED", "NEW", "OLD", "PRAISE"]
    body = await gql.execute(RECORDS, {"r": [{"__typename": "Subject", "code": org}], "first": 5,
                                       "f": {"includeArchived": True}}, as_=CONSUMER)
    assert error_codes(body) == ["FORBIDDEN"]
    proc = await asyncio.to_thread(subprocess.run, [str(XINYONG), "records", "archive",
                                                    "--database-url", db_url],
                                   capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "1 records archived" in proc.stdout, proc.stderr
    rows = await fetch(db_url, "select source_record_id from records.credit_records "
                               "where archived_at is not null")
    assert [r[0] for r in rows] == ["OLD"]
    events = await fetch(db_url, "select type, payload from records.outbox_events")
    assert [(e[0], json.loads(e[1])) for e in events] == [
        ("RECORD_ARCHIVED", {"agency": "SPC", "version": 1,
                             "retentionUntil": date(today.year - 1, 1, 10).isoformat()})]


async def test_grade_deductions_are_each_explained_by_their_record(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(5))
    await submit(gql, [record("G-1", org, occurred="2025-01-01"),
                       record("G-2", org, category="TAX_ARREARS", amount="250000.00",
                              occurred="2025-02-01"),
                       record("G-3", org, category="COMMENDATION", occurred="2025-03-01"),
                       record("G-4", org, disclosure="RESTRICTED", occurred="2025-04-01")], SPC)
    ids_by_source = await fetch_ids(gql, org)
    body = await gql.execute(GRADE, {"r": [{"__typename": "Subject", "code": org}]}, as_=CONSUMER)
    grade = body["data"]["_entities"][0]["grade"]
    # 100 - 5 (penalty) - 20 (arrears over RMB 100,000) + 3 (commendation) = 78: B.
    # The RESTRICTED record does not count: it could not be explained to everyone.
    assert (grade["grade"], grade["score"], grade["baseScore"]) == ("B", 78, 100)
    assert [(d["recordId"], d["points"], d["category"]) for d in grade["deductions"]] == [
        (ids_by_source["G-1"], -5, "ADMINISTRATIVE_PENALTY"),
        (ids_by_source["G-2"], -20, "TAX_ARREARS")]
    assert "over 100000" in grade["deductions"][1]["reason"]
    assert grade["deductions"][0]["record"] == {"id": ids_by_source["G-1"]}
    assert [(b["recordId"], b["points"]) for b in grade["bonuses"]] == [(ids_by_source["G-3"], 3)]


async def test_a_category_cap_limits_deductions_and_explains_it(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(6))
    await submit(gql, [record(f"U-{i}", org, category="UNFULFILLED_OBLIGATION",
                              occurred=f"2025-01-{i + 1:02d}") for i in range(4)], SPC)
    body = await gql.execute(GRADE, {"r": [{"__typename": "Subject", "code": org}]}, as_=ANALYST)
    grade = body["data"]["_entities"][0]["grade"]
    assert [d["points"] for d in grade["deductions"]] == [-15, -15, -15]  # cap 45
    assert (grade["grade"], grade["score"]) == ("D", 55)


async def test_no_grade_is_computed_for_natural_persons(gql, identity_gql):
    person = await create_subject(identity_gql, person_code(7), kind="NATURAL_PERSON", name="赵六")
    await submit(gql, [record("P-7", person, category="JUDGMENT")], SPC)
    body = await gql.execute(GRADE, {"r": [{"__typename": "Subject", "code": person}]}, as_=ADMIN)
    assert body["data"]["_entities"][0]["grade"] is None


async def test_an_organisation_without_records_is_graded_a(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(8))
    body = await gql.execute(GRADE, {"r": [{"__typename": "Subject", "code": org}]}, as_=CONSUMER)
    assert body["data"]["_entities"][0]["grade"]["grade"] == "A"


async def test_records_need_a_token(gql, org_with_levels):
    body = await gql.execute(RECORDS, {"r": [{"__typename": "Subject", "code": org_with_levels}],
                                       "first": 5})
    assert error_codes(body) == ["UNAUTHENTICATED"]
