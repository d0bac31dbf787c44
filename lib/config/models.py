"""Typed, frozen models of one environment's values.

Every model forbids unknown keys (a typo fails at load with its key path) and
checks its bounds here, so nothing downstream re-validates input. The numbers
themselves live in the values files (lib/values/*.yaml), not in this module.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Annotated, Literal, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .quantity import parse_quantity

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def _dns_label(value: str) -> str:
    if len(value) > 63 or not DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a valid DNS label (lower-case letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters)"
        )
    return value


def _quantity(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{value!r} is not a quantity (examples: 250m, 2, 512Mi)")
    parse_quantity(value)  # raises with the accepted forms
    return str(value)


def _image_tag(value: str) -> str:
    if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", value):
        raise ValueError(f"{value!r} is not a valid image tag")
    if value == "latest":
        raise ValueError(
            "'latest' is not a pinned tag: Argo CD could not tell two releases apart "
            "and a rollback would not roll back; use a release tag"
        )
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
Quantity = Annotated[str, BeforeValidator(_quantity)]
ImageTag = Annotated[str, AfterValidator(_image_tag)]
# Counts and seconds end up in int32 fields (replicas, maxReplicas, periodSeconds);
# above that the API server rejects the object, and above 2**53 jsii (JavaScript
# numbers) would write a float such as 1.0e+23.
INT32_MAX = 2**31 - 1
NonNegativeInt = Annotated[int, Field(ge=0, le=INT32_MAX, strict=True)]
PositiveInt = Annotated[int, Field(ge=1, le=INT32_MAX, strict=True)]
Percent = Annotated[int, Field(ge=1, le=100, strict=True)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Image(Model):
    """A container image pinned by tag (never ``latest``)."""

    repository: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._/:-]*$")]
    tag: ImageTag

    @property
    def ref(self) -> str:
        return f"{self.repository}:{self.tag}"


class CpuMemory(Model):
    cpu: Quantity
    memory: Quantity

    def as_dict(self) -> dict[str, str]:
        return {"cpu": self.cpu, "memory": self.memory}


class Resources(Model):
    """Requests and limits of one container; limits may not be below requests."""

    requests: CpuMemory
    limits: CpuMemory

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> "Resources":
        for name in ("cpu", "memory"):
            req = parse_quantity(getattr(self.requests, name))
            lim = parse_quantity(getattr(self.limits, name))
            if lim < req:
                raise ValueError(
                    f"limits.{name} ({getattr(self.limits, name)}) is below "
                    f"requests.{name} ({getattr(self.requests, name)})"
                )
        return self

    def as_dict(self) -> dict:
        return {"requests": self.requests.as_dict(), "limits": self.limits.as_dict()}


class ScalingPolicy(Model):
    stabilization_window_seconds: NonNegativeInt
    percent: Percent
    period_seconds: PositiveInt


class Autoscaling(Model):
    """HorizontalPodAutoscaler bounds and targets (the spec's jeeves-hpa)."""

    min_replicas: PositiveInt
    max_replicas: PositiveInt
    cpu_utilization: Percent
    memory_utilization: Percent

    @model_validator(mode="after")
    def _bounds(self) -> "Autoscaling":
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"max_replicas ({self.max_replicas}) is below min_replicas ({self.min_replicas})"
            )
        return self


class EventScaling(Model):
    """KEDA bounds for an event-scaled worker (the spec's jarvis scaler)."""

    min_replica_count: NonNegativeInt
    max_replica_count: PositiveInt
    lag_threshold: PositiveInt

    @model_validator(mode="after")
    def _bounds(self) -> "EventScaling":
        if self.max_replica_count < self.min_replica_count:
            raise ValueError(
                f"max_replica_count ({self.max_replica_count}) is below "
                f"min_replica_count ({self.min_replica_count})"
            )
        return self


class Workload(Model):
    """Sizing and image of one workload; its shape (ports, talks-to) is in the catalog."""

    image: Image
    replicas: NonNegativeInt
    resources: Resources
    autoscaling: Optional[Autoscaling] = None
    event_scaling: Optional[EventScaling] = None
    storage: Optional[Quantity] = None
    node_pool: Optional[Literal["compute", "database", "gpu"]] = None
    # GPUs per pod (nvidia.com/gpu), requested only where the pod lands on the
    # GPU pool; a GPU node without a GPU request would be blocked for nothing.
    gpus: NonNegativeInt = 0

    @model_validator(mode="after")
    def _one_scaler(self) -> "Workload":
        if self.autoscaling and self.event_scaling:
            raise ValueError(
                "autoscaling and event_scaling are both set: a KEDA-scaled workload "
                "has no HPA of its own (KEDA creates one), so choose one"
            )
        return self


