"""The subject's own view and the record objection queue through the real gateway in front of
the real identity, records and sanctions.

A person asked for by its code comes back with that code in clear, so the gateway's joins to
sanctions (listings) and records (records) carry a key those subgraphs accept; a subject token
reads its own file that way and nothing else. A record objection's `dueAt` and `overdue` are
resolved by sanctions from what records gives (`@requires`), on sanctions' working calendar.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import asyncpg
import pytest

from devtools.testing import asyncpg_kwargs
from libs.common.identifiers import make_ric, mask_code
from libs.common.timeutil import SHANGHAI
from services.sanctions.dashboard.deadlines import calendar_days_deadline
from tests.edge.edge_harness import bearer

ADMIN = {"sub": "edge-admin", "roles": ["admin"]}
SPC = {"sub": "judge-wang", "roles": ["authority"], "agency": "SPC"}
ANALYST = {"sub": "edge-analyst", "roles": ["analyst"]}
DOCUMENT = {"number": "(2026)京01执7号", "kind": "执行裁定书", "issuedOn": "2026-10-08",
            "authority": "北京市第一中级人民法院"}
FILE = """query($c: ID!) { subject(code: $c) { code name listings { id subjectCode }
  records { id subjectCode } } }"""


def subject(code: str) -> dict:
    return {"sub": code, "roles": ["subject"]}


def post(client, url: str, query: str, variables: dict, caller: dict) -> dict:
    return client.post(url, json={"query": query, "variables": variables},
                       headers=bearer(**caller)).json()


def ok(client, url: str, query: str, variables: dict, caller: dict) -> dict:
    body = post(client, url, query, variables, caller)
    assert "errors" not in body, body
    return body["data"]


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def new_person(client, url: str) -> str:
    code = make_ric("110105", date(1985, 1, 1) + timedelta(days=secrets.randbelow(3000)),
                    1 + secrets.randbelow(998))
    ok(client, url, """mutation($i: RegisterSubjectInput!) { registerSubject(input: $i) { code
        } }""", {"i": {"code": code, "kind": "NATURAL_PERSON", "name": "边缘测试人"}}, ADMIN)
    return code


@pytest.fixture
def listed_person(stack, client) -> tuple[str, str, str]:
    """A person with one record from SPC and a listing resting on it: (code, record, listing)."""
    code = new_person(client, stack.url)
    records = ok(client, stack.url, """mutation($i: [RecordInput!]!) { submitRecords(input: $i) {
        accepted { id } } }""", {"i": [{
        "sourceRecordId": f"edge-subject-{secrets.token_hex(6)}", "subjectCode": code,
        "category": "JUDGMENT", "summary": "拒不履行生效判决", "legalBasis": DOCUMENT,
        "occurredOn": "2026-10-08"}]}, SPC)
    (record,) = records["submitRecords"]["accepted"]
    listing = ok(client, stack.url, """mutation($i: DecideListingInput!) { decideListing(input:
        $i) { id } }""", {"i": {"listCode": "SPC_DISHONEST_DEBTORS", "subjectCode": code,
                                "basisRecordIds": [record["id"]], "legalBasis": DOCUMENT}}, SPC)
    return code, record["id"], listing["decideListing"]["id"]


@pytest.mark.parametrize("caller", ["authority", "subject", "analyst"])
def test_a_person_asked_for_by_code_is_joined_to_its_listings_and_records(
        stack, client, listed_person, caller):
    code, record, listing = listed_person
    who = {"authority": SPC, "subject": subject(code), "analyst": ANALYST}[caller]
    found = ok(client, stack.url, FILE, {"c": code}, who)["subject"]
    assert found["code"] == code  # the key the gateway joined by: the code asked for
    assert [x["id"] for x in found["listings"]] == [listing]
    assert [x["id"] for x in found["records"]] == [record]
    # Inside the file, codes the caller did not name stay masked for an official.
    shown = code if caller in ("subject", "analyst") else mask_code(code)
    assert found["listings"][0]["subjectCode"] == shown
    assert found["records"][0]["subjectCode"] == shown


def test_a_subject_token_is_refused_another_subjects_file(stack, client, listed_person):
    code, _, _ = listed_person
    other = new_person(client, stack.url)
    body = post(client, stack.url, FILE, {"c": other}, subject(code))
    assert codes(body) == ["FORBIDDEN"], body
    assert body["data"] == {"subject": None}


@pytest.mark.parametrize("query,variables", [
    ("query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status } }", {}),
    ("query($c: ID!) { screen(codes: [$c], purpose: AIR_TRAVEL) { checked } }", {}),
    ("query { subjects(nameContains: \"边缘\") { nodes { name } } }", None),
    ("query($c: ID!) { subject(code: $c) { name } creditLists { code } }", {}),
], ids=["check", "screen", "name-search", "catalogue-beside-own-file"])
def test_a_subject_token_is_forbidden_everything_else_with_a_code(stack, client, listed_person,
                                                                  query, variables):
    code, _, _ = listed_person
    body = post(client, stack.url, query, {"c": code} if variables is not None else {},
                subject(code))
    assert "FORBIDDEN" in codes(body) and set(codes(body)) == {"FORBIDDEN"}, body


def test_a_subject_token_whose_sub_is_no_code_is_unauthenticated(stack, client):
    body = post(client, stack.url, "query { subject(code: \"91350100M000100Y43\") { name } }", {},
                {"sub": "not-a-code", "roles": ["subject"]})
    assert codes(body) == ["UNAUTHENTICATED"], body


async def test_record_objections_are_due_on_the_working_calendar_through_the_gateway(
        stack, client, listed_person, edge_db_url):
    code, record, _ = listed_person
    filed = ok(client, stack.url, """mutation($i: FileRecordObjectionInput!) {
        fileRecordObjection(input: $i) { id filedAt dueAt overdue } }""",
               {"i": {"recordId": record, "grounds": "判决已履行"}}, subject(code))
    objection = filed["fileRecordObjection"]
    filed_at = datetime.fromisoformat(objection["filedAt"])
    day = filed_at.astimezone(SHANGHAI).date()
    calendar = ok(client, stack.url, """query($f: Date!, $t: Date!) { workingCalendar(from: $f,
        to: $t) { day working } }""", {"f": day.isoformat(),
                                       "t": (day + timedelta(days=60)).isoformat()}, ADMIN)
    days = {date.fromisoformat(d["day"]): d["working"] for d in calendar["workingCalendar"]}
    assert datetime.fromisoformat(objection["dueAt"]) == calendar_days_deadline(filed_at, 20, days)
    assert objection["overdue"] is False

    # Filed on Monday 2 June 2031 (in the database): day 20 is Sunday the 22nd, Monday the 23rd
    # is made a holiday on sanctions' calendar, so it is due at 00:00 on Wednesday the 25th.
    conn = await asyncpg.connect(**asyncpg_kwargs(edge_db_url))
    try:
        await conn.execute("update records.objections set filed_at = $1 where id = $2",
                           datetime(2031, 6, 2, 10, tzinfo=SHANGHAI), int(objection["id"]))
    finally:
        await conn.close()
    ok(client, stack.url, """mutation { setCalendarDay(day: "2031-06-23", working: false,
        name: "边缘测试假日") { day } }""", {}, ADMIN)
    queue = ok(client, stack.url, """query { recordObjections(first: 100) {
        nodes { id agency dueAt overdue } totalCount } }""", {}, SPC)["recordObjections"]
    (mine,) = [n for n in queue["nodes"] if n["id"] == objection["id"]]
    assert mine["agency"] == "SPC" and mine["overdue"] is False
    assert datetime.fromisoformat(mine["dueAt"]) == datetime(2031, 6, 25, tzinfo=SHANGHAI)
    own = ok(client, stack.url, """query { recordObjections { nodes { id dueAt } } }""", {},
             subject(code))["recordObjections"]["nodes"]
    assert own == [{"id": objection["id"], "dueAt": mine["dueAt"]}]
