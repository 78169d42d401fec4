"""Subjects, roles and records in the real identity and records apps; listings through GraphQL."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from libs.common.identifiers import make_ric, make_uscc
from libs.common.timeutil import SHANGHAI

_seq = itertools.count(1)


def next_monday_10am() -> datetime:
    """A Monday 10:00 Asia/Shanghai at least a day ahead (listings cannot be back-dated)."""
    day = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)

LISTING_FIELDS = """id status effectiveFrom effectiveUntil publicityUntil authority howToObject
  subjectCode basisRecordIds list { code name kind authority }
  legalBasis { number kind issuedOn authority }
  derivedRestrictions { code via { organizationCode role } }"""

DECIDE = """mutation($input: DecideListingInput!) { decideListing(input: $input) { %s } }""" % (
    LISTING_FIELDS)

APPLIED = """measure { code name purpose effect } listing { id status list { code } }
  via { organizationCode role }"""
CHECK = """query($code: ID!, $purpose: Purpose!, $at: DateTime) {
  check(code: $code, purpose: $purpose, at: $at) {
    code purpose status restricted checkedAt reference
    restrictions { %s } incentives { %s }
  }
}""" % (APPLIED, APPLIED)

LIFT = """mutation($input: LiftListingInput!) { liftListing(input: $input) { id status } }"""
FILE_OBJECTION = """mutation($input: FileObjectionInput!) {
  fileObjection(input: $input) { id status suspends listing { id status } } }"""
RESOLVE_OBJECTION = """mutation($input: ResolveObjectionInput!) {
  resolveObjection(input: $input) { id status listing { id status } } }"""
LISTING = """query($id: ID!, $at: DateTime) { listing(id: $id, at: $at) { %s } }""" % LISTING_FIELDS


def org_code(n: int | None = None) -> str:
    return make_uscc("9", "1", "110105", f"{n if n is not None else next(_seq) + 100:08d}")


def person_code(n: int | None = None) -> str:
    n = n if n is not None else next(_seq)
    return make_ric("110105", date(1970, 1, 1 + n % 28), n % 999 + 1)


def doc(number: str = "(2026)京01执123号", kind: str = "执行裁定书",
        issued_on: str = "2026-10-08", authority: str = "北京市第一中级人民法院") -> dict:
    return {"number": number, "kind": kind, "issuedOn": issued_on, "authority": authority}


def iso(dt: datetime) -> str:
    return dt.isoformat()


@dataclass
class World:
    """The three services, talked to the way the gateway would."""

    gql: object
    identity: object
    records: object

    async def subject(self, code: str, kind: str = "ENTERPRISE", name: str = "北京测试科技有限公司") -> str:
        body = await self.identity.execute(
            "mutation($i: RegisterSubjectInput!) { registerSubject(input: $i) { code } }",
            {"i": {"code": code, "kind": kind, "name": name}}, as_={"roles": ["admin"]})
        assert "errors" not in body, body
        return code

    async def company(self) -> str:
        return await self.subject(org_code())

    async def person(self, name: str = "王伟") -> str:
        return await self.subject(person_code(), "NATURAL_PERSON", name)

    async def role(self, org: str, person: str, role: str = "LEGAL_REPRESENTATIVE",
                   since: str = "2020-01-01T00:00:00+08:00", until: str | None = None) -> None:
        body = await self.identity.execute(
            "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
            {"i": {"organizationCode": org, "personCode": person, "role": role, "since": since,
                   "until": until}}, as_={"roles": ["admin"]})
        assert "errors" not in body, body

    async def record(self, subject: str, agency: str = "SPC", category: str = "JUDGMENT",
                     summary: str = "拒不履行生效判决确定的给付义务", **extra) -> str:
        """A credit record submitted by `agency` to the real records service; returns its id."""
        source = f"src-{next(_seq)}"
        body = await self.records.execute(
            """mutation($input: [RecordInput!]!) { submitRecords(input: $input) {
                 accepted { id } rejected { index reason } } }""",
            {"input": [{"sourceRecordId": source, "subjectCode": subject, "category": category,
                        "summary": summary, "legalBasis": doc(), "occurredOn": "2026-10-08",
                        **extra}]},
            as_={"roles": ["authority"], "agency": agency})
        assert "errors" not in body, body
        accepted = body["data"]["submitRecords"]["accepted"]
        assert accepted, body
        return accepted[0]["id"]

    async def withdraw_record(self, record_id: str, agency: str = "SPC") -> None:
        body = await self.records.execute(
            """mutation($i: WithdrawRecordInput!) { withdrawRecord(input: $i) { id status } }""",
            {"i": {"recordId": record_id, "reason": "错误录入"}},
            as_={"roles": ["authority"], "agency": agency})
        assert "errors" not in body, body

    async def decide(self, list_code: str, subject: str, records: list[str], as_: dict,
                     **window) -> dict:
        body = await self.try_decide(list_code, subject, records, as_, **window)
        assert "errors" not in body, body
        return body["data"]["decideListing"]

    async def try_decide(self, list_code: str, subject: str, records: list[str], as_: dict,
                         legal_basis: dict | None = None, **window) -> dict:
        payload = {"listCode": list_code, "subjectCode": subject, "basisRecordIds": records,
                   "legalBasis": legal_basis or doc()}
        payload.update({k: (iso(v) if isinstance(v, datetime) else v) for k, v in window.items()})
        return await self.gql.execute(DECIDE, {"input": payload}, as_=as_)

    async def check(self, code: str, purpose: str, as_: dict, at: datetime | None = None) -> dict:
        body = await self.gql.execute(CHECK, {"code": code, "purpose": purpose,
                                              "at": iso(at) if at else None}, as_=as_)
        assert "errors" not in body, body
        return body["data"]["check"]

    async def listing(self, listing_id: str, at: datetime | None = None, as_=None) -> dict:
        body = await self.gql.execute(LISTING, {"id": listing_id, "at": iso(at) if at else None},
                                      as_=as_ or {"roles": ["analyst"]})
        assert "errors" not in body, body
        return body["data"]["listing"]
