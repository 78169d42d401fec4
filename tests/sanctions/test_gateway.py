"""Through the real gateway: identity and sanctions (and records for basis records) as uvicorn
processes, Hive Gateway with the Rust planner in front; `Subject.listings` joins across."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from devtools.localnet import free_port, wait_http
from libs.common.auth import mint_token
from libs.common.identifiers import mask_code
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER
from services.gateway import launcher
from services.gateway.sdl import export_sdl
from services.gateway.subgraphs import Subgraph
from tests.sanctions.factories import doc, org_code, person_code

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))




@pytest.fixture(scope="module")
async def stack(pg_server, tmp_path_factory):
    try:
        launcher.node_bin()
    except launcher.GatewayError as exc:
        pytest.skip(f"Node.js is not available: {exc}")
    launcher.ensure_installed()
    db = await pg_server.fresh_database()
    ports = {name: free_port() for name in ("identity", "records", "sanctions", "gateway")}
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    common = dict(os.environ, XINYONG_DATABASE_URL=db, XINYONG_ENVIRONMENT="test",
                  XINYONG_LOG_LEVEL="WARNING")
    envs = {
        "identity": common,
        "records": dict(common, XINYONG_IDENTITY_INTERNAL_URL=base["identity"]),
        "sanctions": dict(common, XINYONG_IDENTITY_INTERNAL_URL=base["identity"],
                          XINYONG_RECORDS_INTERNAL_URL=base["records"],
                          XINYONG_RECORDS_EVENTS_POLL_SECONDS="0"),
    }
    procs = []
    work = tmp_path_factory.mktemp("sanctions-gateway")
    try:
        for name, env in envs.items():
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"services.{name}.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(ports[name]), "--no-access-log",
                 "--log-level", "warning"], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for name, proc in zip(envs, procs):
            wait_http(f"{base[name]}/readyz", 60, proc, interval=0.1)
        # Records too: sanctions contributes fields to its RecordObjection, so it composes only
        # beside it (no query here reaches records through the gateway).
        export_sdl(work / "subgraphs", [
            Subgraph(name, f"services.{name}.schema:schema", "http://127.0.0.1:9/graphql")
            for name in ("identity", "records", "sanctions")])
        composed = launcher.run_compose(work / "subgraphs", work / "supergraph.graphql")
        assert composed.returncode == 0, composed.stderr
        env = launcher.gateway_env(dict(
            os.environ, XINYONG_IDENTITY_URL=f"{base['identity']}/graphql",
            XINYONG_SANCTIONS_URL=f"{base['sanctions']}/graphql",
            XINYONG_GATEWAY_HOST="127.0.0.1", XINYONG_GATEWAY_PORT=str(ports["gateway"]),
            XINYONG_ENVIRONMENT="test", NO_COLOR="1"))
        with open(work / "gateway.log", "wb") as log:
            gateway = launcher.start(supergraph=work / "supergraph.graphql", env=env, stdout=log,
                                     stderr=log)
        procs.append(gateway)
        launcher.wait_ready(f"{base['gateway']}/graphql", timeout=90, process=gateway)
        yield base
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        await pg_server.drop(db)


def gql(url: str, query: str, variables: dict | None = None, *, as_: dict,
        direct: bool = False) -> dict:
    token = mint_token(as_.get("sub", "tester"), as_.get("roles", []), as_.get("purposes", []),
                       as_.get("agency"), secret=DEV_JWT_SECRET)
    headers = {"authorization": f"Bearer {token}"}
    if direct:
        headers[GATEWAY_SECRET_HEADER] = DEV_GATEWAY_SECRET
    r = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables or {}},
                   headers=headers, timeout=20)
    return r.json()


async def test_a_listing_decided_through_the_gateway_shows_on_the_subject_and_in_checks(stack):
    company, boss = org_code(880001), person_code(881)
    admin = {"roles": ["admin"]}
    for code, kind in ((company, "ENTERPRISE"), (boss, "NATURAL_PERSON")):
        body = gql(stack["gateway"], "mutation($i: RegisterSubjectInput!) { registerSubject(input: "
                   "$i) { code } }", {"i": {"code": code, "kind": kind, "name": "网关测试"}}, as_=admin)
        assert "errors" not in body, body
    body = gql(stack["gateway"], "mutation($i: AssignRoleInput!) { assignRole(input: $i) { id } }",
               {"i": {"organizationCode": company, "personCode": boss,
                      "role": "LEGAL_REPRESENTATIVE", "since": "2020-01-01T00:00:00+08:00"}},
               as_=admin)
    assert "errors" not in body, body
    spc = {"roles": ["authority"], "agency": "SPC"}
    body = gql(stack["records"], """mutation($i: [RecordInput!]!) { submitRecords(input: $i) {
                 accepted { id } } }""", {"i": [{
        "sourceRecordId": "gw-1", "subjectCode": company, "category": "JUDGMENT",
        "summary": "拒不履行", "legalBasis": doc(), "occurredOn": "2026-10-08"}]},
        as_=spc, direct=True)
    record = body["data"]["submitRecords"]["accepted"][0]["id"]
    body = gql(stack["gateway"], """mutation($i: DecideListingInput!) {
        decideListing(input: $i) { id status } }""", {"i": {
        "listCode": "SPC_DISHONEST_DEBTORS", "subjectCode": company, "basisRecordIds": [record],
        "legalBasis": doc()}}, as_=spc)
    assert body["data"]["decideListing"]["status"] == "ACTIVE", body

    airline = {"roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
    body = gql(stack["gateway"], """query($c: ID!) { subject(code: $c) {
        name kind listings { status list { code } } } }""", {"c": company}, as_=airline)
    assert body["data"]["subject"] == {"name": "网关测试", "kind": "ENTERPRISE", "listings": [
        {"status": "ACTIVE", "list": {"code": "SPC_DISHONEST_DEBTORS"}}]}, body
    body = gql(stack["gateway"], """query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) {
        code status restrictions { via { organizationCode role } } } }""", {"c": boss},
        as_=airline)
    assert body["data"]["check"] == {"code": mask_code(boss), "status": "RESTRICTED",
                                     "restrictions": [{"via": {"organizationCode": company,
                                                               "role": "LEGAL_REPRESENTATIVE"}}]}

    # Asked for by its code, the person is answered with that code in clear (it reveals nothing),
    # so the gateway can join the listings reaching it by that key.
    body = gql(stack["gateway"], "query($c: ID!) { subject(code: $c) { code "
               "listings(includeDerived: true) { id } } }", {"c": boss}, as_=airline)
    assert "errors" not in body, body
    assert body["data"]["subject"]["code"] == boss and len(body["data"]["subject"]["listings"]) == 1
    body = gql(stack["gateway"], "query($c: ID!) { subject(code: $c) { code "
               "listings(includeDerived: true) { id } } }", {"c": boss}, as_={"roles": ["analyst"]})
    assert body["data"]["subject"]["code"] == boss and len(body["data"]["subject"]["listings"]) == 1
