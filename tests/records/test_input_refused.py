"""Input records should not take (issue 11 item 10): record ids and cursors in other scripts'
digits, other spellings or past a bigint. Each is BAD_REQUEST naming the field, and nothing is
written."""

from __future__ import annotations

import base64

import pytest

from libs.common.settings import DEV_GATEWAY_SECRET, GATEWAY_SECRET_HEADER
from tests.callers import SPC
from tests.records.factories import (
    FILE,
    WITHDRAW_RECORD,
    create_subject,
    fetch,
    org_code,
    record,
    submit,
)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
RECORD = """query($id: ID!) { creditRecord(id: $id) { id } }"""
PAGE = """query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on Subject {
  recordPage(after: $after) { nodes { id } } } } }"""


def _error(body: dict) -> dict:
    """The extensions of the one error, which left no value behind."""
    (error,) = body["errors"]
    assert body.get("data") in (None, {"creditRecord": None}, {"_entities": [None]}), body
    return error["extensions"]


@pytest.fixture
async def stored(gql, identity_gql) -> tuple[str, str]:
    org = await create_subject(identity_gql, org_code(71))
    accepted = (await submit(gql, [record("H-1", org)], SPC))["accepted"]
    return org, accepted[0]["id"]


def _other_digits(record_id: str) -> list[str]:
    return [record_id.translate(FULL_WIDTH),
            "".join(chr(0x0660 + int(c)) for c in record_id),  # Arabic-Indic
            f"+{record_id}", f"0_{record_id}" if len(record_id) > 1 else f"{record_id}_0",
            "9" * 20]


async def test_a_record_id_in_other_digits_is_bad_request(gql, stored):
    _, record_id = stored
    assert (await gql.execute(RECORD, {"id": record_id}, as_=SPC))["data"]["creditRecord"]
    for forged in _other_digits(record_id):
        body = await gql.execute(RECORD, {"id": forged}, as_=SPC)
        assert _error(body) == {"code": "BAD_REQUEST", "field": "id"}, (forged, body)


async def test_withdrawing_by_a_full_width_id_is_refused_and_writes_nothing(gql, stored, db_url):
    _, record_id = stored
    body = await gql.execute(WITHDRAW_RECORD, {"i": {"recordId": record_id.translate(FULL_WIDTH),
                                                     "reason": "错误录入"}}, as_=SPC)
    assert _error(body) == {"code": "BAD_REQUEST", "field": "recordId"}
    rows = await fetch(db_url, "select status from records.credit_records")
    assert [r[0] for r in rows] == ["ACTIVE"]


async def test_objecting_by_a_full_width_id_is_refused_and_writes_nothing(gql, stored, db_url):
    org, record_id = stored
    body = await gql.execute(FILE, {"i": {"recordId": record_id.translate(FULL_WIDTH),
                                          "grounds": "罚款金额有误"}},
                             as_={"sub": org, "roles": ["subject"]})
    assert _error(body) == {"code": "BAD_REQUEST", "field": "recordId"}
    assert await fetch(db_url, "select id from records.objections") == []


@pytest.mark.parametrize("position", ["１２", "99999999999999999999", "-1", "12 ", "x"])
async def test_a_forged_record_cursor_is_bad_request(gql, stored, position):
    org, _ = stored
    forged = base64.urlsafe_b64encode(f"2025-03-01|{position}".encode()).decode()
    body = await gql.execute(PAGE, {"r": [{"__typename": "Subject", "code": org}],
                                    "after": forged}, as_=SPC)
    assert _error(body) == {"code": "BAD_REQUEST", "field": "after"}


@pytest.mark.parametrize("cursor", ["１:１", "1:99999999999999999999", "+1:2", "1:"])
async def test_a_forged_events_cursor_is_bad_request(http, cursor):
    response = await http.get("/internal/events", params={"after": cursor},
                              headers={GATEWAY_SECRET_HEADER: DEV_GATEWAY_SECRET})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "after"
