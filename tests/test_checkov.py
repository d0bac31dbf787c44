"""checkov's Kubernetes checks over every rendered environment.

checkov lives in its own venv (.venv-checkov: it pins packaging==23.2, which
pytest 9 cannot share); the test is skipped where that venv is missing.
Checks that do not apply are skipped in .checkov.yaml, each with its reason.
What remains must pass, except the per-object exceptions below, each with
its reason. An exception that no longer fails is reported too, so the list
cannot silently outlive what it excuses.
"""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import ENVS, REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
CONFIG = REPO / ".checkov.yaml"

# (check, "Kind.namespace.name") -> why this object may fail it.
ACCEPTED = {
    ("CKV_K8S_23", "DaemonSet.kube-system.fluent-bit"):
        "reads the node's /var/log (root-owned) through hostPath; kube-system is privileged",
    ("CKV_K8S_40", "DaemonSet.kube-system.fluent-bit"): "runs as root for the same reason",
    ("CKV_K8S_38", "DaemonSet.kube-system.fluent-bit"): "its kubernetes filter reads pod metadata from the API",
    ("CKV_K8S_38", "Deployment.bdk.book-controller"): "a controller: watches and writes its resources via the API",
    ("CKV_K8S_38", "Deployment.llm.llm-services-controller"): "a controller: watches its resources via the API",
    ("CKV_K8S_38", "StatefulSet.vault.vault"): "Vault's Kubernetes auth calls TokenReview",
    ("CKV_K8S_38", "Deployment.bifrost.bifrost"): "tailscale keeps its node state in a Secret via the API",
    ("CKV_K8S_38", "Deployment.jeeves.jeeves-run-manager"):
        "the spec's jeeves-role: Jeeves reads its config, its secrets and its run pods via the API",
    ("CKV_K8S_38", "Job.kube-system.voyager-dr-verify"):
        "the post-sync check lists Deployments via the API (get/list deployments only)",
}


def run_checkov(directory) -> dict:
    proc = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--config-file", str(CONFIG), "-o", "json"],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )
    assert proc.returncode in (0, 1), f"checkov failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    failed, passed = [], 0
    for r in reports:
        if "results" in r:
            failed += r["results"].get("failed_checks", [])
            passed += r.get("summary", {}).get("passed", 0)
    return {"failed": failed, "passed": passed}


@pytest.mark.skipif(not CHECKOV.exists(), reason="checkov venv missing (scripts/test creates .venv-checkov)")
@pytest.mark.parametrize("env", ENVS)
def test_checkov(rendered, env):
    result = run_checkov(rendered / env)
    assert result["passed"] > 0, "checkov checked nothing"
    failures = sorted({(f["check_id"], f["resource"]) for f in result["failed"]})
    unexpected = [f for f in failures if f not in ACCEPTED]
    assert not unexpected, "checkov failures:\n" + "\n".join(
        f"{cid} {res}: {next(x['check_name'] for x in result['failed'] if x['check_id'] == cid)}"
        for cid, res in unexpected)
    stale = [key for key in ACCEPTED if _renders(rendered / env, key[1]) and key not in failures]
    assert not stale, f"accepted exceptions that no longer fail (remove them): {stale}"


def _renders(env_dir, resource: str) -> bool:
    """Whether ``Kind.namespace.name`` is rendered in this environment."""
    kind, namespace, name = resource.split(".", 2)
    return (env_dir / namespace / f"{kind.lower()}-{name}.yaml").exists()


def test_skip_list_entries_have_reasons():
    lines = CONFIG.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("- CKV_"):
            assert lines[i - 1].strip().startswith("#"), f"{line.strip()} has no comment saying why"
