"""Migrating listings decided elsewhere: POST /listings/bulk (issue 15, the migration half)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import orjson
import pytest
from sqlalchemy import select

from libs.common.auth import mint_token
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER
from libs.common.timeutil import SHANGHAI
from tests.sanctions.factories import LISTING_FIELDS, doc, org_code, person_code

AIRLINE = {"sub": "airline", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
NOW = datetime.now(SHANGHAI)
DECIDED = (NOW - timedelta(days=400)).replace(microsecond=0)
UNTIL = DECIDED + timedelta(days=700)

IMPORTED_FIELDS = LISTING_FIELDS + " decidedAt importedFrom sourceListingId basisMissing"
SUBJECT_LISTINGS = """query($code: ID!) { _entities(representations: [{__typename: "Subject",
  code: $code}]) { ... on Subject { listings { %s history { event actor } } } } }""" % (
    IMPORTED_FIELDS)


def headers(**claims) -> dict:
    claims = {"sub": "migrator", **claims}
    return {GATEWAY_SECRET_HEADER: DEV_GATEWAY_SECRET, "content-type": "application/x-ndjson",
            "authorization": "Bearer " + mint_token(
                claims["sub"], claims.get("roles", []), claims.get("purposes", []),
                claims.get("agency"), secret=DEV_JWT_SECRET)}


SPC = {"roles": ["authority"], "agency": "SPC"}


def line(source: str, subject: str, list_code: str = "SPC_DISHONEST_DEBTORS", **over) -> dict:
    body = {"sourceListingId": source, "listCode": list_code, "subjectCode": subject,
            "legalBasis": doc(issued_on=DECIDED.date().isoformat()),
            "decidedAt": DECIDED.isoformat(), "effectiveFrom": DECIDED.isoformat(),
            "effectiveUntil": UNTIL.isoformat()}
    body.update(over)
    return {k: v for k, v in body.items() if v is not ...}


def ndjson(*lines) -> bytes:
    return b"\n".join(x if isinstance(x, bytes) else orjson.dumps(x) for x in lines) + b"\n"


@pytest.fixture
async def http(sanctions_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sanctions_app),
                                 base_url="http://sanctions") as client:
        yield client


async def bulk(http, *lines, as_=SPC, params=None) -> dict:
    response = await http.post("/listings/bulk", content=ndjson(*lines), headers=headers(**as_),
                               params=params or {})
    assert response.status_code == 200, response.text
    return response.json()


async def listings_of(world, code: str) -> list[dict]:
    body = await world.gql.execute(SUBJECT_LISTINGS, {"code": code}, as_={"roles": ["analyst"]})
    assert "errors" not in body, body
    return body["data"]["_entities"][0]["listings"]


async def count_rows(sanctions_app, table: str) -> int:
    from sqlalchemy import text

    async with sanctions_app.state.sessionmaker() as session:
        return await session.scalar(text(f"SELECT count(*) FROM sanctions.{table}"))


async def test_migrated_listing_keeps_its_dates_and_shows_where_it_came_from(http, world):
    person = await world.person()
    summary = await bulk(http, line("SPC-2025-0001", person))
    assert summary == {"lines": 1, "created": 1, "corrected": 0, "unchanged": 0, "rejected": []}
    [listing] = await listings_of(world, person)
    assert listing["importedFrom"] == "SPC" and listing["sourceListingId"] == "SPC-2025-0001"
    assert datetime.fromisoformat(listing["decidedAt"]) == DECIDED
    assert datetime.fromisoformat(listing["effectiveFrom"]) == DECIDED
    assert listing["status"] == "ACTIVE" and listing["basisMissing"] is True
    assert listing["basisRecordIds"] == []
    assert [e["event"] for e in listing["history"]] == ["IMPORTED"]
    assert (await world.check(person, "AIR_TRAVEL", AIRLINE))["status"] == "RESTRICTED"


async def test_resubmitting_the_same_facts_changes_nothing(http, world, sanctions_app):
    person = await world.person()
    await bulk(http, line("SPC-1", person))
    before = {t: await count_rows(sanctions_app, t)
              for t in ("listings", "decision_log", "restriction_changes", "restrictions")}
    again = await bulk(http, line("SPC-1", person))
    assert again == {"lines": 1, "created": 0, "corrected": 0, "unchanged": 1, "rejected": []}
    after = {t: await count_rows(sanctions_app, t) for t in before}
    assert after == before


async def test_changed_facts_are_a_correction_in_the_decision_log(http, world, sanctions_app):
    person = await world.person()
    await bulk(http, line("SPC-7", person))
    # The agency's system had the end wrong: it ended 30 days ago.
    ended = NOW - timedelta(days=30)
    summary = await bulk(http, line("SPC-7", person, effectiveUntil=ended.isoformat()))
    assert summary["corrected"] == 1 and summary["created"] == 0
    [listing] = await listings_of(world, person)
    assert [e["event"] for e in listing["history"]] == ["IMPORTED", "CORRECTED"]
    assert listing["status"] == "EXPIRED"
    assert (await world.check(person, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"
    past = await world.check(person, "AIR_TRAVEL", AIRLINE, at=NOW - timedelta(days=60))
    assert past["status"] == "RESTRICTED"
    from services.sanctions.decisionlog.models import DecisionLogEntry

    async with sanctions_app.state.sessionmaker() as session:
        entry = (await session.execute(select(DecisionLogEntry).where(
            DecisionLogEntry.event == "CORRECTED").order_by(DecisionLogEntry.id.desc())
            .limit(1))).scalar_one()
    assert entry.payload["changed"] == ["effectiveUntil"]
    assert datetime.fromisoformat(entry.payload["previous"]["effectiveUntil"]) == UNTIL
    assert datetime.fromisoformat(entry.payload["effectiveUntil"]) == ended
    # a correction is the same facts next time: unchanged
    assert (await bulk(http, line("SPC-7", person, effectiveUntil=ended.isoformat())))[
        "unchanged"] == 1


async def test_each_rule_rejects_its_line_and_writes_nothing_for_it(http, world, sanctions_app):
    person, company = await world.person(), await world.company()
    unknown = person_code()
    other = await world.person()
    record_of_other = await world.record(other)
    lines = [
        b"{not json",                                                     # 1 json
        line("R-2", person, sourceListingId=...),                         # 2 field
        line("R-3", person[:-1] + ("0" if person[-1] != "0" else "1")),   # 3 subject code
        line("R-4", person, listCode="NO_SUCH_LIST"),                     # 4 list
        line("R-5", person, listCode="TAX_MAJOR_VIOLATION"),              # 5 authority (STA's)
        line("R-6", company, listCode="CONSUMPTION_RESTRICTION",          # 6 fine (control)
             effectiveUntil=None),
        line("R-7", person, effectiveUntil=(DECIDED + timedelta(days=900)).isoformat()),  # window
        line("R-8", person, legalBasis=None),                             # 8 legal basis
        line("R-9", unknown),                                             # 9 unknown subject
        line("R-10", person, decidedAt=(NOW + timedelta(days=2)).isoformat()),  # 10 date
        line("R-11", person, basisRecordIds=[record_of_other]),           # 11 basis
        line("R-12", person, effectiveFrom="2020-01-01T00:00:00"),        # 12 no offset
    ]
    summary = await bulk(http, *lines)
    rules = {r["line"]: r["rule"] for r in summary["rejected"]}
    assert rules == {1: "json", 2: "field", 3: rules[3], 4: "list", 5: "authority",
                     7: "window", 8: "legal_basis", 9: "unknown_subject", 10: "date",
                     11: "basis", 12: "date"}
    assert rules[3] not in ("field", "json")  # the code's own rule (e.g. check digit)
    assert summary["created"] == 1 and summary["lines"] == 12
    assert await listings_of(world, person) == []
    assert [x["sourceListingId"] for x in await listings_of(world, company)] == ["R-6"]


async def test_a_list_that_does_not_admit_the_kind_is_a_rejection(http, world):
    company = await world.company()
    caac = {"roles": ["authority"], "agency": "CAAC"}
    summary = await bulk(http, line("C-1", company, listCode="CIVIL_AVIATION_DISHONEST",
                                    effectiveUntil=(DECIDED + timedelta(days=300)).isoformat()),
                         as_=caac)
    assert [r["rule"] for r in summary["rejected"]] == ["subject_kind"]


async def test_a_migrated_listing_cascades_to_the_legal_representative(http, world):
    company, boss = await world.company(), await world.person("李强")
    await world.role(company, boss, since=(DECIDED - timedelta(days=100)).isoformat())
    summary = await bulk(http, line("SPC-ORG-1", company))
    assert summary["created"] == 1, summary
    [listing] = await listings_of(world, company)
    assert listing["derivedRestrictions"] == [
        {"code": boss, "via": {"organizationCode": company, "role": "LEGAL_REPRESENTATIVE"}}]
    on_boss = await world.check(boss, "AIR_TRAVEL", AIRLINE)
    assert on_boss["status"] == "RESTRICTED"
    assert on_boss["restrictions"][0]["via"] == {"organizationCode": company,
                                                 "role": "LEGAL_REPRESENTATIVE"}


async def test_roles_taken_after_the_original_decision_are_not_reached(http, world):
    company, late = await world.company(), await world.person()
    await world.role(company, late, since=(DECIDED + timedelta(days=10)).isoformat())
    await bulk(http, line("SPC-ORG-2", company))
    assert (await world.check(late, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"


async def test_check_at_a_past_moment_answers_as_the_migrated_listing_says(http, world):
    person = await world.person()
    start = NOW - timedelta(days=500)
    end = NOW - timedelta(days=100)
    await bulk(http, line("SPC-OLD", person, decidedAt=start.isoformat(),
                          effectiveFrom=start.isoformat(), effectiveUntil=end.isoformat(),
                          legalBasis=doc(issued_on=start.date().isoformat())))
    assert (await world.check(person, "AIR_TRAVEL", AIRLINE, at=start - timedelta(days=1))
            )["status"] == "CLEAR"
    during = await world.check(person, "AIR_TRAVEL", AIRLINE, at=start + timedelta(days=50))
    assert during["status"] == "RESTRICTED"
    assert during["restrictions"][0]["listing"]["status"] == "ACTIVE"
    assert (await world.check(person, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"


async def test_basis_records_are_optional_but_checked_when_given(http, world):
    person = await world.person()
    record = await world.record(person)
    summary = await bulk(http, line("SPC-B", person, basisRecordIds=[record]))
    assert summary["created"] == 1
    [listing] = await listings_of(world, person)
    assert listing["basisRecordIds"] == [record] and listing["basisMissing"] is False


async def test_a_source_id_twice_in_one_file_is_applied_in_order(http, world):
    person = await world.person()
    ended = NOW - timedelta(days=10)
    summary = await bulk(http, line("SPC-D", person),
                         line("SPC-D", person, effectiveUntil=ended.isoformat()))
    assert (summary["created"], summary["corrected"]) == (1, 1)
    [listing] = await listings_of(world, person)
    assert listing["status"] == "EXPIRED"


async def test_a_correction_cannot_move_the_listing_to_another_subject(http, world):
    person, other = await world.person(), await world.person()
    await bulk(http, line("SPC-M", person))
    summary = await bulk(http, line("SPC-M", other))
    assert [r["rule"] for r in summary["rejected"]] == ["correction"]
    assert await listings_of(world, other) == []


async def test_who_may_migrate(http, world):
    person = await world.person()
    body = ndjson(line("A-1", person))
    for claims, status in [({"roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}, 403),
                           ({"roles": ["authority"]}, 403),
                           ({"roles": ["analyst"]}, 403),
                           ({"roles": ["authority"], "agency": "STA"}, 200),  # lines rejected
                           ({"roles": ["admin"]}, 400)]:
        response = await http.post("/listings/bulk", content=body, headers=headers(**claims))
        assert response.status_code == status, (claims, response.text)
    response = await http.post("/listings/bulk", content=body,
                               headers={k: v for k, v in headers().items() if k != "authorization"})
    assert response.status_code == 401
    as_admin = await bulk(http, line("A-1", person), as_={"roles": ["admin"]},
                          params={"agency": "SPC"})
    assert as_admin["created"] == 1
    [listing] = await listings_of(world, person)
    assert listing["importedFrom"] == "SPC"


async def test_the_summary_the_feed_and_the_chain_follow_migrated_listings(http, world,
                                                                          sanctions_app):
    from services.sanctions.decisionlog.chain import verify
    from services.sanctions.feed.models import RestrictionChange
    from services.sanctions.listings.models import Listing
    from services.sanctions.listings.summary.models import ListingFacet

    person = await world.person()
    await bulk(http, line("SPC-F", person))
    async with sanctions_app.state.sessionmaker() as session:
        listing = (await session.execute(select(Listing).where(
            Listing.source_listing_id == "SPC-F"))).scalar_one()
        facet = await session.get(ListingFacet, listing.id)
        feed = (await session.execute(select(RestrictionChange).where(
            RestrictionChange.listing_id == listing.id))).scalars().all()
        assert (await verify(session)).ok
    assert facet.counted_status == "ACTIVE" and facet.decided_at == DECIDED
    assert facet.decided_month == DECIDED.date().replace(day=1)
    assert {(c.op, c.subject_code) for c in feed} == {("UPSERT", person)}


async def test_the_cli_migrates_a_file_with_the_same_rules(tmp_path, db_url, world, identity_app,
                                                           records_app):
    from typer.testing import CliRunner

    from services.sanctions.cli import app, import_file

    person, company = await world.person(), await world.company()
    path = tmp_path / "listings.ndjson"
    path.write_bytes(ndjson(line("F-1", person), b"{oops", line("F-2", person_code()),
                            *(line(f"G-{i}", company, effectiveUntil=(
                                DECIDED + timedelta(days=100 + i)).isoformat())
                              for i in range(5))))
    kwargs = dict(identity_url="http://identity", records_url="http://records",
                  identity_transport=httpx.ASGITransport(app=identity_app),
                  records_transport=httpx.ASGITransport(app=records_app), chunk_size=3)
    result = await import_file(path, "SPC", db_url, **kwargs)
    assert [(r["line"], r["rule"]) for r in result["rejected"]] == [(2, "json"),
                                                                    (3, "unknown_subject")]
    assert (result["lines"], result["created"]) == (8, 6)
    again = await import_file(path, "SPC", db_url, **kwargs)
    assert (again["created"], again["unchanged"]) == (0, 6)
    assert "--agency" in CliRunner().invoke(app, ["import", "--help"]).output


async def test_set_based_writes_are_what_sync_index_and_follow_would_write(http, world,
                                                                            sanctions_app):
    """New listings are written by COPY; the kernel then finds nothing to change."""
    from sqlalchemy import text

    from libs.common.timeutil import now as clock
    from services.sanctions.decisionlog.chain import Journal
    from services.sanctions.listings.models import Listing
    from services.sanctions.listings.summary.service import follow
    from services.sanctions.listings.transitions import sync_index

    company, boss, person = await world.company(), await world.person(), await world.person()
    await world.role(company, boss, since=(DECIDED - timedelta(days=5)).isoformat())
    old = NOW - timedelta(days=700)
    await bulk(http, line("EQ-1", company), line("EQ-2", person),
               line("EQ-3", person, decidedAt=old.isoformat(), effectiveFrom=old.isoformat(),
                    effectiveUntil=(old + timedelta(days=300)).isoformat(),
                    legalBasis=doc(issued_on=old.date().isoformat())))

    async def snapshot(session) -> list:
        out = []
        for sql in ("SELECT * FROM sanctions.listing_facets ORDER BY listing_id",
                    "SELECT * FROM sanctions.listing_status_schedule ORDER BY listing_id, at",
                    "SELECT * FROM sanctions.listing_tally WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
                    "SELECT subject_code, purpose, measure_code, listing_id, effect, "
                    "via_organization, via_role, effective_from, effective_until "
                    "FROM sanctions.restrictions ORDER BY 1, 2, 3, 4"):
            out.append([tuple(r) for r in (await session.execute(text(sql))).all()])
        return out

    async with sanctions_app.state.sessionmaker() as session, session.begin():
        before = await snapshot(session)
        listings = (await session.execute(select(Listing).where(
            Listing.source_listing_id.in_(["EQ-1", "EQ-2", "EQ-3"])))).scalars().all()
        assert len(listings) == 3
        now = clock()
        journal = Journal()
        for listing in listings:
            assert await sync_index(session, listing, journal, now) == 0
            await follow(session, listing, now)
        assert journal.changes == []
        assert await snapshot(session) == before
        await session.rollback()


async def test_a_large_chunk_is_journalled_by_copy_and_the_chain_verifies(http, world,
                                                                          sanctions_app):
    from services.sanctions.decisionlog.chain import COPY_FROM, verify

    people = [await world.person() for _ in range(3)]
    lines = [line(f"BIG-{i}", people[i % 3]) for i in range(COPY_FROM + 10)]
    summary = await bulk(http, *lines)
    assert summary["created"] == COPY_FROM + 10, summary["rejected"][:3]
    async with sanctions_app.state.sessionmaker() as session:
        assert (await verify(session)).ok
        xids = (await session.execute(__import__("sqlalchemy").text(
            "SELECT count(DISTINCT xid), count(*) FROM sanctions.restriction_changes c "
            "JOIN sanctions.listings l ON l.id = c.listing_id "
            "WHERE l.source_listing_id LIKE 'BIG-%'"))).one()
    assert xids[0] == 1 and xids[1] >= COPY_FROM  # one chunk, one transaction
