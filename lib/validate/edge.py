"""The public edge as Envoy Gateway will deploy it (check ``edge``).

Models envoyproxy/gateway v1.9.0 (commit 39763b1c07ec):

- A Gateway's ``spec.infrastructure.parametersRef`` must name
  ``gateway.envoyproxy.io``/``EnvoyProxy``, and the EnvoyProxy is looked up in
  the Gateway's own namespace; otherwise the Gateway is not accepted
  (InvalidParameters) and gets no proxies
  (internal/provider/kubernetes/controller.go, processGatewayParamsRef).
  A GatewayClass's parametersRef is used when the Gateway has none (it names
  its namespace); with the default mergeType Replace the Gateway's EnvoyProxy
  replaces the GatewayClass's whole (internal/gatewayapi/envoyproxy_merge.go).
- Without an EnvoyProxy the proxies run Envoy Gateway's defaults: one replica
  (envoyDeployment.replicas "Defaults to 1"; envoyHpa.minReplicas "defaults to
  1 replica" in the CRD), no PodDisruptionBudget (one is made only from
  envoyPDB: internal/infrastructure/kubernetes/proxy/resource_provider.go,
  PodDisruptionBudget), requests 100m/512Mi for envoy and 10m/32Mi for the
  shutdown-manager and no limits (api/v1alpha1/shared_types.go), a
  RollingUpdate strategy with Kubernetes' default 25% surge
  (api/v1alpha1/kubernetes_helpers.go).

A Gateway whose proxies can be a single pod, or have no PodDisruptionBudget
that keeps one up, is a finding: the proxies are the only way in.

:func:`proxy_pods` gives the proxies' pods at maximum scale, so the
``capacity`` check charges them to the quota of the namespace they run in (in
Envoy Gateway's default deploy mode the controller's namespace, not the
Gateway's).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .model import Finding, Obj

CHECK = "edge"
GROUP = "gateway.envoyproxy.io"
# Where the proxies run: Envoy Gateway's default deploy mode (ControllerNamespace)
# creates them in the controller's namespace, as installed by its chart.
CONTROLLER_NAMESPACE = "envoy-gateway-system"
DEFAULT_ENVOY_RESOURCES = {"requests": {"cpu": "100m", "memory": "512Mi"}}
DEFAULT_SHUTDOWN_MANAGER_RESOURCES = {"requests": {"cpu": "10m", "memory": "32Mi"}}


def _kube(proxy: Obj | None) -> dict:
    if proxy is None:
        return {}
    provider = proxy.spec.get("provider") or {}
    kube = provider.get("kubernetes") if isinstance(provider, dict) else None
    return kube if isinstance(kube, dict) else {}


def resolve(tree, gateway: Obj) -> tuple[Obj | None, str, list[Finding]]:
    """(the EnvoyProxy that configures this Gateway's proxies or None, the
    field that named it, findings on the reference itself)."""
    field = "spec.infrastructure.parametersRef"
    ref = (gateway.spec.get("infrastructure") or {}).get("parametersRef")
    if isinstance(ref, dict):
        if ref.get("group") != GROUP or ref.get("kind") != "EnvoyProxy" or not ref.get("name"):
            return None, field, [gateway.finding(
                CHECK, field, f"names {ref.get('group')}/{ref.get('kind')} {ref.get('name')!r}; Envoy Gateway "
                "accepts only gateway.envoyproxy.io/EnvoyProxy and does not accept the Gateway",
                "point it at an EnvoyProxy (group gateway.envoyproxy.io, kind EnvoyProxy)")]
        proxy = tree.get("EnvoyProxy", gateway.namespace, ref["name"])
        if proxy is None:
            return None, field, [gateway.finding(
                CHECK, field, f"EnvoyProxy {gateway.namespace}/{ref['name']} is not rendered; Envoy Gateway "
                "looks it up in the Gateway's own namespace and leaves the Gateway not accepted, with no proxies",
                f"render EnvoyProxy {ref['name']} in namespace {gateway.namespace}")]
        return proxy, field, []
    gateway_class = tree.get("GatewayClass", "", str(gateway.spec.get("gatewayClassName") or ""))
    cref = (gateway_class.spec.get("parametersRef") if gateway_class else None) or {}
    if cref.get("group") == GROUP and cref.get("kind") == "EnvoyProxy":
        proxy = tree.get("EnvoyProxy", str(cref.get("namespace") or ""), str(cref.get("name") or ""))
        if proxy is not None:
            return proxy, f"GatewayClass/{gateway_class.name} spec.parametersRef", []
    return None, field, []


def _int(value, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _replicas(kube: dict) -> tuple[int, int, str]:
    """(minimum replicas, maximum replicas, what sets them) of a Deployment of proxies."""
    hpa = kube.get("envoyHpa")
    if isinstance(hpa, dict):
        return (_int(hpa.get("minReplicas"), 1), _int(hpa.get("maxReplicas"), 1),
                "envoyHpa minReplicas/maxReplicas")
    replicas = _int((kube.get("envoyDeployment") or {}).get("replicas"), 1)
    return replicas, replicas, "envoyDeployment.replicas"


def _budget_floor(pdb: dict, replicas: int) -> int | None:
    """Pods the PDB keeps up with ``replicas`` running (None: not a number we model)."""
    if "minAvailable" in pdb:
        value = pdb["minAvailable"]
        if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
            return math.ceil(replicas * int(value[:-1]) / 100)
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    value = pdb.get("maxUnavailable")
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return replicas - math.ceil(replicas * int(value[:-1]) / 100)
    return replicas - value if isinstance(value, int) and not isinstance(value, bool) else None


def check(ctx) -> list[Finding]:
    out: list[Finding] = []
    tree = ctx.tree
    classes = {c.name: c for c in tree.kind("GatewayClass")}
    for gateway in tree.kind("Gateway"):
        # Envoy Gateway reconciles only classes naming its controller, and its
        # chart creates none (v1.9.0 internal/provider/kubernetes/controller.go:
        # "no accepted gatewayclass"): without one, no proxy is ever deployed.
        class_name = gateway.spec.get("gatewayClassName")
        gateway_class = classes.get(class_name)
        if gateway_class is None:
            out.append(gateway.finding(
                CHECK, "spec.gatewayClassName", f"GatewayClass {class_name!r} is not rendered, and "
                "Envoy Gateway's chart creates none, so the Gateway is never programmed",
                "render the GatewayClass (controllerName gateway.envoyproxy.io/gatewayclass-controller)"))
        elif gateway_class.spec.get("controllerName") != "gateway.envoyproxy.io/gatewayclass-controller":
            out.append(gateway_class.finding(
                CHECK, "spec.controllerName", f"{gateway_class.spec.get('controllerName')!r} is not Envoy "
                "Gateway's controller, so no proxy is deployed for this class",
                "use gateway.envoyproxy.io/gatewayclass-controller"))
        proxy, field, findings = resolve(tree, gateway)
        out += findings
        if findings:
            continue
        if proxy is None:
            out.append(gateway.finding(
                CHECK, field, "no EnvoyProxy configures this Gateway's proxies, so Envoy Gateway runs its "
                "defaults: one proxy replica, no PodDisruptionBudget, no limits of its own",
                "render an EnvoyProxy with envoyHpa.minReplicas >= 2 and an envoyPDB, and name it in "
                "spec.infrastructure.parametersRef"))
            continue
        kube = _kube(proxy)
        if isinstance(kube.get("envoyDaemonSet"), dict):
            continue  # one proxy per node: the node count decides, not a replica field
        low, _, source = _replicas(kube)
        where = "spec.provider.kubernetes." + ("envoyHpa.minReplicas" if "envoyHpa" in source
                                                else "envoyDeployment.replicas")
        if low < 2:
            out.append(proxy.finding(
                CHECK, where, f"the proxies of Gateway {gateway.namespace}/{gateway.name} can run as {low} pod "
                f"({source}; Envoy Gateway's default is 1): one node drain or crash takes the edge down",
                "use envoyHpa with minReplicas of at least 2"))
        pdb = kube.get("envoyPDB")
        if not isinstance(pdb, dict):
            out.append(proxy.finding(
                CHECK, "spec.provider.kubernetes.envoyPDB",
                f"no PodDisruptionBudget for the proxies of Gateway {gateway.namespace}/{gateway.name}: "
                "Envoy Gateway makes one only from envoyPDB, so a node drain may evict every proxy at once",
                "set envoyPDB.minAvailable: 1"))
            continue
        floor = _budget_floor(pdb, low)
        if floor is not None and floor < 1:
            out.append(proxy.finding(
                CHECK, "spec.provider.kubernetes.envoyPDB",
                f"the budget keeps {floor} proxies up at {low} replicas: evictions may take every proxy",
                "set minAvailable to at least 1"))
        elif floor is not None and floor >= low >= 2:
            out.append(proxy.finding(
                CHECK, "spec.provider.kubernetes.envoyPDB",
                f"the budget keeps {floor} of {low} proxies up: it never allows an eviction, so a drain "
                "of a node holding a proxy never finishes",
                f"set minAvailable below {low}"))
    return out


@dataclass(frozen=True)
class ProxyPods:
    """The proxy pods Envoy Gateway runs for one Gateway, at maximum scale."""

    gateway: Obj
    namespace: str
    replicas: int
    surge: int
    why: str
    spec: dict  # a pod spec with the containers' resources


def _container_patches(kube: dict) -> dict[str, dict]:
    """Container name -> patch, from envoyDeployment.patch when it is a strategic merge."""
    patch = (kube.get("envoyDeployment") or {}).get("patch") or {}
    if not isinstance(patch, dict) or patch.get("type", "StrategicMerge") != "StrategicMerge":
        return {}  # a JSON merge patch replaces lists whole; not modelled
    spec = (((patch.get("value") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    return {c["name"]: c for c in spec.get("containers") or [] if isinstance(c, dict) and c.get("name")}


def _merged(base: dict, patch: dict | None) -> dict:
    if not isinstance(patch, dict):
        return base
    return {kind: {**(base.get(kind) or {}), **(patch.get(kind) or {})} for kind in ("requests", "limits")}


def proxy_pods(tree, namespace: str) -> list[ProxyPods]:
    """The proxies that run in ``namespace``: one Deployment per Gateway (merged
    Gateways are not modelled), at its HPA maximum or replicas, with surge."""
    if namespace != CONTROLLER_NAMESPACE:
        return []
    out = []
    for gateway in tree.kind("Gateway"):
        proxy, _, _ = resolve(tree, gateway)
        kube = _kube(proxy)
        deployment = kube.get("envoyDeployment") if isinstance(kube.get("envoyDeployment"), dict) else {}
        if isinstance(kube.get("envoyDaemonSet"), dict):
            replicas, why, surge = 1, "EnvoyProxy envoyDaemonSet: one pod per node (counted once)", 0
            deployment = kube["envoyDaemonSet"]
        else:
            _, replicas, why = _replicas(kube)
            why = f"{proxy.ref} {why}" if proxy is not None else "Envoy Gateway default: 1 replica"
            strategy = deployment.get("strategy") or {}
            surge = 0
            if strategy.get("type", "RollingUpdate") == "RollingUpdate":
                value = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
                surge = (math.ceil(replicas * int(value[:-1]) / 100) if isinstance(value, str)
                         and value.endswith("%") and value[:-1].isdigit() else _int(value, 0))
        patches = _container_patches(kube)
        envoy = ((deployment.get("container") or {}).get("resources")) or DEFAULT_ENVOY_RESOURCES
        spec = {"containers": [
            {"name": "envoy", "resources": _merged(envoy, (patches.get("envoy") or {}).get("resources"))},
            {"name": "shutdown-manager", "resources": _merged(
                DEFAULT_SHUTDOWN_MANAGER_RESOURCES, (patches.get("shutdown-manager") or {}).get("resources"))},
        ]}
        out.append(ProxyPods(gateway, namespace, replicas, surge, why, spec))
    return out
