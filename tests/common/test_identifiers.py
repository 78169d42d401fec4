"""Tests for libs.common.identifiers: normalisation, USCC, RIC, legacy codes, masking."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_11_2, mod_11_10

from libs.common.identifiers import (
    MAX_INPUT_LENGTH,
    RULES,
    USCC_ALPHABET,
    InvalidCode,
    ParsedCode,
    category_name,
    make_org_code,
    make_ric,
    make_uscc,
    mask_code,
    normalise,
    org_check_character,
    parse_code,
    parse_ric,
    parse_uscc,
    registration_authority_name,
    ric_check_character,
    uscc_check_character,
    uscc_org_code,
    validate_org_code,
    validate_registration_number,
    validate_ric,
    validate_uscc,
)

TODAY = dt.date(2025, 6, 1)

# Real, published codes: python-stdnum's doc examples, national-level codes used in public
# e-certificate identifiers, and codes printed on public company pages.
REAL_USCCS = {
    "stdnum-doc-350100": "91350100M000100Y43",
    "shenzhen-440300": "9144030071526726XG",
    "stdnum-doc-110000": "91110000600037341L",
    "mohurd-national-100000": "11100000000013338W",
    "ministry-national-100000": "11100000000013661B",
    "mca-unit-national": "12100000000018032A",
    "all-digit-national": "111000000000131433",
    "hunan-430000": "11430000006122244L",
    "shaanxi-610800": "91610800064834709T",
    "org-code-with-letters-MB": "11100000MB03271699",
    "haidian-110108": "91110108697746338J",
}
# One company's three identifiers, printed together: registration number, org code, USCC.
REAL_TRIPLET = ("110108012399938", "697746338", "91110108697746338J")
REAL_REGISTRATION_NUMBERS = ["110108012399938", "110108002734659", "110107018557568",
                             "110108019292109"]

VALID_RIC = "110105199001011232"  # make_ric("110105", 1990-01-01, 123); stdnum agrees
RIC_WITH_X = "11010519850615009X"


def _with_checks(first16: str) -> str:
    """A USCC from 16 characters with *correct* org and outer check characters, no region check."""
    first17 = first16 + org_check_character(first16[8:16])
    return first17 + uscc_check_character(first17)


def _ric(first17: str) -> str:
    """A RIC with a correct check character, whatever the rest says."""
    return first17 + ric_check_character(first17)


def _rule(fn, *args, **kwargs) -> InvalidCode:
    with pytest.raises(InvalidCode) as info:
        fn(*args, **kwargs)
    assert info.value.rule in RULES
    return info.value


# --- normalise ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    pytest.param("91350100m000100y43", "91350100M000100Y43", id="lower-case"),
    pytest.param(" 9135 0100\tM000100Y43\n", "91350100M000100Y43", id="ascii-whitespace"),
    pytest.param("9135\u30000100\u3000M000100Y43", "91350100M000100Y43", id="ideographic-space"),
    pytest.param("\uff19\uff11\uff13\uff15\uff10\uff11\uff10\uff10\uff2d\uff10\uff10\uff10\uff11"
                 "\uff10\uff10\uff39\uff14\uff13", "91350100M000100Y43", id="full-width"),
    pytest.param("\uff4d\uff59", "MY", id="full-width-lower"),
    pytest.param("1101\u00a005\u200b1990\ufeff", "110105" "1990", id="nbsp-zero-width-bom"),
    pytest.param("\uff01\uff5e", "!~", id="full-width-block-edges"),
    pytest.param("\ufb00", "\ufb00", id="ligature-not-upper-cased-to-FF"),
    pytest.param("", "", id="empty"),
])
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_length_limit_is_inclusive() -> None:
    assert normalise("1" * MAX_INPUT_LENGTH) == "1" * MAX_INPUT_LENGTH
    assert _rule(normalise, "1" * (MAX_INPUT_LENGTH + 1)).rule == "too_long"


def test_too_long_is_rejected_before_any_work() -> None:
    class Exploding(str):
        def __iter__(self):  # normalise must not even look at the characters
            raise AssertionError("iterated over an over-long input")

    for fn in (normalise, parse_code, validate_uscc, validate_ric, validate_org_code,
               validate_registration_number):
        assert _rule(fn, Exploding(" " * 65)).rule == "too_long"
    assert _rule(parse_code, "9" * 1_000_000).rule == "too_long"


def test_normalise_rejects_none_and_non_str() -> None:
    assert _rule(normalise, None).rule == "empty"
    with pytest.raises(TypeError):
        normalise(91350100)  # type: ignore[arg-type]


# --- USCC: valid -----------------------------------------------------------------------------

@pytest.mark.parametrize("code", REAL_USCCS.values(), ids=REAL_USCCS.keys())
def test_real_usccs_are_valid_and_agree_with_stdnum(code: str) -> None:
    parsed = parse_code(code)
    assert parsed.scheme == "USCC" and parsed == parse_uscc(code)
    assert parsed.code == code == validate_uscc(code)
    assert parsed.registration_authority == code[0]
    assert parsed.category == code[1]
    assert parsed.region_code == code[2:8]
    assert parsed.organization_code == code[8:17] == uscc_org_code(code)
    assert parsed.birth_date is None and parsed.sex is None
    assert stdnum_uscc.is_valid(code)  # all of these start with a digit


def test_uscc_normalised_from_messy_input() -> None:
    raw = " \uff19\uff11\u3000350100m000100y43 "
    assert validate_uscc(raw) == "91350100M000100Y43"
    assert parse_code(raw).code == "91350100M000100Y43"


def test_uscc_check_character_agrees_with_stdnum_on_random_codes() -> None:
    rng = random.Random(32100)
    for _ in range(500):
        first17 = rng.choice("123456789") + "".join(rng.choice(USCC_ALPHABET) for _ in range(16))
        assert uscc_check_character(first17) == stdnum_uscc.calc_check_digit(first17)


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    # A single 1 at position i isolates weight i: the check must be (31 - 3^(i-1) mod 31) mod 31.
    for i in range(17):
        probe = "0" * i + "1" + "0" * (16 - i)
        assert uscc_check_character(probe) == USCC_ALPHABET[(31 - pow(3, i, 31)) % 31]


@pytest.mark.parametrize("authority, category, name", [
    pytest.param("N", "2", "农业", id="N-agriculture-village-collective"),
    pytest.param("Y", "1", "其他", id="Y-other"),
    pytest.param("A", "1", "中央军委改革和编制办公室", id="A-military"),
    pytest.param("B", "1", None, id="B-unnamed-but-in-alphabet"),
])
def test_letter_first_usccs_accepted_where_stdnum_rejects(authority, category, name) -> None:
    code = make_uscc(authority, category, "110105", "MA01B2C3")
    parsed = parse_code(code)
    assert parsed.scheme == "USCC" and parsed.registration_authority == authority
    assert registration_authority_name(authority) == name
    with pytest.raises(ValidationError):
        stdnum_uscc.validate(code)


def test_authority_and_category_names() -> None:
    assert registration_authority_name("9") == "工商（市场监管）"
    assert category_name("9", "2") == "个体工商户"
    assert category_name("N", "2") == "村级集体经济组织"
    assert category_name("9", "9") is None and category_name("Q", "1") is None


def test_wrong_embedded_org_check_is_caught_though_stdnum_accepts_it() -> None:
    good = "91110108697746338J"
    first17 = good[:16] + "9"  # org check should be 8
    bad = first17 + uscc_check_character(first17)  # outer check recomputed: only inner fails
    assert stdnum_uscc.is_valid(bad)
    err = _rule(validate_uscc, bad)
    assert err.rule == "organization_code_check"
    assert "should be '8', got '9'" in err.message


# --- USCC: rejections --------------------------------------------------------------------

@pytest.mark.parametrize("raw, rule", [
    pytest.param("", "empty", id="empty"),
    pytest.param(" \t\u3000\n ", "empty", id="whitespace-only"),
    pytest.param("91350100M000100Y4", "length", id="17-chars"),
    pytest.param("91350100M000100Y433", "length", id="19-chars"),
    pytest.param("9" * 65, "too_long", id="65-chars"),
    pytest.param("91350100M0001I0Y43", "alphabet", id="letter-I"),
    pytest.param("91350100M0001O0Y43", "alphabet", id="letter-O"),
    pytest.param("91350100M0001Z0Y43", "alphabet", id="letter-Z"),
    pytest.param("91350100M0001S0Y43", "alphabet", id="letter-S"),
    pytest.param("91350100M0001V0Y43", "alphabet", id="letter-V"),
    pytest.param("91350100M000-00Y43", "alphabet", id="hyphen"),
    pytest.param("91350100M000\u4e2d00Y43", "alphabet", id="cjk-character"),
    pytest.param("91350100M000100Y44", "check_character", id="bad-check"),
    pytest.param("91350100M000100Y34", "check_character", id="transposed"),
    pytest.param(_with_checks("91999999MA01B2C3"), "region", id="unknown-region"),
    pytest.param(_with_checks("911101AAMA01B2C3"), "region", id="letters-in-region"),
])
def test_uscc_rejections(raw: str, rule: str) -> None:
    assert _rule(validate_uscc, raw).rule == rule


def test_uscc_messages_say_what_failed() -> None:
    assert _rule(validate_uscc, "91350100M000100Y44").message == \
        "check character should be '3', got '4'"
    assert "character 14 is 'I'" in _rule(validate_uscc, "91350100M0001I0Y43").message
    assert "999999" in _rule(validate_uscc, _with_checks("91999999MA01B2C3")).message
    assert "18 characters, got 17" in _rule(validate_uscc, "91350100M000100Y4").message


def test_invalid_code_is_a_value_error_with_rule_prefix() -> None:
    err = _rule(validate_uscc, "")
    assert isinstance(err, ValueError)
    assert str(err) == f"empty: {err.message}"


# --- RIC ---------------------------------------------------------------------------------

def test_valid_ric_parts_and_stdnum_agreement() -> None:
    parsed = parse_code(VALID_RIC)
    assert parsed == ParsedCode(code=VALID_RIC, scheme="RIC", region_code="110105",
                                birth_date=dt.date(1990, 1, 1), sex="M")
    assert validate_ric(VALID_RIC) == VALID_RIC
    assert stdnum_ric.is_valid(VALID_RIC)
    assert parse_code("360426199101010071").sex == "M"  # python-stdnum's doc example


@pytest.mark.parametrize("seq, sex", [pytest.param(123, "M", id="odd-male"),
                                      pytest.param(124, "F", id="even-female")])
def test_ric_sex_from_sequence(seq: int, sex: str) -> None:
    assert parse_ric(make_ric("440305", dt.date(2001, 2, 28), seq)).sex == sex


def test_lower_case_x_is_normalised() -> None:
    assert validate_ric(RIC_WITH_X.lower()) == RIC_WITH_X
    assert parse_code(" " + RIC_WITH_X[:-1] + "x ").code == RIC_WITH_X
    assert stdnum_ric.is_valid(RIC_WITH_X)


def test_ric_check_character_agrees_with_iso7064_mod_11_2() -> None:
    rng = random.Random(11643)
    for _ in range(500):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert ric_check_character(first17) == mod_11_2.calc_check_digit(first17)


def test_make_ric_round_trip_and_stdnum() -> None:
    for region, born, seq in [("110105", dt.date(1990, 1, 1), 1),
                              ("440305", dt.date(1984, 2, 29), 2),
                              ("110105", dt.date(1900, 1, 1), 999)]:
        code = make_ric(region, born, seq)
        assert parse_ric(code).birth_date == born
        assert stdnum_ric.is_valid(code)


def test_region_is_not_checked_against_birth_year_unlike_stdnum() -> None:
    # The region is the one in force when the number was issued (from 1985 on), not at birth:
    # someone born in Urumqi in 1950 carries 650102 (天山区, created 1983). stdnum rejects it.
    code = make_ric("650102", dt.date(1950, 1, 1), 999)
    assert validate_ric(code) == code
    assert not stdnum_ric.is_valid(code)


@pytest.mark.parametrize("raw, rule", [
    pytest.param(_ric("11010519900230123"), "birth_date", id="feb-30"),
    pytest.param(_ric("11010519901301123"), "birth_date", id="month-13"),
    pytest.param(_ric("11010519890229123"), "birth_date", id="feb-29-non-leap"),
    pytest.param(_ric("11010520990101123"), "birth_date", id="future"),
    pytest.param(_ric("11010520250602123"), "birth_date", id="tomorrow"),
    pytest.param(_ric("11010518991231123"), "birth_date", id="before-1900"),
    pytest.param(_ric("99999919900101123"), "region", id="unknown-region"),
    pytest.param(_ric("10000019900101123"), "region", id="national-region-not-for-people"),
    pytest.param(VALID_RIC[:-1] + "3", "check_character", id="bad-check"),
    pytest.param(VALID_RIC[:10] + "A" + VALID_RIC[11:], "alphabet", id="letter-inside"),
    pytest.param(VALID_RIC[:-1] + "Y", "alphabet", id="last-not-digit-or-X"),
    pytest.param(VALID_RIC[:-1], "length", id="17-digits"),
    pytest.param("", "empty", id="empty"),
])
def test_ric_rejections(raw: str, rule: str) -> None:
    err = _rule(validate_ric, raw, today=TODAY)
    assert err.rule == rule
    # Personal data: neither the code nor its birth date may appear in the message.
    if raw:
        assert raw[:17] not in err.message and raw[6:14] not in err.message


def test_ric_birth_date_today_is_allowed_tomorrow_is_not() -> None:
    assert validate_ric(_ric("11010520250601123"), today=TODAY)
    assert _rule(validate_ric, _ric("11010520250602123"), today=TODAY).message == \
        "birth date (characters 7-14) is in the future"


def test_ric_check_message_names_expected_character() -> None:
    assert _rule(validate_ric, VALID_RIC[:-1] + "3").message == \
        "check character should be '2', got '3'"


def test_ric_accepts_historical_and_residence_permit_regions() -> None:
    assert validate_ric(_ric("11010319800101123"))  # 崇文区, merged away in 2010
    assert validate_ric(_ric("83000019900101123"))  # Taiwan residents' residence permit
    assert validate_ric(_ric("13050520210101123"))  # 任泽区, created 2020 (stdnum fallback)


# --- parse_code dispatch -------------------------------------------------------------------

def test_parse_code_all_digit_uscc_with_date_shape_falls_back_to_uscc() -> None:
    code = make_uscc("9", "1", "110119", "90010106")
    assert code == "911101199001010697" and code[6:14] == "19900101"
    parsed = parse_code(code)
    assert parsed.scheme == "USCC" and parsed.region_code == "110119"


@pytest.mark.parametrize("raw, rule", [
    pytest.param(_ric("11010519900230123"), "birth_date", id="ric-feb-30"),
    pytest.param(_ric("11010520990101123"), "birth_date", id="ric-future"),
    pytest.param(_ric("99999919900101123"), "region", id="ric-unknown-region"),
    pytest.param(VALID_RIC[:-1] + "3", "check_character", id="ric-bad-check"),
    pytest.param("111000000000131434", "check_character", id="digit-uscc-bad-check"),
    pytest.param("697746338", "length", id="legacy-org-code"),
    pytest.param("110108012399938", "length", id="legacy-registration-number"),
    pytest.param("   ", "empty", id="whitespace"),
])
def test_parse_code_rejections(raw: str, rule: str) -> None:
    assert _rule(parse_code, raw, today=TODAY).rule == rule


def test_parse_code_reports_ric_error_for_person_shaped_codes() -> None:
    err = _rule(parse_code, _ric("11010519900230123"))
    assert err.message == "birth date (characters 7-14) is not a real date"


# --- legacy codes ------------------------------------------------------------------------

def test_real_triplet_links_legacy_codes_to_uscc() -> None:
    reg_no, org, uscc = REAL_TRIPLET
    assert validate_registration_number(reg_no) == reg_no
    assert validate_org_code(org) == org
    assert uscc_org_code(uscc) == org
    assert make_uscc("9", "1", "110108", org[:8]) == uscc


@pytest.mark.parametrize("raw, expected", [
    pytest.param("697746338", "697746338", id="plain"),
    pytest.param("69774633-8", "697746338", id="printed-with-hyphen"),
    pytest.param(" ６９７７４６３３－８ ", "697746338", id="full-width"),
    pytest.param("m000100y4", "M000100Y4", id="letters-lower-case"),
    pytest.param(make_org_code("OSIVZ123"), "OSIVZ123" + org_check_character("OSIVZ123"),
                 id="letters-usccs-forbid"),
])
def test_org_code_valid(raw: str, expected: str) -> None:
    assert validate_org_code(raw) == expected


@pytest.mark.parametrize("raw, rule", [
    pytest.param("697746339", "check_character", id="bad-check"),
    pytest.param("6977463-38", "length", id="hyphen-misplaced"),
    pytest.param("69774633", "length", id="8-chars"),
    pytest.param("6977463#8", "alphabet", id="symbol"),
    pytest.param("69774633A", "alphabet", id="check-letter-not-X"),
    pytest.param("", "empty", id="empty"),
])
def test_org_code_rejections(raw: str, rule: str) -> None:
    assert _rule(validate_org_code, raw).rule == rule


def test_org_check_x_and_zero_cases() -> None:
    assert make_org_code("71526726") == "71526726X"  # embedded in 9144030071526726XG
    # 11 - (sum mod 11) == 11 must give '0', not '11': find such a body and check it.
    body = next(f"{n:08d}" for n in range(1000) if org_check_character(f"{n:08d}") == "0")
    assert validate_org_code(body + "0") == body + "0"


@pytest.mark.parametrize("raw", REAL_REGISTRATION_NUMBERS)
def test_registration_numbers_valid(raw: str) -> None:
    assert validate_registration_number(raw) == raw
    assert mod_11_10.is_valid(raw)


@pytest.mark.parametrize("raw, rule", [
    pytest.param("110108012399939", "check_character", id="bad-check"),
    pytest.param("11010801239993", "length", id="14-digits"),
    pytest.param("11010801239993A", "alphabet", id="letter"),
    pytest.param("", "empty", id="empty"),
])
def test_registration_number_rejections(raw: str, rule: str) -> None:
    assert _rule(validate_registration_number, raw).rule == rule


# --- make_* ------------------------------------------------------------------------------

def test_make_uscc_reproduces_real_codes() -> None:
    assert make_uscc("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    assert make_uscc("9", "1", "440300", "71526726") == "9144030071526726XG"
    assert make_uscc("1", "1", "100000", "00001333") == "11100000000013338W"


@pytest.mark.parametrize("args, rule", [
    pytest.param(("I", "1", "110105", "MA01B2C3"), "alphabet", id="authority-I"),
    pytest.param(("9", "", "110105", "MA01B2C3"), "alphabet", id="category-empty"),
    pytest.param(("9", "1", "999999", "MA01B2C3"), "region", id="unknown-region"),
    pytest.param(("9", "1", "110105", "MA01B2CO"), "alphabet", id="body-letter-O"),
    pytest.param(("9", "1", "110105", "MA01B2C"), "length", id="body-7-chars"),
])
def test_make_uscc_rejects_bad_parts(args: tuple[str, str, str, str], rule: str) -> None:
    assert _rule(make_uscc, *args).rule == rule


def test_make_ric_and_make_org_code_reject_bad_parts() -> None:
    with pytest.raises(ValueError):
        make_ric("110105", dt.date(1990, 1, 1), 1000)
    assert _rule(make_ric, "999999", dt.date(1990, 1, 1), 1).rule == "region"
    assert _rule(make_ric, "110105", dt.date(1899, 12, 31), 1).rule == "birth_date"
    assert _rule(make_org_code, "6977463#").rule == "alphabet"
    assert _rule(make_org_code, "6977463").rule == "length"


# --- masking -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    pytest.param(VALID_RIC, "110105********1232", id="ric"),
    pytest.param(" 110105 19900101 1232 ", "110105********1232", id="ric-with-spaces"),
    pytest.param(RIC_WITH_X.lower(), "110105********009X", id="ric-lower-x"),
    pytest.param("91350100M000100Y43", "913501********0Y43", id="uscc"),
    pytest.param("1234567890", "**********", id="ten-chars-fully-masked"),
    pytest.param("", "", id="empty"),
])
def test_mask_code(raw: str, expected: str) -> None:
    assert mask_code(raw) == expected


def test_parsed_code_repr_masks_person_codes() -> None:
    parsed = parse_code(VALID_RIC)
    assert VALID_RIC not in repr(parsed) and "110105********1232" in repr(parsed)
    assert parsed.masked == "110105********1232"
    assert parse_code("91350100M000100Y43").masked == "91350100M000100Y43"
    with pytest.raises(AttributeError):  # frozen
        parsed.code = "x"  # type: ignore[misc]
