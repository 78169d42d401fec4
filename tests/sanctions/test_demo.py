"""The demo loader decides its listings through identity and records, once."""

import httpx

from libs.common.db import create_engine, make_sessionmaker
from libs.common.identifiers import mask_code
from services.identity import demo as identity_demo
from services.identity.demo import FEATURED_COMPANY, FEATURED_PERSON
from services.sanctions import demo
from services.sanctions.config import SanctionsSettings
from tests.callers import AIRLINE


async def test_demo_listings_are_loaded_once_and_reach_the_featured_person(world, db_url,
                                                                          identity_app,
                                                                          records_app):
    engine = create_engine(SanctionsSettings(database_url=db_url))
    try:
        sessionmaker = make_sessionmaker(engine)
        await identity_demo.load(sessionmaker)
        # As the records demo does: a court record on the featured company, used as the basis.
        court_record = await world.record(FEATURED_COMPANY, category="UNFULFILLED_OBLIGATION")
        transports = {"identity": httpx.ASGITransport(app=identity_app),
                      "records": httpx.ASGITransport(app=records_app)}
        first = await demo.load(sessionmaker, {}, transports=transports)
        assert first == {"decided": ["SPC_DISHONEST_DEBTORS", "TAX_A_GRADE", "RAILWAY_DISHONEST"],
                         "existing": []}
        second = await demo.load(sessionmaker, {}, transports=transports)
        assert second["decided"] == [] and len(second["existing"]) == 3
    finally:
        await engine.dispose()
    assert (await world.check(FEATURED_COMPANY, "AIR_TRAVEL", AIRLINE))["status"] == "RESTRICTED"
    restricted = await world.check(FEATURED_COMPANY, "AIR_TRAVEL", AIRLINE)
    listing = await world.listing(restricted["restrictions"][0]["listing"]["id"])
    assert listing["basisRecordIds"] == [court_record]
    person = await world.check(FEATURED_PERSON, "AIR_TRAVEL", AIRLINE)
    assert person["status"] == "RESTRICTED" and person["code"] == mask_code(FEATURED_PERSON)
    assert person["restrictions"][0]["via"] == {"organizationCode": FEATURED_COMPANY,
                                                "role": "LEGAL_REPRESENTATIVE"}
