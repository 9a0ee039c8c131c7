"""The Helm chart, offline: `helm lint --strict`, `helm template` with the default values and
with the example production values, `kubernetes-validate --strict` on the output, and checks
over the rendered manifests (probes, resources, secure context, labels, hooks, network
paths, no secrets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iims_common.testing import ROOT

CHART = ROOT / "deploy" / "helm" / "iims"
HELM = Path(os.environ.get("HELM", ROOT / ".venv" / "tools" / "helm"))
SERVICES = {"gateway", "registry", "training", "assessment", "audit"}
VALUES = {"default": [], "production": ["-f", str(CHART / "values-production-example.yaml")]}


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    assert HELM.exists(), f"helm not found at {HELM}: `make test` fetches it (make {HELM})"
    return subprocess.run([str(HELM), *args], capture_output=True, text=True)


def render(which: str) -> list[dict[str, Any]]:
    out = helm("template", "iims", str(CHART), *VALUES[which])
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


@pytest.mark.parametrize("which", sorted(VALUES))
def test_lint_template_and_validate(which: str, tmp_path: Path) -> None:
    lint = helm("lint", "--strict", str(CHART), *VALUES[which])
    assert lint.returncode == 0, lint.stdout + lint.stderr
    rendered = helm("template", "iims", str(CHART), *VALUES[which])
    assert rendered.returncode == 0, rendered.stderr
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(rendered.stdout)
    validate = subprocess.run(
        [
            str(Path(sys.executable).with_name("kubernetes-validate")),
            "--strict",
            "-k",
            "1.30.0",
            str(manifest),
        ],
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_a_typo_in_values_fails_at_install_time() -> None:
    for bad in ("services.gateway.replica=3", "kafka.bootstrapServer=x", "config.environment=prod"):
        out = helm("template", "iims", str(CHART), "--set", bad)
        assert out.returncode != 0, bad
        assert "schema" in out.stderr.lower(), out.stderr


@pytest.mark.parametrize("which", sorted(VALUES))
def test_deployments_are_probed_limited_and_locked_down(which: str) -> None:
    docs = render(which)
    deployments = {
        d["metadata"]["labels"]["app.kubernetes.io/component"]: d
        for d in docs
        if d["kind"] == "Deployment"
    }
    assert set(deployments) == SERVICES
    for name, d in deployments.items():
        labels = d["metadata"]["labels"]
        for key in (
            "app.kubernetes.io/name",
            "app.kubernetes.io/instance",
            "app.kubernetes.io/version",
            "app.kubernetes.io/managed-by",
            "helm.sh/chart",
        ):
            assert key in labels, (name, key)
        pod = d["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["topologySpreadConstraints"]
        [c] = pod["containers"]
        assert {"livenessProbe", "readinessProbe", "startupProbe"} <= set(c)
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["resources"]["requests"] and c["resources"]["limits"]
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        secret_refs = [e for e in c.get("env", []) if "valueFrom" in e]
        assert all("secretKeyRef" in e["valueFrom"] for e in secret_refs)
        assert not any(
            "value" in e and ("PASSWORD" in e["name"] or "SECRET" in e["name"])
            for e in c.get("env", [])
        )
    kinds = {d["kind"] for d in docs}
    assert "Secret" not in kinds  # credentials come from existing Secrets, never from values
    assert sum(1 for d in docs if d["kind"] == "PodDisruptionBudget") == len(SERVICES)
    if which == "production":
        hpas = [d for d in docs if d["kind"] == "HorizontalPodAutoscaler"]
        assert {h["apiVersion"] for h in hpas} == {"autoscaling/v2"} and len(hpas) == 2
        assert any(d["kind"] == "Ingress" and d["spec"]["tls"] for d in docs)


def test_migrations_and_topics_run_as_hooks_before_the_pods() -> None:
    docs = render("default")
    jobs = [d for d in docs if d["kind"] == "Job"]
    migrations = [j for j in jobs if j["metadata"]["name"].endswith("-migrate")]
    assert len(migrations) == len(SERVICES)
    for j in jobs:
        notes = j["metadata"]["annotations"]
        assert notes["helm.sh/hook"] == "pre-install,pre-upgrade"
    [config] = [d for d in docs if d["kind"] == "ConfigMap"]
    assert config["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(config["metadata"]["annotations"]["helm.sh/hook-weight"]) < min(
        int(j["metadata"]["annotations"]["helm.sh/hook-weight"]) for j in jobs
    )
    assert all(
        j["spec"]["template"]["spec"]["containers"][0]["command"] == ["alembic", "upgrade", "head"]
        for j in migrations
    )
    [topics] = [j for j in jobs if j["metadata"]["name"].endswith("-kafka-topics")]
    assert (
        "iims_common.events.topics"
        in topics["spec"]["template"]["spec"]["containers"][0]["command"]
    )
    # App pods never migrate: their command is the image's (uvicorn), no alembic anywhere.
    for d in docs:
        if d["kind"] == "Deployment":
            assert "command" not in d["spec"]["template"]["spec"]["containers"][0]


def test_network_policy_allows_exactly_the_intended_paths() -> None:
    policies = {
        d["metadata"]["name"].removeprefix("iims-"): d
        for d in render("default")
        if d["kind"] == "NetworkPolicy"
    }
    assert set(policies) == {"default-deny", "gateway", "services"}
    services = policies["services"]["spec"]
    [rule] = services["ingress"]
    [peer] = rule["from"]
    assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "gateway"
    assert "namespaceSelector" not in peer  # only the gateway of this release
    gateway = policies["gateway"]["spec"]
    [from_outside] = gateway["ingress"]
    assert list(from_outside["from"][0]) == ["namespaceSelector"]  # the ingress controller
    to_services = gateway["egress"][0]["to"][0]["podSelector"]["matchExpressions"][0]
    assert set(to_services["values"]) == SERVICES - {"gateway"}
    baseline = policies["default-deny"]["spec"]
    assert baseline["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in baseline
    ports = sorted(p["port"] for rule in baseline["egress"] for p in rule["ports"])
    assert ports == [53, 53, 5432, 9092]  # DNS, PostgreSQL, Kafka — nothing else


def test_grafana_dashboard_uses_metrics_the_services_export() -> None:
    import json
    import re

    dashboard = json.loads((ROOT / "deploy" / "grafana" / "iims-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {m for e in exprs for m in re.findall(r"\b(iims_[a-z_]+?)(?:_bucket|_total)?\{", e)}
    code = "".join(p.read_text() for p in ROOT.glob("*/*/*/**/*.py") if ".venv" not in p.parts)
    for metric in used:
        assert f'"{metric}' in code, f"{metric} is charted but no service exports it"
    assert len(dashboard["panels"]) >= 10
