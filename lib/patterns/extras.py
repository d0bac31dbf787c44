"""Optional cluster add-ons: the Istio control plane and VPA recommendations."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit


@dataclass(frozen=True)
class MeshConfig:
    mesh_id: str
    network: str


class IstioControlPlane(Group):
    """The spec's IstioOperator, ingress gateway off: Envoy Gateway is the edge.

    Upstream's IstioOperator CRD has no schema, so the generated binding
    carries no spec; the generic object path writes the spec as data.
    """

    def __init__(self, scope: Construct, id: str, *, config: MeshConfig):
        super().__init__(scope, id)
        emit(self, crd("IstioOperator"), {"name": "voyager-control-plane"}, spec={
            "values": {"global": {"meshID": config.mesh_id, "network": config.network}},
            "components": {
                "pilot": {"k8s": {"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}},
                "ingressGateways": [{"name": "istio-ingressgateway", "enabled": False}],
            },
        })


class RecommendOnlyVpa(Group):
    """A VPA in ``Off`` mode: it publishes recommendations, never evicts.
    (Mode ``Auto`` would fight the HPA on CPU and memory.)"""

    def __init__(self, scope: Construct, id: str, *, target: str):
        super().__init__(scope, id)
        emit(self, crd("VerticalPodAutoscaler"), {"name": f"{target}-vpa"}, spec={
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "updatePolicy": {"updateMode": "Off"},
        })
