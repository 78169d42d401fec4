"""check and screen: codes, masking, limits; analysts asking who checked a subject."""

import base64
import uuid
from datetime import UTC, datetime

from devtools.testing import error_codes
from libs.common.identifiers import mask_code
from tests.callers import AIRLINE, ANALYST, SPC
from tests.sanctions.factories import person_code

SCREEN = """query($codes: [ID!]!, $p: Purpose!) {
  screen(codes: $codes, purpose: $p) {
    checked invalid { code reason }
    restricted { code status inputIndex reference restrictions { measure { code } via { role } } }
  }
}"""
WHO = """query($c: ID!, $after: String, $first: Int) {
  checksOfSubject(code: $c, first: $first, after: $after) {
    entries { reference consumer operation purpose outcome } endCursor hasMore
  }
}"""


async def test_check_normalises_the_code_and_an_invalid_code_is_an_error(world):
    company = await world.company()
    await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    spaced = " " + company[:6].lower() + " " + company[6:] + "\u3000"
    check = await world.check(spaced, "AIR_TRAVEL", AIRLINE)
    assert check["code"] == company and check["status"] == "RESTRICTED"
    body = await world.gql.execute(
        "query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status } }",
        {"c": company[:-1] + "I"}, as_=AIRLINE)
    assert error_codes(body) == ["INVALID_CODE"]
    body = await world.gql.execute(
        "query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status } }", {"c": company})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_a_clear_check_of_an_unlisted_person_is_masked_for_consumers_not_analysts(world):
    code = person_code(4242)
    consumer = await world.check(code, "AIR_TRAVEL", AIRLINE)
    assert consumer["status"] == "CLEAR" and consumer["code"] == mask_code(code)
    assert consumer["restrictions"] == [] and consumer["incentives"] == []
    analyst = await world.check(code, "AIR_TRAVEL", ANALYST)
    assert analyst["code"] == code


async def test_screen_returns_only_restricted_and_invalid_codes(world):
    listed, clean = await world.company(), await world.company()
    boss = await world.person()
    await world.role(listed, boss)
    await world.decide("SPC_DISHONEST_DEBTORS", listed, [await world.record(listed)], SPC)
    codes = [clean, listed, "12345", boss, listed]
    body = await world.gql.execute(SCREEN, {"codes": codes, "p": "AIR_TRAVEL"}, as_=AIRLINE)
    assert "errors" not in body, body
    screening = body["data"]["screen"]
    assert screening["checked"] == 5
    assert [(c["code"], c["inputIndex"]) for c in screening["restricted"]] == [
        (listed, 1), (mask_code(boss), 3)]
    assert screening["restricted"][1]["restrictions"][0]["via"] == {"role": "LEGAL_REPRESENTATIVE"}
    assert screening["invalid"] == [{"code": "12345", "reason": screening["invalid"][0]["reason"]}]
    assert screening["invalid"][0]["reason"].startswith("length")


async def test_screen_beyond_ten_thousand_codes_is_limit_exceeded(world):
    codes = [person_code(i) for i in range(10_001)]
    body = await world.gql.execute(SCREEN, {"codes": codes, "p": "AIR_TRAVEL"}, as_=AIRLINE)
    assert error_codes(body) == ["LIMIT_EXCEEDED"]
    body = await world.gql.execute(SCREEN, {"codes": codes[:10_000], "p": "AIR_TRAVEL"},
                                   as_=AIRLINE)
    assert "errors" not in body and body["data"]["screen"]["checked"] == 10_000


