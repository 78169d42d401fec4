"""Normalise and validate Chinese subject codes.

* Unified Social Credit Code, USCC (GB 32100-2015), 18 characters, for organisations.
* Resident identity number, RIC (GB 11643-1999), 18 characters, for people.
* Legacy: 9-character organisation code (GB 11714-1997) and 15-digit business registration
  number (GS 15-2006), which predate the USCC and are still found in old records.

Every rejection raises ``InvalidCode`` with a stable ``.rule`` and a ``.message`` saying what
failed. Messages never echo the input: a resident identity number is personal data and error
messages end up in logs and API responses.

python-stdnum's ``cn.uscc`` is not used for validation: it rejects USCCs whose first character
is a letter (authorities A, N, Y, ...) and does not verify the embedded organisation code.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from typing import Literal

from stdnum.iso7064 import mod_11_10

from libs.common import regions

# Anything longer cannot be a code even with generous whitespace; refusing it before any work
# bounds the cost of every call made with untrusted input.
MAX_INPUT_LENGTH = 64

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_CHARS = frozenset(USCC_ALPHABET)
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for i = 1..17

_ORG_BODY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: digit or letter, value 0-35
_ORG_VALUE = {ch: i for i, ch in enumerate(_ORG_BODY_ALPHABET)}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_DIGITS = frozenset("0123456789")
_RIC_CHECK = "10X98765432"
_RIC_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 2^(18-i) mod 11 for i = 1..17
_RIC_EARLIEST_BIRTH = dt.date(1900, 1, 1)

# China has one time zone and no DST; a fixed offset avoids needing tzdata installed.
_CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

# Characters that copy-paste brings along but str.isspace() does not cover.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")

RULES = frozenset({
    "empty", "too_long", "length", "alphabet", "check_character",
    "organization_code_check", "region", "birth_date",
})

# GB 32100-2015 Appendix A (with later additions A and N): registration authority -> name,
# and the category codes each authority defines. Any alphabet character is accepted as an
# authority or category; these tables only name the known ones.
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游",
    "7": "宗教", "8": "工会", "9": "工商（市场监管）", "A": "中央军委改革和编制办公室",
    "N": "农业", "Y": "其他",
}
CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
          "5": "仲裁委员会", "9": "其他"},
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
          "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}


class InvalidCode(ValueError):
    """A code was rejected; ``rule`` is a stable machine string, ``message`` human text."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


@dataclass(frozen=True, slots=True, repr=False)
class ParsedCode:
    """A valid USCC or resident identity number and the parts encoded in it."""

    code: str
    scheme: Literal["USCC", "RIC"]
    region_code: str
    registration_authority: str | None = None  # USCC only
    category: str | None = None  # USCC only
    organization_code: str | None = None  # USCC only: characters 9-17, a GB 11714 code
    birth_date: dt.date | None = None  # RIC only
    sex: Literal["M", "F"] | None = None  # RIC only

    @property
    def masked(self) -> str:
        """The code as it may be logged or shown: person codes masked, USCCs in full."""
        return mask_code(self.code) if self.scheme == "RIC" else self.code

    def __repr__(self) -> str:
        # The generated repr would put a full identity number into logs and tracebacks.
        return f"ParsedCode(scheme={self.scheme!r}, code={self.masked!r})"


def normalise(raw: str) -> str:
    """Strip all whitespace, fold full-width ASCII to half-width and upper-case ASCII letters."""
    if raw is None:
        raise InvalidCode("empty", "no code given")
    if not isinstance(raw, str):
        raise TypeError(f"code must be a str, not {type(raw).__name__}")
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidCode("too_long", f"input is longer than {MAX_INPUT_LENGTH} characters")
    # Fast path for input that is already normal (what machines send, e.g. a 1,200-code screen):
    # ASCII letters and digits only, no lower case, so the loop below would return it unchanged.
    if raw.isascii() and raw.isalnum() and raw == raw.upper():
        return raw
    out = []
    for ch in raw:
        if ch.isspace() or ch in _INVISIBLE:  # isspace() covers U+3000 and U+00A0
            continue
        if "\uff01" <= ch <= "\uff5e":  # full-width ASCII block maps 1:1 onto '!'..'~'
            ch = chr(ord(ch) - 0xFEE0)
        # Only ASCII is upper-cased: str.upper() would turn e.g. U+FB00 'ﬀ' into a valid 'FF'.
        if "a" <= ch <= "z":
            ch = ch.upper()
        out.append(ch)
    return "".join(out)


def _prepare(raw: str, length: int, what: str) -> str:
    """Normalise and check emptiness and length, the first rules every scheme shares."""
    code = normalise(raw)
    if not code:
        raise InvalidCode("empty", f"no {what} given (empty or only whitespace)")
    if len(code) != length:
        raise InvalidCode("length", f"a {what} has {length} characters, got {len(code)}")
    return code


def _show(ch: str) -> str:
    """One character for a message: quoted if printable ASCII, else as U+XXXX."""
    return f"'{ch}'" if " " < ch <= "~" else f"U+{ord(ch):04X}"


