"""Role subject: the token's `sub` is the subject's own code, and nothing else owns a file."""

from datetime import date

import jwt
import pytest
from typer.testing import CliRunner

from libs.common.auth import AccessRole, TokenVerifier, mint_token
from libs.common.errors import Forbidden, Unauthenticated
from libs.common.identifiers import make_ric, make_uscc
from libs.common.settings import CommonSettings
from xinyong.cli import app

SECRET = "subject-token-test-secret-0123456789abcdef"
PERSON = make_ric("110105", date(1980, 5, 17), 11)
COMPANY = make_uscc("9", "1", "110105", "MA01TEW0")
MISTYPED = PERSON[:-1] + ("1" if PERSON[-1] == "0" else "0")  # the check digit fails


def principal(sub: str, *roles: str):
    verifier = TokenVerifier(CommonSettings(jwt_secret=SECRET, environment="test"))
    return verifier.verify(mint_token(sub, list(roles), secret=SECRET))


@pytest.mark.parametrize("code", [PERSON, COMPANY], ids=["person", "organisation"])
def test_a_subject_token_owns_the_file_of_its_code_normalised(code):
    typed = f" {code[:6]} {code[6:].lower()}"  # as people type it
    p = principal(typed, "subject")
    assert p.own_code == code and p.sub == code
    assert p.subject_only and p.is_self(code)
    p.require_self(code)
    assert not p.is_self(COMPANY if code == PERSON else PERSON)
    with pytest.raises(Forbidden):
        p.require_self(COMPANY if code == PERSON else PERSON)


@pytest.mark.parametrize("sub", ["judge-wang", "123", MISTYPED],
                         ids=["account-name", "too-short", "wrong-check-digit"])
def test_a_subject_token_whose_sub_is_not_a_code_is_unauthenticated(sub):
    with pytest.raises(Unauthenticated) as refused:
        principal(sub, "subject")
    assert refused.value.details["rule"] in {"length", "check_character", "alphabet"}
    assert sub not in refused.value.message  # a code is personal data: never echoed


def test_another_roles_sub_that_spells_a_code_owns_nothing():
    for roles in (["consumer"], ["authority"], []):
        p = principal(PERSON, *roles)
        assert p.own_code is None and not p.is_self(PERSON) and not p.subject_only
        with pytest.raises(Forbidden):
            p.require_self(PERSON)


def test_a_subject_token_with_another_role_is_not_confined_to_the_subject_scope():
    p = principal(PERSON, "subject", "analyst")
    assert p.is_self(PERSON) and not p.subject_only
    assert p.has(AccessRole.ANALYST)


def test_the_cli_mints_a_subject_token_for_a_valid_code_only():
    runner = CliRunner()
    minted = runner.invoke(app, ["token", "--role", "subject", "--sub", PERSON.lower()])
    assert minted.exit_code == 0, minted.output
    claims = jwt.decode(minted.output.strip(), options={"verify_signature": False})
    assert claims["sub"] == PERSON and claims["roles"] == ["subject"]
    refused = runner.invoke(app, ["token", "--role", "subject", "--sub", "not-a-code"])
    assert refused.exit_code == 2
    assert "own code" in refused.output and "--sub" in refused.output
