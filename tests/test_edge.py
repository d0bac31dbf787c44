"""The public edge survives one pod: the rendered EnvoyProxy, the Gateway that
names it, the NetworkPolicies Envoy Gateway v1.9 needs, and the ``edge``
validate check (plant one defect, expect its finding)."""
from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from conftest import ENVS
from lib.config.models import EdgeProxy
from lib.validate import validate_tree
from test_validate import write_env

NS = "envoy-gateway-system"
GATEWAY = "Gateway/envoy-gateway-system/edge"
PROXY = "EnvoyProxy/envoy-gateway-system/edge-proxy"


def _envoy_proxy(**kube) -> dict:
    spec = {
        "envoyDeployment": {"container": {"resources": {
            "requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}},
        "envoyHpa": {"minReplicas": 2, "maxReplicas": 4},
        "envoyPDB": {"minAvailable": 1},
    }
    spec.update(kube)
    return {"apiVersion": "gateway.envoyproxy.io/v1alpha1", "kind": "EnvoyProxy",
            "metadata": {"name": "edge-proxy", "namespace": NS},
            "spec": {"provider": {"type": "Kubernetes", "kubernetes": {k: v for k, v in spec.items()
                                                                       if v is not None}}}}


def edge_objects(**kube) -> list[dict]:
    """envoy-gateway-system with a Gateway whose EnvoyProxy is sound."""
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS, "labels": {
            "kubernetes.io/metadata.name": NS, "pod-security.kubernetes.io/enforce": "restricted"}}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "compute-quota", "namespace": NS},
         "spec": {"hard": {"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8",
                           "limits.memory": "8Gi", "pods": "10"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "container-defaults", "namespace": NS},
         "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                              "default": {"cpu": "500m", "memory": "512Mi"}}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"name": "edge", "namespace": NS},
         "spec": {"gatewayClassName": "envoy-gateway",
                  "infrastructure": {"parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy",
                                                       "name": "edge-proxy"}},
                  "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
         "metadata": {"name": "envoy-gateway"},
         "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"}},
        _envoy_proxy(**kube),
    ]


def _find(objects, kind):
    return next(o for o in objects if o["kind"] == kind)


def run(tmp_path, objects, checks=("edge",)):
    return validate_tree(write_env(tmp_path, objects), checks=list(checks))


def expect(findings, obj, field, text):
    hits = [f for f in findings if f.check == "edge" and f.object == obj and field in f.field and text in f.message]
    assert hits, f"no edge finding on {obj} {field!r} {text!r}; got:\n" + "\n".join(map(str, findings))
    assert all(h.fix for h in hits)


def test_sound_edge_has_no_findings(tmp_path):
    # schema too: the EnvoyProxy is judged against the vendored v1.9.0 CRD
    findings = run(tmp_path, edge_objects(), checks=("edge", "schema", "capacity"))
    assert findings == [], "\n".join(map(str, findings))


def test_gateway_without_envoy_proxy(tmp_path):
    objs = edge_objects()
    del _find(objs, "Gateway")["spec"]["infrastructure"]
    expect(run(tmp_path, objs), GATEWAY, "infrastructure.parametersRef", "one proxy replica")


def test_gateway_class_must_be_rendered(tmp_path):
    objs = [o for o in edge_objects() if o["kind"] != "GatewayClass"]
    expect(run(tmp_path, objs), GATEWAY, "spec.gatewayClassName", "is not rendered")


def test_gateway_class_must_name_envoy_gateways_controller(tmp_path):
    objs = edge_objects()
    _find(objs, "GatewayClass")["spec"]["controllerName"] = "example.com/other"
    expect(run(tmp_path, objs), "GatewayClass/envoy-gateway", "spec.controllerName", "not Envoy Gateway's")


