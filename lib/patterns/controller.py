"""A Kubernetes controller (the spec's book-controller): one active replica
by leader election, its identity in the environment, health and metrics.

RBAC comes from lib/patterns/identity.py with the rules the catalog
declares (what it manages + its leader-election Lease), nothing more.
"""
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
    service_for,
    service_monitor,
)


@dataclass(frozen=True)
class ControllerConfig(WorkloadConfig):
    replicas: int = 1
    watch_namespace: str = ""  # "" = every namespace; None-like "own" uses the pod's namespace
    watch_own_namespace: bool = False
    metrics_port: int = 9090
    health_port: int = 8082
    scheduling: Scheduling = field(default_factory=Scheduling)
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.replicas < 1:
            raise ValueError(f"{self.name}: a controller needs at least one replica")

    @property
    def max_pods(self) -> int:
        return self.replicas + -(-self.replicas // 4)


class Controller(Group):
    def __init__(self, scope: Construct, id: str, *, config: ControllerConfig):
        super().__init__(scope, id)
        c = config
        watch = ({"name": "WATCH_NAMESPACE", "valueFrom": {"fieldRef": {
            "fieldPath": "metadata.namespace"}}} if c.watch_own_namespace
                 else {"name": "WATCH_NAMESPACE", "value": c.watch_namespace})
        container = {
            "name": "controller",
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["/manager"],
            "args": ["--leader-elect",
                     f"--health-probe-bind-address=:{c.health_port}",
                     f"--metrics-bind-address=:{c.metrics_port}"],
            "env": [
                watch,
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "OPERATOR_NAME", "value": c.name},
            ],
            "ports": [{"name": "metrics", "containerPort": c.metrics_port, "protocol": "TCP"},
                      {"name": "health", "containerPort": c.health_port, "protocol": "TCP"}],
            "resources": c.resources,
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "health"},
                              "initialDelaySeconds": 15, "periodSeconds": 20},
            "readinessProbe": {"httpGet": {"path": "/readyz", "port": "health"},
                               "initialDelaySeconds": 5, "periodSeconds": 10},
            "securityContext": container_security_context(),
        }
        emit(self, core("Deployment"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "replicas": c.replicas,
                 "selector": {"matchLabels": dict(c.selector)},
                 "revisionHistoryLimit": 5,
                 "template": {"metadata": {"labels": dict(c.labels)},
                              "spec": c.scheduling.apply({
                                  "serviceAccountName": c.service_account,
                                  # It talks to the API server: it needs its token.
                                  "automountServiceAccountToken": True,
                                  "terminationGracePeriodSeconds": 10,
                                  "securityContext": pod_security_context(),
                                  "containers": [container],
                              }, c.selector)},
             })
        metrics_only = [{**container, "ports": [container["ports"][0]]}]
        emit(self, core("Service"), {"name": f"{c.name}-metrics", "labels": dict(c.labels)},
             spec=service_for(metrics_only, c.selector))
        service_monitor(self, c)
