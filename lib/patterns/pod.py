"""Pod-level pieces every pattern shares: Pod Security ``restricted``, scratch
space for a read-only root filesystem, scheduling, and derived Services.

cdk8s-plus-27 renders no seccompProfile and no capabilities.drop and has no
API for either, so the patterns build pod specs here, as plain data, once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import emit

# A fixed non-root UID/GID: images must not need root; volumes are group-owned.
NONROOT_UID = 65532


def pod_security_context(uid: int = NONROOT_UID) -> dict:
    """Pod Security ``restricted`` at pod level (v1.27 rules)."""
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict:
    """Pod Security ``restricted`` per container, plus a read-only root fs."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def scratch(paths: tuple[str, ...], prefix: str = "scratch",
            size_limit: str = "256Mi") -> tuple[list[dict], list[dict]]:
    """emptyDir volumes and their mounts for the paths a program must write.

    Returns (volumes, mounts); volume names are ``<prefix>-<n>`` so a
    container can mount several without clashing.
    """
    volumes, mounts = [], []
    for index, path in enumerate(paths):
        name = f"{prefix}-{index}"
        volumes.append({"name": name, "emptyDir": {"sizeLimit": size_limit}})
        mounts.append({"name": name, "mountPath": path})
    return volumes, mounts


@dataclass(frozen=True)
class Scheduling:
    """Where pods may run: a node pool's labels and taints, zone spreading."""

    node_labels: dict[str, str] = field(default_factory=dict)
    tolerations: tuple[dict, ...] = ()
    priority_class: str = ""
    spread_zones: bool = True

    def apply(self, pod_spec: dict, selector: dict[str, str]) -> dict:
        if self.node_labels:
            pod_spec["nodeSelector"] = dict(self.node_labels)
        if self.tolerations:
            pod_spec["tolerations"] = [dict(t) for t in self.tolerations]
        if self.priority_class:
            pod_spec["priorityClassName"] = self.priority_class
        if self.spread_zones:
            pod_spec["topologySpreadConstraints"] = [
                {
                    "maxSkew": 1,
                    "topologyKey": key,
                    # ScheduleAnyway: a zone outage must not leave pods pending.
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": dict(selector)},
                }
                for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
            ]
        return pod_spec


def env_list(plain: tuple[tuple[str, str], ...],
             secret: tuple[tuple[str, str, str], ...] = ()) -> list[dict]:
    out = [{"name": k, "value": v} for k, v in plain]
    out += [{"name": k, "valueFrom": {"secretKeyRef": {"name": s, "key": key}}}
            for k, s, key in secret]
    return out


def service_for(containers: list[dict], selector: dict[str, str], *, headless: bool = False) -> dict:
    """A Service spec derived from the containers' named ports (Tanka's
    ``serviceFor``): the Service cannot drift from what the pods expose."""
    ports = []
    for container in containers:
        for port in container.get("ports", []):
            entry = {
                "name": port["name"],
                "port": port["containerPort"],
                "targetPort": port["name"],
                "protocol": port.get("protocol", "TCP"),
            }
            if port["name"] == "grpc":
                entry["appProtocol"] = "kubernetes.io/h2c"
            ports.append(entry)
    if not ports:
        raise ValueError("service_for: the containers expose no named ports")
    spec: dict = {"selector": dict(selector), "ports": ports}
    if headless:
        spec["clusterIP"] = "None"
        # A database's pods must be resolvable before they are ready (peers, init).
        spec["publishNotReadyAddresses"] = True
    else:
        spec["type"] = "ClusterIP"
    return spec


@dataclass(frozen=True)
class WorkloadConfig:
    """What every pattern's pods have: a name, labels and the selector among
    them, their own ServiceAccount, one pinned image and its resources."""

    name: str
    labels: dict[str, str]
    selector: dict[str, str]
    service_account: str
    image: str
    resources: dict


def service_monitor(scope: Construct, config: WorkloadConfig, interval: str = "30s") -> None:
    """Prometheus Operator scrapes the Service's ``metrics`` port."""
    emit(scope, crd("ServiceMonitor"), {"name": f"{config.name}-monitor", "labels": dict(config.labels)},
         spec={"selector": {"matchLabels": dict(config.selector)},
               "endpoints": [{"port": "metrics", "interval": interval, "path": "/metrics"}]})
