"""Subjects in the real identity service, and record submissions."""

from __future__ import annotations

import json
import zlib
from datetime import date

import asyncpg
import httpx

from devtools.testing import asyncpg_kwargs
from libs.common.identifiers import make_ric, make_uscc
from libs.common.settings import DEV_GATEWAY_SECRET
from libs.contracts.records import RecordsClient

REGISTER = """
mutation($input: RegisterSubjectInput!) { registerSubject(input: $input) { code } }"""

RECORD_FIELDS = """id category summary recordedAt subjectCode agency sourceRecordId version
  occurredOn amount disclosure status retentionUntil legalBasis { number kind issuedOn authority }"""

SUBMIT = """
mutation($input: [RecordInput!]!) {
  submitRecords(input: $input) {
    accepted { %s }
    rejected { index reason rule }
    created corrected unchanged
  }
}""" % RECORD_FIELDS


FILE = """mutation($i: FileRecordObjectionInput!) {
  fileRecordObjection(input: $i) { id status filedAt deadline verificationDays agency version
  record { status } } }"""
RESOLVE = """mutation($i: ResolveRecordObjectionInput!) {
  resolveRecordObjection(input: $i) { id status resolution record { id version status summary } } }"""
WITHDRAW = """mutation($id: ID!) { withdrawRecordObjection(objectionId: $id) {
  status record { status } } }"""
WITHDRAW_RECORD = """mutation($i: WithdrawRecordInput!) { withdrawRecord(input: $i) { status } }"""


def org_code(n: int, region: str = "110105") -> str:
    return make_uscc("9", "1", region, f"{n:08d}")


def person_code(n: int) -> str:
    return make_ric("110105", date(1980, 5, 17), n % 1000)


async def create_subject(identity_gql, code: str, kind: str = "ENTERPRISE",
                         name: str = "测试有限公司") -> str:
    body = await identity_gql.execute(
        REGISTER, {"input": {"code": code, "kind": kind, "name": name}}, as_={"roles": ["admin"]})
    assert "errors" not in body, body
    return code


def record(source_id: str, subject: str, *, category: str = "ADMINISTRATIVE_PENALTY",
           summary: str = "未按规定公示年度报告", occurred: str = "2025-03-01", **extra) -> dict:
    out = {
        "sourceRecordId": source_id, "subjectCode": subject, "category": category,
        "summary": summary,
        "legalBasis": {"number": f"京市监罚〔2025〕{zlib.crc32(source_id.encode()) % 1000}号",
                       "kind": "行政处罚决定书", "issuedOn": occurred,
                       "authority": "北京市市场监督管理局"},
        "occurredOn": occurred,
    }
    out.update(extra)
    return out


def ndjson(*rows) -> bytes:
    return ("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
                      for r in rows) + "\n").encode()


async def submit(gql, records: list[dict], as_: dict) -> dict:
    body = await gql.execute(SUBMIT, {"input": records}, as_=as_)
    assert "errors" not in body, body
    return body["data"]["submitRecords"]


async def fetch(db_url: str, sql: str, *args) -> list:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def execute(db_url: str, sql: str, *args) -> str:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.execute(sql, *args)
    finally:
        await conn.close()


async def count_records(db_url: str) -> int:
    return (await fetch(db_url, "select count(*) from records.credit_records"))[0][0]


def events_client(records_app) -> RecordsClient:
    """The records outbox feed as sanctions reads it."""
    return RecordsClient("http://records", DEV_GATEWAY_SECRET, caller="sanctions-test",
                         transport=httpx.ASGITransport(app=records_app))


async def all_events(records_app) -> list[dict]:
    """Every event in the feed, oldest first, as the wire carries it (two to a page)."""
    client = events_client(records_app)
    try:
        out, cursor = [], None
        while True:
            page = await client.events(cursor, limit=2)
            out += [e.wire() for e in page.events]
            cursor = page.cursor
            if not page.has_more:
                return out
    finally:
        await client.aclose()
