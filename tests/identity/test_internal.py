"""The internal REST API other services use: lookup and roles at a time."""

from datetime import datetime, timezone

import httpx

from libs.common.settings import DEV_GATEWAY_SECRET
from libs.contracts.identity import IdentityClient
from tests.callers import ADMIN
from tests.identity.factories import create_subject, org_code, person_code


def client(identity_app) -> IdentityClient:
    return IdentityClient("http://identity", DEV_GATEWAY_SECRET, caller="tests",
                          transport=httpx.ASGITransport(app=identity_app))


async def test_lookup_returns_known_subjects_and_invalid_codes_with_their_rule(gql, identity_app):
    org = org_code(1)
    await create_subject(gql, org, name="甲公司")
    c = client(identity_app)
    directory = await c.lookup([org.lower(), org_code(2), "123"])
    subjects, invalid = directory.subjects, directory.invalid
    await c.aclose()
    assert set(subjects) == {org}
    assert subjects[org].kind == "ENTERPRISE" and subjects[org].region_code == "110105"
    assert invalid["123"].rule == "length"


async def test_roles_at_a_time_respect_the_half_open_window(gql, identity_app):
    org, person = org_code(3), person_code(3)
    await create_subject(gql, org)
    await create_subject(gql, person, kind="NATURAL_PERSON", name="王五")
    body = await gql.execute(
        """mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }""",
        {"i": {"organizationCode": org, "personCode": person, "role": "LEGAL_REPRESENTATIVE",
               "since": "2020-01-01T00:00:00+08:00", "until": "2024-01-01T00:00:00+08:00"}},
        as_=ADMIN)
    assert "errors" not in body, body
    c = client(identity_app)
    inside = await c.organization_roles(org, datetime(2023, 12, 31, 15, 59, tzinfo=timezone.utc))
    at_end = await c.organization_roles(org, datetime(2023, 12, 31, 16, 0, tzinfo=timezone.utc))
    await c.aclose()
    assert [(r.person_code, r.role) for r in inside] == [(person, "LEGAL_REPRESENTATIVE")]
    assert at_end == []


async def test_roles_of_many_organisations_carry_their_windows(gql, identity_app):
    from libs.contracts.identity import held_at

    org, other, person = org_code(4), org_code(5), person_code(4)
    await create_subject(gql, org)
    await create_subject(gql, other)
    await create_subject(gql, person, kind="NATURAL_PERSON", name="赵六")
    body = await gql.execute(
        """mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }""",
        {"i": {"organizationCode": org, "personCode": person, "role": "LEGAL_REPRESENTATIVE",
               "since": "2020-01-01T00:00:00+08:00", "until": "2024-01-01T00:00:00+08:00"}},
        as_=ADMIN)
    assert "errors" not in body, body
    c = client(identity_app)
    roles = await c.roles_of_organizations([org, other, person, org_code(6)])
    await c.aclose()
    assert set(roles) == {org}  # organisations with roles only
    [held] = roles[org]
    assert (held.person_code, held.role) == (person, "LEGAL_REPRESENTATIVE")
    assert held_at(roles[org], datetime(2023, 12, 31, 15, 59, tzinfo=timezone.utc)) == [held]
    assert held_at(roles[org], datetime(2023, 12, 31, 16, 0, tzinfo=timezone.utc)) == []


async def test_internal_api_refuses_calls_without_the_shared_secret(http):
    response = await http.post("/internal/subjects/lookup", json={"codes": []})
    assert response.status_code == 403
