"""Synthetic national-scale data for the benchmarks, loaded with COPY into the real schemas.

    .venv/bin/python -m bench.generate --scale small|medium|national|<subjects> [--dsn DSN]

One knob, the number of subjects N: about 2N credit records, 0.15N active listings with their
measures, derivations, restriction-index rows, change-feed rows and decision-log entries. The
tables are the ones the migrations build; the rows keep the invariants the services rely on:

* codes are valid (libs.common.identifiers.make_uscc / make_ric) with real GB/T 2260 county
  codes; a USCC's organisation code column is its embedded GB 11714 code; name bigrams for
  contains-search (identity.subject_name_grams) as the identity service writes them;
* role assignments: every organisation has a legal representative, some a principal
  responsible person, directors and shareholders (persons of the same generation batch);
* credit records: one hash chain per source agency (services.records.records.chain), record ids
  from records.record_id_seq (advanced past the load), sources.head_seq / head_hash at the
  chain head, retention dates by category (records.records.policy), known_subjects filled;
* listings: admitted subject kinds per list, windows from the list's defaults (publicity
  working days already over, so every generated listing is ACTIVE now), measures from the
  seeded memoranda, persons reached through extended roles as derivations, one restriction
  row per (subject, purpose, measure, listing) exactly as `sync_index` in
  services.sanctions.listings.transitions would write it (`via` = most senior role), one UPSERT
  change per index row, and one DECIDED entry per listing in the hash-chained decision log
  (services.sanctions.decisionlog.chain);
  the dashboards' listing summary built from them (services.sanctions.listings.summary).

Generation runs in a child process (one core) while the parent streams each chunk into
PostgreSQL with COPY (the other core). Secondary indexes and keys of the loaded tables are
dropped first and rebuilt afterwards from their own definitions (pg_get_indexdef /
pg_get_constraintdef), then everything is ANALYZEd and VACUUMed (visibility map for
index-only scans).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import asyncpg

from devtools.testing import asyncpg_kwargs
from libs.common import regions
from libs.common.identifiers import USCC_ALPHABET, make_ric, make_uscc
from services.records.records.chain import content_hash, link_hash, micros
from services.records.records.policy import retention_until
from services.sanctions.decisionlog.chain import GENESIS, entry_hash
from services.sanctions.listings.summary.repository import rebuild_statements

PRESETS = {"small": 10_000, "medium": 1_000_000, "national": 10_000_000}
CHUNK = 20_000
SHANGHAI = timezone(timedelta(hours=8))
ZERO32 = b"\x00" * 32

# kind, share of subjects
KINDS = [("NATURAL_PERSON", 0.70), ("ENTERPRISE", 0.265), ("SOCIAL_ORGANIZATION", 0.02),
         ("INSTITUTION", 0.01), ("GOVERNMENT_BODY", 0.005)]
USCC_PREFIX = {"ENTERPRISE": ("9", "1"), "SOCIAL_ORGANIZATION": ("5", "1"),
               "INSTITUTION": ("1", "2"), "GOVERNMENT_BODY": ("1", "1")}
# list code, share of active listings
LIST_MIX = [("SPC_DISHONEST_DEBTORS", 0.38), ("CONSUMPTION_RESTRICTION", 0.20),
            ("ABNORMAL_OPERATIONS", 0.12), ("RAILWAY_DISHONEST", 0.05),
            ("TAX_MAJOR_VIOLATION", 0.05), ("TAX_A_GRADE", 0.06),
            ("CIVIL_AVIATION_DISHONEST", 0.03), ("SERIOUSLY_ILLEGAL_DISHONEST", 0.03),
            ("TRANSPORT_REDLIST", 0.02), ("FOOD_SAFETY_SERIOUS", 0.02),
            ("WORK_SAFETY_SERIOUS", 0.02), ("CUSTOMS_AEO", 0.01), ("WORK_SAFETY_REDLIST", 0.01)]
LISTED_SHARE = 0.15
# agency -> categories it records (persons never get the organisation-only ones)
AGENCY_CATEGORIES = {
    "SPC": ["JUDGMENT", "UNFULFILLED_OBLIGATION"],
    "STA": ["TAX_ARREARS", "ADMINISTRATIVE_PENALTY"],
    "SAMR": ["ADMINISTRATIVE_PENALTY", "LICENSE", "REGISTRATION", "ABNORMAL_OPERATION",
             "SAFETY_VIOLATION"],
    "MEM": ["SAFETY_VIOLATION", "COMMENDATION"],
    "CAAC": ["TRAVEL_MISCONDUCT"], "NRA": ["TRAVEL_MISCONDUCT"],
    "GACC": ["CUSTOMS_VIOLATION", "COMMENDATION"], "MOT": ["ADMINISTRATIVE_PENALTY", "COMMENDATION"],
    "PBOC": ["FINANCIAL_DEFAULT"], "NDRC": ["COMMENDATION"],
}
ORG_ONLY_CATEGORIES = {"LICENSE", "REGISTRATION", "ABNORMAL_OPERATION", "CUSTOMS_VIOLATION"}
PERSON_AGENCIES = ["SPC", "SPC", "STA", "CAAC", "NRA", "PBOC", "PBOC", "MEM"]
ORG_AGENCIES = ["SAMR", "SAMR", "SAMR", "STA", "STA", "SPC", "SPC", "MEM", "GACC", "MOT", "PBOC",
                "NDRC"]
# the basis record a list's authority writes for a listing: (agency, category)
BASIS = {
    "SPC_DISHONEST_DEBTORS": ("SPC", "UNFULFILLED_OBLIGATION"),
    "CONSUMPTION_RESTRICTION": ("SPC", "JUDGMENT"),
    "TAX_MAJOR_VIOLATION": ("STA", "TAX_ARREARS"),
    "SERIOUSLY_ILLEGAL_DISHONEST": ("SAMR", "ADMINISTRATIVE_PENALTY"),
    "ABNORMAL_OPERATIONS": ("SAMR", "ABNORMAL_OPERATION"),
    "FOOD_SAFETY_SERIOUS": ("SAMR", "SAFETY_VIOLATION"),
    "WORK_SAFETY_SERIOUS": ("MEM", "SAFETY_VIOLATION"),
    "CIVIL_AVIATION_DISHONEST": ("CAAC", "TRAVEL_MISCONDUCT"),
    "RAILWAY_DISHONEST": ("NRA", "TRAVEL_MISCONDUCT"),
    "TAX_A_GRADE": ("STA", "COMMENDATION"),
    "CUSTOMS_AEO": ("GACC", "COMMENDATION"),
    "TRANSPORT_REDLIST": ("MOT", "COMMENDATION"),
    "WORK_SAFETY_REDLIST": ("MEM", "COMMENDATION"),
}
DOC_KIND = {"SPC": "执行裁定书", "STA": "税务处理决定书", "SAMR": "行政处罚决定书", "MEM": "行政处罚决定书",
            "CAAC": "民航行政处罚决定书", "NRA": "铁路行政处罚决定书", "GACC": "海关行政处罚决定书",
            "MOT": "交通运输行政处罚决定书", "PBOC": "金融债权确认书", "NDRC": "表彰决定"}
DOC_AUTHORITY = {"SPC": "北京市第一中级人民法院", "STA": "国家税务总局北京市税务局",
                 "SAMR": "北京市市场监督管理局", "MEM": "应急管理部", "CAAC": "中国民用航空局",
                 "NRA": "国家铁路局", "GACC": "海关总署", "MOT": "交通运输部",
                 "PBOC": "中国人民银行", "NDRC": "国家发展和改革委员会"}
DOC_PREFIX = {"SPC": "京01执", "STA": "京税处", "SAMR": "京市监罚", "MEM": "应急罚", "CAAC": "民航罚",
              "NRA": "国铁罚", "GACC": "署缉违", "MOT": "交罚", "PBOC": "银债", "NDRC": "发改表"}
AMOUNT_CATEGORIES = {"TAX_ARREARS", "FINANCIAL_DEFAULT"}
ROLE_ORDER = ("LEGAL_REPRESENTATIVE", "PRINCIPAL_RESPONSIBLE_PERSON",
              "DIRECTLY_RESPONSIBLE_PERSON", "DIRECTOR", "SHAREHOLDER")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强文斌玉兰红梅晓东海燕春梅"
PLACES = ["北京", "上海", "天津", "重庆", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州",
          "郑州", "长沙", "青岛", "沈阳", "宁波", "昆明", "大连", "厦门", "合肥", "佛山", "福州", "济南"]
WORDS = ["华信", "恒通", "鼎盛", "宏达", "金源", "中科", "新星", "瑞丰", "永安", "东方", "长城", "天宇",
         "海洋", "正大", "博远", "嘉禾", "润泽", "汇丰", "兴业", "联创"]
TRADES = ["科技", "贸易", "建设", "物流", "置业", "餐饮", "电子", "医药", "食品", "投资", "文化", "环保",
          "机械", "能源", "咨询", "化工"]
ORG_SUFFIX = {"ENTERPRISE": "有限公司", "SOCIAL_ORGANIZATION": "协会", "INSTITUTION": "研究院",
              "GOVERNMENT_BODY": "管理局"}

TABLES = {  # schema.table -> columns, in COPY order
    "identity.subjects": ("code", "kind", "name", "region_code", "organization_code",
                          "registration_number", "registered_at"),
    "identity.subject_name_grams": ("gram", "code"),
    "identity.role_assignments": ("id", "organization_code", "person_code", "role", "valid_from",
                                  "valid_until", "created_at"),
    "records.credit_records": (
        "record_id", "version", "agency", "source_record_id", "subject_code", "subject_kind",
        "category", "summary", "doc_number", "doc_kind", "doc_issued_on", "doc_authority",
        "occurred_on", "conduct_ended_on", "amount", "disclosure", "retention_until", "status",
        "is_current", "recorded_at", "archived_at", "content_hash", "chain_seq", "prev_hash",
        "hash"),
    "records.known_subjects": ("code", "kind", "learned_at"),
    "sanctions.listings": (
        "id", "list_code", "subject_code", "subject_kind", "authority", "decided_by",
        "decided_at", "effective_from", "publicity_until", "effective_until",
        "objection_suspends", "objection_channel", "doc_number", "doc_kind", "doc_issued_on",
        "doc_authority", "basis_record_ids", "basis_key", "withdrawn_record_ids", "holds",
        "extensions", "version"),
    "sanctions.listing_measures": ("listing_id", "measure_code", "purpose", "effect",
                                   "memorandum_code", "extends_to_roles"),
    "sanctions.listing_derivations": ("listing_id", "person_code", "role", "organization_code"),
    "sanctions.restrictions": ("id", "subject_code", "purpose", "measure_code", "listing_id",
                               "effect", "effective_from", "effective_until", "via_organization",
                               "via_role"),
    "sanctions.restriction_changes": ("id", "purpose", "subject_code", "measure_code",
                                      "listing_id", "op", "effective_from", "effective_until",
                                      "recorded_at"),
    "sanctions.decision_log": ("id", "listing_id", "event", "actor", "occurred_at", "payload",
                               "prev_hash", "hash"),
}
SEQUENCES = {  # table -> (sequence-owning column)
    "identity.role_assignments": "id", "sanctions.restrictions": "id",
    "sanctions.restriction_changes": "id", "sanctions.decision_log": "id",
}


def resolve_scale(scale: str) -> int:
    return PRESETS[scale] if scale in PRESETS else int(scale.replace("_", ""))


# ------------------------------------------------------------------ COPY text format

def _field(v) -> str:
    if v is None:
        return r"\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, bytes):
        return "\\\\x" + v.hex()
    if isinstance(v, (list, tuple)):
        return "{" + ",".join(v) + "}"
    if isinstance(v, str):
        return v  # generated text has no tab, newline or backslash
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v)


def rows_to_copy(rows: list[tuple]) -> bytes:
    f = _field
    return ("".join("\t".join([f(v) for v in r]) + "\n" for r in rows)).encode()


# ------------------------------------------------------------------ codes

@dataclass
class Catalogue:
    lists: dict           # code -> row dict
    bindings: dict        # list code -> [(measure, purpose, effect, memorandum, roles)]


class Codes:
    """Deterministic, unique, valid codes for the k-th person / organisation."""

    A = 1_000_000_007  # prime, larger than any factor of the moduli below: a bijection

    def __init__(self) -> None:
        table = regions._table()
        self.regions = sorted(c for c in table if c[4:] != "00" and c[2:4] != "00"
                              and c not in regions.ORGANISATION_ONLY_REGIONS)
        self.first_day = date(1950, 1, 1)
        self.days = (date(2004, 12, 31) - self.first_day).days
        self.person_space = len(self.regions) * self.days * 1000
        self.org_space = 31 ** 8

    def person(self, k: int) -> tuple[str, str]:
        j = (k * self.A + 7919) % self.person_space
        seq, rest = j % 1000, j // 1000
        day, r = rest % self.days, rest // self.days
        region = self.regions[r]
        return make_ric(region, self.first_day + timedelta(days=day), seq), region

    def org(self, k: int, kind: str) -> tuple[str, str]:
        j = (k * self.A + 104729) % self.org_space
        body = []
        for _ in range(8):
            j, d = divmod(j, 31)
            body.append(USCC_ALPHABET[d])
        region = self.regions[(k * 7919) % len(self.regions)]
        auth, cat = USCC_PREFIX[kind]
        return make_uscc(auth, cat, region, "".join(body)), region


def name_grams(name: str) -> set[str]:
    folded = name.lower()
    if len(folded) == 1:
        return {folded}
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


# ------------------------------------------------------------------ generation (child process)

class Generator:
    def __init__(self, n: int, catalogue: Catalogue, now: datetime, seed: int = 20261127) -> None:
        self.n = n
        self.cat = catalogue
        self.now = now
        self.today = now.astimezone(SHANGHAI).date()
        self.seed = seed
        self.codes = Codes()
        self.kinds = [k for k, _ in KINDS]
        self.kind_w = [w for _, w in KINDS]
        self.lists = [c for c, _ in LIST_MIX]
        self.list_w = [w for _, w in LIST_MIX]
        self.persons = self.orgs = 0
        self.record_id = 0
        self.chains = {a: [0, ZERO32] for a in AGENCY_CATEGORIES}
        self.role_id = self.restriction_id = self.change_id = self.log_id = 0
        self.log_prev = GENESIS
        self.restricted_air: list[str] = []

    def chunk(self, start: int, stop: int) -> dict[str, list[tuple]]:
        rnd = random.Random(self.seed * 1_000_003 + start)
        now = self.now
        out = {t: [] for t in TABLES}
        subjects, grams, roles = out["identity.subjects"], out["identity.subject_name_grams"], \
            out["identity.role_assignments"]
        chunk_subjects = []  # (code, kind)
        persons_in_chunk = []
        for _ in range(start, stop):
            kind = rnd.choices(self.kinds, self.kind_w)[0]
            if kind == "NATURAL_PERSON":
                code, region = self.codes.person(self.persons)
                self.persons += 1
                name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice((1, 2, 2))))
                org_code = None
                persons_in_chunk.append(code)
            else:
                code, region = self.codes.org(self.orgs, kind)
                self.orgs += 1
                name = (rnd.choice(PLACES) + rnd.choice(WORDS) + rnd.choice(TRADES)
                        + ORG_SUFFIX[kind])
                org_code = code[8:17]
            registered = now - timedelta(days=rnd.randrange(30, 3000), seconds=rnd.randrange(86400))
            subjects.append((code, kind, name, region, org_code, None, registered))
            for g in name_grams(name):
                grams.append((g, code))
            chunk_subjects.append((code, kind))
        # roles: every organisation has a legal representative from the same batch
        org_roles: dict[str, list[tuple[str, str]]] = {}
        if persons_in_chunk:
            for code, kind in chunk_subjects:
                if kind == "NATURAL_PERSON":
                    continue
                held = [("LEGAL_REPRESENTATIVE", rnd.choice(persons_in_chunk))]
                if rnd.random() < 0.2:
                    held.append(("PRINCIPAL_RESPONSIBLE_PERSON", rnd.choice(persons_in_chunk)))
                if rnd.random() < 0.3:
                    held.append(("DIRECTOR", rnd.choice(persons_in_chunk)))
                if kind == "ENTERPRISE" and rnd.random() < 0.4:
                    held.append(("SHAREHOLDER", rnd.choice(persons_in_chunk)))
                seen = set()
                for role, person in held:
                    if person in seen:
                        continue
                    seen.add(person)
                    self.role_id += 1
                    since = now - timedelta(days=rnd.randrange(400, 4000))
                    roles.append((self.role_id, code, person, role, since, None, since))
                    org_roles.setdefault(code, []).append((role, person))
        # records and listings
        recorded_at = now - timedelta(seconds=1)
        at_us = micros(recorded_at)
        records = out["records.credit_records"]
        for code, kind in chunk_subjects:
            person = kind == "NATURAL_PERSON"
            listing = None
            if rnd.random() < LISTED_SHARE / 0.81:  # about 15% of all subjects end up listed
                lst = rnd.choices(self.lists, self.list_w)[0]
                if kind in self.cat.lists[lst]["admits_kinds"]:
                    listing = lst
            wanted = []
            if listing:
                wanted.append(BASIS[listing])
            extra = rnd.choice((0, 1, 1, 2, 2, 3, 3, 4)) - (1 if listing else 0)
            for _ in range(max(extra, 0)):
                agency = rnd.choice(PERSON_AGENCIES if person else ORG_AGENCIES)
                cats = [c for c in AGENCY_CATEGORIES[agency]
                        if not (person and c in ORG_ONLY_CATEGORIES)]
                wanted.append((agency, rnd.choice(cats)))
            basis_id = None
            for agency, category in wanted:
                self.record_id += 1
                rid = self.record_id
                chain = self.chains[agency]
                chain[0] += 1
                seq = chain[0]
                years = 5 if category in ("JUDGMENT", "UNFULFILLED_OBLIGATION", "TAX_ARREARS",
                                          "FINANCIAL_DEFAULT", "SAFETY_VIOLATION") else 3
                if category == "TRAVEL_MISCONDUCT":
                    years = 1
                occurred = self.today - timedelta(days=rnd.randrange(20, years * 365 - 20))
                amount = (Decimal(rnd.randrange(100_000, 500_000_000)) / 100
                          if category in AMOUNT_CATEGORIES else None)
                disclosure = rnd.choices(("PUBLIC", "SHARED", "RESTRICTED"), (6, 3, 1))[0]
                srid = f"{agency}-{seq:010d}"
                doc_no = f"{DOC_PREFIX[agency]}〔{occurred.year}〕{seq}号"
                summary = f"{category.lower()}: 第{seq}号"
                doc_on = occurred + timedelta(days=rnd.randrange(0, 15))
                if doc_on > self.today:
                    doc_on = self.today
                ch = content_hash(agency, srid, code, category, summary, doc_no, DOC_KIND[agency],
                                  doc_on, DOC_AUTHORITY[agency], occurred, None,
                                  amount, disclosure)
                h = link_hash(chain[1], ch, seq, rid, 1, at_us)
                records.append((rid, 1, agency, srid, code, kind, category, summary, doc_no,
                                DOC_KIND[agency], doc_on, DOC_AUTHORITY[agency], occurred, None,
                                amount, disclosure, retention_until(category, occurred, None),
                                "ACTIVE", True, recorded_at, None, ch, seq, chain[1], h))
                chain[1] = h
                if basis_id is None and listing:
                    basis_id = rid
                    basis_doc = (doc_no, DOC_KIND[agency], doc_on, DOC_AUTHORITY[agency])
            if wanted:
                out["records.known_subjects"].append((code, kind, recorded_at))
            if listing:
                self._listing(out, rnd, code, kind, listing, basis_id, basis_doc,
                              org_roles.get(code, []))
        return out

    def _listing(self, out, rnd, code, kind, list_code, basis_id, doc, roles) -> None:
        lst = self.cat.lists[list_code]
        now = self.now
        default = lst["default_duration_days"] or 3650
        age = rnd.randrange(15, max(16, min(default - 1, 900)))
        decided = now - timedelta(days=age, seconds=rnd.randrange(86400))
        start = decided
        publicity = start + timedelta(days=(lst["publicity_working_days"] * 7 + 4) // 5 + 2) \
            if lst["publicity_working_days"] else start
        until = None if lst["open_ended"] else start + timedelta(days=default)
        lid = uuid.UUID(int=rnd.getrandbits(128), version=4)
        basis = [str(basis_id)]
        out["sanctions.listings"].append((
            lid, list_code, code, kind, lst["authority"], f"bench-{lst['authority'].lower()}",
            decided, start, publicity, until, lst["objection_suspends"], lst["objection_channel"],
            doc[0], doc[1], doc[2], doc[3], basis, basis[0], [], "[]", 0, 1))
        measures = self.cat.bindings[list_code]
        extended = {r for m in measures for r in m[4]}
        derivations = []
        if extended and kind != "NATURAL_PERSON":
            derivations = [(role, person) for role, person in roles if role in extended]
        for role, person in derivations:
            out["sanctions.listing_derivations"].append((lid, person, role, code))
        derivations.sort(key=lambda d: (ROLE_ORDER.index(d[0]), d[1]))
        desired = {}
        for measure, purpose, effect, memo, ext in measures:
            out["sanctions.listing_measures"].append((lid, measure, purpose, effect, memo, ext))
            desired[(code, purpose, measure)] = (effect, None, None)
            for role, person in derivations:
                key = (person, purpose, measure)
                if role in ext and key not in desired:
                    desired[key] = (effect, code, role)
        for (subject, purpose, measure), (effect, via_org, via_role) in desired.items():
            self.restriction_id += 1
            out["sanctions.restrictions"].append((
                self.restriction_id, subject, purpose, measure, lid, effect, publicity, until,
                via_org, via_role))
            self.change_id += 1
            out["sanctions.restriction_changes"].append((
                self.change_id, purpose, subject, measure, lid, "UPSERT", publicity, until, decided))
        payload = {"list": list_code, "subject": code, "kind": kind,
                   "effectiveFrom": start.isoformat(), "publicityUntil": publicity.isoformat(),
                   "effectiveUntil": until.isoformat() if until else None, "basis": basis,
                   "document": {"number": doc[0], "kind": doc[1], "issuedOn": doc[2].isoformat(),
                                "authority": doc[3]},
                   "measures": sorted(m[0] for m in measures),
                   "derived": sorted(f"{r}:{p}" for r, p in derivations)}
        actor = f"bench-{lst['authority'].lower()}"
        h = entry_hash(self.log_prev, str(lid), "DECIDED", actor, decided, payload)
        self.log_id += 1
        out["sanctions.decision_log"].append((
            self.log_id, lid, "DECIDED", actor, decided,
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")), self.log_prev, h))
        self.log_prev = h

    def state(self) -> dict:
        return {"chains": {a: (s, h) for a, (s, h) in self.chains.items()},
                "record_id": self.record_id, "role_id": self.role_id,
                "restriction_id": self.restriction_id, "change_id": self.change_id,
                "log_id": self.log_id}


def _child(n: int, catalogue: Catalogue, now: datetime, queue, chunk: int) -> None:
    import gc
    gc.disable()  # millions of acyclic tuples: the cyclic collector would only cost time
    gen = Generator(n, catalogue, now)
    for start in range(0, n, chunk):
        rows = gen.chunk(start, min(n, start + chunk))
        queue.put(("chunk", min(n, start + chunk), {t: r for t, r in rows.items() if r}))
    queue.put(("done", n, gen.state()))


# ------------------------------------------------------------------ loading (parent)

async def _catalogue(conn) -> Catalogue:
    lists = {r["code"]: dict(r) for r in await conn.fetch("SELECT * FROM sanctions.lists")}
    bindings: dict[str, list] = {}
    rows = await conn.fetch(
        "SELECT mm.list_code, mm.measure_code, m.purpose, m.effect, mm.memorandum_code,"
        " mm.extends_to_roles FROM sanctions.memorandum_measures mm"
        " JOIN sanctions.measures m ON m.code = mm.measure_code"
        " JOIN sanctions.memoranda mo ON mo.code = mm.memorandum_code"
        " WHERE mo.valid_from <= now() AND (mo.valid_until IS NULL OR mo.valid_until > now())"
        " ORDER BY mm.list_code, mm.measure_code, mm.id")
    for r in rows:
        seen = {m[0] for m in bindings.get(r["list_code"], [])}
        if r["measure_code"] not in seen:
            bindings.setdefault(r["list_code"], []).append(
                (r["measure_code"], r["purpose"], r["effect"], r["memorandum_code"],
                 list(r["extends_to_roles"])))
    for code in lists:
        bindings.setdefault(code, [])
    return Catalogue(lists=lists, bindings=bindings)


async def _existing_tables(conn) -> set[str]:
    rows = await conn.fetch("SELECT table_schema || '.' || table_name AS t"
                            " FROM information_schema.tables")
    return {r["t"] for r in rows}


async def _drop_keys(conn, tables: list[str]) -> list[str]:
    """Drop indexes, primary/unique/foreign keys of `tables`; return the SQL that rebuilds them."""
    rebuild_constraints, rebuild_indexes, fks = [], [], []
    rows = await conn.fetch(
        "SELECT c.conname, c.contype::text AS contype, n.nspname || '.' || t.relname AS tbl,"
        " pg_get_constraintdef(c.oid) AS def FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE c.contype IN ('p','u','f')")
    affected = set(tables)
    for r in rows:
        referenced = r["def"].split("REFERENCES ", 1)[1].split("(")[0] if r["contype"] == "f" else ""
        if r["tbl"] in affected or referenced in affected:
            stmt = f'ALTER TABLE {r["tbl"]} ADD CONSTRAINT "{r["conname"]}" {r["def"]}'
            (fks if r["contype"] == "f" else rebuild_constraints).append((r["tbl"], r["conname"],
                                                                         stmt))
    for tbl, name, _ in fks:
        await conn.execute(f'ALTER TABLE {tbl} DROP CONSTRAINT "{name}"')
    for tbl, name, _ in rebuild_constraints:
        await conn.execute(f'ALTER TABLE {tbl} DROP CONSTRAINT "{name}"')
    idx = await conn.fetch(
        "SELECT schemaname || '.' || indexname AS idx, schemaname || '.' || tablename AS tbl,"
        " indexdef FROM pg_indexes WHERE schemaname || '.' || tablename = ANY($1::text[])", tables)
    for r in idx:
        rebuild_indexes.append(r["indexdef"])
        await conn.execute(f"DROP INDEX {r['idx']}")
    return ([s for _, _, s in rebuild_constraints] + rebuild_indexes + [s for _, _, s in fks])


def say(msg: str) -> None:
    print(f"[generate] {msg}", flush=True)


async def load(dsn: str, n: int, *, chunk: int = CHUNK, now: datetime | None = None) -> dict:
    """Generate and COPY `n` subjects' worth of data into a migrated, empty database."""
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    conn = await asyncpg.connect(**asyncpg_kwargs(dsn))
    t_all = time.perf_counter()
    try:
        await conn.execute("SET maintenance_work_mem = '1GB'; SET synchronous_commit = off")
        catalogue = await _catalogue(conn)
        present = await _existing_tables(conn)
        tables = [t for t in TABLES if t in present]
        counts = {t: 0 for t in tables}
        for t in tables:
            if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {t})"):
                raise RuntimeError(f"{t} is not empty: the generator loads into a fresh database")
        rebuild = await _drop_keys(conn, tables)
        ctx = mp.get_context("fork")
        queue = ctx.Queue(maxsize=4)
        child = ctx.Process(target=_child, args=(n, catalogue, now, queue, chunk), daemon=True)
        child.start()
        t0 = time.perf_counter()
        last = t0
        copy_s = 0.0
        loop = asyncio.get_running_loop()
        while True:
            kind, done, payload = await loop.run_in_executor(None, queue.get)
            if kind == "done":
                state = payload
                break
            c0 = time.perf_counter()
            for t, rows in payload.items():
                if t not in counts:
                    continue
                schema, table = t.split(".")
                await conn.copy_records_to_table(table, schema_name=schema, records=rows,
                                                 columns=list(TABLES[t]))
                counts[t] += len(rows)
            copy_s += time.perf_counter() - c0
            if time.perf_counter() - last > 5 or done == n:
                last = time.perf_counter()
                el = last - t0
                say(f"{done:,}/{n:,} subjects ({done / n:.0%}) in {el:.0f}s, "
                    f"{sum(counts.values()) / el:,.0f} rows/s; eta {el / done * (n - done):.0f}s")
        child.join()
        load_s = time.perf_counter() - t0
        say(f"rows copied in {load_s:.1f}s (COPY busy {copy_s:.1f}s): "
            + ", ".join(f"{t.split('.')[1]} {c:,}" for t, c in counts.items()))
        # chain heads, sequences
        for agency, (seq, head) in state["chains"].items():
            if seq:
                await conn.execute("UPDATE records.sources SET head_seq = $2, head_hash = $3"
                                   " WHERE code = $1", agency, seq, head)
        await conn.execute("SELECT setval('records.record_id_seq', $1)",
                           max(state["record_id"], 1))
        for t, col in SEQUENCES.items():
            last_id = {"identity.role_assignments": "role_id", "sanctions.restrictions":
                       "restriction_id", "sanctions.restriction_changes": "change_id",
                       "sanctions.decision_log": "log_id"}[t]
            seq_name = await conn.fetchval("SELECT pg_get_serial_sequence($1, $2)", t, col)
            if seq_name:
                await conn.execute("SELECT setval($1, $2)", seq_name, max(state[last_id], 1))
        t1 = time.perf_counter()
        for stmt in rebuild:
            await conn.execute(stmt)
        index_s = time.perf_counter() - t1
        say(f"indexes and keys rebuilt in {index_s:.1f}s")
        t3 = time.perf_counter()
        async with conn.transaction():  # the dashboards' listing summary, as the services keep it
            for sql in rebuild_statements():
                args = (now,) if ":now" in sql else ()
                await conn.execute(sql.replace(":now", "$1"), *args)
        say(f"listing summary built in {time.perf_counter() - t3:.1f}s")
        t2 = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        analyze_s = time.perf_counter() - t2
        say(f"VACUUM ANALYZE in {analyze_s:.1f}s")
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        total = time.perf_counter() - t_all
        say(f"done: {n:,} subjects in {total:.1f}s; database {size}")
        return {"subjects": n, "rows": counts, "copy_s": load_s, "index_s": index_s,
                "analyze_s": analyze_s, "total_s": total, "db_size": size,
                "rows_per_s": sum(counts.values()) / load_s}
    finally:
        await conn.close()


async def _main(args) -> None:
    from devtools.testing import TestServer

    n = resolve_scale(args.scale)
    if args.dsn:
        await load(args.dsn, n)
        return
    server = TestServer.start()
    try:
        await server.build_template()
        dsn = await server.fresh_database()
        await load(dsn, n)
    finally:
        await server.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", help="small, medium, national or a subject count")
    ap.add_argument("--dsn", help="a migrated, empty database (default: a throwaway server)")
    asyncio.run(_main(ap.parse_args()))
    sys.exit(0)
