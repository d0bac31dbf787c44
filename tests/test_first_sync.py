"""Field tests for what a first production sync needs beyond valid YAML
(issue #8): Vault's data survives, GPU rollouts fit the pool, the cluster
version is supported and followed, staging is not production, and a cluster
without dedicated node pools still runs everything."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import ENVS, load_objects, render_into, run_main
from lib.validate import default_versions, load_tree


def _kind(objects, kind):
    return [obj for _, obj in objects if obj["kind"] == kind]


def _pod_specs(objects):
    for _, obj in objects:
        template = (obj.get("spec") or {}).get("template")
        if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet") and template:
            yield obj, template["spec"]


@pytest.mark.parametrize("env", ENVS)
def test_vault_keeps_its_data_and_never_doubles_up_voters(objects, env):
    objs = objects(env)
    classes = {sc["metadata"]["name"]: sc for sc in _kind(objs, "StorageClass")}
    vault = next(o for o in _kind(objs, "StatefulSet") if o["metadata"]["name"] == "vault")
    claim = vault["spec"]["volumeClaimTemplates"][0]["spec"]
    assert classes[claim["storageClassName"]].get("reclaimPolicy") == "Retain"
    assert vault["spec"]["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain",
                                                                      "whenScaled": "Retain"}
    if vault["spec"]["replicas"] > 1:
        terms = vault["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"]
        assert terms == [{"labelSelector": {"matchLabels": vault["spec"]["selector"]["matchLabels"]},
                          "topologyKey": "kubernetes.io/hostname"}]


@pytest.mark.parametrize("env", ENVS)
def test_gpu_deployments_roll_without_a_spare_gpu(objects, env):
    gpu = [(obj, spec) for obj, spec in _pod_specs(objects(env))
           if any("nvidia.com/gpu" in (c.get("resources") or {}).get("limits", {})
                  for c in spec["containers"])]
    if env.startswith("production"):
        assert [o["metadata"]["name"] for o, _ in gpu] == ["model-manager"]
    for obj, _ in gpu:
        strategy = obj["spec"]["strategy"]
        assert strategy["type"] == "Recreate" or strategy["rollingUpdate"]["maxSurge"] in (0, "0%"), strategy


@pytest.mark.parametrize("env", ENVS)
def test_namespaces_and_validate_follow_the_target_cluster_version(rendered, objects, env):
    for ns in _kind(objects(env), "Namespace"):
        labels = ns["metadata"]["labels"]
        for mode in ("enforce", "audit", "warn"):
            assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.36"
    assert default_versions(load_tree(rendered / env)) == ("1.27", "1.36")


@pytest.mark.parametrize("version", ["1.27", "1.32", "1.37"])
def test_unsupported_kubernetes_version_is_refused(tmp_path, values_dir, version):
    base = values_dir / "base.yaml"
    base.write_text(base.read_text().replace('kubernetes_version: "1.36"', f'kubernetes_version: "{version}"'))
    proc = run_main("--env", "staging", "--values", values_dir, "--outdir", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "base.yaml: cluster.kubernetes_version" in lines[0], lines
    assert "outside 1.33-1.36" in lines[0]
    assert not (tmp_path / "out").exists()


def test_staging_has_its_own_domain_role_and_key(objects):
    def facts(env):
        objs = objects(env)
        hosts = {h for r in _kind(objs, "HTTPRoute") for h in r["spec"]["hostnames"]}
        roles = {sa["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn")
                 for sa in _kind(objs, "ServiceAccount")} - {None}
        hcl = next(c for c in _kind(objs, "ConfigMap") if c["metadata"]["name"] == "vault-config")
        key = [line for line in hcl["data"]["vault.hcl"].splitlines() if "kms_key_id" in line]
        return hosts, roles, key

    s_hosts, s_roles, s_key = facts("staging")
    p_hosts, p_roles, p_key = facts("production")
    assert s_hosts and all(h.endswith(".staging.voyager.example.com") for h in s_hosts)
    assert not s_hosts & p_hosts
    assert s_roles and not s_roles & p_roles
    assert s_key != p_key


def test_a_cluster_without_dedicated_pools_runs_everything_on_general_nodes(tmp_path, values_dir):
    base = values_dir / "base.yaml"
    base.write_text(base.read_text().replace("dedicated_node_pools: true", "dedicated_node_pools: false"))
    out = render_into(tmp_path / "out", "--env", "production", "--values", values_dir)
    placed = []
    for obj, spec in _pod_specs(load_objects(out / "production")):
        if obj["metadata"].get("namespace") == "kube-system":
            continue  # Fluent Bit runs on every node whatever the pools
        if spec.get("nodeSelector") or spec.get("tolerations") or any(
                "nvidia.com/gpu" in (c.get("resources") or {}).get("requests", {}) for c in spec["containers"]):
            placed.append(obj["metadata"]["name"])
    assert placed == []
