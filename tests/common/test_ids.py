"""Ids and cursor positions are read in one spelling only: ASCII digits, hyphenated uuids."""

import uuid

import pytest

from libs.common.ids import decimal_id, uuid_id

U = "0b8f3c1e-4a2d-4c6b-9f7e-1a2b3c4d5e6f"


@pytest.mark.parametrize("text", ["１２", "١٢", "+12", "-1", "1_2", " 12", "12\n", "", "1.0",
                                  "9" * 19, "9223372036854775808", "²"])
def test_anything_but_ascii_digits_of_a_bigint_is_no_id(text):
    assert decimal_id(text) is None


def test_ascii_digits_are_an_id():
    assert decimal_id("0") == 0 and decimal_id("9" * 18) == 10**18 - 1


@pytest.mark.parametrize("text", [U.replace("1", "１"), "{%s}" % U, "urn:uuid:" + U,
                                  U.replace("-", ""), U + "\n", " " + U, U[:-1]])
def test_other_spellings_of_a_uuid_are_no_id(text):
    assert uuid_id(text) is None


def test_a_hyphenated_uuid_in_either_case_is_an_id():
    assert uuid_id(U) == uuid_id(U.upper()) == uuid.UUID(U)
