"""sanctions: seed the catalogue with DESIGN.md's starting set of lists, measures and memoranda

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "sanctions"
PERSON = ["NATURAL_PERSON"]
ORGS = ["ENTERPRISE", "SOCIAL_ORGANIZATION", "INSTITUTION"]
ALL = PERSON + ORGS + ["GOVERNMENT_BODY"]
ENTERPRISE = ["ENTERPRISE"]
LEGAL_REP = ["LEGAL_REPRESENTATIVE"]
RESPONSIBLE = ["LEGAL_REPRESENTATIVE", "PRINCIPAL_RESPONSIBLE_PERSON",
               "DIRECTLY_RESPONSIBLE_PERSON"]
SHANGHAI = timezone(timedelta(hours=8))

# code, name, kind, authority, legal basis, default days, max days, open-ended, publicity working
# days, objection suspends, how to object, admits, extendable, max extension days, repair min days
LISTS = [
    ("SPC_DISHONEST_DEBTORS", "失信被执行人名单", "BLACKLIST", "SPC",
     "《最高人民法院关于公布失信被执行人名单信息的若干规定》(法释〔2017〕7号)", 730, 730, False, 0,
     False, "向作出决定的人民法院申请纠正(15日内审查)", ALL, True, 1095, None),
    ("CONSUMPTION_RESTRICTION", "限制消费令", "BLACKLIST", "SPC",
     "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》(法释〔2015〕17号)", None, None, True,
     0, False, "向作出限制消费令的人民法院申请复议", ALL, False, None, None),
    ("TAX_MAJOR_VIOLATION", "重大税收违法失信主体", "BLACKLIST", "STA",
     "《重大税收违法失信主体信息公布管理办法》(国家税务总局令第54号)", 1095, 1095, False, 0, False,
     "向作出决定的税务机关提出异议", ALL, False, None, 365),
    ("SERIOUSLY_ILLEGAL_DISHONEST", "严重违法失信名单", "BLACKLIST", "SAMR",
     "《市场监督管理严重违法失信名单管理办法》(国家市场监督管理总局令第44号)", 1095, 1095, False, 0,
     False, "向作出决定的市场监督管理部门申请行政复议或提出异议", ORGS, False, None, 365),
    ("ABNORMAL_OPERATIONS", "经营异常名录", "BLACKLIST", "SAMR",
     "《企业经营异常名录管理暂行办法》(国家工商行政管理总局令第68号)", 1095, 1095, False, 0, False,
     "向作出决定的市场监督管理部门申请移出", ENTERPRISE, False, None, 0),
    ("FOOD_SAFETY_SERIOUS", "食品安全严重违法生产经营者黑名单", "BLACKLIST", "SAMR",
     "《中华人民共和国食品安全法》第一百三十五条", 1825, 1825, False, 0, False,
     "向作出决定的市场监督管理部门提出异议", PERSON + ENTERPRISE, False, None, None),
    ("WORK_SAFETY_SERIOUS", "安全生产严重失信主体名单", "BLACKLIST", "MEM",
     "《安全生产严重失信主体名单管理办法》(应急管理部令第11号)", 1095, 1095, False, 0, False,
     "向作出决定的应急管理部门提出异议", ALL, False, None, 365),
    ("CIVIL_AVIATION_DISHONEST", "民航旅客严重失信人名单", "BLACKLIST", "CAAC",
     "《关于在一定期限内适当限制特定严重失信人乘坐民用航空器推动社会信用体系建设的意见》"
     "(发改财金〔2018〕385号)", 365, 365, False, 7, True,
     "公示期内向中国民用航空局提出异议", PERSON, False, None, None),
    ("RAILWAY_DISHONEST", "铁路旅客严重失信人名单", "BLACKLIST", "NRA",
     "《关于在一定期限内适当限制特定严重失信人乘坐火车推动社会信用体系建设的意见》"
     "(发改财金〔2018〕384号)", 180, 180, False, 7, True,
     "公示期内向国家铁路局或铁路运输企业提出异议", PERSON, False, None, None),
    ("TAX_A_GRADE", "纳税信用A级纳税人名单", "REDLIST", "STA",
     "《纳税信用管理办法(试行)》(国家税务总局公告2014年第40号)", 365, 365, False, 0, False,
     "向主管税务机关提出异议", ORGS, False, None, None),
    ("CUSTOMS_AEO", "海关高级认证企业名单", "REDLIST", "GACC",
     "《中华人民共和国海关注册登记和备案企业信用管理办法》(海关总署令第251号)", 1095, 1095, False, 0,
     False, "向海关提出异议", ENTERPRISE, False, None, None),
    ("TRANSPORT_REDLIST", "交通运输守信联合激励对象名单", "REDLIST", "MOT",
     "《交通运输守信联合激励和失信联合惩戒对象名单管理办法(试行)》", 365, 365, False, 0, False,
     "向交通运输主管部门提出异议", ORGS + PERSON, False, None, None),
    ("WORK_SAFETY_REDLIST", "安全生产诚信红名单", "REDLIST", "MEM",
     "《关于加强安全生产领域信用体系建设的指导意见》", 365, 365, False, 0, False,
     "向应急管理部门提出异议", ORGS, False, None, None),
]

MEASURES = [
    ("AIR_TRAVEL_BAN", "禁止乘坐民用航空器", "AIR_TRAVEL", "RESTRICTION"),
    ("RAIL_TRAVEL_BAN", "禁止乘坐列车软卧、G字头动车组全部座位及其他动车组一等以上座位",
     "RAIL_TRAVEL", "RESTRICTION"),
    ("LUXURY_CONSUMPTION_BAN", "禁止在星级以上宾馆、高消费场所消费及购买高档商品",
     "LUXURY_CONSUMPTION", "RESTRICTION"),
    ("LENDING_RESTRICTION", "限制贷款及融资", "LENDING", "RESTRICTION"),
    ("LENDING_PRIORITY", "贷款审批优先、利率优惠", "LENDING", "INCENTIVE"),
    ("PUBLIC_PROCUREMENT_EXCLUSION", "限制参与政府采购和招标投标", "PUBLIC_PROCUREMENT", "RESTRICTION"),
    ("PUBLIC_PROCUREMENT_PREFERENCE", "政府采购中同等条件下优先", "PUBLIC_PROCUREMENT", "INCENTIVE"),
    ("SECURITIES_ISSUANCE_RESTRICTION", "限制发行股票、债券", "SECURITIES_ISSUANCE", "RESTRICTION"),
    ("GOVERNMENT_FUNDING_RESTRICTION", "限制申请财政资金和政策支持", "GOVERNMENT_FUNDING", "RESTRICTION"),
    ("GOVERNMENT_FUNDING_PRIORITY", "财政资金和政策支持优先", "GOVERNMENT_FUNDING", "INCENTIVE"),
    ("ADMINISTRATIVE_LICENSING_RESTRICTION", "限制行政许可、从严审核", "ADMINISTRATIVE_LICENSING",
     "RESTRICTION"),
    ("ADMINISTRATIVE_LICENSING_EXPEDITED", "行政许可绿色通道、容缺受理", "ADMINISTRATIVE_LICENSING",
     "INCENTIVE"),
    ("CUSTOMS_CLEARANCE_STRICT", "海关加强查验、从严监管", "CUSTOMS_CLEARANCE", "RESTRICTION"),
    ("CUSTOMS_CLEARANCE_FACILITATION", "海关通关便利、降低查验率", "CUSTOMS_CLEARANCE", "INCENTIVE"),
]

# code, name, signatories, {list: [(measure, roles it extends to)]}
MEMORANDA = [
    ("MOU_2016_DISHONEST_DEBTORS", "关于对失信被执行人实施联合惩戒的合作备忘录(发改财金〔2016〕141号)",
     ["NDRC", "SPC", "PBOC", "CAAC", "NRA", "SAMR", "STA", "MOT"],
     {"SPC_DISHONEST_DEBTORS": [("AIR_TRAVEL_BAN", LEGAL_REP), ("RAIL_TRAVEL_BAN", LEGAL_REP),
                                ("LUXURY_CONSUMPTION_BAN", LEGAL_REP),
                                ("PUBLIC_PROCUREMENT_EXCLUSION", []),
                                ("SECURITIES_ISSUANCE_RESTRICTION", []),
                                ("GOVERNMENT_FUNDING_RESTRICTION", []),
                                ("LENDING_RESTRICTION", [])],
      "CONSUMPTION_RESTRICTION": [("AIR_TRAVEL_BAN", RESPONSIBLE), ("RAIL_TRAVEL_BAN", RESPONSIBLE),
                                  ("LUXURY_CONSUMPTION_BAN", RESPONSIBLE)]}),
    ("MOU_2014_TAX_MAJOR_VIOLATION",
     "关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录(发改财金〔2014〕3062号)",
     ["NDRC", "STA", "PBOC", "GACC", "SAMR", "CAAC", "NRA"],
     {"TAX_MAJOR_VIOLATION": [("GOVERNMENT_FUNDING_RESTRICTION", []),
                              ("PUBLIC_PROCUREMENT_EXCLUSION", []),
                              ("SECURITIES_ISSUANCE_RESTRICTION", []),
                              ("LENDING_RESTRICTION", []), ("CUSTOMS_CLEARANCE_STRICT", []),
                              ("LUXURY_CONSUMPTION_BAN", LEGAL_REP)]}),
    ("MOU_2018_SAMR_DISHONEST", "关于对严重违法失信企业实施联合惩戒的合作备忘录",
     ["NDRC", "SAMR", "PBOC", "STA"],
     {"SERIOUSLY_ILLEGAL_DISHONEST": [("PUBLIC_PROCUREMENT_EXCLUSION", []),
                                      ("GOVERNMENT_FUNDING_RESTRICTION", []),
                                      ("ADMINISTRATIVE_LICENSING_RESTRICTION", []),
                                      ("SECURITIES_ISSUANCE_RESTRICTION", [])],
      "ABNORMAL_OPERATIONS": [("ADMINISTRATIVE_LICENSING_RESTRICTION", []),
                              ("PUBLIC_PROCUREMENT_EXCLUSION", [])]}),
    ("MOU_2016_FOOD_SAFETY", "关于对食品药品生产经营严重失信者开展联合惩戒的合作备忘录",
     ["NDRC", "SAMR", "PBOC"],
     {"FOOD_SAFETY_SERIOUS": [("ADMINISTRATIVE_LICENSING_RESTRICTION",
                               ["LEGAL_REPRESENTATIVE", "DIRECTLY_RESPONSIBLE_PERSON"]),
                              ("GOVERNMENT_FUNDING_RESTRICTION", []), ("LENDING_RESTRICTION", [])]}),
    ("MOU_2016_WORK_SAFETY", "关于对安全生产领域失信生产经营单位及其有关人员开展联合惩戒的合作备忘录",
     ["NDRC", "MEM", "PBOC"],
     {"WORK_SAFETY_SERIOUS": [("ADMINISTRATIVE_LICENSING_RESTRICTION", RESPONSIBLE),
                              ("PUBLIC_PROCUREMENT_EXCLUSION", []),
                              ("GOVERNMENT_FUNDING_RESTRICTION", []), ("LENDING_RESTRICTION", [])],
      "WORK_SAFETY_REDLIST": [("ADMINISTRATIVE_LICENSING_EXPEDITED", []),
                              ("GOVERNMENT_FUNDING_PRIORITY", [])]}),
    ("MOU_2018_TRAVEL", "关于在一定期限内适当限制特定严重失信人乘坐民用航空器、火车的意见",
     ["NDRC", "CAAC", "NRA"],
     {"CIVIL_AVIATION_DISHONEST": [("AIR_TRAVEL_BAN", [])],
      "RAILWAY_DISHONEST": [("RAIL_TRAVEL_BAN", [])]}),
    ("MOU_2016_TAX_A_GRADE", "关于对纳税信用A级纳税人实施联合激励措施的合作备忘录(发改财金〔2016〕1467号)",
     ["NDRC", "STA", "PBOC", "GACC"],
     {"TAX_A_GRADE": [("LENDING_PRIORITY", []), ("ADMINISTRATIVE_LICENSING_EXPEDITED", []),
                      ("CUSTOMS_CLEARANCE_FACILITATION", []), ("GOVERNMENT_FUNDING_PRIORITY", []),
                      ("PUBLIC_PROCUREMENT_PREFERENCE", [])]}),
    ("MOU_2016_CUSTOMS_AEO", "关于对海关高级认证企业实施联合激励的合作备忘录", ["NDRC", "GACC", "PBOC"],
     {"CUSTOMS_AEO": [("CUSTOMS_CLEARANCE_FACILITATION", []), ("LENDING_PRIORITY", []),
                      ("ADMINISTRATIVE_LICENSING_EXPEDITED", [])]}),
    ("MOU_2017_TRANSPORT_REDLIST", "关于对交通运输守信主体实施联合激励的合作备忘录", ["NDRC", "MOT"],
     {"TRANSPORT_REDLIST": [("ADMINISTRATIVE_LICENSING_EXPEDITED", []),
                            ("GOVERNMENT_FUNDING_PRIORITY", [])]}),
]


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    lists = sa.table(
        "lists", sa.column("code"), sa.column("name"), sa.column("kind"), sa.column("authority"),
        sa.column("legal_basis"), sa.column("default_duration_days"),
        sa.column("max_duration_days"), sa.column("open_ended"),
        sa.column("publicity_working_days"), sa.column("objection_suspends"),
        sa.column("objection_channel"), sa.column("admits_kinds", ARRAY(sa.String)),
        sa.column("extendable"), sa.column("max_extension_days"), sa.column("repair_min_days"),
        schema=S)
    keys = ["code", "name", "kind", "authority", "legal_basis", "default_duration_days",
            "max_duration_days", "open_ended", "publicity_working_days", "objection_suspends",
            "objection_channel", "admits_kinds", "extendable", "max_extension_days",
            "repair_min_days"]
    op.bulk_insert(lists, [dict(zip(keys, row)) for row in LISTS])
    measures = sa.table("measures", sa.column("code"), sa.column("name"), sa.column("purpose"),
                        sa.column("effect"), schema=S)
    op.bulk_insert(measures, [dict(zip(["code", "name", "purpose", "effect"], m))
                              for m in MEASURES])
    memoranda = sa.table("memoranda", sa.column("code"), sa.column("name"),
                         sa.column("signatories", ARRAY(sa.String)), sa.column("valid_from"),
                         schema=S)
    bindings = sa.table("memorandum_measures", sa.column("memorandum_code"),
                        sa.column("list_code"), sa.column("measure_code"),
                        sa.column("extends_to_roles", ARRAY(sa.String)), schema=S)
    since = datetime(2014, 1, 1, tzinfo=SHANGHAI)
    op.bulk_insert(memoranda, [{"code": c, "name": n, "signatories": s, "valid_from": since}
                               for c, n, s, _ in MEMORANDA])
    op.bulk_insert(bindings, [
        {"memorandum_code": c, "list_code": lst, "measure_code": m, "extends_to_roles": roles}
        for c, _, _, by_list in MEMORANDA for lst, ms in by_list.items() for m, roles in ms])


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    codes = [m[0] for m in MEMORANDA]
    op.execute(sa.text(f"DELETE FROM {S}.memorandum_measures WHERE memorandum_code = ANY(:c)")
               .bindparams(c=codes))
    op.execute(sa.text(f"DELETE FROM {S}.memoranda WHERE code = ANY(:c)").bindparams(c=codes))
    op.execute(sa.text(f"DELETE FROM {S}.measures WHERE code = ANY(:c)")
               .bindparams(c=[m[0] for m in MEASURES]))
    op.execute(sa.text(f"DELETE FROM {S}.lists WHERE code = ANY(:c)")
               .bindparams(c=[lst[0] for lst in LISTS]))
