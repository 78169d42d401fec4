"""Roles linking persons to organisations: half-open windows, overlap rules, masking, races."""

import asyncio
from datetime import datetime

import asyncpg
import pytest

from devtools.testing import asyncpg_kwargs, error_codes
from tests.callers import ADMIN, ANALYST, AUTHORITY, CONSUMER
from tests.identity.factories import create_subject, org_code, person_code

ASSIGN = """
mutation($input: AssignRoleInput!) {
  assignRole(input: $input) { id organizationCode personCode role since until }
}"""

ROLES = """
query($code: ID!, $at: DateTime) {
  subject(code: $code) { roles(at: $at) { organizationCode personCode role since until } }
}"""

ORG = org_code(100)
OTHER_ORG = org_code(101)
PERSON = person_code(101)
OTHER_PERSON = person_code(103)


def masked(code: str) -> str:
    return code[:6] + "*" * 8 + code[-4:]


def instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


async def count_role_assignments(db_url) -> int:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetchval("select count(*) from identity.role_assignments")
    finally:
        await conn.close()


@pytest.fixture
async def people(gql):
    """Two organisations and two persons, registered."""
    await create_subject(gql, ORG, name="甲有限公司")
    await create_subject(gql, OTHER_ORG, name="乙有限公司")
    await create_subject(gql, PERSON, kind="NATURAL_PERSON", name="张三")
    await create_subject(gql, OTHER_PERSON, kind="NATURAL_PERSON", name="李四")


async def assign(gql, role: str, since: str, until: str | None = None, *, org: str = ORG,
                 person: str = PERSON, as_=ADMIN) -> dict:
    """Run assignRole and return the whole response body."""
    return await gql.execute(ASSIGN, {"input": {"organizationCode": org, "personCode": person,
                                                "role": role, "since": since, "until": until}},
                             as_=as_)


async def assigned(gql, role: str, since: str, until: str | None = None, **kwargs) -> dict:
    body = await assign(gql, role, since, until, **kwargs)
    assert "errors" not in body, body
    return body["data"]["assignRole"]


async def roles(gql, code: str, at: str | None = None, *, as_=ANALYST) -> list[dict]:
    variables = {"code": code} if at is None else {"code": code, "at": at}
    body = await gql.execute(ROLES, variables, as_=as_)
    assert "errors" not in body, body
    return body["data"]["subject"]["roles"]


@pytest.fixture
async def legal_rep_then_director(gql, people):
    """LEGAL_REPRESENTATIVE for [2020-01-01, 2023-01-01), DIRECTOR from 2022-01-01 on."""
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00",
                   "2023-01-01T00:00:00+08:00")
    await assigned(gql, "DIRECTOR", "2022-01-01T00:00:00+08:00")


async def test_assignment_returns_the_window_as_given(gql, people):
    created = await assigned(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00",
                             "2023-01-01T00:00:00+08:00")
    assert created["organizationCode"] == ORG
    assert created["personCode"] == PERSON
    assert created["role"] == "LEGAL_REPRESENTATIVE"
    assert instant(created["since"]) == instant("2020-01-01T00:00:00+08:00")
    assert instant(created["until"]) == instant("2023-01-01T00:00:00+08:00")
    open_ended = await assigned(gql, "DIRECTOR", "2022-01-01T00:00:00+08:00")
    assert open_ended["until"] is None


async def test_roles_at_a_time_show_only_those_in_force(gql, legal_rep_then_director):
    mid_2021 = await roles(gql, ORG, "2021-06-01T00:00:00+08:00")
    assert [r["role"] for r in mid_2021] == ["LEGAL_REPRESENTATIVE"]
    late_2022 = await roles(gql, ORG, "2022-06-01T00:00:00+08:00")
    assert sorted(r["role"] for r in late_2022) == ["DIRECTOR", "LEGAL_REPRESENTATIVE"]
    before_any = await roles(gql, ORG, "2019-12-31T23:59:59+08:00")
    assert before_any == []


