"""A worker scaled by KEDA on Kafka consumer lag (the spec's Jarvis scaler).

KEDA owns the replica count through the HPA it creates, so the Deployment
sets no replicas and no HPA of our own is rendered. The ScaledObject's
TriggerAuthentication reads the worker's Kafka credentials Secret.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core, crd
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
class KafkaTrigger:
    bootstrap_servers: str
    consumer_group: str
    topic: str
    lag_threshold: int
    credentials_secret: str
    offset_reset_policy: str = "latest"


@dataclass(frozen=True)
class EventWorkerConfig(WorkloadConfig):
    min_replicas: int
    max_replicas: int
    trigger: KafkaTrigger
    env: tuple[dict, ...] = ()
    metrics_port: int = 9090
    termination_grace_period_seconds: int = 30
    writable_paths: tuple[str, ...] = ("/tmp",)
    scheduling: Scheduling = field(default_factory=Scheduling)
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_replicas < max(1, self.min_replicas):
            raise ValueError(f"{self.name}: maxReplicaCount {self.max_replicas} is below "
                             f"minReplicaCount {self.min_replicas}")

    @property
    def max_pods(self) -> int:
        # KEDA scales through an HPA on a Deployment with the default 25% surge.
        return self.max_replicas + -(-self.max_replicas // 4)


class EventWorker(Group):
    def __init__(self, scope: Construct, id: str, *, config: EventWorkerConfig):
        super().__init__(scope, id)
        c = config
        volumes, mounts = scratch(c.writable_paths)
        container = {
            "name": "worker",
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "env": list(c.env),
            "ports": [{"name": "metrics", "containerPort": c.metrics_port, "protocol": "TCP"}],
            "resources": c.resources,
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"},
                              "initialDelaySeconds": 15, "periodSeconds": 10},
            "readinessProbe": {"httpGet": {"path": "/readyz", "port": "metrics"},
                               "periodSeconds": 5},
            "securityContext": container_security_context(),
            "volumeMounts": mounts,
        }
        emit(self, core("Deployment"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "selector": {"matchLabels": dict(c.selector)},
                 "strategy": {"type": "RollingUpdate",
                              "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                 "revisionHistoryLimit": 5,
                 "template": {"metadata": {"labels": dict(c.labels)},
                              "spec": c.scheduling.apply({
                                  "serviceAccountName": c.service_account,
                                  "automountServiceAccountToken": False,
                                  "terminationGracePeriodSeconds": c.termination_grace_period_seconds,
                                  "securityContext": pod_security_context(),
                                  "containers": [container],
                                  "volumes": volumes,
                              }, c.selector)},
             })
        emit(self, core("Service"), {"name": c.name, "labels": dict(c.labels)},
             spec=service_for([container], c.selector))
        service_monitor(self, c)
        auth = "kafka-auth-trigger"
        t = c.trigger
        emit(self, crd("TriggerAuthentication"), {"name": auth, "labels": dict(c.labels)},
             spec={"secretTargetRef": [
                 {"parameter": "sasl", "name": t.credentials_secret, "key": "sasl"},
                 {"parameter": "username", "name": t.credentials_secret, "key": "username"},
                 {"parameter": "password", "name": t.credentials_secret, "key": "password"},
             ]})
        emit(self, crd("ScaledObject"), {"name": f"{c.name}-scaler", "labels": dict(c.labels)},
             spec={
                 "scaleTargetRef": {"name": c.name},
                 "minReplicaCount": c.min_replicas,
                 "maxReplicaCount": c.max_replicas,
                 "triggers": [{
                     "type": "kafka",
                     "metadata": {
                         "bootstrapServers": t.bootstrap_servers,
                         "consumerGroup": t.consumer_group,
                         "topic": t.topic,
                         "lagThreshold": str(t.lag_threshold),
                         "offsetResetPolicy": t.offset_reset_policy,
                     },
                     "authenticationRef": {"name": auth},
                 }],
             })
