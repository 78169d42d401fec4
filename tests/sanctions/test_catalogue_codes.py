"""Catalogue codes an admin upsert must not take (issue 11 item 10): list, measure and memorandum
codes, list authorities and memorandum signatories that are empty, blank, over-long, carry
control characters or break the documented patterns (services/sanctions/catalogue/codes.py).
Each is BAD_REQUEST naming the field, and nothing is written; every seeded code still fits."""

from __future__ import annotations

import pytest

from tests.callers import ADMIN

UPSERT_LIST = """mutation($i: CreditListInput!) { upsertCreditList(input: $i) { code } }"""
UPSERT_MEASURE = """mutation($i: MeasureInput!) { upsertMeasure(input: $i) { code } }"""
UPSERT_MEMORANDUM = """mutation($i: MemorandumInput!) { upsertMemorandum(input: $i) { code } }"""
CATALOGUE = """{ creditLists { code } measures { code } memoranda { code } }"""


def a_list(**changes) -> dict:
    return {"code": "CITY_PROCUREMENT_2026", "name": "市级政府采购失信名单", "kind": "BLACKLIST",
            "authority": "SAMR", "legalBasis": "《政府采购法》第七十七条",
            "admits": ["ENTERPRISE"], "objectionChannel": "书面向市场监管局提出",
            "defaultDurationDays": 365, **changes}


def a_measure(**changes) -> dict:
    return {"code": "CITY_PROCUREMENT_EXCLUSION", "name": "限制参与本市政府采购",
            "purpose": "PUBLIC_PROCUREMENT", "effect": "RESTRICTION", **changes}


def a_memorandum(**changes) -> dict:
    return {"code": "MOU_2026_CITY", "name": "本市联合惩戒备忘录", "signatories": ["SAMR", "NDRC"],
            "validFrom": "2026-01-01T00:00:00+08:00",
            "bindings": [{"listCode": "SPC_DISHONEST_DEBTORS", "measureCode": "AIR_TRAVEL_BAN"}],
            **changes}


async def _catalogue(gql) -> dict:
    body = await gql.execute(CATALOGUE, as_=ADMIN)
    assert "errors" not in body, body
    return {k: sorted(x["code"] for x in v) for k, v in body["data"].items()}


def _refused(body: dict, field: str) -> None:
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST", body
    assert error["extensions"]["field"] == field, body


BAD_CODES = {"empty": "", "blank": "   ", "padded": " SPC_LIST ", "lower": "spc_list",
             "one letter": "X", "leading digit": "1_LIST", "hyphen": "SPC-LIST",
             "full-width": "ＳＰＣ＿ＬＩＳＴ", "65 characters": "L" * 65, "accented": "LISTÉ"}
BAD_AGENCIES = {"empty": "", "blank": " ", "lower": "spc", "17 characters": "A" * 17,
                "full-width": "ＳＰＣ", "spaced": "S P C", "chinese": "最高法"}
CONTROL = {"NUL": "SPC\x00LIST", "escape": "SPC\x1b[0m", "DEL": "SPC\x7f"}


@pytest.mark.parametrize("code", list(BAD_CODES.values()) + list(CONTROL.values()),
                         ids=list(BAD_CODES) + list(CONTROL))
async def test_a_list_with_a_bad_code_is_refused_and_not_written(gql, code):
    before = await _catalogue(gql)
    body = await gql.execute(UPSERT_LIST, {"i": a_list(code=code)}, as_=ADMIN)
    _refused(body, "$i.code" if code in CONTROL.values() else "code")
    assert await _catalogue(gql) == before


@pytest.mark.parametrize("authority", list(BAD_AGENCIES.values()) + [CONTROL["NUL"]],
                         ids=list(BAD_AGENCIES) + ["NUL"])
async def test_a_list_with_a_bad_authority_is_refused_and_not_written(gql, authority):
    before = await _catalogue(gql)
    body = await gql.execute(UPSERT_LIST, {"i": a_list(authority=authority)}, as_=ADMIN)
    _refused(body, "$i.authority" if "\x00" in authority else "authority")
    assert await _catalogue(gql) == before


@pytest.mark.parametrize("field", ["name", "legalBasis", "objectionChannel"])
async def test_a_list_with_a_blank_text_is_refused(gql, field):
    before = await _catalogue(gql)
    _refused(await gql.execute(UPSERT_LIST, {"i": a_list(**{field: " \u3000"})}, as_=ADMIN),
             field)
    assert await _catalogue(gql) == before


@pytest.mark.parametrize("code", list(BAD_CODES.values()), ids=list(BAD_CODES))
async def test_a_measure_or_memorandum_with_a_bad_code_is_refused_and_not_written(gql, code):
    before = await _catalogue(gql)
    _refused(await gql.execute(UPSERT_MEASURE, {"i": a_measure(code=code)}, as_=ADMIN), "code")
    _refused(await gql.execute(UPSERT_MEMORANDUM, {"i": a_memorandum(code=code)}, as_=ADMIN),
             "code")
    assert await _catalogue(gql) == before


@pytest.mark.parametrize("signatories", [[], ["SAMR", "samr"], ["SAMR", ""], ["ＳＡＭＲ"]])
async def test_a_memorandum_with_bad_signatories_is_refused_and_not_written(gql, signatories):
    before = await _catalogue(gql)
    body = await gql.execute(UPSERT_MEMORANDUM, {"i": a_memorandum(signatories=signatories)},
                             as_=ADMIN)
    _refused(body, "signatories")
    assert await _catalogue(gql) == before


async def test_well_formed_catalogue_entries_are_still_written(gql):
    for mutation, payload in ((UPSERT_LIST, a_list()), (UPSERT_MEASURE, a_measure()),
                              (UPSERT_MEMORANDUM, a_memorandum())):
        body = await gql.execute(mutation, {"i": payload}, as_=ADMIN)
        assert "errors" not in body, body
    shown = await _catalogue(gql)
    assert "CITY_PROCUREMENT_2026" in shown["creditLists"]
    assert "CITY_PROCUREMENT_EXCLUSION" in shown["measures"]
    assert "MOU_2026_CITY" in shown["memoranda"]


async def test_every_seeded_code_fits_the_documented_patterns(gql):
    from services.sanctions.catalogue.codes import AGENCY_CODE, CATALOGUE_CODE

    body = await gql.execute("""{ creditLists { code authority } measures { code }
        memoranda { code signatories } }""", as_=ADMIN)
    data = body["data"]
    codes = [x["code"] for k in ("creditLists", "measures", "memoranda") for x in data[k]]
    agencies = ([x["authority"] for x in data["creditLists"]]
                + [s for m in data["memoranda"] for s in m["signatories"]])
    assert len(codes) > 30 and all(CATALOGUE_CODE.fullmatch(c) for c in codes), codes
    assert all(AGENCY_CODE.fullmatch(a) for a in agencies), agencies
