"""Submitting records: idempotency, corrections as versions, and bad input rejected cleanly."""

from datetime import date, timedelta

import pytest

from devtools.testing import error_codes
from tests.callers import ADMIN, CONSUMER, SPC, STA
from tests.records.factories import (
    SUBMIT,
    count_records,
    create_subject,
    fetch,
    ndjson,
    org_code,
    person_code,
    record,
    submit,
)

NDJSON = {"content-type": "application/x-ndjson"}
# In the future, and inside the range every Date may take (up to 2199-12-31).
NEXT_YEAR = (date.today() + timedelta(days=400)).isoformat()


async def test_resubmitting_the_same_record_is_a_no_op(gql, identity_gql, db_url):
    org = await create_subject(identity_gql, org_code(1))
    first = await submit(gql, [record("SPC-1", org)], SPC)
    again = await submit(gql, [record("SPC-1", org)], SPC)
    assert (first["created"], again["created"], again["unchanged"]) == (1, 0, 1)
    assert again["accepted"][0]["id"] == first["accepted"][0]["id"]
    assert await count_records(db_url) == 1


async def test_same_source_record_id_from_another_agency_is_another_record(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(2))
    a = await submit(gql, [record("X-1", org)], SPC)
    b = await submit(gql, [record("X-1", org, category="TAX_ARREARS", amount="5000")], STA)
    assert a["accepted"][0]["id"] != b["accepted"][0]["id"]
    assert b["accepted"][0]["agency"] == "STA"


async def test_changed_content_is_a_correction_that_keeps_the_old_version(gql, identity_gql, db_url):
    org = await create_subject(identity_gql, org_code(3))
    first = await submit(gql, [record("SPC-3", org, summary="罚款 5 万元")], SPC)
    fixed = await submit(gql, [record("SPC-3", org, summary="罚款 3 万元")], SPC)
    assert fixed["corrected"] == 1
    rec = fixed["accepted"][0]
    assert rec["id"] == first["accepted"][0]["id"] and rec["version"] == 2
    assert rec["summary"] == "罚款 3 万元"
    rows = await fetch(db_url, "select version, summary, status, is_current "
                               "from records.credit_records order by version")
    assert [tuple(r) for r in rows] == [(1, "罚款 5 万元", "SUPERSEDED", False),
                                        (2, "罚款 3 万元", "ACTIVE", True)]
    body = await gql.execute(
        "query($id: ID!) { creditRecord(id: $id) { version versions { version summary } } }",
        {"id": rec["id"]}, as_=SPC)
    assert body["data"]["creditRecord"]["versions"] == [
        {"version": 1, "summary": "罚款 5 万元"}, {"version": 2, "summary": "罚款 3 万元"}]


async def test_two_versions_in_one_batch_apply_in_order(gql, identity_gql, db_url):
    org = await create_subject(identity_gql, org_code(4))
    res = await submit(gql, [record("SPC-4", org, summary="一"), record("SPC-4", org, summary="二"),
                             record("SPC-4", org, summary="三")], SPC)
    assert (res["created"], res["corrected"]) == (1, 2)
    rows = await fetch(db_url, "select version, status, is_current from records.credit_records "
                               "order by version")
    assert [tuple(r) for r in rows] == [(1, "SUPERSEDED", False), (2, "SUPERSEDED", False),
                                        (3, "ACTIVE", True)]


async def test_only_an_authority_acting_for_a_registered_source_may_submit(gql, identity_gql, db_url):
    org = await create_subject(identity_gql, org_code(5))
    for who, code in ((CONSUMER, "FORBIDDEN"), (ADMIN, "FORBIDDEN"),
                      ({"roles": ["authority"]}, "FORBIDDEN"),
                      ({"roles": ["authority"], "agency": "NOPE"}, "FORBIDDEN")):
        body = await gql.execute(SUBMIT, {"input": [record("Z-1", org)]}, as_=who)
        assert error_codes(body) == [code], (who, body)
    body = await gql.execute(SUBMIT, {"input": [record("Z-1", org)]})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await count_records(db_url) == 0


def _without_legal_basis(rec):
    rec.pop("legalBasis")
    return rec


def _blank_document_number(rec):
    rec["legalBasis"]["number"] = "  "
    return rec


def _future_document(rec):
    rec["legalBasis"]["issuedOn"] = NEXT_YEAR
    return rec


@pytest.mark.parametrize(("mutate", "rule"), [
    pytest.param(lambda r: {**r, "subjectCode": r["subjectCode"][:-1] + "0"
                            if r["subjectCode"][-1] != "0" else r["subjectCode"][:-1] + "1"},
                 "check_character", id="invalid-code"),
    pytest.param(lambda r: {**r, "subjectCode": org_code(999)}, "unknown_subject",
                 id="unknown-subject"),
    pytest.param(_blank_document_number, "legal_basis", id="blank-document-number"),
    pytest.param(_future_document, "legal_basis", id="document-not-yet-issued"),
    pytest.param(lambda r: {**r, "category": "TAX_ARREARS"}, "amount", id="arrears-without-amount"),
    pytest.param(lambda r: {**r, "occurredOn": NEXT_YEAR}, "date", id="future-conduct"),
])
async def test_bad_record_is_rejected_with_its_rule_and_the_good_ones_land(
        gql, identity_gql, db_url, mutate, rule):
    org = await create_subject(identity_gql, org_code(6))
    batch = [record("OK-1", org), mutate(record("BAD-1", org)), record("OK-2", org)]
    res = await submit(gql, batch, SPC)
    assert [(r["index"], r["rule"]) for r in res["rejected"]] == [(1, rule)]
    assert res["created"] == 2
    rows = await fetch(db_url, "select source_record_id from records.credit_records order by 1")
    assert [r[0] for r in rows] == ["OK-1", "OK-2"]


