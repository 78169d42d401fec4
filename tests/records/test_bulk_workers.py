"""The bulk path with a validating worker process, and rows as the binary COPY writes them."""

import asyncio
import os
import signal
from datetime import date
from decimal import Decimal
from functools import partial

import pytest

from libs.common.db import create_engine, make_sessionmaker, transaction
from libs.common.errors import LimitExceeded, Unavailable
from services.records.config import RecordsSettings
from services.records.ingestion.pipeline import ingest_lines, ingest_ndjson
from services.records.ingestion.subjects import SubjectDirectory
from services.records.ingestion.workers import ChunkParser
from services.records.records.policy import retention_until
from services.records.records.verify import verify_all
from tests.callers import SPC
from tests.records.factories import (
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
AMOUNTS = ["0", "0.01", "0.1", "1", "99.5", "9999.99", "10000", "10000.5", "20000.07",
           "123456789.12", "100000000", "9999999999999999.99"]


@pytest.fixture
async def sessionmaker(db_url):
    engine = create_engine(RecordsSettings(database_url=db_url, environment="test"),
                           application_name="test-bulk-workers")
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def worker():
    parser = ChunkParser(1, min_lines=1)  # every chunk goes to the worker process
    yield parser
    parser.close()


async def lines_of(body: bytes):
    for line in body.split(b"\n")[:-1]:
        yield line


async def test_rows_read_back_exactly_as_submitted_amounts_dates_and_defaults(
        gql, identity_gql, db_url, sessionmaker):
    org = await create_subject(identity_gql, org_code(1))
    person = await create_subject(identity_gql, person_code(1), kind="NATURAL_PERSON",
                                  name="张三")
    await submit(gql, [record(f"A-{i}", org, category="TAX_ARREARS", amount=a)
                       for i, a in enumerate(AMOUNTS)]
                 + [record("P-1", person, occurred="2024-02-29", conductEndedOn="2024-03-31"),
                    record("R-1", org, category="COMMENDATION", disclosure="RESTRICTED")], SPC)
    rows = {r["source_record_id"]: r for r in await fetch(
        db_url, "select *, amount::text as amount_text from records.credit_records")}
    assert [rows[f"A-{i}"]["amount_text"] for i in range(len(AMOUNTS))] == [
        f"{Decimal(a):.2f}" for a in AMOUNTS]
    p = rows["P-1"]
    assert (p["disclosure"], p["subject_kind"], p["occurred_on"], p["conduct_ended_on"]) == (
        "SHARED", "NATURAL_PERSON", date(2024, 2, 29), date(2024, 3, 31))
    assert p["retention_until"] == retention_until("ADMINISTRATIVE_PENALTY", date(2024, 2, 29),
                                                   date(2024, 3, 31))
    r = rows["R-1"]
    assert (r["disclosure"], r["retention_until"], r["amount"]) == ("RESTRICTED", None, None)
    assert all(row["archived_at"] is None and row["status"] == "ACTIVE" and row["is_current"]
               for row in rows.values())
    assert rows["A-0"]["recorded_at"].tzinfo is not None
    async with transaction(sessionmaker) as session:
        assert (await verify_all(session, ["SPC"])).intact


async def test_a_worker_process_gives_the_same_outcome_as_validating_in_process(
        records_app, identity_gql, db_url, sessionmaker, worker):
    org = await create_subject(identity_gql, org_code(2))
    person = await create_subject(identity_gql, person_code(2), kind="NATURAL_PERSON",
                                  name="李四")
    body = ndjson(
        record("W-1", org, category="TAX_ARREARS", amount="1234.50"),   # 1
        '{"sourceRecordId": "W-2", ',                                     # 2 malformed JSON
        "",                                                               # 3 blank
        record("W-3", person),                                            # 4
        record("W-4", org_code(404)),                                     # 5 unknown subject
        record("W-5", org, category="GOSSIP"),                            # 6 unknown category
        record("W-1", org, category="TAX_ARREARS", amount="1300.00"),     # 7 correction
        record("W-1", org, category="TAX_ARREARS", amount="1400.00"),     # 8 and another
        record("W-6", org),                                               # 9
        record("W-3", person),                                            # 10 unchanged
    )
    directory = SubjectDirectory(records_app.state.identity, sessionmaker)
    outcomes = {}
    for agency, parser in (("SPC", worker), ("STA", ChunkParser(0))):
        result = await ingest_lines(partial(transaction, sessionmaker), agency, lines_of(body),
                                    directory, chunk_size=3, parser=parser)
        outcomes[agency] = result.as_dict()
    assert outcomes["SPC"] == outcomes["STA"]
    assert [(r["line"], r["rule"]) for r in outcomes["SPC"]["rejected"]] == [
        (2, "json"), (5, "unknown_subject"), (6, "category")]
    assert (outcomes["SPC"]["created"], outcomes["SPC"]["corrected"],
            outcomes["SPC"]["unchanged"]) == (3, 2, 1)
    rows = await fetch(db_url, "select agency, version, amount, status, is_current, chain_seq,"
                               " content_hash from records.credit_records"
                               " where source_record_id = 'W-1' order by agency, version")
    by_agency = {a: [(r["version"], r["amount"], r["status"], r["is_current"]) for r in rows
                     if r["agency"] == a] for a in ("SPC", "STA")}
    assert by_agency["SPC"] == by_agency["STA"] == [
        (1, Decimal("1234.50"), "SUPERSEDED", False), (2, Decimal("1300.00"), "SUPERSEDED", False),
        (3, Decimal("1400.00"), "ACTIVE", True)]
    async with transaction(sessionmaker) as session:
        assert (await verify_all(session, ["SPC", "STA"])).intact


async def test_a_worker_killed_mid_file_fails_the_rest_keeps_whole_chunks_and_resubmits(
        records_app, identity_gql, db_url, sessionmaker, worker):
    org = await create_subject(identity_gql, org_code(3))
    body = ndjson(*(record(f"K-{i}", org) for i in range(9)))
    first_chunk_done = asyncio.Event()

    async def source():
        lines = body.split(b"\n")[:-1]
        for line in lines[:3]:
            yield line
        await first_chunk_done.wait()  # the rest arrives only after the worker is gone
        for line in lines[3:]:
            yield line

    def progress(lines: int, _: int) -> None:
        if lines == 3 and not first_chunk_done.is_set():
            for pid in list(worker._pool._processes):
                os.kill(pid, signal.SIGKILL)
            first_chunk_done.set()

    directory = SubjectDirectory(records_app.state.identity, sessionmaker)
    with pytest.raises(Unavailable, match="worker process stopped"):
        await ingest_lines(partial(transaction, sessionmaker), "SPC", source(), directory,
                           chunk_size=3, progress=progress, parser=worker)
    # the first chunk had been prepared: it lands whole; nothing after it is half-written
    assert await count_records(db_url) == 3
    async with transaction(sessionmaker) as session:
        assert (await verify_all(session, ["SPC"])).intact
    again = await ingest_lines(partial(transaction, sessionmaker), "SPC", lines_of(body),
                               directory, chunk_size=3, parser=worker)  # a new worker starts
    assert (again.unchanged, again.created, again.rejected) == (3, 6, [])
    assert await count_records(db_url) == 9


async def test_the_bulk_endpoint_uses_the_services_worker_for_large_chunks(
        http, records_app, identity_gql, headers, db_url):
    org = await create_subject(identity_gql, org_code(4))
    records_app.state.chunk_parser.min_lines = 2
    response = await http.post(
        "/records/bulk", content=ndjson(*(record(f"E-{i}", org) for i in range(7))),
        headers={**headers(roles=["authority"], agency="SPC"), **NDJSON})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 7
    assert records_app.state.chunk_parser._pool is not None  # the worker did the validating
    assert await count_records(db_url) == 7


@pytest.mark.parametrize("piece", [1, 7, 64, 1 << 20], ids=lambda n: f"pieces-of-{n}")
async def test_ndjson_in_pieces_of_any_size_numbers_lines_as_a_file_does(
        records_app, identity_gql, db_url, sessionmaker, piece):
    org = await create_subject(identity_gql, org_code(5))
    body = ndjson(record("B-1", org), "", "{broken", record("B-2", org)).replace(b"\n", b"\r\n")
    body += ndjson(record("B-3", org))[:-1]  # the last line has no newline

    async def pieces():
        for start in range(0, len(body), piece):
            yield body[start:start + piece]

    result = await ingest_ndjson(partial(transaction, sessionmaker), "SPC", pieces(),
                                 SubjectDirectory(records_app.state.identity, sessionmaker),
                                 chunk_size=2)
    assert [(r.index, r.rule) for r in result.rejected] == [(3, "json")]
    assert (result.lines, result.created) == (4, 3)
    assert [i for i, _ in result.accepted] == [1, 4, 5]


async def test_a_line_longer_than_the_limit_stops_the_ingestion_keeping_earlier_chunks(
        records_app, identity_gql, db_url, sessionmaker):
    org = await create_subject(identity_gql, org_code(6))
    head = ndjson(record("L-1", org), record("L-2", org))

    async def pieces():
        yield head
        for _ in range(10):
            yield b"x" * 1000  # a line that never ends

    with pytest.raises(LimitExceeded, match="line 3 is longer than 4096 bytes"):
        await ingest_ndjson(partial(transaction, sessionmaker), "SPC", pieces(),
                            SubjectDirectory(records_app.state.identity, sessionmaker),
                            chunk_size=2, max_line_bytes=4096)
    assert await count_records(db_url) == 2
