"""The console server: serves the built app and, in development only, mints sign-in tokens.

It holds no data and no session: the browser keeps the bearer token and talks to the gateway's
`/graphql` itself. The settings reach the app written into `index.html` (the gateway URL, the
identity provider, whether development sign-in exists).

Identity provider (production): set `XINYONG_CONSOLE_OIDC_ISSUER` and
`XINYONG_CONSOLE_OIDC_CLIENT_ID`; the console signs users in with the OpenID Connect
authorization-code flow with PKCE (oidc-client-ts) and sends the provider's access token as the
bearer token. The gateway must accept those tokens (`XINYONG_JWT_JWKS_URL` or
`XINYONG_JWT_PUBLIC_KEY`, issuer and audience), with the claims DESIGN.md names (`sub`,
`roles`, `agency`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from libs.common.auth import mint_token
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.settings import DEV_JWT_SECRET

DIST = Path(__file__).resolve().parent / "dist"
DEV_ROLES = ("authority", "analyst", "admin", "subject")
# The agencies of the demo catalogue (DESIGN.md), offered by the development sign-in.
DEV_AGENCIES = ("SPC", "STA", "SAMR", "MEM", "CAAC", "NRA", "GACC", "MOT", "NDRC", "PBOC")
DEV_TOKEN_TTL = 8 * 3600


class ConsoleSettings(BaseSettings):
    """`XINYONG_CONSOLE_*`, plus the shared `XINYONG_ENVIRONMENT` and `XINYONG_JWT_SECRET`."""

    model_config = SettingsConfigDict(env_prefix="XINYONG_CONSOLE_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=AliasChoices("XINYONG_ENVIRONMENT"))
    jwt_secret: str = Field(DEV_JWT_SECRET, validation_alias=AliasChoices("XINYONG_JWT_SECRET"))
    gateway_url: str = "http://127.0.0.1:4000/graphql"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_scope: str = "openid profile"

    @property
    def dev_sign_in(self) -> bool:
        return self.environment != "production"


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def _client_config(settings: ConsoleSettings) -> dict:
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = {"authority": settings.oidc_issuer, "clientId": settings.oidc_client_id,
                "scope": settings.oidc_scope}
    return {"gateway": settings.gateway_url, "environment": settings.environment,
            "devSignIn": settings.dev_sign_in,
            "devAgencies": list(DEV_AGENCIES) if settings.dev_sign_in else [], "oidc": oidc}


def _security_headers(settings: ConsoleSettings) -> dict[str, str]:
    connect = ["'self'", _origin(settings.gateway_url)]
    if settings.oidc_issuer:
        connect.append(_origin(settings.oidc_issuer))
    # Observable Plot and React set style attributes, hence 'unsafe-inline' for styles only.
    csp = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; connect-src " + " ".join(connect) + "; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    return {"content-security-policy": csp, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer", "x-frame-options": "DENY"}


def create_app(settings: ConsoleSettings | None = None, dist: Path = DIST) -> Starlette:
    """The console's ASGI app, serving `dist` (built by services.console.build)."""
    settings = settings or ConsoleSettings()
    headers = _security_headers(settings)
    # JSON inside <script>: escaped so no value can close the element (the app parses it back).
    config_json = (json.dumps(_client_config(settings)).replace("<", "\\u003c")
                   .replace(">", "\\u003e").replace("&", "\\u0026"))
    config_tag = f'<script id="xinyong-config" type="application/json">{config_json}</script>'

    def index_html() -> str:
        page = (dist / "index.html").read_text(encoding="utf-8")
        return page.replace("</head>", config_tag + "</head>", 1)

    async def spa(request: Request) -> Response:
        if not (dist / "index.html").is_file():
            return HTMLResponse("<h1>The console is not built</h1><p>Run "
                                "<code>python -m services.console.build</code>.</p>", 503)
        name = request.path_params.get("path", "")
        candidate = (dist / name).resolve()
        if name and candidate.is_file() and candidate.is_relative_to(dist.resolve()) \
                and not name.startswith("."):
            return FileResponse(candidate, headers=headers)
        return HTMLResponse(index_html(), headers={**headers, "cache-control": "no-store"})

    async def dev_session(request: Request) -> Response:
        if not settings.dev_sign_in:
            return JSONResponse({"error": {"code": "NOT_FOUND", "message":
                                           "development sign-in is off in production; sign in "
                                           "with the identity provider"}}, 404)
        # Same-origin JSON only: a page elsewhere cannot obtain a token through the browser.
        origin = request.headers.get("origin")
        if origin and origin != _origin(str(request.base_url)):
            return JSONResponse({"error": {"code": "FORBIDDEN", "message": "cross-origin"}}, 403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"error": {"code": "BAD_REQUEST",
                                           "message": "send application/json"}}, 415)
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse({"error": {"code": "BAD_REQUEST", "message": "a JSON object"}}, 400)
        role, agency, sub = body.get("role"), body.get("agency"), body.get("sub")
        if role not in DEV_ROLES:
            return JSONResponse({"error": {"code": "BAD_REQUEST", "field": "role",
                                           "message": f"role must be one of {', '.join(DEV_ROLES)}"}}, 400)
        if role == "authority" and agency not in DEV_AGENCIES:
            return JSONResponse({"error": {"code": "BAD_REQUEST", "field": "agency",
                                           "message": "an official needs an agency"}}, 400)
        if role == "subject":
            # A subject signs in as its own code (API.md, "The subject's own view"): the token's
            # sub is the code as the API stores it, so normalised and validated here.
            code = body.get("code")
            try:
                sub = parse_code(code if isinstance(code, str) else "").code
            except InvalidCode as exc:
                return JSONResponse({"error": {"code": "INVALID_CODE", "field": "code",
                                               "message": exc.message}}, 400)
        else:
            sub = (sub or "").strip() if isinstance(sub, str) else ""
            sub = sub[:64] or f"dev-{role}" + (f"-{agency.lower()}" if role == "authority" else "")
        token = mint_token(sub, [role], [], agency if role == "authority" else None,
                           secret=settings.jwt_secret, ttl_seconds=DEV_TOKEN_TTL)
        return JSONResponse({"token": token}, headers={"cache-control": "no-store"})

    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True, "built": (dist / "index.html").is_file()})

    routes = [
        Route("/healthz", healthz),
        Route("/dev/session", dev_session, methods=["POST"]),
        Route("/{path:path}", spa, methods=["GET", "HEAD"]),
    ]
    if (dist / "assets").is_dir():
        routes.insert(0, Mount("/assets", StaticFiles(directory=dist / "assets"), name="assets"))
    return Starlette(routes=routes)


def console_port(gateway_port: int) -> int:
    """The console listens four ports after the gateway (its services take the three between)."""
    return gateway_port + 4


def console_env(gateway_url: str, host: str, port: int, base: dict[str, str]) -> dict[str, str]:
    """Environment for a console server process talking to the gateway at `gateway_url`."""
    return dict(base, XINYONG_CONSOLE_GATEWAY_URL=gateway_url,
                XINYONG_CONSOLE_HOST=host, XINYONG_CONSOLE_PORT=str(port))


def console_origins(port: int) -> str:
    """The origins the gateway's CORS allow-list must name for a console on `port`."""
    return f"http://127.0.0.1:{port},http://localhost:{port}"


def start(host: str, port: int, gateway_url: str, env: dict[str, str], log) -> subprocess.Popen:
    """Build the console if its sources changed, then start its server (uvicorn) on host:port."""
    from services.console.build import ensure_built
    from services.gateway import launcher

    ensure_built()
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.console.serve:create_app", "--factory",
         "--host", host, "--port", str(port), "--no-access-log"],
        env=console_env(gateway_url, host, port, env), stdout=log, stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2], preexec_fn=launcher._death_signal_preexec())
