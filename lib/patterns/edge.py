"""The public edge: one Gateway, the EnvoyProxy that sizes its proxies, an
HTTPRoute per public service (to its transcoder's HTTP port), and the
SecurityPolicy that sends every request through the external authorization
service first."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit
from .pod import Scheduling

EDGE_ROUTES_LABEL = "voyager.io/edge-routes"
ENVOY_PROXY_GROUP = "gateway.envoyproxy.io"
# Labels Envoy Gateway puts on the proxy pods of one Gateway (not merged):
# internal/infrastructure/kubernetes/proxy/resource.go EnvoyAppLabel() and
# internal/gatewayapi/translator.go OwningGateway*Label, envoyproxy/gateway v1.9.0.
PROXY_APP_LABELS = {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
                    "app.kubernetes.io/managed-by": "envoy-gateway"}


@dataclass(frozen=True)
class GatewayConfig:
    name: str
    gateway_class: str
    domain: str
    tls_secret: str
    authz_service: str
    authz_port: int
    # Name of the EnvoyProxy (same namespace) that sizes this Gateway's proxies.
    proxy: str = ""


@dataclass(frozen=True)
class ProxyConfig:
    """The proxies Envoy Gateway deploys for one Gateway (an EnvoyProxy)."""

    name: str
    gateway: str
    gateway_namespace: str
    min_replicas: int
    max_replicas: int
    cpu_utilization: int
    memory_utilization: int
    behavior: dict
    resources: dict
    shutdown_manager_resources: dict
    min_available: int
    scheduling: Scheduling


@dataclass(frozen=True)
class RouteConfig:
    name: str
    hostname: str
    service: str
    port: int
    gateway: str
    gateway_namespace: str
    # e.g. ExternalDNS's failover routing (lib/patterns/dns_failover.py),
    # which it reads from the route, not the Gateway.
    annotations: tuple[tuple[str, str], ...] = ()


class EdgeGateway(Group):
    def __init__(self, scope: Construct, id: str, *, config: GatewayConfig):
        super().__init__(scope, id)
        c = config
        # Routes may attach only from namespaces labelled for it (those with
        # public services), never from any namespace that asks.
        allowed = {"namespaces": {"from": "Selector", "selector": {
            "matchLabels": {EDGE_ROUTES_LABEL: "true"}}}}
        # Gateway-level parametersRef (Gateway API LocalParametersReference):
        # Envoy Gateway v1.9.0 resolves it in the Gateway's own namespace
        # (internal/provider/kubernetes/controller.go processGatewayParamsRef),
        # and with the default mergeType Replace it overrides whatever the
        # GatewayClass's EnvoyProxy says (internal/gatewayapi/envoyproxy_merge.go).
        infrastructure = ({"parametersRef": {"group": ENVOY_PROXY_GROUP, "kind": "EnvoyProxy",
                                             "name": c.proxy}} if c.proxy else None)
        emit(self, crd("Gateway"), {"name": c.name}, spec={
            "gatewayClassName": c.gateway_class,
            **({"infrastructure": infrastructure} if infrastructure else {}),
            "listeners": [{
                "name": "https",
                "protocol": "HTTPS",
                "port": 443,
                "hostname": f"*.{c.domain}",
                "tls": {"mode": "Terminate", "certificateRefs": [
                    {"kind": "Secret", "name": c.tls_secret}]},
                "allowedRoutes": allowed,
            }],
        })
        emit(self, crd("SecurityPolicy"), {"name": f"{c.name}-ext-authz"}, spec={
            "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                            "name": c.name}],
            "extAuth": {
                "grpc": {"backendRefs": [{"name": c.authz_service, "port": c.authz_port}]},
                # A failing authorizer denies; it never waves requests through.
                "failOpen": False,
            },
        })


class EdgeProxy(Group):
    """An EnvoyProxy: without one, Envoy Gateway runs a single proxy replica
    with no PodDisruptionBudget and no resources of its own (requests only,
    so the namespace's LimitRange decides its limits)."""

    def __init__(self, scope: Construct, id: str, *, config: ProxyConfig):
        super().__init__(scope, id)
        c = config
        selector = {**PROXY_APP_LABELS,
                    "gateway.envoyproxy.io/owning-gateway-name": c.gateway,
                    "gateway.envoyproxy.io/owning-gateway-namespace": c.gateway_namespace}
        pod = c.scheduling.apply({}, selector)
        for spread in pod.get("topologySpreadConstraints", []):
            if spread["topologyKey"] == "kubernetes.io/hostname":
                # Two proxies on one node are one node failure from an outage:
                # the node spread is hard. Honor: cordoned or tainted nodes the
                # proxies cannot use do not count as empty domains that would
                # block the next replica.
                spread["whenUnsatisfiable"] = "DoNotSchedule"
                spread["nodeTaintsPolicy"] = "Honor"
        emit(self, crd("EnvoyProxy"), {"name": c.name}, spec={
            "provider": {"type": "Kubernetes", "kubernetes": {
                "envoyDeployment": {
                    # No replicas: with envoyHpa set, Envoy Gateway leaves the
                    # Deployment's replicas to the HPA.
                    "container": {"resources": c.resources},
                    "pod": pod,
                    # The shutdown-manager container has no resources field in
                    # the EnvoyProxy API; a strategic merge by container name is
                    # how Envoy Gateway's own chart patches its rate limit
                    # container (charts/gateway-helm/templates/_helpers.tpl, v1.9.0).
                    "patch": {"type": "StrategicMerge", "value": {"spec": {"template": {"spec": {
                        "containers": [{"name": "shutdown-manager",
                                        "resources": c.shutdown_manager_resources}]}}}}},
                },
                "envoyHpa": {
                    "minReplicas": c.min_replicas,
                    "maxReplicas": c.max_replicas,
                    "metrics": [
                        {"type": "Resource", "resource": {"name": "cpu", "target": {
                            "type": "Utilization", "averageUtilization": c.cpu_utilization}}},
                        {"type": "Resource", "resource": {"name": "memory", "target": {
                            "type": "Utilization", "averageUtilization": c.memory_utilization}}},
                    ],
                    "behavior": c.behavior,
                },
                "envoyPDB": {"minAvailable": c.min_available},
            }},
        })


class PublicRoute(Group):
    def __init__(self, scope: Construct, id: str, *, config: RouteConfig):
        super().__init__(scope, id)
        c = config
        meta = {"name": c.name, **({"annotations": dict(c.annotations)} if c.annotations else {})}
        emit(self, crd("HTTPRoute"), meta, spec={
            "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                            "name": c.gateway, "namespace": c.gateway_namespace,
                            "sectionName": "https"}],
            "hostnames": [c.hostname],
            "rules": [{"backendRefs": [{"name": c.service, "port": c.port}]}],
        })


# Envoy Gateway reconciles only GatewayClasses naming its controller, and its
# Helm chart creates none (envoyproxy/gateway v1.9.0:
# internal/provider/kubernetes/controller.go logs "no accepted gatewayclass"
# and deploys no proxy; charts/gateway-helm/templates/ has no GatewayClass).
ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"


class EnvoyGatewayClass(Group):
    """The GatewayClass the Gateway names, handled by Envoy Gateway."""

    def __init__(self, scope: Construct, id: str, *, name: str, description: str):
        super().__init__(scope, id)
        emit(self, crd("GatewayClass"), {"name": name},
             spec={"controllerName": ENVOY_GATEWAY_CONTROLLER, "description": description})
