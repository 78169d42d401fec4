"""Demo records for the demo subjects, through the real ingestion rules. Idempotent.

Subjects are checked with the running identity service (`urls["identity"]`), like any ingestion.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.common.db import transaction
from libs.common.settings import CommonSettings
from libs.contracts.identity import IdentityClient
from services.identity.demo import FEATURED_COMPANY, FEATURED_PERSON, subjects
from services.records.ingestion.chunks import IngestResult
from services.records.ingestion.parse import validate_record
from services.records.ingestion.pipeline import ingest_drafts
from services.records.ingestion.subjects import SubjectDirectory
from services.records.records.policy import today_in_china

# (agency, category, summary, document kind, number pattern, authority, amount range)
TEMPLATES = [
    ("SAMR", "ADMINISTRATIVE_PENALTY", "未按规定公示年度报告", "行政处罚决定书", "京市监罚〔{y}〕{n}号",
     "北京市市场监督管理局", None),
    ("SAMR", "ABNORMAL_OPERATION", "通过登记的住所无法联系,列入经营异常名录", "列入经营异常名录决定书",
     "京市监异〔{y}〕{n}号", "北京市市场监督管理局", None),
    ("STA", "TAX_ARREARS", "欠缴增值税及滞纳金", "税务处理决定书", "京税处〔{y}〕{n}号",
     "国家税务总局北京市税务局", (20_000, 400_000)),
    ("SPC", "JUDGMENT", "买卖合同纠纷一审判决", "民事判决书", "({y})京0105民初{n}号",
     "北京市朝阳区人民法院", None),
    ("SPC", "UNFULFILLED_OBLIGATION", "未履行生效判决确定的给付义务", "执行裁定书", "({y})京0105执{n}号",
     "北京市朝阳区人民法院", None),
    ("MEM", "SAFETY_VIOLATION", "未按规定开展安全生产教育培训", "行政处罚决定书", "京应急罚〔{y}〕{n}号",
     "北京市应急管理局", None),
    ("GACC", "COMMENDATION", "海关高级认证企业(AEO)", "认证决定书", "署认〔{y}〕{n}号", "海关总署", None),
    ("PBOC", "FINANCIAL_DEFAULT", "贷款逾期超过九十日", "逾期催收通知书", "银催〔{y}〕{n}号",
     "中国人民银行北京营业管理部", (100_000, 3_000_000)),
]


def _record(rnd: random.Random, i: int, subject: str, template, occurred: date) -> dict:
    agency, category, summary, kind, pattern, authority, amounts = template
    rec = {"sourceRecordId": f"demo-{agency.lower()}-{i:05d}", "subjectCode": subject,
           "category": category, "summary": summary,
           "legalBasis": {"number": pattern.format(y=occurred.year, n=100 + i), "kind": kind,
                          "issuedOn": occurred.isoformat(), "authority": authority},
           "occurredOn": occurred.isoformat()}
    if amounts:
        rec["amount"] = f"{rnd.randrange(*amounts)}.00"
    return rec


def plan(seed: int = 2260) -> dict[str, list[dict]]:
    """Records by agency: a featured company with a court record, many scattered ones."""
    rnd = random.Random(seed)
    rows = subjects()
    companies = [r["code"] for r in rows if r["kind"] == "ENTERPRISE"]
    persons = [r["code"] for r in rows if r["kind"] == "NATURAL_PERSON"]
    by_agency: dict[str, list[dict]] = {}
    featured = [
        ("SPC", _record(rnd, 0, FEATURED_COMPANY, TEMPLATES[3], date(2025, 6, 3))),
        ("SPC", _record(rnd, 1, FEATURED_COMPANY, TEMPLATES[4], date(2026, 9, 1))),
        ("SAMR", _record(rnd, 2, FEATURED_COMPANY, TEMPLATES[0], date(2024, 11, 12))),
        ("SAMR", _record(rnd, 3, FEATURED_COMPANY, TEMPLATES[0], date(2019, 5, 20))),  # archived
        ("SPC", {**_record(rnd, 4, FEATURED_PERSON, TEMPLATES[4], date(2026, 9, 1)),
                 "disclosure": "SHARED"}),
    ]
    for agency, rec in featured:
        by_agency.setdefault(agency, []).append(rec)
    start = date(2021, 1, 1)
    for i in range(10, 310):
        template = rnd.choice(TEMPLATES)
        occurred = start + timedelta(days=rnd.randrange(0, 5 * 365))
        subject = rnd.choice(persons if template[1] in ("JUDGMENT", "UNFULFILLED_OBLIGATION")
                             and rnd.random() < 0.3 else companies)
        by_agency.setdefault(template[0], []).append(_record(rnd, i, subject, template, occurred))
    return by_agency


async def load(sessionmaker: async_sessionmaker[AsyncSession],
               urls: dict[str, str] | None = None, *, transports: dict | None = None) -> dict:
    """Submit the demo records as their agencies; a second load changes nothing.

    `transports` (tests) maps "identity" to an in-process ASGI transport.
    """
    settings = CommonSettings()
    identity = IdentityClient((urls or {}).get("identity", "http://127.0.0.1:4001"),
                              settings.gateway_secret, caller="records-demo",
                              transport=(transports or {}).get("identity"))
    directory = SubjectDirectory(identity, sessionmaker)
    result = IngestResult()
    try:
        for agency, records in sorted(plan().items()):
            today = today_in_china()
            drafts = [(i, validate_record(r, today)) for i, r in enumerate(records)]
            async with transaction(sessionmaker) as session:
                await ingest_drafts(session, agency, drafts, directory, result)
    finally:
        await identity.aclose()
    return {"created": result.created, "unchanged": result.unchanged,
            "rejected": len(result.rejected)}
