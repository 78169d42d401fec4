"""Dates on the bulk path (issue 11 item 10): an NDJSON line does not go through the GraphQL
`Date` scalar, so it is held to the same rule here: YYYY-MM-DD within 1949-10-01 .. 2199-12-31
(API.md). A document issued 0001-01-01 is rejected with its line, and nothing of it is written."""

from __future__ import annotations

import pytest

from devtools.testing import error_codes
from tests.callers import SPC
from tests.records.factories import count_records, create_subject, ndjson, org_code, record

NDJSON = {"content-type": "application/x-ndjson"}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1949-09-30", "2026-W01-1"])
async def test_a_bulk_line_dated_outside_the_date_range_is_rejected_and_not_written(
        http, identity_gql, headers, db_url, day):
    org = await create_subject(identity_gql, org_code(72))
    issued = record("B-1", org)
    issued["legalBasis"]["issuedOn"] = day
    occurred = record("B-2", org, occurred=day)
    occurred["legalBasis"]["issuedOn"] = "2025-03-01"
    lines = ndjson(issued, occurred, record("B-3", org))
    response = await http.post("/records/bulk", content=lines,
                               headers={**headers(roles=["authority"], agency="SPC"), **NDJSON})
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(r["line"], r["rule"]) for r in result["rejected"]] == [(1, "legal_basis"),
                                                                   (2, "date")]
    assert all(day in r["reason"] for r in result["rejected"])
    assert await count_records(db_url) == 1


async def test_a_bulk_line_dated_at_the_range_ends_is_taken(http, identity_gql, headers, db_url):
    org = await create_subject(identity_gql, org_code(73))
    earliest = record("E-1", org, occurred="1949-10-01")
    response = await http.post("/records/bulk", content=ndjson(earliest),
                               headers={**headers(roles=["authority"], agency="SPC"), **NDJSON})
    assert response.json()["rejected"] == [], response.text
    assert await count_records(db_url) == 1


async def test_submit_records_refuses_a_document_issued_0001_01_01(gql, identity_gql, db_url):
    org = await create_subject(identity_gql, org_code(74))
    bad = record("G-1", org)
    bad["legalBasis"]["issuedOn"] = "0001-01-01"
    body = await gql.execute("""mutation($input: [RecordInput!]!) { submitRecords(input: $input) {
        created } }""", {"input": [bad]}, as_=SPC)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert body.get("data") is None
    assert await count_records(db_url) == 0