async def test_missing_legal_basis_is_refused_before_anything_is_written(
        gql, http, identity_gql, headers, db_url):
    org = await create_subject(identity_gql, org_code(7))
    body = await gql.execute(SUBMIT, {"input": [_without_legal_basis(record("L-1", org))]}, as_=SPC)
    assert "errors" in body and "legalBasis" in body["errors"][0]["message"]
    response = await http.post("/records/bulk", content=ndjson(_without_legal_basis(record("L-2", org))),
                               headers={**headers(roles=["authority"], agency="SPC"), **NDJSON})
    assert response.json()["rejected"][0]["reason"].startswith("a record needs its legal basis")
    assert await count_records(db_url) == 0


async def test_oversized_batch_is_refused_whole(gql, identity_gql, db_url):
    org = await create_subject(identity_gql, org_code(8))
    body = await gql.execute(SUBMIT, {"input": [record(f"B-{i}", org) for i in range(51)]}, as_=SPC)
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    assert await count_records(db_url) == 0


async def test_person_records_default_to_shared_disclosure(gql, identity_gql):
    person = await create_subject(identity_gql, person_code(9), kind="NATURAL_PERSON", name="张三")
    res = await submit(gql, [record("P-1", person, category="UNFULFILLED_OBLIGATION")], SPC)
    assert res["accepted"][0]["disclosure"] == "SHARED"
    # the submitting authority is no analyst: the person code comes back masked
    assert "*" in res["accepted"][0]["subjectCode"]


async def test_bulk_ndjson_reports_each_bad_line_and_commits_the_valid_ones(http, identity_gql,
                                                                            headers, db_url):
    org = await create_subject(identity_gql, org_code(10))
    body = ndjson(
        record("N-1", org),                                   # 1
        '{"sourceRecordId": "N-2", "subjectCode": ',          # 2 malformed JSON
        "",                                                   # 3 blank
        record("N-3", org_code(404)),                         # 4 unknown subject
        _without_legal_basis(record("N-4", org)),             # 5 no legal basis
        record("N-5", "91110105ABCDEFGH1"),                   # 6 invalid code (length)
        record("N-6", org, category="GOSSIP"),                # 7 unknown category
        "[1, 2]",                                             # 8 not an object
        record("N-7", org),                                   # 9
        record("N-1", org),                                   # 10 repeat: unchanged
    )
    response = await http.post("/records/bulk", content=body,
                               headers={**headers(roles=["authority"], agency="SPC"), **NDJSON})
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(r["line"], r["rule"]) for r in result["rejected"]] == [
        (2, "json"), (4, "unknown_subject"), (5, "legal_basis"), (6, "length"), (7, "category"),
        (8, "json")]
    assert (result["lines"], result["created"], result["unchanged"]) == (9, 2, 1)
    rows = await fetch(db_url, "select source_record_id from records.credit_records order by 1")
    assert [r[0] for r in rows] == ["N-1", "N-7"]


async def test_bulk_refuses_a_declared_body_over_the_limit_before_reading_it(
        http, records_settings, headers, db_url):
    response = await http.post(
        "/records/bulk", content=b"{}\n",
        headers={**headers(roles=["authority"], agency="SPC"), **NDJSON,
                 "content-length": str(records_settings.max_bulk_bytes + 1)})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "LIMIT_EXCEEDED"
    assert await count_records(db_url) == 0


async def test_bulk_needs_an_agency_token(http, headers):
    response = await http.post("/records/bulk", content=b"", headers={**headers(roles=["admin"]),
                                                                      **NDJSON})
    assert response.status_code == 403


async def test_an_unreachable_identity_service_fails_the_submission_and_writes_nothing(
        db_url, identity_gql):
    import httpx

    from devtools.testing import GraphQLClient
    from services.records.app import create_app
    from services.records.config import RecordsSettings

    org = await create_subject(identity_gql, org_code(11))
    app = create_app(RecordsSettings(database_url=db_url, environment="test",
                                     identity_internal_url="http://127.0.0.1:9"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://records") as client:
            body = await GraphQLClient(client).execute(SUBMIT, {"input": [record("U-1", org)]},
                                                       as_=SPC)
        await app.state.identity.aclose()
    assert error_codes(body) == ["UNAVAILABLE"]
    assert await count_records(db_url) == 0


async def test_demo_loader_goes_through_identity_and_is_idempotent(db_url, identity_app):
    import httpx

    from libs.common.db import create_engine, make_sessionmaker
    from services.identity import demo as identity_demo
    from services.records import demo
    from services.records.config import RecordsSettings

    engine = create_engine(RecordsSettings(database_url=db_url))
    sessionmaker = make_sessionmaker(engine)
    try:
        await identity_demo.load(sessionmaker)
        transports = {"identity": httpx.ASGITransport(app=identity_app)}
        urls = {"identity": "http://identity"}
        first = await demo.load(sessionmaker, urls, transports=transports)
        second = await demo.load(sessionmaker, urls, transports=transports)
    finally:
        await engine.dispose()
    assert first["rejected"] == 0 and first["created"] == 305
    assert second == {"created": 0, "unchanged": 305, "rejected": 0}
