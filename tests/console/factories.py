"""Test data for the console's journeys, made through the public API as the actors would."""

from __future__ import annotations

import itertools
from datetime import date

from libs.common.identifiers import make_ric, make_uscc
from tests.console.stack import Stack

_seq = itertools.count(1)


def create_company_with_representative(stack: Stack, name: str) -> tuple[str, str]:
    """A new enterprise and its legal representative (registered by an admin); their codes."""
    n = next(_seq)
    company = make_uscc("9", "1", "310104", f"C{n:07d}")
    person = make_ric("310104", date(1980, 1, n % 28 + 1), 100 + n)
    register = "mutation($i: RegisterSubjectInput!) { registerSubject(input: $i) { code } }"
    stack.gql(register, {"i": {"code": company, "kind": "ENTERPRISE", "name": name}})
    stack.gql(register, {"i": {"code": person, "kind": "NATURAL_PERSON", "name": f"{name}法人"}})
    stack.gql("mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }", {"i": {
        "organizationCode": company, "personCode": person, "role": "LEGAL_REPRESENTATIVE",
        "since": "2020-01-01T00:00:00+08:00"}})
    return company, person


def legal_document(number: str = "(2026)沪0104执1号", issued_on: str = "2026-11-02") -> dict:
    return {"number": number, "kind": "执行裁定书", "issuedOn": issued_on,
            "authority": "上海市徐汇区人民法院"}


def submit_record(stack: Stack, agency: str, subject: str, source_id: str, summary: str,
                  category: str = "UNFULFILLED_OBLIGATION") -> str:
    """A record submitted by `agency`; resubmitting the same source id corrects it."""
    data = stack.gql("""mutation($i: [RecordInput!]!) { submitRecords(input: $i) {
        accepted { id version } rejected { index reason } } }""", {"i": [{
        "sourceRecordId": source_id, "subjectCode": subject, "category": category,
        "summary": summary, "legalBasis": legal_document(), "occurredOn": "2026-11-02"}]},
        roles=("authority",), agency=agency)
    accepted = data["submitRecords"]["accepted"]
    assert accepted, data
    return accepted[0]["id"]


def decide_listing(stack: Stack, agency: str, list_code: str, subject: str,
                   records: list[str]) -> str:
    data = stack.gql("""mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }""",
                     {"i": {"listCode": list_code, "subjectCode": subject,
                            "basisRecordIds": records, "legalBasis": legal_document()}},
                     roles=("authority",), agency=agency)
    return data["decideListing"]["id"]


def listed_company(stack: Stack, name: str) -> tuple[str, str, str]:
    """A company on the SPC's dishonest-debtor list: (company code, person code, listing id)."""
    company, person = create_company_with_representative(stack, name)
    record = submit_record(stack, "SPC", company, f"console-{company}", "拒不履行生效判决确定的给付义务")
    return company, person, decide_listing(stack, "SPC", "SPC_DISHONEST_DEBTORS", company, [record])
