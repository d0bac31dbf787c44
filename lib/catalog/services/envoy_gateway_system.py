"""envoy-gateway-system: the public edge's authentication and authorization.

The Envoy Gateway controller and its proxies come from the Envoy Gateway
add-on; Voyager runs the external authorization service every request passes
through (helm-authentication-and-authorization).
"""
from ..model import Workload
from .common import USER_MANAGER

WORKLOADS = (
    Workload(
        name="authentication-and-authorization",
        namespace="envoy-gateway-system",
        pattern="grpc-service",
        component="ext-authz",
        description="Authenticates every request at the gateway and checks its permissions",
        talks_to=(USER_MANAGER,),
    ),
)
