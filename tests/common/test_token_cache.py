"""A verified token's principal is remembered, never past the token's expiry or a minute."""

import time

import jwt
import pytest

from libs.common import auth
from libs.common.auth import AccessRole, TokenVerifier, mint_token
from libs.common.errors import Unauthenticated
from libs.common.settings import CommonSettings

SECRET = "token-cache-test-secret-0123456789abcdef"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(auth.time, "time", c)
    return c


@pytest.fixture
def decodes(monkeypatch):
    calls = []
    real = jwt.decode

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(auth.jwt, "decode", counting)
    return calls


def verifier() -> TokenVerifier:
    return TokenVerifier(CommonSettings(jwt_secret=SECRET, environment="test"))


def test_the_same_token_is_verified_once_and_gives_the_same_principal(clock, decodes):
    v = verifier()
    token = mint_token("airline", ["consumer"], ["AIR_TRAVEL"], secret=SECRET)
    first, second = v.verify(token), v.verify(token)
    assert first is second and AccessRole.CONSUMER in first.roles
    assert len(decodes) == 1


def test_a_remembered_token_is_refused_once_it_expires():
    v = verifier()
    token = mint_token("airline", ["consumer"], ["AIR_TRAVEL"], secret=SECRET, ttl_seconds=2)
    v.verify(token)
    time.sleep(2.1)
    with pytest.raises(Unauthenticated, match="expired"):
        v.verify(token)


def test_a_remembered_token_is_verified_again_after_a_minute(clock, decodes):
    v = verifier()
    token = mint_token("airline", ["consumer"], ["AIR_TRAVEL"], secret=SECRET)
    v.verify(token)
    clock.now += TokenVerifier.CACHE_SECONDS + 1
    v.verify(token)
    assert len(decodes) == 2


def test_an_invalid_token_is_refused_every_time(clock, decodes):
    v = verifier()
    forged = mint_token("airline", ["admin"], secret="another-secret-0123456789abcdef-xyz")
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="invalid token"):
            v.verify(forged)
    assert len(decodes) == 2


def test_many_distinct_tokens_keep_the_cache_bounded(clock):
    v = verifier()
    for i in range(TokenVerifier.CACHE_SIZE + 10):
        v.verify(mint_token(f"consumer-{i}", ["consumer"], ["LENDING"], secret=SECRET))
    assert len(v._verified) <= TokenVerifier.CACHE_SIZE
