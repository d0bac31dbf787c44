"""The public edge: one Gateway, an HTTPRoute per public service (to its
transcoder's HTTP port), and the SecurityPolicy that sends every request
through the external authorization service first."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit

EDGE_ROUTES_LABEL = "voyager.io/edge-routes"


@dataclass(frozen=True)
class GatewayConfig:
    name: str
    gateway_class: str
    domain: str
    tls_secret: str
    authz_service: str
    authz_port: int


@dataclass(frozen=True)
class RouteConfig:
    name: str
    hostname: str
    service: str
    port: int
    gateway: str
    gateway_namespace: str


class EdgeGateway(Group):
    def __init__(self, scope: Construct, id: str, *, config: GatewayConfig):
        super().__init__(scope, id)
        c = config
        # Routes may attach only from namespaces labelled for it (those with
        # public services), never from any namespace that asks.
        allowed = {"namespaces": {"from": "Selector", "selector": {
            "matchLabels": {EDGE_ROUTES_LABEL: "true"}}}}
        emit(self, crd("Gateway"), {"name": c.name}, spec={
            "gatewayClassName": c.gateway_class,
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


class PublicRoute(Group):
    def __init__(self, scope: Construct, id: str, *, config: RouteConfig):
        super().__init__(scope, id)
        c = config
        emit(self, crd("HTTPRoute"), {"name": c.name}, spec={
            "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                            "name": c.gateway, "namespace": c.gateway_namespace,
                            "sectionName": "https"}],
            "hostnames": [c.hostname],
            "rules": [{"backendRefs": [{"name": c.service, "port": c.port}]}],
        })