class Quota(Model):
    """A namespace's ResourceQuota (the spec's compute-quota / customer-quota)."""

    requests_cpu: Quantity
    requests_memory: Quantity
    limits_cpu: Quantity
    limits_memory: Quantity
    persistentvolumeclaims: NonNegativeInt
    requests_storage: Quantity
    pods: NonNegativeInt
    services: NonNegativeInt
    secrets: Optional[NonNegativeInt] = None
    configmaps: Optional[NonNegativeInt] = None

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> "Quota":
        for name in ("cpu", "memory"):
            req = parse_quantity(getattr(self, f"requests_{name}"))
            lim = parse_quantity(getattr(self, f"limits_{name}"))
            if lim < req:
                raise ValueError(f"limits_{name} is below requests_{name}")
        return self

    def hard(self) -> dict[str, str]:
        """The ResourceQuota ``spec.hard`` map, in the spec's key order."""
        out = {
            "requests.cpu": str(self.requests_cpu),
            "requests.memory": str(self.requests_memory),
            "limits.cpu": str(self.limits_cpu),
            "limits.memory": str(self.limits_memory),
            "persistentvolumeclaims": str(self.persistentvolumeclaims),
            "requests.storage": str(self.requests_storage),
            "pods": str(self.pods),
            "services": str(self.services),
        }
        if self.secrets is not None:
            out["secrets"] = str(self.secrets)
        if self.configmaps is not None:
            out["configmaps"] = str(self.configmaps)
        return out


class LimitRangeDefaults(Model):
    """Container defaults a LimitRange applies, so a quota'd namespace admits any pod."""

    default_request: CpuMemory
    default_limit: CpuMemory

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> "LimitRangeDefaults":
        Resources(requests=self.default_request, limits=self.default_limit)
        return self


class NamespaceOverride(Model):
    """Per-namespace overrides; the namespace itself comes from the catalog."""

    quota: Optional[Quota] = None


def _customer_id(value: str) -> str:
    if len(value) > 40:
        raise ValueError(
            f"{value!r} is {len(value)} characters; at most 40 characters, so that "
            "'<env>-customer-<id>' stays a valid Argo CD Application name"
        )
    return value


CustomerId = Annotated[DnsLabel, AfterValidator(_customer_id)]


class Customer(Model):
    """One customer: a ``customer-<id>`` namespace with its book deployment."""

    # "customer-<id>" is a namespace (<= 63) and "<env>-customer-<id>" an Argo CD
    # Application name, which Argo CD may copy into a label value (<= 63):
    # 40 leaves 14 characters for the environment name ("production-dr-").
    id: CustomerId
    book_image_tag: Optional[ImageTag] = None
    quota: Optional[Quota] = None


class Dns(Model):
    """Where pods resolve names: the one egress every namespace keeps."""

    namespace: DnsLabel
    pod_labels: dict[str, str]
    port: Annotated[int, Field(ge=1, le=65535, strict=True)]


Cidr = Annotated[str, Field(pattern=r"^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$")]
Port = Annotated[int, Field(ge=1, le=65535, strict=True)]


class Pods(Model):
    """Pods outside Voyager's own workloads that policies must name (add-ons, Kafka)."""

    namespace: DnsLabel
    pod_labels: dict[str, str]


class Kafka(Pods):
    port: Port
    bootstrap: Annotated[str, Field(min_length=1)]


class Cluster(Model):
    """Facts about the cluster the environment runs on."""

    kubernetes_version: Annotated[str, Field(pattern=r"^1\.[0-9]+$")]
    region: DnsLabel
    dns: Dns
    prometheus: Pods
    kafka: Kafka
    external_secrets: Pods
    edge_proxy: Pods
    edge_controller: Pods
    edge_certgen: Pods
    api_server_cidrs: list[Cidr]
    api_server_port: Port
    # Addresses a pod must never reach through an "internet" egress rule.
    private_cidrs: list[Cidr]


class Taint(Model):
    key: Annotated[str, Field(min_length=1)]
    value: str
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class NodePool(Model):
    """Nodes a workload class is scheduled on: their labels, and taints to tolerate."""

    node_labels: dict[str, str]
    taints: list[Taint] = []


class Sidecar(Model):
    image: Image
    resources: Resources


class Rollout(Model):
    """How Deployments roll (the spec's rolling-update strategy)."""

    max_surge: Annotated[str, Field(pattern=r"^[0-9]+%$")]
    max_unavailable: Annotated[str, Field(pattern=r"^[0-9]+%$")]
    termination_grace_period_seconds: PositiveInt
    pre_stop_sleep_seconds: NonNegativeInt

    @model_validator(mode="after")
    def _can_progress(self) -> "Rollout":
        # The API server rejects both 0 (a rollout could never replace a pod) and
        # maxUnavailable above 100%.
        if int(self.max_surge[:-1]) == 0 and int(self.max_unavailable[:-1]) == 0:
            raise ValueError("max_surge and max_unavailable are both 0%: a rollout could never "
                             "replace a pod; make one of them positive")
        if int(self.max_unavailable[:-1]) > 100:
            raise ValueError(f"max_unavailable ({self.max_unavailable}) is above 100%")
        return self

    @model_validator(mode="after")
    def _drain_fits(self) -> "Rollout":
        if self.pre_stop_sleep_seconds >= self.termination_grace_period_seconds:
            raise ValueError(
                f"pre_stop_sleep_seconds ({self.pre_stop_sleep_seconds}) must be below "
                f"termination_grace_period_seconds ({self.termination_grace_period_seconds}), "
                "or the kubelet kills the pod before it has drained"
            )
        return self


