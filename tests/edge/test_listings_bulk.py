"""POST /listings/bulk through the real gateway: migrated listings as the token's agency, then
checked at a past moment through GraphQL; consumers are refused."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from libs.common.timeutil import SHANGHAI
from tests.edge.edge_harness import bearer
from tests.identity.factories import person_code

NDJSON = {"content-type": "application/x-ndjson"}
ADMIN = {"sub": "bulk-admin", "roles": ["admin"]}
SPC = {"sub": "spc-migrator", "roles": ["authority"], "agency": "SPC"}
AIRLINE = {"sub": "airline", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
CHECK = """query($code: ID!, $at: DateTime) { check(code: $code, purpose: AIR_TRAVEL, at: $at) {
  status restrictions { listing { id status } } } }"""


def origin(gateway) -> str:
    return gateway.url.removesuffix("/graphql")


def test_listings_are_migrated_through_the_gateway_and_checked_in_the_past(stack, client):
    code = person_code(9411, born=datetime(1975, 3, 9).date())
    subject = {"code": code, "kind": "NATURAL_PERSON", "name": "迁移测试"}
    client.post(f"{origin(stack)}/subjects/bulk", content=json.dumps(subject).encode() + b"\n",
                headers={**bearer(**ADMIN), **NDJSON}).raise_for_status()
    start = datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(days=600)
    end = start + timedelta(days=400)
    listing = {"sourceListingId": "EDGE-SPC-1", "listCode": "SPC_DISHONEST_DEBTORS",
               "subjectCode": code, "decidedAt": start.isoformat(),
               "effectiveFrom": start.isoformat(), "effectiveUntil": end.isoformat(),
               "legalBasis": {"number": "(2024)京01执1号", "kind": "执行裁定书",
                              "issuedOn": start.date().isoformat(),
                              "authority": "北京市第一中级人民法院"}}
    body = json.dumps(listing, ensure_ascii=False).encode() + b"\n" + b"{broken\n"
    refused = client.post(f"{origin(stack)}/listings/bulk", content=body,
                          headers={**bearer(**AIRLINE), **NDJSON})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    response = client.post(f"{origin(stack)}/listings/bulk", content=body,
                           headers={**bearer(**SPC), **NDJSON, "x-request-id": "bulk-listings-1"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["lines"], result["created"]) == (2, 1), result
    assert result["rejected"] == [{"line": 2, "reason": result["rejected"][0]["reason"],
                                   "rule": "json"}]
    assert response.headers["x-request-id"] == "bulk-listings-1"
    again = client.post(f"{origin(stack)}/listings/bulk", content=body,
                        headers={**bearer(**SPC), **NDJSON}).json()
    assert (again["created"], again["unchanged"]) == (0, 1), again

    def check(at):
        answer = client.post(stack.url, json={"query": CHECK, "variables": {
            "code": code, "at": at.isoformat() if at else None}}, headers=bearer(**AIRLINE))
        assert "errors" not in answer.json(), answer.text
        return answer.json()["data"]["check"]

    assert check(start + timedelta(days=100))["status"] == "RESTRICTED"
    assert check(None)["status"] == "CLEAR"  # ended 200 days ago