async def test_analysts_can_ask_who_checked_a_subject_and_consumers_cannot(world):
    company = await world.company()
    first = await world.check(company, "AIR_TRAVEL", AIRLINE)
    await world.check(company, "RAIL_TRAVEL", {"sub": "12306", "roles": ["consumer"],
                                               "purposes": ["RAIL_TRAVEL"]})
    await world.gql.execute(SCREEN, {"codes": [company], "p": "AIR_TRAVEL"}, as_=AIRLINE)
    body = await world.gql.execute(WHO, {"c": company, "first": 2}, as_=ANALYST)
    assert "errors" not in body, body
    page = body["data"]["checksOfSubject"]
    assert page["hasMore"] is True and len(page["entries"]) == 2
    body = await world.gql.execute(WHO, {"c": company, "first": 2, "after": page["endCursor"]},
                                   as_=ANALYST)
    rest = body["data"]["checksOfSubject"]
    entries = page["entries"] + rest["entries"]
    assert {(e["consumer"], e["operation"], e["purpose"]) for e in entries} == {
        ("china-eastern", "CHECK", "AIR_TRAVEL"), ("12306", "CHECK", "RAIL_TRAVEL"),
        ("china-eastern", "SCREEN", "AIR_TRAVEL")}
    assert first["reference"] in {e["reference"] for e in entries}
    refused = await world.gql.execute(WHO, {"c": company}, as_=AIRLINE)
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_the_depth_and_alias_limits_still_apply_with_cached_validation(world):
    aliases = " ".join(f"a{i}: __typename" for i in range(31))
    body = await world.gql.execute("{ %s }" % aliases, as_=AIRLINE)
    assert body.get("errors") and body.get("data") is None
    nested = "objections { listing { " * 6 + "id" + " } }" * 6
    deep = ("query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { restrictions { listing { "
            + nested + " } } } }")
    body = await world.gql.execute(deep, {"c": person_code(1)}, as_=AIRLINE)
    assert body.get("errors") and "depth" in body["errors"][0]["message"]
    for _ in range(2):  # cached: the same answer again
        ok = await world.gql.execute("{ __typename }", as_=AIRLINE)
        assert ok == {"data": {"__typename": "Query"}}


async def test_checks_are_counted_by_purpose_and_outcome(world, monkeypatch):
    """Every answered check adds to the xinyong.check.outcomes counter."""
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from libs.common import telemetry

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    monkeypatch.setattr(metrics, "get_meter_provider", lambda: provider)
    monkeypatch.setattr(metrics, "get_meter", lambda *a, **k: provider.get_meter(*a, **k))
    monkeypatch.setattr(telemetry, "_outcomes", None)
    company = await world.company()
    await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    await world.check(company, "AIR_TRAVEL", AIRLINE)
    await world.check(await world.company(), "AIR_TRAVEL", AIRLINE)
    points = [p for rm in reader.get_metrics_data().resource_metrics for sm in rm.scope_metrics
              for m in sm.metrics if m.name == "xinyong.check.outcomes"
              for p in m.data.data_points]
    assert sorted((p.attributes["purpose"], p.attributes["outcome"], p.value) for p in points) == [
        ("AIR_TRAVEL", "CLEAR", 1), ("AIR_TRAVEL", "RESTRICTED", 1)]


async def test_a_cursor_that_is_not_a_time_and_an_entry_id_is_bad_request_on_after(world):
    """Not ours: a forged cursor with a non-uuid id, an empty one, a naive time, garbage."""

    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode()

    company = await world.company()
    await world.check(company, "AIR_TRAVEL", AIRLINE)
    now = datetime.now(UTC)
    for after in (b64(f"{now.isoformat()}|not-a-uuid"), b64(f"{now.isoformat()}|1 OR 1=1"), "",
                  b64(f"{now.replace(tzinfo=None).isoformat()}|{uuid.uuid4()}"),
                  b64(f"yesterday|{uuid.uuid4()}"), b64("no separator"), "%%% garbage %%%",
                  "AAAA", "\u4fe1\u7528"):
        body = await world.gql.execute(WHO, {"c": company, "after": after}, as_=ANALYST)
        assert error_codes(body) == ["BAD_REQUEST"], (after, body)
        assert body["errors"][0]["extensions"]["field"] == "after", (after, body)
    ours = b64(f"{now.isoformat()}|{uuid.uuid4()}")
    body = await world.gql.execute(WHO, {"c": company, "after": ours}, as_=ANALYST)
    assert "errors" not in body, body
    assert [e["consumer"] for e in body["data"]["checksOfSubject"]["entries"]] == ["china-eastern"]
