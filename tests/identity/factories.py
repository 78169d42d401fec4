"""Small factories for valid codes and registered subjects."""

from datetime import date

from libs.common.identifiers import make_ric, make_uscc


def org_code(n: int, *, authority: str = "9", category: str = "1", region: str = "110105") -> str:
    """A valid USCC whose organisation-code body encodes `n`."""
    return make_uscc(authority, category, region, f"{n:08d}")


def person_code(n: int, *, region: str = "110105", born: date = date(1980, 5, 17)) -> str:
    """A valid resident identity number; `n` picks the sequence."""
    return make_ric(region, born, n % 1000)


REGISTER = """
mutation($input: RegisterSubjectInput!) {
  registerSubject(input: $input) { code kind name region { code name } organizationCode }
}"""


async def create_subject(gql, code: str, kind: str = "ENTERPRISE", name: str = "测试有限公司",
                         **extra) -> dict:
    body = await gql.execute(REGISTER, {"input": {"code": code, "kind": kind, "name": name, **extra}},
                             as_={"roles": ["admin"]})
    assert "errors" not in body, body
    return body["data"]["registerSubject"]