def test_parameters_ref_must_be_an_envoy_proxy(tmp_path):
    objs = edge_objects()
    _find(objs, "Gateway")["spec"]["infrastructure"]["parametersRef"]["kind"] = "ConfigMap"
    expect(run(tmp_path, objs), GATEWAY, "parametersRef", "accepts only gateway.envoyproxy.io/EnvoyProxy")


def test_parameters_ref_resolves_in_the_gateways_namespace(tmp_path):
    objs = edge_objects()
    _find(objs, "EnvoyProxy")["metadata"]["namespace"] = "default"
    expect(run(tmp_path, objs), GATEWAY, "parametersRef", "Gateway's own namespace")


def test_gateway_class_envoy_proxy_is_used_without_a_gateway_ref(tmp_path):
    objs = [o for o in edge_objects() if o["kind"] != "GatewayClass"]
    del _find(objs, "Gateway")["spec"]["infrastructure"]
    objs.append({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                 "metadata": {"name": "envoy-gateway"},
                 "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
                          "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy",
                                            "name": "edge-proxy", "namespace": NS}}})
    assert run(tmp_path, objs) == []


@pytest.mark.parametrize("kube, field, text", [
    ({"envoyHpa": {"minReplicas": 1, "maxReplicas": 4}}, "envoyHpa.minReplicas", "as 1 pod"),
    ({"envoyHpa": {"maxReplicas": 4}}, "envoyHpa.minReplicas", "as 1 pod"),  # CRD default: 1
    ({"envoyHpa": None}, "envoyDeployment.replicas", "as 1 pod"),  # Envoy Gateway default: 1
    ({"envoyPDB": None}, "envoyPDB", "no PodDisruptionBudget"),
    ({"envoyPDB": {"minAvailable": 0}}, "envoyPDB", "keeps 0 proxies"),
    ({"envoyPDB": {"maxUnavailable": "100%"}}, "envoyPDB", "keeps 0 proxies"),
    ({"envoyPDB": {"minAvailable": 2}}, "envoyPDB", "never allows an eviction"),
])
def test_envoy_proxy_defects(tmp_path, kube, field, text):
    expect(run(tmp_path, edge_objects(**kube)), PROXY, field, text)


def test_fixed_replicas_of_two_are_enough(tmp_path):
    objs = edge_objects(envoyHpa=None)
    _find(objs, "EnvoyProxy")["spec"]["provider"]["kubernetes"]["envoyDeployment"]["replicas"] = 2
    assert run(tmp_path, objs) == []