def uscc_check_character(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a USCC."""
    if len(first17) != 17:
        raise ValueError("a USCC check character needs exactly 17 characters")
    total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """Return the GB 11714 check character for an 8-character organisation-code body."""
    if len(body8) != 8:
        raise ValueError("an organisation code check character needs exactly 8 characters")
    total = sum(map(operator.mul, map(_ORG_VALUE.__getitem__, body8), _ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def ric_check_character(first17: str) -> str:
    """Return the GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _RIC_WEIGHTS, strict=True))
    return _RIC_CHECK[total % 11]


def _digits(text: str) -> bool:
    """ASCII digits only (str.isdigit alone also accepts other scripts' digits)."""
    return text.isascii() and text.isdigit()


def _check(rule: str, label: str, expected: str, got: str) -> None:
    if got != expected:
        raise InvalidCode(rule, f"{label} should be '{expected}', got {_show(got)}")


def _region(code: str, *, person: bool) -> None:
    """Reject a region code that is not six digits or not a known GB/T 2260 code."""
    if not _digits(code):
        raise InvalidCode("region", "the region code must be six digits")
    if not regions.is_known_region(code) or (person and code in regions.ORGANISATION_ONLY_REGIONS):
        raise InvalidCode("region", f"region code {code} is not a known GB/T 2260 code")


def parse_uscc(raw: str) -> ParsedCode:
    """Validate a Unified Social Credit Code and return its parts."""
    code = _prepare(raw, 18, "unified social credit code")
    if not _USCC_CHARS.issuperset(code):  # the per-character loop only to name the culprit
        for pos, ch in enumerate(code, 1):
            if ch not in _USCC_VALUE:
                raise InvalidCode("alphabet", f"character {pos} is {_show(ch)}; a unified "
                                  "social credit code uses 0-9 and A-Z except I, O, S, V, Z")
    # The outer check first: a typo anywhere shows up here, with the most useful message.
    _check("check_character", "check character", uscc_check_character(code[:17]), code[17])
    org = code[8:17]
    _check("organization_code_check", "the organisation code's check character (position 17)",
           org_check_character(org[:8]), org[8])
    _region(code[2:8], person=False)
    return ParsedCode(code=code, scheme="USCC", region_code=code[2:8],
                      registration_authority=code[0], category=code[1], organization_code=org)


def _today() -> dt.date:
    return dt.datetime.now(_CHINA).date()


def _calendar_date(yyyymmdd: str) -> dt.date | None:
    """The date spelt by eight digits, or None if it is not a real calendar date."""
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _birth_date(yyyymmdd: str, today: dt.date | None) -> dt.date:
    """Check and return a birth date; messages never include the date itself."""
    born = _calendar_date(yyyymmdd)
    if born is None:
        raise InvalidCode("birth_date", "birth date (characters 7-14) is not a real date")
    if born > (today or _today()):
        raise InvalidCode("birth_date", "birth date (characters 7-14) is in the future")
    if born < _RIC_EARLIEST_BIRTH:
        raise InvalidCode("birth_date", "birth date (characters 7-14) is before 1900")
    return born


def parse_ric(raw: str, *, today: dt.date | None = None) -> ParsedCode:
    """Validate a resident identity number and return its parts (today: for testing)."""
    code = _prepare(raw, 18, "resident identity number")
    if not _digits(code[:17]) or not (code[17] in _DIGITS or code[17] == "X"):
        raise InvalidCode("alphabet", "a resident identity number has 17 digits and then a "
                          "digit or X")
    _check("check_character", "check character", ric_check_character(code[:17]), code[17])
    born = _birth_date(code[6:14], today)
    _region(code[:6], person=True)
    return ParsedCode(code=code, scheme="RIC", region_code=code[:6], birth_date=born,
                      sex="M" if int(code[14:17]) % 2 else "F")


# How far validation got before a rule failed; decides which error parse_code reports.
_PROGRESS = {"alphabet": 0, "check_character": 1, "organization_code_check": 2,
             "birth_date": 2, "region": 3}


def parse_code(raw: str, *, today: dt.date | None = None) -> ParsedCode:
    """Normalise, detect USCC or resident identity number by shape, validate and parse."""
    code = normalise(raw)
    if not code:
        raise InvalidCode("empty", "no code given (empty or only whitespace)")
    if len(code) != 18:
        raise InvalidCode("length", f"a code has 18 characters, got {len(code)} (9-character "
                          "organisation codes and 15-digit registration numbers are legacy codes)")
    if not (_digits(code[:17]) and (code[17] in _DIGITS or code[17] == "X")):
        return parse_uscc(code)
    # All digits (X last) fits both schemes: USCCs with numeric organisation codes exist, and
    # their characters 7-14 can spell a real date. Try RIC first, then USCC.
    try:
        return parse_ric(code, today=today)
    except InvalidCode as err:
        ric_error = err
    try:
        return parse_uscc(code)
    except InvalidCode as err:
        uscc_error = err
    # Neither fits: report the scheme that got further (e.g. a RIC whose check digit is right
    # but date impossible); on a tie, the one the shape suggests: a real date means a person.
    ric_rank, uscc_rank = _PROGRESS[ric_error.rule], _PROGRESS[uscc_error.rule]
    if ric_rank > uscc_rank or (
        ric_rank == uscc_rank and _calendar_date(code[6:14]) is not None
    ):
        raise ric_error
    raise uscc_error