class ScalingBehavior(Model):
    scale_up: ScalingPolicy
    scale_down: ScalingPolicy


class Vault(Model):
    """Where the namespaces' SecretStores find Vault, and how Vault unseals."""

    address: Annotated[str, Field(pattern=r"^https?://")]
    kv_mount: DnsLabel
    auth_mount: DnsLabel
    kms_key_id: Annotated[str, Field(min_length=1)]
    # IAM role (IRSA) that may use the KMS key; KMS aliases are regional, so
    # each region's values name its own key and role.
    iam_role_arn: Annotated[str, Field(pattern=r"^arn:aws:iam::[0-9]{12}:role/.+$")]
    refresh_interval: Annotated[str, Field(pattern=r"^[0-9]+[smh]$")]


class Gitops(Model):
    """Where Argo CD finds this repository and the rendered tree."""

    repo_url: Annotated[str, Field(min_length=1)]
    target_revision: Annotated[str, Field(min_length=1)]
    # The rendered tree Argo CD syncs: <path_prefix>/<environment>/...
    path_prefix: Annotated[str, Field(min_length=1)] = "dist"
    argocd_namespace: DnsLabel = "argocd"


class Backup(Model):
    """The spec's Velero daily-backup; namespaces are derived, not listed."""

    enabled: bool = True
    schedule: Annotated[str, Field(min_length=9)]
    ttl: Annotated[str, Field(pattern=r"^[0-9]+h[0-9]+m[0-9]+s$")]
    storage_location: DnsLabel
    volume_snapshot_location: DnsLabel
    velero_namespace: DnsLabel


class Edge(Model):
    """The public edge: one Gateway, one route per public service."""

    domain: Annotated[str, Field(pattern=r"^[a-z0-9.-]+$")]
    gateway_class: DnsLabel
    tls_vault_key: Annotated[str, Field(min_length=1)]


class LogOutput(Model):
    """Where Fluent Bit ships logs (an OpenSearch/Elasticsearch endpoint)."""

    host: Annotated[str, Field(min_length=1)]
    port: Port
    index: DnsLabel
    tls: bool


class Logging(Model):
    image: Image
    output: LogOutput
    resources: Resources


class Mesh(Model):
    """The spec's optional Istio; off by default (Envoy Gateway is the edge)."""

    enabled: bool
    mesh_id: DnsLabel
    network: DnsLabel


class RightSizing(Model):
    """VerticalPodAutoscalers in recommendation mode for stateless services."""

    vpa_enabled: bool


class Environment(Model):
    """One environment's values after inheritance: what the platform layer reads."""

    name: DnsLabel
    cluster: Cluster
    gitops: Gitops
    quotas: dict[Literal["service", "customer"], Quota]
    node_pools: dict[Literal["compute", "database", "gpu"], NodePool]
    transcoder: Sidecar
    rollout: Rollout
    autoscaling_behavior: ScalingBehavior
    vault: Vault
    backup: Backup
    edge: Edge
    logging: Logging
    mesh: Mesh
    right_sizing: RightSizing
    limit_range: LimitRangeDefaults
    namespaces: dict[DnsLabel, NamespaceOverride] = {}
    workloads: dict[DnsLabel, Workload] = {}
    customers: list[Customer] = []

    @field_validator("customers")
    @classmethod
    def _unique_customers(cls, customers: list[Customer]) -> list[Customer]:
        first: dict[str, int] = {}
        for index, customer in enumerate(customers):
            if customer.id in first:
                raise ValueError(
                    f"customer {customer.id!r} is listed twice "
                    f"(customers[{first[customer.id]}] and customers[{index}])"
                )
            first[customer.id] = index
        return customers

    @model_validator(mode="after")
    def _both_quotas(self) -> "Environment":
        missing = {"service", "customer"} - set(self.quotas)
        if missing:
            raise ValueError(f"quotas needs {', '.join(sorted(missing))}")
        return self


__all__ = [
    "Autoscaling",
    "Cluster",
    "CpuMemory",
    "Customer",
    "Environment",
    "EventScaling",
    "Fraction",
    "Image",
    "LimitRangeDefaults",
    "NamespaceOverride",
    "Quota",
    "Resources",
    "Workload",
]