async def test_window_start_is_inclusive_and_end_exclusive(gql, legal_rep_then_director):
    at_start = await roles(gql, ORG, "2020-01-01T00:00:00+08:00")
    assert [r["role"] for r in at_start] == ["LEGAL_REPRESENTATIVE"]
    last_second = await roles(gql, ORG, "2022-12-31T23:59:59+08:00")
    assert sorted(r["role"] for r in last_second) == ["DIRECTOR", "LEGAL_REPRESENTATIVE"]
    at_end = await roles(gql, ORG, "2023-01-01T00:00:00+08:00")
    assert [r["role"] for r in at_end] == ["DIRECTOR"]
    # The same instant spelt in UTC.
    at_end_utc = await roles(gql, ORG, "2022-12-31T16:00:00Z")
    assert [r["role"] for r in at_end_utc] == ["DIRECTOR"]


async def test_a_beijing_time_is_compared_as_an_instant(gql, legal_rep_then_director):
    # 23:00 in Beijing on the last day is 15:00 UTC: the legal representative still serves.
    last_hour = await roles(gql, ORG, "2022-12-31T23:00:00+08:00")
    assert sorted(r["role"] for r in last_hour) == ["DIRECTOR", "LEGAL_REPRESENTATIVE"]
    # 20:00 in Beijing the evening before the first day is 12:00 UTC: not yet.
    evening_before = await roles(gql, ORG, "2019-12-31T20:00:00+08:00")
    assert evening_before == []


@pytest.mark.parametrize("at", ["2022-12-31T23:00:00", "2021-06-01"])
async def test_a_time_without_offset_or_a_bare_date_is_refused_not_guessed(gql, people, at):
    body = await gql.execute(ROLES, {"code": ORG, "at": at}, as_=ANALYST)
    assert body.get("data") is None
    assert "has no offset" in body["errors"][0]["message"]


async def test_a_window_given_without_offsets_is_refused_and_nothing_is_written(gql, people):
    body = await assign(gql, "SHAREHOLDER", "2021-03-01", "2021-04-01")
    assert body.get("data") is None
    assert "has no offset" in body["errors"][0]["message"]
    assert await roles(gql, ORG) == []


async def test_roles_without_a_time_list_past_present_and_future(gql, legal_rep_then_director):
    await assigned(gql, "SHAREHOLDER", "2030-01-01T00:00:00+08:00")
    everything = await roles(gql, ORG)
    assert [r["role"] for r in everything] == ["LEGAL_REPRESENTATIVE", "DIRECTOR", "SHAREHOLDER"]


async def test_roles_are_listed_from_the_person_and_from_the_organisation(gql, people):
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00", org=ORG)
    await assigned(gql, "DIRECTOR", "2021-01-01T00:00:00+08:00", org=OTHER_ORG)
    await assigned(gql, "DIRECTOR", "2021-01-01T00:00:00+08:00", org=ORG, person=OTHER_PERSON)

    of_person = await roles(gql, PERSON)
    assert [(r["organizationCode"], r["role"]) for r in of_person] == [
        (ORG, "LEGAL_REPRESENTATIVE"), (OTHER_ORG, "DIRECTOR")]
    assert {r["personCode"] for r in of_person} == {PERSON}

    of_org = await roles(gql, ORG)
    assert [(r["personCode"], r["role"]) for r in of_org] == [
        (PERSON, "LEGAL_REPRESENTATIVE"), (OTHER_PERSON, "DIRECTOR")]

    assert await roles(gql, PERSON, "2020-06-01T00:00:00+08:00") == [
        {"organizationCode": ORG, "personCode": PERSON, "role": "LEGAL_REPRESENTATIVE",
         "since": of_person[0]["since"], "until": None}]