def validate_uscc(raw: str) -> str:
    """Return the normalised USCC or raise InvalidCode."""
    return parse_uscc(raw).code


def validate_ric(raw: str, *, today: dt.date | None = None) -> str:
    """Return the normalised resident identity number or raise InvalidCode."""
    return parse_ric(raw, today=today).code


def validate_org_code(raw: str) -> str:
    """Return a normalised 9-character GB 11714 organisation code or raise InvalidCode."""
    code = normalise(raw)
    # Certificates print it as XXXXXXXX-X; accept that one hyphen and drop it.
    if len(code) == 10 and code[8] == "-":
        code = code[:8] + code[9]
    code = _prepare(code, 9, "organisation code")
    for pos, ch in enumerate(code[:8], 1):
        if ch not in _ORG_VALUE:
            raise InvalidCode("alphabet", f"character {pos} is {_show(ch)}; an organisation "
                              "code body uses 0-9 and A-Z")
    if not (code[8] in _DIGITS or code[8] == "X"):
        raise InvalidCode("alphabet", f"the check character is {_show(code[8])}; it must be "
                          "a digit or X")
    _check("check_character", "check character", org_check_character(code[:8]), code[8])
    return code


def validate_registration_number(raw: str) -> str:
    """Return a normalised 15-digit business registration number or raise InvalidCode."""
    code = _prepare(raw, 15, "registration number")
    if not all(ch in _DIGITS for ch in code):
        raise InvalidCode("alphabet", "a registration number has digits only")
    # The region is not checked against GB/T 2260: the first six digits are the registration
    # office's code, which for some offices was never a division code, and rejecting a real
    # legacy number would make a lookup miss a listed subject. The check digit catches typos.
    _check("check_character", "check digit", mod_11_10.calc_check_digit(code[:14]), code[14])
    return code


def uscc_org_code(uscc: str) -> str:
    """Return the 9-character organisation code embedded in a valid USCC (characters 9-17)."""
    org = parse_uscc(uscc).organization_code
    assert org is not None
    return org


def make_org_code(body8: str) -> str:
    """Return the 9-character organisation code for an 8-character body."""
    body = _prepare(body8, 8, "organisation code body")
    for pos, ch in enumerate(body, 1):
        if ch not in _ORG_VALUE:
            raise InvalidCode("alphabet", f"character {pos} is {_show(ch)}; use 0-9 and A-Z")
    return body + org_check_character(body)


def make_uscc(authority: str, category: str, region: str, org_body8: str) -> str:
    """Return a USCC with both check characters computed (for code issuance)."""
    for label, ch in (("registration authority", authority), ("category", category)):
        if len(ch) != 1 or ch not in _USCC_VALUE:
            raise InvalidCode("alphabet", f"{label} must be one of {USCC_ALPHABET}")
    _region(region, person=False)
    body = _prepare(org_body8, 8, "organisation code body")
    # Stricter than GB 11714: I, O, S, V, Z cannot be carried in a USCC.
    if any(ch not in _USCC_VALUE for ch in body):
        raise InvalidCode("alphabet", "an organisation code body in a USCC uses 0-9 and A-Z "
                          "except I, O, S, V, Z")
    first17 = authority + category + region + body + org_check_character(body)
    return first17 + uscc_check_character(first17)


def make_ric(region: str, birth_date: dt.date, seq: int) -> str:
    """Return a resident identity number (for test and demo data); seq odd = male."""
    if not 0 <= seq <= 999:
        raise ValueError("seq must be in 0..999")
    _region(region, person=True)
    first17 = f"{region}{birth_date:%Y%m%d}{seq:03d}"
    _birth_date(first17[6:14], None)
    return first17 + ric_check_character(first17)


def mask_code(code: str) -> str:
    """Show the first 6 and last 4 characters and mask the rest with '*'."""
    try:
        code = normalise(code)
    except InvalidCode:  # too long or None: mask what there is, never fail while logging
        code = code or ""
    if len(code) <= 10:  # too short to show 10 characters and still hide anything
        return "*" * len(code)
    return code[:6] + "*" * (len(code) - 10) + code[-4:]


def registration_authority_name(authority: str) -> str | None:
    """Return the name of a USCC registration authority character, if it is a known one."""
    return REGISTRATION_AUTHORITIES.get(authority)


def category_name(authority: str, category: str) -> str | None:
    """Return the name of a USCC category under its authority, if it is a known one."""
    return CATEGORIES.get(authority, {}).get(category)
