"""Demo data: a few hundred realistic subjects with valid codes, and roles linking them."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from functools import partial

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.common.db import transaction
from libs.common.identifiers import make_ric, make_uscc
from services.identity.roles.models import RoleAssignment
from services.identity.subjects.service import bulk_register

# Real GB/T 2260 districts with the cities they belong to.
REGIONS = [
    ("110105", "北京"), ("110108", "北京"), ("310104", "上海"), ("310115", "上海"),
    ("440305", "深圳"), ("440106", "广州"), ("330106", "杭州"), ("320106", "南京"),
    ("510107", "成都"), ("420106", "武汉"), ("610113", "西安"), ("500103", "重庆"),
    ("120101", "天津"), ("370202", "青岛"), ("350203", "厦门"), ("430104", "长沙"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕红梅晓东文斌立新"
TRADE = ["华信", "恒通", "远航", "鑫源", "博达", "汇丰", "瑞康", "天成", "新锐", "金鼎", "宏图", "安泰",
         "明德", "佳禾", "盛世", "中联", "正阳", "广厦", "长风", "永泰"]
INDUSTRY = [("科技", "有限公司"), ("建设工程", "有限公司"), ("贸易", "有限公司"), ("食品", "有限公司"),
            ("物流", "股份有限公司"), ("置业", "有限公司"), ("医药", "有限公司"), ("餐饮管理", "有限公司"),
            ("航空服务", "有限公司"), ("矿业", "有限责任公司"), ("投资", "有限公司")]

# Subjects the README, the run banner and the scenario tests name.
FEATURED_COMPANY = make_uscc("9", "1", "110105", "MA01DEM0")
FEATURED_PERSON = make_ric("110105", date(1978, 3, 14), 213)


def subjects(seed: int = 2260) -> list[dict]:
    """About 400 subjects: 150 enterprises, a few public bodies and associations, 240 persons."""
    rnd = random.Random(seed)
    out = [
        {"code": FEATURED_COMPANY, "kind": "ENTERPRISE", "name": "北京信达示范科技有限公司"},
        {"code": FEATURED_PERSON, "kind": "NATURAL_PERSON", "name": "李明"},
    ]
    used = {FEATURED_COMPANY, FEATURED_PERSON}
    for i in range(150):
        region, city = rnd.choice(REGIONS)
        trade = rnd.choice(TRADE)
        industry, form = rnd.choice(INDUSTRY)
        body = "".join(rnd.choice("0123456789") for _ in range(8))
        code = make_uscc("9", rnd.choice("111112"), region, body)
        if code in used:
            continue
        used.add(code)
        out.append({"code": code, "kind": "ENTERPRISE", "name": f"{city}{trade}{industry}{form}"})
    for i, (kind, auth, cat, suffix) in enumerate([
        ("GOVERNMENT_BODY", "1", "1", "市场监督管理局"), ("INSTITUTION", "1", "2", "第一人民医院"),
        ("SOCIAL_ORGANIZATION", "5", "1", "餐饮行业协会"), ("SOCIAL_ORGANIZATION", "5", "3", "慈善基金会"),
    ] * 3):
        region, city = REGIONS[i % len(REGIONS)]
        code = make_uscc(auth, cat, region, f"{7000_0000 + i:08d}")
        used.add(code)
        out.append({"code": code, "kind": kind, "name": f"{city}{suffix}"})
    for i in range(240):
        region, _ = rnd.choice(REGIONS)
        born = date(1950, 1, 1) + timedelta(days=rnd.randrange(0, 365 * 50))
        code = make_ric(region, born, rnd.randrange(1, 999))
        if code in used:
            continue
        used.add(code)
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
        out.append({"code": code, "kind": "NATURAL_PERSON", "name": name})
    return out


def roles(rows: list[dict], seed: int = 2260) -> list[dict]:
    """Each enterprise has a legal representative; many have directors and a shareholder."""
    rnd = random.Random(seed + 1)
    persons = [r["code"] for r in rows if r["kind"] == "NATURAL_PERSON" and r["code"] != FEATURED_PERSON]
    companies = [r["code"] for r in rows if r["kind"] == "ENTERPRISE" and r["code"] != FEATURED_COMPANY]
    since = datetime(2018, 1, 1, tzinfo=timezone.utc)
    out = [{"organization_code": FEATURED_COMPANY, "person_code": FEATURED_PERSON,
            "role": "LEGAL_REPRESENTATIVE", "valid_from": since, "valid_until": None}]
    for org in companies:
        chosen = rnd.sample(persons, 3)
        start = since + timedelta(days=rnd.randrange(0, 1500))
        out.append({"organization_code": org, "person_code": chosen[0], "role": "LEGAL_REPRESENTATIVE",
                    "valid_from": start, "valid_until": None})
        if rnd.random() < 0.6:
            out.append({"organization_code": org, "person_code": chosen[1], "role": "DIRECTOR",
                        "valid_from": start, "valid_until": start + timedelta(days=3 * 365)})
        if rnd.random() < 0.4:
            out.append({"organization_code": org, "person_code": chosen[2], "role": "SHAREHOLDER",
                        "valid_from": start, "valid_until": None})
    return out


async def _lines(rows: list[dict]) -> AsyncIterator[bytes]:
    for row in rows:
        yield orjson.dumps(row)


async def load(sessionmaker: async_sessionmaker[AsyncSession], urls: dict[str, str] | None = None) -> dict:
    """Load the demo subjects and roles; a second load changes nothing."""
    rows = subjects()
    result = await bulk_register(partial(transaction, sessionmaker), _lines(rows))
    async with transaction(sessionmaker) as session:
        have_roles = await session.scalar(select(func.count()).select_from(RoleAssignment))
        if not have_roles:
            session.add_all(RoleAssignment(**r) for r in roles(rows))
    return {"subjects": len(rows), "created": result.created,
            "rejected": len(result.rejected), "roles_loaded": not have_roles}
