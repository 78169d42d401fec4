"""One rule for a `Subject` reference's code in every subgraph: invalid is INVALID_CODE with the
rule that failed, masked is FORBIDDEN, valid but unknown resolves (null in identity, an empty file
elsewhere)."""

import pytest

from devtools.testing import error_codes
from libs.common.identifiers import mask_code
from tests.callers import ANALYST
from tests.sanctions.factories import org_code, person_code

SELECTIONS = {
    "identity": "... on Subject { code name }",
    "records": "... on Subject { code records { id } }",
    "sanctions": "... on Subject { code listings { id } }",
}


def entities(selection: str) -> str:
    return "query($r: [_Any!]!) { _entities(representations: $r) { %s } }" % selection


@pytest.fixture
def subgraphs(gql, identity_gql, records_gql):
    return {"identity": identity_gql, "records": records_gql, "sanctions": gql}


@pytest.mark.parametrize("service", ["identity", "records", "sanctions"])
async def test_an_invalid_code_is_invalid_code_with_its_rule(subgraphs, service):
    body = await subgraphs[service].execute(
        entities(SELECTIONS[service]), {"r": [{"__typename": "Subject", "code": "12345"}]},
        as_=ANALYST)
    assert error_codes(body) == ["INVALID_CODE"]
    assert body["errors"][0]["extensions"]["rule"] == "length"


@pytest.mark.parametrize("service", ["identity", "records", "sanctions"])
async def test_a_masked_code_is_forbidden(subgraphs, service):
    body = await subgraphs[service].execute(
        entities(SELECTIONS[service]),
        {"r": [{"__typename": "Subject", "code": mask_code(person_code(1))}]}, as_=ANALYST)
    assert error_codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("service,expected", [
    ("identity", None), ("records", {"records": []}), ("sanctions", {"listings": []})])
async def test_a_valid_unknown_code_resolves_to_nothing(subgraphs, service, expected):
    code = org_code(4242)
    body = await subgraphs[service].execute(
        entities(SELECTIONS[service]), {"r": [{"__typename": "Subject", "code": code}]},
        as_=ANALYST)
    assert "errors" not in body, body
    found = body["data"]["_entities"][0]
    assert found == (None if expected is None else {"code": code, **expected})
