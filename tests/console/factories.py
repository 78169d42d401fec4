"""Test data for the console's journeys, made through the public API as the actors would."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

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
                   records: list[str], effective_until: datetime | None = None) -> str:
    data = stack.gql("""mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }""",
                     {"i": {"listCode": list_code, "subjectCode": subject,
                            "basisRecordIds": records, "legalBasis": legal_document(),
                            "effectiveUntil": effective_until.isoformat() if effective_until else None}},
                     roles=("authority",), agency=agency)
    return data["decideListing"]["id"]


def listed_company(stack: Stack, name: str) -> tuple[str, str, str]:
    """A company on the SPC's dishonest-debtor list: (company code, person code, listing id)."""
    company, person = create_company_with_representative(stack, name)
    record = submit_record(stack, "SPC", company, f"console-{company}", "拒不履行生效判决确定的给付义务")
    return company, person, decide_listing(stack, "SPC", "SPC_DISHONEST_DEBTORS", company, [record])


def credit_list(stack: Stack, code: str, name: str, **rules) -> str:
    """An SPC blacklist of enterprises with the given rules (upserted by an admin)."""
    stack.gql("""mutation($i: CreditListInput!) { upsertCreditList(input: $i) { code } }""", {"i": {
        "code": code, "name": name, "kind": "BLACKLIST", "authority": "SPC", "legalBasis": "测试",
        "admits": ["ENTERPRISE"], "objectionChannel": "书面", "defaultDurationDays": 365, **rules}})
    return code


def repairable_list(stack: Stack) -> str:
    """A list on which repair may be asked for at once (no minimum period)."""
    return credit_list(stack, "CONSOLE_REPAIRABLE", "控制台测试名单", repairMinDays=0)


def company_on(stack: Stack, list_code: str, name: str,
               effective_until: datetime | None = None) -> tuple[str, str]:
    """A new company listed by the SPC on `list_code`: (company code, listing id)."""
    company, _ = create_company_with_representative(stack, name)
    record = submit_record(stack, "SPC", company, f"console-{company}", "拒不履行生效判决确定的给付义务")
    return company, decide_listing(stack, "SPC", list_code, company, [record], effective_until)


def file_objection(stack: Stack, listing: str, grounds: str, filed_days_ago: int = 0) -> str:
    """An objection filed by an SPC official; `filed_days_ago` moves its filing back in time."""
    objection = stack.gql("""mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }""",
                          {"i": {"listingId": listing, "grounds": grounds}},
                          roles=("authority",), agency="SPC")["fileObjection"]["id"]
    if filed_days_ago:
        stack.sql("update sanctions.objections set filed_at = filed_at - make_interval(days => $2) "
                  "where id = $1::uuid", objection, filed_days_ago)
    return objection


def apply_for_repair(stack: Stack, listing: str, statement: str) -> str:
    return stack.gql("""mutation($i: ApplyForRepairInput!) { applyForRepair(input: $i) { id } }""",
                     {"i": {"listingId": listing, "statement": statement}},
                     roles=("authority",), agency="SPC")["applyForRepair"]["id"]


def check(stack: Stack, code: str, purpose: str, consumer: str) -> str:
    """A consumer's check (it lands in the check audit and in checkVolume)."""
    return stack.gql("query($c: ID!, $p: Purpose!) { check(code: $c, purpose: $p) { status } }",
                     {"c": code, "p": purpose}, sub=consumer, roles=("consumer",),
                     purposes=(purpose,))["check"]["status"]


def in_days(days: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=days)


def _batch(stack: Stack, field: str, input_type: str, inputs: list, selection: str, **auth) -> list:
    """One request running `field` once per input (aliased), results in input order."""
    heads = ", ".join(f"$i{n}: {input_type}" for n in range(len(inputs)))
    body = " ".join(f"r{n}: {field}(input: $i{n}) {selection}" for n in range(len(inputs)))
    data = stack.gql(f"mutation({heads}) {{ {body} }}", {f"i{n}": v for n, v in enumerate(inputs)},
                     **auth)
    return [data[f"r{n}"] for n in range(len(inputs))]


def many_companies_on(stack: Stack, list_code: str, count: int, name: str) -> list[str]:
    """`count` new companies listed by the SPC on `list_code`, in three requests; the listing ids."""
    codes = [make_uscc("9", "1", "310104", f"M{next(_seq):07d}") for _ in range(count)]
    _batch(stack, "registerSubject", "RegisterSubjectInput!",
           [{"code": c, "kind": "ENTERPRISE", "name": f"{name}{n + 1}号有限公司"} for n, c in enumerate(codes)],
           "{ code }")
    submitted = stack.gql("""mutation($i: [RecordInput!]!) { submitRecords(input: $i) {
        accepted { id subjectCode } rejected { index reason } } }""", {"i": [{
        "sourceRecordId": f"console-many-{c}", "subjectCode": c, "category": "UNFULFILLED_OBLIGATION",
        "summary": "拒不履行生效判决确定的给付义务", "legalBasis": legal_document(),
        "occurredOn": "2026-11-02"} for c in codes]}, roles=("authority",), agency="SPC")["submitRecords"]
    assert not submitted["rejected"], submitted
    record_of = {r["subjectCode"]: r["id"] for r in submitted["accepted"]}
    decided = _batch(stack, "decideListing", "DecideListingInput!", [
        {"listCode": list_code, "subjectCode": c, "basisRecordIds": [record_of[c]],
         "legalBasis": legal_document()} for c in codes], "{ id }", roles=("authority",), agency="SPC")
    return [d["id"] for d in decided]


def set_calendar_day(stack: Stack, day: date, working: bool, name: str) -> None:
    stack.gql("mutation($d: Date!, $w: Boolean!, $n: String!) { setCalendarDay(day: $d, working: $w, name: $n) { day } }",
              {"d": day.isoformat(), "w": working, "n": name})
