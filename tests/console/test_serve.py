"""The console server: the built app with its settings, and development sign-in only in development."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import jwt
import pytest

from libs.common.settings import DEV_JWT_SECRET
from services.identity.demo import FEATURED_COMPANY
from services.console.serve import ConsoleSettings, create_app

CATALOGUES = Path(__file__).resolve().parents[2] / "services/console/src/i18n"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("console.log('app')")
    (tmp_path / "index.html").write_text("<html><head><title>x</title></head><body></body></html>")
    return tmp_path


def client(settings: ConsoleSettings, dist: Path) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, dist)),
                             base_url="http://console.test")


@pytest.fixture
def settings(monkeypatch):
    """Console settings read from the environment, as the server reads them."""

    def make(**env: str) -> ConsoleSettings:
        for name, value in {"XINYONG_ENVIRONMENT": "development",
                            "XINYONG_JWT_SECRET": DEV_JWT_SECRET, **env}.items():
            monkeypatch.setenv(name, value)
        return ConsoleSettings()

    return make


async def test_development_sign_in_mints_a_token_with_the_role_and_agency_asked_for(dist, settings):
    async with client(settings(), dist) as c:
        r = await c.post("/dev/session", json={"role": "authority", "agency": "SPC", "sub": "wang"})
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["token"], DEV_JWT_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["roles"], claims["agency"]) == ("wang", ["authority"], "SPC")
    assert r.headers["cache-control"] == "no-store"


async def test_development_sign_in_as_a_subject_takes_its_normalised_code_as_sub(dist, settings):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in FEATURED_COMPANY.lower())
    async with client(settings(), dist) as c:
        r = await c.post("/dev/session", json={"role": "subject", "code": f" {wide[:6]} {wide[6:]}",
                                               "sub": "ignored", "agency": "SPC"})
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["token"], DEV_JWT_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["roles"], claims.get("agency")) == (FEATURED_COMPANY, ["subject"], None)


@pytest.mark.parametrize("body, field", [({"role": "consumer"}, "role"),
                                         ({"role": "authority"}, "agency"),
                                         ({"role": "authority", "agency": "NOPE"}, "agency"),
                                         ({"role": "subject"}, "code"),
                                         ({"role": "subject", "code": "91110105MA01DEM079"}, "code")])
async def test_development_sign_in_refuses_what_it_does_not_offer(dist, settings, body, field):
    async with client(settings(), dist) as c:
        r = await c.post("/dev/session", json=body)
    assert r.status_code == 400 and r.json()["error"]["field"] == field


async def test_development_sign_in_refuses_other_origins_and_form_posts(dist, settings):
    async with client(settings(), dist) as c:
        cross = await c.post("/dev/session", json={"role": "admin"},
                             headers={"origin": "http://evil.test"})
        form = await c.post("/dev/session", data={"role": "admin"})
    assert cross.status_code == 403
    assert form.status_code == 415


async def test_production_has_no_development_sign_in(dist, settings):
    prod = settings(XINYONG_ENVIRONMENT="production",
                    XINYONG_CONSOLE_OIDC_ISSUER="https://id.example.gov.cn/realms/xinyong",
                    XINYONG_CONSOLE_OIDC_CLIENT_ID="console")
    async with client(prod, dist) as c:
        r = await c.post("/dev/session", json={"role": "admin"})
        page = await c.get("/signin")
    assert r.status_code == 404 and "token" not in r.json()
    config = json.loads(re.search(r'<script id="xinyong-config" type="application/json">(.*?)</script>',
                                  page.text).group(1))
    assert config["devSignIn"] is False and config["devAgencies"] == []
    assert config["oidc"] == {"authority": "https://id.example.gov.cn/realms/xinyong",
                              "clientId": "console", "scope": "openid profile"}
    assert "https://id.example.gov.cn" in page.headers["content-security-policy"]


async def test_every_route_serves_the_app_with_its_settings_and_assets_as_files(dist, settings):
    s = settings(XINYONG_CONSOLE_GATEWAY_URL="http://127.0.0.1:4200/graphql")
    async with client(s, dist) as c:
        deep = await c.get("/subjects/91110105MA01DEM078")
        asset = await c.get("/assets/app.js")
        outside = await c.get("/../pyproject.toml")
    assert deep.status_code == 200 and '"gateway": "http://127.0.0.1:4200/graphql"' in deep.text
    assert deep.headers["cache-control"] == "no-store"
    csp = deep.headers["content-security-policy"]
    assert "connect-src 'self' http://127.0.0.1:4200" in csp and "frame-ancestors 'none'" in csp
    assert asset.text == "console.log('app')"
    assert "[project]" not in outside.text


async def test_settings_cannot_break_out_of_the_config_script(dist, settings):
    s = settings(XINYONG_CONSOLE_GATEWAY_URL="http://x/</script><script>alert(1)</script>")
    async with client(s, dist) as c:
        page = await c.get("/")
    assert "<script>alert(1)" not in page.text


def _keys(tree: dict, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in tree.items():
        out |= _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return out


def test_both_message_catalogues_have_the_same_messages():
    zh = _keys(json.loads((CATALOGUES / "zh-CN.json").read_text()))
    en = _keys(json.loads((CATALOGUES / "en.json").read_text()))
    assert zh - en == set() and en - zh == set()
