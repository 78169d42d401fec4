"""The listing summary the dashboards count from: its SQL status equals `status_at`, and the
incremental facets, tally and schedule equal a rebuild and a direct count after decisions,
holds, lifts, repairs, extensions, the end of a publicity window and an expiry."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, text

from libs.common.timeutil import SHANGHAI
from services.sanctions.listings.models import Listing
from services.sanctions.listings.status import status_at
from services.sanctions.listings.summary.repository import rebuild
from services.sanctions.listings.summary.service import region_of
from services.sanctions.listings.summary.status_sql import status_sql
from tests.callers import SAMR, SPC
from tests.sanctions.factories import FILE_OBJECTION, LIFT, RESOLVE_OBJECTION, org_code

NRA = {"sub": "nra-official", "roles": ["authority"], "agency": "NRA"}
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def _listing(code: str, publicity: int, until: int | None, holds: list[tuple[int, int | None]],
             terminal: tuple[str, int] | None) -> Listing:
    """A listing whose instants are hours after T0."""
    at = (lambda h: T0 + h * H)
    return Listing(
        id=uuid.uuid4(), list_code="SPC_DISHONEST_DEBTORS", subject_code=code,
        subject_kind="ENTERPRISE", authority="SPC", decided_by="t", decided_at=T0,
        effective_from=T0, publicity_until=at(publicity),
        effective_until=at(until) if until is not None else None, objection_suspends=False,
        objection_channel="c", doc_number="n", doc_kind="k", doc_issued_on=date(2026, 11, 1),
        doc_authority="a", basis_record_ids=[code], basis_key=code, withdrawn_record_ids=[],
        holds=[{"kind": "OBJECTION", "ref": str(i), "from": at(f).isoformat(),
                "until": at(u).isoformat() if u is not None else None}
               for i, (f, u) in enumerate(holds)],
        terminal_status=terminal[0] if terminal else None,
        terminal_at=at(terminal[1]) if terminal else None, terminal_reason=None, extensions=0,
        version=1)


async def test_the_sql_status_is_status_at_for_every_shape_of_listing(sanctions_app):
    shapes = list(itertools.product(
        (0, 3),                                    # publicity ends at T0 or 3 h later
        (None, 6),                                 # open-ended or ends after 6 h
        ([], [(1, 2)], [(2, None)], [(1, 4), (5, None)]),  # holds
        (None, ("LIFTED", 4), ("REVOKED", 1), ("REPAIRED", 7))))  # ended by a decision
    listings = [_listing(org_code(9000 + i), *shape) for i, shape in enumerate(shapes)]
    instants = [T0 + k * H / 2 for k in range(-1, 17)]  # every boundary and between them
    async with sanctions_app.state.sessionmaker() as session, session.begin():
        session.add_all(listings)
        await session.flush()
        for at in instants:
            rows = dict((await session.execute(text(
                f"SELECT l.id, {status_sql('l', 'CAST(:at AS timestamptz)')} "
                "FROM sanctions.listings l"), {"at": at})).all())
            for listing in listings:
                assert rows[listing.id] == status_at(listing, at).value, (listing.holds, at)
        await session.rollback()


# ------------------------------------------------------------------------------------------


async def _effective_counts(session, at: datetime) -> Counter:
    """What the summary says at `at`: the tally plus the scheduled changes due by then."""
    rows = (await session.execute(text("""
        SELECT list_code, authority, province, subject_kind, decided_month, status, sum(n)
        FROM (SELECT list_code, authority, province, subject_kind, decided_month, status, n
              FROM sanctions.listing_tally
              UNION ALL
              SELECT f.list_code, f.authority, f.province, f.subject_kind, f.decided_month,
                     x.status, x.n
              FROM sanctions.listing_status_schedule s
              JOIN sanctions.listing_facets f ON f.listing_id = s.listing_id
              CROSS JOIN LATERAL (VALUES (s.from_status, -1), (s.to_status, 1)) AS x(status, n)
              WHERE s.at <= :at) AS parts
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0"""), {"at": at})).all()
    return Counter({tuple(r[:6]): int(r[6]) for r in rows})


async def _direct_counts(session, at: datetime) -> Counter:
    """The same counted from the listings themselves, with `status_at`."""
    counts: Counter = Counter()
    for listing in (await session.execute(select(Listing))).scalars():
        region = region_of(listing.subject_code, listing.subject_kind)
        month = listing.decided_at.astimezone(SHANGHAI).date().replace(day=1)
        counts[(listing.list_code, listing.authority, region[:2], listing.subject_kind, month,
                status_at(listing, at).value)] += 1
    return counts


async def _snapshot(session, at: datetime) -> dict:
    facets = (await session.execute(text(
        "SELECT listing_id, list_code, authority, subject_kind, region_code, province, "
        "decided_at, decided_month, publicity_until, effective_until, ended "
        "FROM sanctions.listing_facets ORDER BY listing_id"))).all()
    schedule = (await session.execute(text(
        "SELECT listing_id, at, from_status, to_status FROM sanctions.listing_status_schedule "
        "WHERE at > :at ORDER BY listing_id, at"), {"at": at})).all()
    return {"facets": facets, "schedule": schedule, "counts": await _effective_counts(session, at)}


async def _agrees_at(sanctions_app, at: datetime) -> Counter:
    """The summary equals a direct count at `at`, and a rebuild at `at` changes nothing."""
    async with sanctions_app.state.sessionmaker() as session, session.begin():
        incremental = await _snapshot(session, at)
        assert incremental["counts"] == await _direct_counts(session, at)
        await rebuild(session, at)
        rebuilt = await _snapshot(session, at)
        assert rebuilt == incremental
        await session.rollback()
    return incremental["counts"]


def _by_status(counts: Counter) -> Counter:
    out: Counter = Counter()
    for key, n in counts.items():
        out[key[5]] += n
    return out


APPLY = """mutation($i: ApplyForRepairInput!) { applyForRepair(input: $i) { id } }"""
DECIDE_REPAIR = """mutation($i: DecideRepairInput!) { decideRepair(input: $i) { id } }"""
EXTEND = """mutation($i: ExtendListingInput!) { extendListing(input: $i) { id } }"""


async def test_the_summary_equals_a_direct_count_through_every_kind_of_change(world, sanctions_app):
    now = datetime.now(timezone.utc)
    # An organisation on the court list (SPC), in force at once.
    company = await world.company()
    court = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                               SPC)
    # One that expires in three seconds, with nothing written when it does.
    brief_company = await world.company()
    brief = await world.decide("SPC_DISHONEST_DEBTORS", brief_company,
                               [await world.record(brief_company)], SPC,
                               effectiveUntil=datetime.now(timezone.utc) + timedelta(seconds=3))
    # A person on the railway list: 7 working days of publicity, then in force.
    person = await world.person()
    rail = await world.decide("RAILWAY_DISHONEST", person,
                              [await world.record(person, agency="NRA",
                                                  category="TRAVEL_MISCONDUCT")], NRA)
    # An objection in the publicity window holds the railway listing; dismissed, it is not.
    filed = await world.gql.execute(FILE_OBJECTION, {"input": {"listingId": rail["id"],
                                                               "grounds": "非本人"}}, as_=NRA)
    objection = filed["data"]["fileObjection"]
    assert objection["listing"]["status"] == "SUSPENDED", filed
    counts = await _agrees_at(sanctions_app, datetime.now(timezone.utc))
    assert _by_status(counts)["SUSPENDED"] == 1
    resolved = await world.gql.execute(RESOLVE_OBJECTION, {"input": {
        "objectionId": objection["id"], "outcome": "DISMISSED", "reason": "理由不成立"}}, as_=NRA)
    assert "errors" not in resolved, resolved
    # An abnormal-operations listing repaired, another lifted, the court listing extended.
    repaired_company = await world.company()
    abnormal = await world.decide("ABNORMAL_OPERATIONS", repaired_company,
                                  [await world.record(repaired_company, agency="SAMR",
                                                      category="ABNORMAL_OPERATION",
                                                      summary="无法联系")], SAMR)
    applied = await world.gql.execute(APPLY, {"i": {"listingId": abnormal["id"],
                                                    "statement": "已变更住所"}}, as_=SAMR)
    decided = await world.gql.execute(DECIDE_REPAIR, {"i": {
        "applicationId": applied["data"]["applyForRepair"]["id"], "approve": True}}, as_=SAMR)
    assert "errors" not in decided, decided
    lifted_company = await world.company()
    to_lift = await world.decide("SPC_DISHONEST_DEBTORS", lifted_company,
                                 [await world.record(lifted_company)], SPC)
    lifted = await world.gql.execute(LIFT, {"input": {"listingId": to_lift["id"],
                                                      "reason": "FULFILLED"}}, as_=SPC)
    assert "errors" not in lifted, lifted
    until = datetime.fromisoformat(court["effectiveUntil"])
    extended = await world.gql.execute(EXTEND, {"i": {
        "listingId": court["id"], "effectiveUntil": (until + timedelta(days=30)).isoformat()}},
        as_=SPC)
    assert "errors" not in extended, extended

    counts = _by_status(await _agrees_at(sanctions_app, datetime.now(timezone.utc)))
    assert counts == {"ACTIVE": 2, "PENDING": 1, "REPAIRED": 1, "LIFTED": 1}, counts
    # Time alone: the brief listing expires, nothing is written.
    expiry = datetime.fromisoformat(brief["effectiveUntil"])
    await asyncio.sleep(max(0.0, (expiry - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    counts = _by_status(await _agrees_at(sanctions_app, datetime.now(timezone.utc)))
    assert counts == {"ACTIVE": 1, "EXPIRED": 1, "PENDING": 1, "REPAIRED": 1, "LIFTED": 1}
    # ... and later the railway listing's publicity ends, then the court listing expires.
    publicity_end = datetime.fromisoformat(rail["publicityUntil"])
    counts = _by_status(await _agrees_at(sanctions_app, publicity_end))
    assert counts["PENDING"] == 0 and counts["ACTIVE"] == 2
    counts = _by_status(await _agrees_at(sanctions_app,
                                         datetime.fromisoformat(rail["effectiveUntil"])))
    assert counts["ACTIVE"] == 1 and counts["EXPIRED"] == 2
    counts = _by_status(await _agrees_at(sanctions_app, until + timedelta(days=1)))
    assert counts["ACTIVE"] == 1  # extended
    counts = _by_status(await _agrees_at(sanctions_app, until + timedelta(days=30)))
    assert counts["ACTIVE"] == 0 and counts["EXPIRED"] == 3
    assert now < publicity_end


async def test_compaction_folds_due_changes_into_the_tally_without_changing_a_count(
        world, sanctions_app):
    from services.sanctions.listings.summary.service import compact

    company = await world.company()
    await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC,
                       effectiveUntil=datetime.now(timezone.utc) + timedelta(seconds=1))
    await asyncio.sleep(1.2)
    at = datetime.now(timezone.utc)
    async with sanctions_app.state.sessionmaker() as session, session.begin():
        before = await _effective_counts(session, at)
        assert await compact(session, at) == 1
        assert await session.scalar(text(
            "SELECT count(*) FROM sanctions.listing_status_schedule WHERE at <= :at"),
            {"at": at}) == 0
        assert await _effective_counts(session, at) == before
        assert _by_status(before) == {"EXPIRED": 1}


async def test_the_migration_backfills_the_summary_of_listings_decided_before_it(
        world, sanctions_app, db_url):
    from libs.common import migrate

    person = await world.person()
    await world.decide("RAILWAY_DISHONEST", person,
                       [await world.record(person, agency="NRA", category="TRAVEL_MISCONDUCT")],
                       NRA)
    company = await world.company()
    await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    at = datetime.now(timezone.utc)
    async with sanctions_app.state.sessionmaker() as session:
        before = await _snapshot(session, at)
    await sanctions_app.state.engine.dispose()  # no connection of ours in the way
    await asyncio.to_thread(migrate.downgrade, db_url, "sanctions", "0003")
    await asyncio.to_thread(migrate.upgrade, db_url, ("sanctions",))
    async with sanctions_app.state.sessionmaker() as session:
        after = await _snapshot(session, at)
    assert after == before and sum(before["counts"].values()) == 2
