"""A Tailscale node in userspace-networking mode (no NET_ADMIN, no /dev/net/tun),
so it meets Pod Security ``restricted``. Its node state lives in one Secret it
may update (rendered empty: no secret value is ever in Git)."""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit
from .pod import (
    Scheduling,
    WorkloadConfig,
    container_security_context,
    pod_security_context,
    scratch,
    service_for,
    service_monitor,
)


@dataclass(frozen=True)
class TailscaleConfig(WorkloadConfig):
    state_secret: str
    env: tuple[dict, ...] = ()
    metrics_port: int = 9090
    scheduling: Scheduling = field(default_factory=Scheduling)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def max_pods(self) -> int:
        return 1  # one replica, and Recreate stops it before starting the next


class TailscaleNode(Group):
    def __init__(self, scope: Construct, id: str, *, config: TailscaleConfig):
        super().__init__(scope, id)
        c = config
        volumes, mounts = scratch(("/tmp",))
        container = {
            "name": "tailscale",
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "env": list(c.env) + [
                {"name": "TS_SOCKET", "value": "/tmp/tailscaled.sock"},
                {"name": "HOME", "value": "/tmp"},
                {"name": "TS_ENABLE_METRICS", "value": "true"},
                {"name": "TS_ENABLE_HEALTH_CHECK", "value": "true"},
                {"name": "TS_LOCAL_ADDR_PORT", "value": f"0.0.0.0:{c.metrics_port}"},
            ],
            "ports": [{"name": "metrics", "containerPort": c.metrics_port, "protocol": "TCP"}],
            "resources": c.resources,
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"},
                              "initialDelaySeconds": 30, "periodSeconds": 30},
            # /healthz turns healthy once the node is logged in to the tailnet.
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"},
                               "initialDelaySeconds": 5, "periodSeconds": 10},
            "securityContext": container_security_context(),
            "volumeMounts": mounts,
        }
        # Empty: tailscaled fills it in-cluster; it exists so the Role can
        # name it (RBAC cannot scope "create" to one name).
        emit(self, core("Secret"), {"name": c.state_secret, "labels": dict(c.labels)},
             type="Opaque")
        emit(self, core("Deployment"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "replicas": 1,
                 # Two nodes must never share one state Secret.
                 "strategy": {"type": "Recreate"},
                 "selector": {"matchLabels": dict(c.selector)},
                 "template": {"metadata": {"labels": dict(c.labels)},
                              "spec": c.scheduling.apply({
                                  "serviceAccountName": c.service_account,
                                  "automountServiceAccountToken": True,
                                  "securityContext": pod_security_context(),
                                  "containers": [container],
                                  "volumes": volumes,
                              }, c.selector)},
             })
        emit(self, core("Service"), {"name": f"{c.name}-metrics", "labels": dict(c.labels)},
             spec=service_for([container], c.selector))
        service_monitor(self, c, interval="60s")
