"""Purpose limitation through the real gateway: the attack of issue 11 item 5, a consumer joining
`subject(code) { listings { ... measures { purpose } } }`, learns only its own purposes, and the
read is in the check audit an analyst reads."""

from __future__ import annotations

import secrets

import pytest

from libs.common.identifiers import make_uscc
from tests.edge.edge_harness import bearer

SPC = {"sub": "judge-wang", "roles": ["authority"], "agency": "SPC"}
STA = {"sub": "sta-official", "roles": ["authority"], "agency": "STA"}
AIRLINE = {"sub": "edge-airline", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
ANALYST = {"sub": "edge-analyst", "roles": ["analyst"]}
DOCUMENT = {"number": "(2026)京01执9号", "kind": "执行裁定书", "issuedOn": "2026-10-08",
            "authority": "北京市第一中级人民法院"}
FILE = """query($c: ID!) { subject(code: $c) { name listings { status effectiveUntil
  list { code } measures { purpose } } } }"""


def _ok(client, url: str, query: str, variables: dict, caller: dict) -> dict:
    body = client.post(url, json={"query": query, "variables": variables},
                       headers=bearer(**caller)).json()
    assert "errors" not in body, body
    return body["data"]


def _listed(client, url: str, code: str, list_code: str, official: dict) -> None:
    records = _ok(client, url, """mutation($i: [RecordInput!]!) { submitRecords(input: $i) {
        accepted { id } } }""", {"i": [{
        "sourceRecordId": f"edge-{secrets.token_hex(6)}", "subjectCode": code,
        "category": "JUDGMENT", "summary": "拒不履行生效判决", "legalBasis": DOCUMENT,
        "occurredOn": "2026-10-08"}]}, official)
    (record,) = records["submitRecords"]["accepted"]
    _ok(client, url, """mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }""",
        {"i": {"listCode": list_code, "subjectCode": code, "basisRecordIds": [record["id"]],
               "legalBasis": DOCUMENT}}, official)


@pytest.fixture
def listed_company(stack, client) -> str:
    code = make_uscc("9", "1", "110105", f"{secrets.randbelow(10**8):08d}")
    _ok(client, stack.url, """mutation($i: RegisterSubjectInput!) { registerSubject(input: $i) {
        code } }""", {"i": {"code": code, "kind": "ENTERPRISE", "name": "边缘测试有限公司"}},
        {"roles": ["admin"]})
    _listed(client, stack.url, code, "SPC_DISHONEST_DEBTORS", SPC)
    _listed(client, stack.url, code, "TAX_MAJOR_VIOLATION", STA)  # no flight measure
    return code


def test_a_consumer_joining_subject_listings_learns_only_its_own_purposes(stack, client,
                                                                         listed_company):
    seen = _ok(client, stack.url, FILE, {"c": listed_company}, AIRLINE)["subject"]["listings"]
    assert [(x["list"]["code"], [m["purpose"] for m in x["measures"]]) for x in seen] == [
        ("SPC_DISHONEST_DEBTORS", ["AIR_TRAVEL"])]
    full = _ok(client, stack.url, FILE, {"c": listed_company}, ANALYST)["subject"]["listings"]
    assert {x["list"]["code"] for x in full} == {"SPC_DISHONEST_DEBTORS", "TAX_MAJOR_VIOLATION"}
    assert len({m["purpose"] for x in full for m in x["measures"]}) > 1
    audit = _ok(client, stack.url, """query($c: ID!) { checksOfSubject(code: $c) {
        entries { consumer operation purpose outcome } } }""", {"c": listed_company}, ANALYST)
    assert audit["checksOfSubject"]["entries"] == [
        {"consumer": "edge-airline", "operation": "SUBJECT_LISTINGS", "purpose": "AIR_TRAVEL",
         "outcome": "LISTED"}]
