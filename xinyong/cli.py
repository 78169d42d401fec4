"""The `xinyong` command."""

from __future__ import annotations

import os

import typer

from services.identity.cli import app as identity_app
from services.records.cli import app as records_app
from services.sanctions.cli import app as sanctions_app

app = typer.Typer(help="Xinyong: credit-restriction backend tools.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(identity_app, name="identity")
app.add_typer(records_app, name="records")
app.add_typer(sanctions_app, name="sanctions")


@app.command()
def token(
    sub: str = typer.Option(..., help="who the token is for (consumer or official); for role "
                                      "subject, the subject's own USCC or resident number"),
    role: list[str] = typer.Option(..., help="consumer, authority, analyst, admin or subject; "
                                             "repeatable"),
    purpose: list[str] = typer.Option([], help="purpose a consumer may check; repeatable"),
    agency: str = typer.Option("", help="authority code an official acts for, e.g. SPC"),
    ttl: int = typer.Option(12 * 3600, help="lifetime in seconds"),
) -> None:
    """Print a development token signed with the HS256 key (XINYONG_JWT_SECRET)."""
    from libs.common.auth import AccessRole, Purpose, mint_token
    from libs.common.settings import DEV_JWT_SECRET

    for r in role:
        if r not in {x.value for x in AccessRole}:
            raise typer.BadParameter(f"unknown role {r!r}; use one of "
                                     + ", ".join(x.value for x in AccessRole), param_hint="--role")
    for p in purpose:
        if p not in {x.value for x in Purpose}:
            raise typer.BadParameter(f"unknown purpose {p!r}; use one of "
                                     + ", ".join(x.value for x in Purpose), param_hint="--purpose")
    if AccessRole.SUBJECT.value in role:
        from libs.common.identifiers import InvalidCode, parse_code

        try:  # the services refuse such a token (UNAUTHENTICATED); say so before minting it
            sub = parse_code(sub).code
        except InvalidCode as exc:
            raise typer.BadParameter(f"a subject token's sub is the subject's own code (USCC or "
                                     f"resident identity number): {exc.message}",
                                     param_hint="--sub") from None
    secret = os.environ.get("XINYONG_JWT_SECRET", DEV_JWT_SECRET)
    typer.echo(mint_token(sub, role, purpose, agency or None, secret=secret, ttl_seconds=ttl))


@app.command()
def migrate(
    service: list[str] = typer.Option([], help="identity, records or sanctions; default all"),
    database_url: str = typer.Option(..., envvar=["XINYONG_DATABASE_URL", "DATABASE_URL"]),
) -> None:
    """Run the services' migrations to head."""
    from libs.common import migrate as m

    m.upgrade(database_url, tuple(service) or m.SERVICES)
    typer.echo("migrations at head")


@app.command()
def run(
    port: int = typer.Option(4000, envvar="XINYONG_GATEWAY_PORT", help="gateway port"),
    demo: bool = typer.Option(True, help="load demo data on first start"),
) -> None:
    """Start PostgreSQL (embedded unless DATABASE_URL is set), the services and the gateway."""
    from devtools.run import main as run_main

    raise typer.Exit(run_main(gateway_port=port, load_demo=demo))


@app.command("load-demo")
def load_demo(
    database_url: str = typer.Option(..., envvar=["XINYONG_DATABASE_URL", "DATABASE_URL"]),
) -> None:
    """Load the demo data set (idempotent)."""
    import asyncio

    from xinyong.demo import load

    typer.echo(asyncio.run(load(database_url)))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
