"""docker-compose.yml and the kustomize manifests, validated offline against their schemas.

infra/validate.mjs does the schema work (Compose Specification JSON schema, Kubernetes OpenAPI
schemas from kubernetes-models, a CloudNativePG Cluster schema); these tests run it, prove it
catches mistakes, and check what the files must say for this system.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from services.gateway import launcher

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"identity": 4001, "records": 4002, "sanctions": 4003}


def validate(root: Path | None = None) -> tuple[int, dict]:
    env = dict(os.environ)
    if root is not None:
        env["XINYONG_VALIDATE_ROOT"] = str(root)
    proc = subprocess.run([str(launcher.node_bin()), str(ROOT / "infra" / "validate.mjs")],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def report() -> dict:
    launcher.ensure_installed()
    code, result = validate()
    assert code == 0 and result["errors"] == [], result["errors"]
    return result


def _objects(report: dict, where: str = "infra/k8s/base") -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o for o in report["kustomizations"][where]}


def _env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value", "<ref>") for e in container.get("env", [])}


def test_manifests_and_compose_file_are_valid(report):
    assert report["compose"]["valid"] is True
    assert set(report["kustomizations"]) == {"infra/k8s/base", "infra/k8s/overlays/production"}


def test_validation_catches_mistakes(tmp_path, report):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "infra", tmp_path / "infra")
    base = tmp_path / "infra" / "k8s" / "base"
    (base / "gateway.yaml").write_text(
        (base / "gateway.yaml").read_text().replace("  replicas: 3", "  replica: 3", 1))
    (base / "identity.yaml").write_text(
        (base / "identity.yaml").read_text().replace("containerPort: 4001", 'containerPort: "4001x"'))
    (base / "postgres-cluster.yaml").write_text(
        (base / "postgres-cluster.yaml").read_text().replace("instances: 3", "instances: zero"))
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("interval: 5s", "interval: five", 1))
    code, result = validate(tmp_path)
    assert code == 1
    text = "\n".join(result["errors"])
    assert "unknown spec field replica" in text
    assert "containerPort must be integer" in text
    assert "Cluster/xinyong-db" in text and "instances" in text
    assert "docker-compose.yml/services/postgres/healthcheck/interval" in text


def test_compose_runs_everything_in_order(report):
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", *SERVICES, "gateway", "otel-collector", "jaeger"} <= set(services)
    assert services["postgres"]["healthcheck"]["test"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SERVICES:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["XINYONG_OTLP_ENDPOINT"].startswith("http://otel-collector")
    # XINYONG_<NAME>_URL is the gateway's subgraph URL; services call each other's internal REST.
    for name in ("records", "sanctions"):
        env = services[name]["environment"]
        assert env["XINYONG_IDENTITY_INTERNAL_URL"] == "http://identity:4001"
        assert "XINYONG_IDENTITY_URL" not in env
    gateway = services["gateway"]
    for name, port in SERVICES.items():
        assert gateway["depends_on"][name]["condition"] == "service_healthy"
        assert gateway["environment"][f"XINYONG_{name.upper()}_URL"] == f"http://{name}:{port}/graphql"
    assert (ROOT / "infra" / "compose" / "otel-collector.yaml").is_file()


def test_kubernetes_autoscales_every_service_and_the_gateway(report):
    objects = _objects(report)
    for name in [*SERVICES, "gateway"]:
        deployment = objects[("Deployment", name)]
        hpa = objects[("HorizontalPodAutoscaler", name)]
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                 "name": name}
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"] >= 2
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["readinessProbe"] and container["livenessProbe"]
        assert container["resources"]["requests"]["cpu"]  # HPA utilisation needs a request
        assert ("Service", name) in objects
        assert ("PodDisruptionBudget", name) in objects
    for name, port in SERVICES.items():
        container = objects[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0]
        assert container["ports"][0]["containerPort"] == port
        assert objects[("Service", name)]["spec"]["ports"][0]["port"] == port
    gateway_env = _env(objects[("Deployment", "gateway")]["spec"]["template"]["spec"]["containers"][0])
    for name, port in SERVICES.items():
        assert gateway_env[f"XINYONG_{name.upper()}_URL"] == f"http://{name}:{port}/graphql"
    assert gateway_env["XINYONG_ENVIRONMENT"] == "production"
    for name in ("records", "sanctions"):
        env = _env(objects[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0])
        assert env["XINYONG_IDENTITY_INTERNAL_URL"] == "http://identity:4001"


def test_cloudnativepg_cluster_has_replicas_and_sanctions_reads_from_them(report):
    objects = _objects(report)
    cluster = objects[("Cluster", "xinyong-db")]
    assert cluster["spec"]["instances"] >= 3  # a primary and at least two streaming replicas
    for name in SERVICES:
        env = _env(objects[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0])
        assert "@xinyong-db-rw:5432/" in env["XINYONG_DATABASE_URL"]
    sanctions = _env(objects[("Deployment", "sanctions")]["spec"]["template"]["spec"]["containers"][0])
    assert "@xinyong-db-ro:5432/" in sanctions["XINYONG_READ_DATABASE_URL"]
    job = objects[("Job", "xinyong-migrate")]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["xinyong", "migrate"]


def test_production_overlay_pins_images(report):
    objects = _objects(report, "infra/k8s/overlays/production")
    for (kind, _), obj in objects.items():
        if kind in ("Deployment", "Job"):
            for container in obj["spec"]["template"]["spec"]["containers"]:
                assert not container["image"].endswith(":latest"), container["image"]
    assert objects[("Cluster", "xinyong-db")]["spec"]["storage"]["size"] == "500Gi"
    assert all(o["metadata"].get("namespace") == "xinyong"
               for (kind, _), o in objects.items() if kind != "Namespace")
