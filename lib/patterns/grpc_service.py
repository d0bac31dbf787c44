"""The standard Voyager service: a gRPC server behind an Envoy gRPC-JSON
transcoder sidecar (the spec's Jeeves deployment, field by field).

Renders the Deployment, a Service derived from the container ports (grpc,
http, metrics), a ServiceMonitor on the metrics port, an autoscaling/v2 HPA
with the spec's behaviour, and a PodDisruptionBudget when more than one
replica runs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

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
class Hpa:
    min_replicas: int
    max_replicas: int
    cpu_utilization: int
    memory_utilization: int
    behavior: dict

    def spec(self, target: str) -> dict:
        return {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": self.min_replicas,
            "maxReplicas": self.max_replicas,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {
                    "type": "Utilization", "averageUtilization": self.cpu_utilization}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {
                    "type": "Utilization", "averageUtilization": self.memory_utilization}}},
            ],
            "behavior": self.behavior,
        }


@dataclass(frozen=True)
class GrpcServiceConfig(WorkloadConfig):
    """One gRPC service; every field a platform engineer would tune."""

    transcoder_image: str
    transcoder_resources: dict
    replicas: int
    container_name: str = "server"
    grpc_port: int = 8080
    http_port: int = 8081
    metrics_port: int = 9090
    env: tuple[dict, ...] = ()
    hpa: Optional[Hpa] = None
    # Percentages ("25%") or pod counts, as the Deployment API takes them.
    max_surge: str | int = "25%"
    max_unavailable: str | int = "25%"
    termination_grace_period_seconds: int = 30
    pre_stop_sleep_seconds: int = 15
    writable_paths: tuple[str, ...] = ("/tmp",)
    scheduling: Scheduling = field(default_factory=Scheduling)
    annotations: dict[str, str] = field(default_factory=dict)
    pod_annotations: dict[str, str] = field(default_factory=dict)
    # Mount the ServiceAccount token only for a service that calls the API.
    uses_api: bool = False

    def __post_init__(self) -> None:
        ports = [self.grpc_port, self.http_port, self.metrics_port]
        if len(set(ports)) != 3:
            raise ValueError(f"{self.name}: grpc, http and metrics ports must differ, got {ports}")
        if self.pre_stop_sleep_seconds >= self.termination_grace_period_seconds:
            raise ValueError(
                f"{self.name}: preStop sleep ({self.pre_stop_sleep_seconds}s) must be shorter than "
                f"terminationGracePeriodSeconds ({self.termination_grace_period_seconds}s)"
            )
        if self.max_surge in (0, "0%") and self.max_unavailable in (0, "0%"):
            raise ValueError(f"{self.name}: maxSurge and maxUnavailable cannot both be 0")
        if not set(self.selector.items()) <= set(self.labels.items()):
            raise ValueError(f"{self.name}: selector {self.selector} is not a subset of the labels")

    @property
    def max_pods(self) -> int:
        """Pods at maximum scale (HPA max, else replicas) plus the rolling-update surge."""
        top = self.hpa.max_replicas if self.hpa else self.replicas
        if isinstance(self.max_surge, int):
            return top + self.max_surge
        return top + math.ceil(top * int(self.max_surge.rstrip("%")) / 100)

    @property
    def min_pods(self) -> int:
        return self.hpa.min_replicas if self.hpa else self.replicas


def _pre_stop(seconds: int) -> dict:
    return {"preStop": {"exec": {"command": ["/bin/sh", "-c", f"sleep {seconds}"]}}}


class GrpcService(Group):
    def __init__(self, scope: Construct, id: str, *, config: GrpcServiceConfig):
        super().__init__(scope, id)
        c = config
        volumes, mounts = scratch(c.writable_paths)
        envoy_volumes, envoy_mounts = scratch(("/tmp",), prefix="envoy-scratch")
        server = {
            "name": c.container_name,
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "ports": [
                {"name": "grpc", "containerPort": c.grpc_port, "protocol": "TCP"},
                {"name": "metrics", "containerPort": c.metrics_port, "protocol": "TCP"},
            ],
            "env": list(c.env),
            "resources": c.resources,
            "livenessProbe": {"grpc": {"port": c.grpc_port}, "initialDelaySeconds": 30,
                              "periodSeconds": 10},
            "readinessProbe": {"grpc": {"port": c.grpc_port}, "initialDelaySeconds": 5,
                               "periodSeconds": 5},
            "lifecycle": _pre_stop(c.pre_stop_sleep_seconds),
            "securityContext": container_security_context(),
            "volumeMounts": mounts,
        }
        transcoder = {
            "name": "grpc-transcoder",
            "image": c.transcoder_image,
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": c.http_port, "protocol": "TCP"}],
            "env": [{"name": "UPSTREAM_GRPC_SERVICE", "value": f"localhost:{c.grpc_port}"}],
            "resources": c.transcoder_resources,
            "readinessProbe": {"tcpSocket": {"port": c.http_port}, "periodSeconds": 5},
            "livenessProbe": {"tcpSocket": {"port": c.http_port}, "initialDelaySeconds": 10,
                              "periodSeconds": 10},
            # Envoy keeps serving until the server has drained too.
            "lifecycle": _pre_stop(c.pre_stop_sleep_seconds),
            "securityContext": container_security_context(),
            "volumeMounts": envoy_mounts,
        }
        containers = [server, transcoder]
        pod_spec = c.scheduling.apply({
            "serviceAccountName": c.service_account,
            "automountServiceAccountToken": c.uses_api,
            "terminationGracePeriodSeconds": c.termination_grace_period_seconds,
            "securityContext": pod_security_context(),
            "containers": containers,
            "volumes": volumes + envoy_volumes,
        }, c.selector)
        deployment = {
            "selector": {"matchLabels": dict(c.selector)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {
                "maxUnavailable": c.max_unavailable, "maxSurge": c.max_surge}},
            "revisionHistoryLimit": 5,
            "template": {
                "metadata": {"labels": dict(c.labels), "annotations": dict(c.pod_annotations)},
                "spec": pod_spec,
            },
        }
        if c.hpa is None:
            deployment = {"replicas": c.replicas, **deployment}
        # With an HPA the Deployment leaves replicas unset: otherwise every Argo
        # CD sync would reset what the autoscaler chose.
        emit(self, core("Deployment"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec=deployment)
        self.service_spec = service_for(containers, c.selector)
        emit(self, core("Service"), {"name": c.name, "labels": dict(c.labels)},
             spec=self.service_spec)
        service_monitor(self, c)
        if c.hpa is not None:
            emit(self, core("HorizontalPodAutoscaler"), {"name": f"{c.name}-hpa",
                                                         "labels": dict(c.labels)},
                 spec=c.hpa.spec(c.name))
        if c.min_pods >= 2:
            # One pod at a time may be evicted by a drain; a single-replica
            # service gets no PDB (it would block node drains forever).
            emit(self, core("PodDisruptionBudget"), {"name": f"{c.name}-pdb",
                                                     "labels": dict(c.labels)},
                 spec={"maxUnavailable": 1, "selector": {"matchLabels": dict(c.selector)}})