def test_capacity_counts_the_proxies_at_hpa_maximum(tmp_path):
    # 6 proxies, each 1 CPU envoy + the shutdown-manager's LimitRange default
    # 500m: 9 CPU of limits against 8 (before the 2 surge pods).
    objs = edge_objects(envoyHpa={"minReplicas": 2, "maxReplicas": 6})
    findings = run(tmp_path, objs, checks=("capacity",))
    hits = [f for f in findings if f.check == "capacity" and "limits.cpu" in f.field]
    assert hits and "9 > 8" in hits[0].message and "proxies of Gateway/envoy-gateway-system/edge" in hits[0].message, \
        "\n".join(map(str, findings))
    # A strategic-merge patch of the shutdown-manager's resources is what Envoy Gateway applies.
    proxy = _find(objs, "EnvoyProxy")["spec"]["provider"]["kubernetes"]
    proxy["envoyDeployment"]["patch"] = {"type": "StrategicMerge", "value": {"spec": {"template": {"spec": {
        "containers": [{"name": "shutdown-manager", "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}}}]}}}}}
    proxy["envoyDeployment"]["container"]["resources"]["limits"]["cpu"] = "900m"  # 8 pods x 1 CPU
    assert not [f for f in run(tmp_path / "patched", objs, checks=("capacity",)) if "limits.cpu" in f.field]


def test_edge_proxy_values_refuse_a_single_pod():
    good = {"autoscaling": {"min_replicas": 2, "max_replicas": 6, "cpu_utilization": 70, "memory_utilization": 80},
            "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
            "shutdown_manager_resources": {"requests": {"cpu": "10m", "memory": "32Mi"},
                                           "limits": {"cpu": "100m", "memory": "128Mi"}},
            "min_available": 1}
    EdgeProxy.model_validate(good)
    one = copy.deepcopy(good)
    one["autoscaling"]["min_replicas"] = 1
    with pytest.raises(ValidationError, match="at least 2"):
        EdgeProxy.model_validate(one)
    blocking = copy.deepcopy(good)
    blocking["min_available"] = 2
    with pytest.raises(ValidationError, match="must be below"):
        EdgeProxy.model_validate(blocking)


# --- the rendered environments -------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_rendered_gateway_names_a_sound_envoy_proxy(objects, env):
    objs = [o for _, o in objects(env)]
    gateways = [o for o in objs if o["kind"] == "Gateway"]
    assert len(gateways) == 1
    ref = gateways[0]["spec"]["infrastructure"]["parametersRef"]
    (proxy,) = [o for o in objs if o["kind"] == "EnvoyProxy"]
    assert (ref["group"], ref["kind"], ref["name"]) == ("gateway.envoyproxy.io", "EnvoyProxy",
                                                        proxy["metadata"]["name"])
    assert proxy["metadata"]["namespace"] == gateways[0]["metadata"]["namespace"]
    kube = proxy["spec"]["provider"]["kubernetes"]
    assert kube["envoyHpa"]["minReplicas"] >= 2 and kube["envoyPDB"]["minAvailable"] >= 1
    assert "replicas" not in kube["envoyDeployment"]  # the HPA owns it
    assert kube["envoyDeployment"]["container"]["resources"]["limits"]
    spreads = {s["topologyKey"]: s for s in kube["envoyDeployment"]["pod"]["topologySpreadConstraints"]}
    assert spreads["kubernetes.io/hostname"]["whenUnsatisfiable"] == "DoNotSchedule"
    assert "topology.kubernetes.io/zone" in spreads
    for spread in spreads.values():
        assert spread["labelSelector"]["matchLabels"]["gateway.envoyproxy.io/owning-gateway-name"] == \
            gateways[0]["metadata"]["name"]
    # configuration before the Gateway that names it
    wave = lambda o: int(o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])  # noqa: E731
    assert wave(proxy) < wave(gateways[0])


@pytest.mark.parametrize("env", ENVS)
def test_rendered_policies_admit_the_webhook_and_only_real_listener_ports(objects, env):
    policies = {o["metadata"]["name"]: o["spec"] for _, o in objects(env)
                if o["kind"] == "NetworkPolicy" and o["metadata"]["namespace"] == NS}
    controller = policies["envoy-gateway-ingress"]
    webhook = [rule for rule in controller["ingress"] if {"protocol": "TCP", "port": 9443} in rule["ports"]]
    assert len(webhook) == 1
    api_cidrs = {p["ipBlock"]["cidr"] for p in webhook[0]["from"]}
    values = [o for _, o in objects(env) if o["kind"] == "NetworkPolicy"
              and o["metadata"]["name"].startswith("envoy-gateway-egress")]
    egress_cidrs = {p["ipBlock"]["cidr"] for v in values for r in v["spec"]["egress"] for p in r["to"]
                    if "ipBlock" in p}
    assert api_cidrs and api_cidrs == egress_cidrs  # the API server's addresses, both ways
    listener_ports = {p["port"] for r in policies["envoy-proxy-ingress"]["ingress"] for p in r["ports"]}
    # Gateway listener 443 -> container port 10443; there is no port-80 listener.
    assert 10443 in listener_ports and 10080 not in listener_ports


def test_validate_reports_no_edge_findings_on_rendered(rendered):
    for env in ENVS:
        findings = validate_tree(rendered / env, checks=["edge", "capacity"])
        assert findings == [], "\n".join(map(str, findings))