async def test_roles_at_several_times_in_one_request_do_not_mix(gql, legal_rep_then_director):
    query = """query($code: ID!) { subject(code: $code) {
      early: roles(at: "2021-06-01T00:00:00+08:00") { role }
      late: roles(at: "2024-06-01T00:00:00+08:00") { role }
      all: roles { role } } }"""
    body = await gql.execute(query, {"code": ORG}, as_=ANALYST)
    subject = body["data"]["subject"]
    assert subject["early"] == [{"role": "LEGAL_REPRESENTATIVE"}]
    assert subject["late"] == [{"role": "DIRECTOR"}]
    assert len(subject["all"]) == 2


@pytest.mark.parametrize(
    ("since", "until"),
    [
        pytest.param("2022-01-01T00:00:00+08:00", None, id="open-ended-starting-inside"),
        pytest.param("2019-01-01T00:00:00+08:00", "2020-06-01T00:00:00+08:00",
                     id="overlapping-the-start"),
        pytest.param("2021-01-01T00:00:00+08:00", "2021-02-01T00:00:00+08:00", id="inside"),
        pytest.param("2019-01-01T00:00:00+08:00", "2024-01-01T00:00:00+08:00", id="covering"),
        pytest.param("2022-12-31T23:59:59+08:00", None, id="last-second"),
    ],
)
async def test_overlapping_window_of_the_same_role_conflicts(gql, people, db_url, since, until):
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00",
                   "2023-01-01T00:00:00+08:00")
    body = await assign(gql, "LEGAL_REPRESENTATIVE", since, until)
    assert error_codes(body) == ["CONFLICT"], body
    assert body["data"] is None
    assert await count_role_assignments(db_url) == 1


async def test_a_later_window_overlapping_an_open_ended_one_conflicts(gql, people, db_url):
    await assigned(gql, "DIRECTOR", "2020-01-01T00:00:00+08:00")
    body = await assign(gql, "DIRECTOR", "2040-01-01T00:00:00+08:00", "2041-01-01T00:00:00+08:00")
    assert error_codes(body) == ["CONFLICT"]
    assert await count_role_assignments(db_url) == 1


async def test_adjacent_windows_of_the_same_role_do_not_conflict(gql, people, db_url):
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00",
                   "2023-01-01T00:00:00+08:00")
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2023-01-01T00:00:00+08:00",
                   "2025-01-01T00:00:00+08:00")
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2018-01-01T00:00:00+08:00",
                   "2020-01-01T00:00:00+08:00")
    assert await count_role_assignments(db_url) == 3
    at_boundary = await roles(gql, ORG, "2023-01-01T00:00:00+08:00")
    assert [instant(r["since"]) for r in at_boundary] == [instant("2023-01-01T00:00:00+08:00")]


async def test_overlap_is_checked_per_organisation_person_and_role(gql, people, db_url):
    window = ("2020-01-01T00:00:00+08:00", "2023-01-01T00:00:00+08:00")
    await assigned(gql, "LEGAL_REPRESENTATIVE", *window)
    await assigned(gql, "DIRECTOR", *window)
    await assigned(gql, "LEGAL_REPRESENTATIVE", *window, person=OTHER_PERSON)
    await assigned(gql, "LEGAL_REPRESENTATIVE", *window, org=OTHER_ORG)
    assert await count_role_assignments(db_url) == 4


@pytest.mark.parametrize(
    ("org", "person", "since", "until", "code", "field"),
    [
        pytest.param(ORG, PERSON, "2023-01-01T00:00:00+08:00", "2023-01-01T00:00:00+08:00",
                     "BAD_REQUEST", "until", id="until-equals-since"),
        pytest.param(ORG, PERSON, "2023-01-01T00:00:00+08:00", "2022-12-31T23:59:59+08:00",
                     "BAD_REQUEST", "until", id="until-before-since"),
        pytest.param(ORG, PERSON, "2023-01-01T00:00:00+08:00", "2022-12-31T16:00:00Z",
                     "BAD_REQUEST", "until", id="until-same-instant-other-offset"),
        pytest.param(org_code(199), PERSON, "2020-01-01T00:00:00+08:00", None, "UNKNOWN_SUBJECT",
                     "organizationCode", id="unknown-organisation"),
        pytest.param(ORG, person_code(199), "2020-01-01T00:00:00+08:00", None, "UNKNOWN_SUBJECT", "personCode",
                     id="unknown-person"),
        pytest.param(OTHER_PERSON, PERSON, "2020-01-01T00:00:00+08:00", None, "BAD_REQUEST", "organizationCode",
                     id="person-given-as-organisation"),
        pytest.param(ORG, OTHER_ORG, "2020-01-01T00:00:00+08:00", None, "BAD_REQUEST", "personCode",
                     id="organisation-given-as-person"),
    ],
)
async def test_invalid_assignments_are_refused_and_nothing_is_written(
        gql, people, db_url, org, person, since, until, code, field):
    body = await assign(gql, "DIRECTOR", since, until, org=org, person=person)
    assert error_codes(body) == [code], body
    assert body["errors"][0]["extensions"].get("field") == field
    assert await count_role_assignments(db_url) == 0


@pytest.mark.parametrize("which", ["organizationCode", "personCode"])
async def test_malformed_codes_give_invalid_code_and_nothing_is_written(gql, people, db_url, which):
    variables = {"organizationCode": ORG, "personCode": PERSON, "role": "DIRECTOR",
                 "since": "2020-01-01T00:00:00+08:00"}
    variables[which] = variables[which][:-1] + ("0" if variables[which][-1] != "0" else "1")
    body = await gql.execute(ASSIGN, {"input": variables}, as_=ADMIN)
    assert error_codes(body) == ["INVALID_CODE"], body
    assert body["errors"][0]["extensions"]["rule"] == "check_character"
    assert await count_role_assignments(db_url) == 0


@pytest.mark.parametrize("principal", [CONSUMER, ANALYST], ids=["consumer", "analyst"])
async def test_only_authorities_and_admins_assign_roles(gql, people, db_url, principal):
    body = await assign(gql, "DIRECTOR", "2020-01-01T00:00:00+08:00", as_=principal)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await count_role_assignments(db_url) == 0


async def test_assigning_without_a_token_is_unauthenticated(gql, people, db_url):
    body = await assign(gql, "DIRECTOR", "2020-01-01T00:00:00+08:00", as_=None)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await count_role_assignments(db_url) == 0


async def test_authorities_assign_roles_but_see_the_person_code_masked(gql, people, db_url):
    created = await assigned(gql, "DIRECTOR", "2020-01-01T00:00:00+08:00", as_=AUTHORITY)
    assert created["personCode"] == masked(PERSON)
    assert await count_role_assignments(db_url) == 1


@pytest.mark.parametrize(
    ("principal", "clear"),
    [(CONSUMER, False), (AUTHORITY, False), (ANALYST, True), (ADMIN, True)],
    ids=["consumer", "authority", "analyst", "admin"],
)
async def test_role_person_codes_are_masked_outside_analyst_and_admin(gql, people, principal,
                                                                      clear):
    await assigned(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00")
    listed = await roles(gql, ORG, as_=principal)
    assert [r["personCode"] for r in listed] == [PERSON if clear else masked(PERSON)]
    assert listed[0]["organizationCode"] == ORG


async def test_concurrent_overlapping_assignments_let_exactly_one_through(gql, people, db_url):
    bodies = await asyncio.gather(*[
        assign(gql, "LEGAL_REPRESENTATIVE", "2020-01-01T00:00:00+08:00",
               f"2023-01-{1 + i:02d}T00:00:00+08:00")
        for i in range(10)])
    succeeded = [b for b in bodies if "errors" not in b]
    assert len(succeeded) == 1, bodies
    assert sorted(c for b in bodies for c in error_codes(b)) == ["CONFLICT"] * 9
    assert await count_role_assignments(db_url) == 1
