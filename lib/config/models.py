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


# Kubernetes minors the rendered platform supports: the intersection of the
# add-ons' support windows (Envoy Gateway v1.9.0's compatibility matrix is the
# narrowest: 1.33-1.36) with the upstream-supported releases.
SUPPORTED_KUBERNETES = (33, 36)


class Cluster(Model):
    """Facts about the cluster the environment runs on."""

    kubernetes_version: Annotated[str, Field(pattern=r"^1\.[0-9]+$")]
    region: DnsLabel
    # False: the cluster has no dedicated node pools (a small or test cluster),
    # so no pod selects or tolerates a pool and everything runs on general
    # nodes; GPU requests are left out too (no GPU pool to grant them).
    dedicated_node_pools: bool = True
    dns: Dns
    prometheus: Pods
    kafka: Kafka
    external_secrets: Pods
    edge_proxy: Pods
    edge_controller: Pods
    edge_certgen: Pods
    # The CloudNativePG operator (add-on): reaches every database instance.
    cnpg_operator: Pods
    api_server_cidrs: list[Cidr]
    api_server_port: Port
    # Addresses a pod must never reach through an "internet" egress rule.
    private_cidrs: list[Cidr]

    @field_validator("kubernetes_version")
    @classmethod
    def _supported(cls, version: str) -> str:
        minor = int(version.split(".")[1])
        low, high = SUPPORTED_KUBERNETES
        if not low <= minor <= high:
            raise ValueError(
                f"Kubernetes {version} is outside 1.{low}-1.{high}, the versions every add-on "
                "the platform relies on supports (Envoy Gateway v1.9: 1.33-1.36; 1.32 and older "
                "are end of life upstream)")
        return version


class Taint(Model):
    key: Annotated[str, Field(min_length=1)]
    value: str
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class NodePool(Model):
    """Nodes a workload class is scheduled on: their labels, and taints to tolerate."""

    node_labels: dict[str, str]
    taints: list[Taint] = []
    # Whether the pool keeps room for a rolling update's surge pod. A GPU pool
    # sized to its GPUs does not: a one-replica GPU Deployment with 25% surge
    # would wait forever for a second free GPU. Without headroom, workloads
    # there roll by replacing one pod at a time (maxSurge 0, maxUnavailable 1).
    surge_headroom: bool = True


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
    # An alias, a key id or a key ARN. The two regions of a pair name one
    # multi-Region key (key/mrk-...): the primary key in the primary region,
    # its replica (same key material, same mrk- id) in the other, so Vault
    # in either region unseals a raft snapshot taken in the other
    # (Environment._kms_key_opens_the_peers_snapshots checks it).
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


S3Bucket = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
# An object-key prefix without leading or trailing slash ("velero", "a/b").
S3Prefix = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")]


class BucketLocation(Model):
    """One S3 bucket Velero keeps backups in (a BackupStorageLocation)."""

    bucket: S3Bucket
    region: DnsLabel
    # Velero's root in the bucket. Velero marks a location Unavailable when
    # anything but its own directories sits under it (IsValid in
    # pkg/persistence/object_store.go, v1.18.1), so nothing else may write
    # below this prefix.
    prefix: S3Prefix = "velero"


class PeerLocation(BucketLocation):
    """The other region's backups, as its bucket's replica in this region."""

    # The environment that writes them: the location's name, so a backup
    # synced from it is labelled with where it came from.
    environment: DnsLabel


class VaultSnapshot(Model):
    """Vault's own raft snapshots, on a schedule, into the backup bucket."""

    schedule: Annotated[str, Field(min_length=9)]
    # Uploads the snapshot (IRSA: the role below, nothing else).
    image: Image
    # May only s3:PutObject below `prefix` in the region's bucket.
    iam_role_arn: Annotated[str, Field(pattern=r"^arn:aws:iam::[0-9]{12}:role/.+$")]
    # Beside Velero's prefix, never below it (see BucketLocation.prefix).
    prefix: S3Prefix = "vault-raft"


class Backup(Model):
    """The spec's Velero daily-backup; namespaces are derived, not listed.

    The schedule writes to this region's own bucket (`location`) while the
    environment is the primary; a standby writes nothing (a second writer
    would race the primary's) and reads the primary's backups from
    `peer_location`, the primary's bucket replicated into this region."""

    enabled: bool = True
    schedule: Annotated[str, Field(min_length=9)]
    ttl: Annotated[str, Field(pattern=r"^[0-9]+h[0-9]+m[0-9]+s$")]
    velero_namespace: DnsLabel
    location: BucketLocation
    peer_location: Optional[PeerLocation] = None
    vault_snapshot: Optional[VaultSnapshot] = None
    # The primary's post-sync check that every Deployment is available (a
    # Python 3 image: the check uses the standard library only).
    verify_image: Image

    @model_validator(mode="after")
    def _own_prefixes(self) -> "Backup":
        if self.vault_snapshot and (self.vault_snapshot.prefix + "/").startswith(self.location.prefix + "/"):
            raise ValueError(
                f"vault_snapshot.prefix ({self.vault_snapshot.prefix}) is inside location.prefix "
                f"({self.location.prefix}): Velero marks a location Unavailable when its prefix holds "
                "anything but its own directories; give Vault's snapshots a sibling prefix")
        return self


# robfig/cron v1.2.0 (CloudNativePG v1.30.0's ScheduledBackup parser,
# internal/controller/scheduledbackup_controller.go) reads six fields, seconds
# first: the five-field "0 2 * * *" would mean minute 2 of every hour.
CnpgSchedule = Annotated[str, Field(pattern=r"^\S+( \S+){5}$")]


class ArchiveLocation(Model):
    """A prefix in an S3 bucket holding Barman Cloud archives: one directory
    per database server (its WAL and its base backups)."""

    bucket: S3Bucket
    region: DnsLabel
    # Beside Velero's prefix, never below it (Velero marks a location whose
    # prefix holds anything but its own directories Unavailable). A cluster
    # created as an archiver (initdb, a restore) refuses a destination that
    # already holds WAL of its server name (plugin-barman-cloud v0.14.0,
    # internal/cnpgi/restore/restore.go checkBackupDestination).
    path: S3Prefix = "databases"

    @property
    def destination(self) -> str:
        return f"s3://{self.bucket}/{self.path}/"


# The fields CloudNativePG v1.30.0 requires in a promotion token (the other
# region's `.status.demotionToken`: base64 of a JSON object), as its webhook
# checks them (pkg/utils/parser.go, ParsePgControldataToken and IsValid).
PROMOTION_TOKEN_FIELDS = ("latestCheckpointTimelineID", "redoWalFile", "databaseSystemIdentifier",
                          "latestCheckpointREDOLocation", "timeOfLatestCheckpoint", "operatorVersion")


def _promotion_token(value: str) -> str:
    import base64
    import binascii
    import json
    try:
        content = json.loads(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        raise ValueError("is not a CloudNativePG demotion token (base64 of a JSON object): copy "
                         "it whole from the other region's `.status.demotionToken`") from None
    missing = [f for f in PROMOTION_TOKEN_FIELDS if not isinstance(content, dict) or not content.get(f)]
    if missing:
        raise ValueError(f"the demotion token lacks {', '.join(missing)}: copy it whole from the "
                         "other region's `.status.demotionToken`")
    return value


PromotionToken = Annotated[str, AfterValidator(_promotion_token)]


class DatabaseToken(Model):
    """One database's promotion token (a list entry: a list is replaced
    whole by a file that extends another, so a region never inherits the
    other region's tokens)."""

    database: DnsLabel
    token: PromotionToken


class PointInTimeRestore(Model):
    """A database restored to a moment of its archive, as a new Cluster beside it."""

    # The database's catalog workload (jeeves-postgresql, ...).
    database: DnsLabel
    # RFC 3339 with a zone (CloudNativePG reads a zoneless time as UTC; the
    # values say which they mean). Any second inside the retention window.
    target_time: Annotated[str, Field(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")]
    # One instance is enough to inspect or copy data back; raise it before
    # making the restored database the live one.
    instances: PositiveInt = 1
    # Part of the restored cluster's archive name (<cluster>-<attempt>): a
    # cluster restored again after its first try was deleted must archive
    # into an empty path (the restore job refuses one holding WAL:
    # plugin-barman-cloud v0.14.0, internal/cnpgi/restore/restore.go), so
    # each try takes the next number.
    attempt: PositiveInt = 1


class Databases(Model):
    """How the services' PostgreSQL databases run (README, "Databases").

    ``cloudnative-pg``: each database a CloudNativePG (v1.30) Cluster with the
    Barman Cloud plugin (v0.14): replicated instances, automated failover,
    continuous WAL archiving and daily base backups to ``archive``; a
    standby's clusters are replicas restoring the other region's archive
    (the same path in the other region's bucket as replicated into this
    region, ``backup.peer_location``) and archiving what they replay.
    ``statefulset``: the seed's single pod.
    """

    engine: Literal["cloudnative-pg", "statefulset"] = "cloudnative-pg"
    instances: PositiveInt = 3
    # A CloudNativePG operand image (PostgreSQL 15.x; initdb, pg_ctl,
    # pg_controldata, pg_basebackup on PATH: CloudNativePG v1.30.0,
    # docs/src/container_images.md).
    image: Image
    # The Barman Cloud plugin's sidecar in every instance pod (ObjectStore
    # spec.instanceSidecarConfiguration.resources). requests == limits, or
    # the instance pods lose the Guaranteed QoS the database relies on.
    sidecar_resources: Resources
    # IRSA: the role the instances' ServiceAccount assumes for the buckets.
    iam_role_arn: Annotated[str, Field(pattern=r"^arn:aws:iam::[0-9]{12}:role/.+$")]
    # This region's own archive (the other region's is the same path in its
    # bucket, replicated here). Below it, one directory per server name.
    archive: ArchiveLocation
    # The archive generation of each region of a pair (README, "Databases"):
    # a region's clusters archive under <cluster> at generation 0 and
    # <cluster>-<n> above, and read the other region's under its generation.
    # A cluster bootstrapped from an archive (a standby, a rebuild) refuses
    # to archive into a server name that already holds WAL (CloudNativePG
    # v1.30.0 marks it, pkg/management/postgres/restore.go concludeRestore;
    # plugin-barman-cloud v0.14.0 checks, internal/cnpgi/common/wal.go and
    # internal/cnpgi/restore/restore.go), so a rebuild takes a number above
    # both regions' and the two regions never share one.
    archive_generations: dict[DnsLabel, NonNegativeInt] = {}
    # A planned promotion (README, "Planned switchover"): per database, the
    # other region's `.status.demotionToken` once it is demoted. CloudNativePG
    # then promotes only after replaying up to it, and the demoted cluster
    # follows without a rebuild. Only while region_role is primary; without
    # a token a promotion is a failover (the other region is rebuilt).
    promotion_tokens: list[DatabaseToken] = []
    # Where this region's databases came from, kept while it is the primary
    # (a Cluster reads its bootstrap only when it is created): "new"
    # (initdb, an empty database: the pair's first primary) or
    # "peer-archive" (restored from the other region's archive; a standby's
    # databases always are, whatever this says).
    origin: Literal["new", "peer-archive"] = "new"
    backup_schedule: CnpgSchedule
    # Barman's recovery window (ObjectStore spec.retentionPolicy).
    retention: Annotated[str, Field(pattern=r"^[1-9][0-9]*[dwm]$")]
    # Point-in-time restores, each a new Cluster. A list, so that an
    # environment inheriting another's values replaces it (production-dr
    # sets `restores: []`: production's restores are production's).
    restores: list[PointInTimeRestore] = []

    @model_validator(mode="after")
    def _consistent(self) -> "Databases":
        r = self.sidecar_resources
        if r.requests != r.limits:
            raise ValueError("sidecar_resources: requests must equal limits, or the database pods "
                             "lose Guaranteed QoS (every container of the pod counts)")
        if self.restores and self.engine != "cloudnative-pg":
            raise ValueError("restores need engine cloudnative-pg (a StatefulSet has no WAL archive)")
        named = [t.database for t in self.promotion_tokens]
        if len(set(named)) != len(named):
            raise ValueError(f"promotion_tokens: a database is listed twice ({', '.join(named)})")
        seen = set()
        for i, restore in enumerate(self.restores):
            key = (restore.database, restore.target_time)
            if key in seen:
                raise ValueError(f"restores[{i}]: {restore.database} to {restore.target_time} is listed twice")
            seen.add(key)
        if not self.image.tag.startswith("15"):
            raise ValueError(f"image tag {self.image.tag!r}: the databases run PostgreSQL 15.x "
                             "(a major upgrade is a migration, not a tag change)")
        return self


class DnsFailover(Model):
    """Route 53 failover routing for the public hostnames (ExternalDNS).

    The set identifier is derived from the region; PRIMARY or SECONDARY from
    `region_role`. The health check (infrastructure, README "Disaster
    recovery") watches this region's edge."""

    health_check_id: Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


class EdgeProxy(Model):
    """The Envoy proxies Envoy Gateway runs for the Gateway (its EnvoyProxy)."""

    autoscaling: Autoscaling
    # The envoy container; the shutdown-manager sidecar Envoy Gateway adds to
    # every proxy pod only has requests upstream (10m/32Mi), so its limits
    # would otherwise be the namespace's LimitRange defaults.
    resources: Resources
    shutdown_manager_resources: Resources
    # PodDisruptionBudget minAvailable of the proxies.
    min_available: PositiveInt

    @model_validator(mode="after")
    def _survives_one_pod(self) -> "EdgeProxy":
        # The proxies are the only way in: one pod is an outage on every node
        # drain, and a budget that allows no eviction blocks the drain itself.
        if self.autoscaling.min_replicas < 2:
            raise ValueError(f"autoscaling.min_replicas ({self.autoscaling.min_replicas}) must be at "
                             "least 2: one proxy is the whole public edge")
        if self.min_available >= self.autoscaling.min_replicas:
            raise ValueError(f"min_available ({self.min_available}) must be below autoscaling.min_replicas "
                             f"({self.autoscaling.min_replicas}), or no node holding a proxy can be drained")
        return self


class Edge(Model):
    """The public edge: one Gateway, one route per public service."""

    domain: Annotated[str, Field(pattern=r"^[a-z0-9.-]+$")]
    gateway_class: DnsLabel
    tls_vault_key: Annotated[str, Field(min_length=1)]
    proxy: EdgeProxy
    # Only for an environment with a partner region; none: plain records.
    failover: Optional[DnsFailover] = None


class LogOutput(Model):
    """Where Fluent Bit ships logs: an OpenSearch cluster (an add-on, see README)."""

    host: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9.-]+$")]
    port: Port
    index: DnsLabel
    # On: the server certificate is checked against the CA from `vault_key`
    # (chain and host name); the credentials never cross the network in clear.
    tls: bool
    # Vault KV path under voyager/kube-system/ holding `username`, `password`
    # and (with tls) `ca.crt`; an ExternalSecret copies it into kube-system.
    vault_key: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9/_-]*$")]


# Fluent Bit parses sizes itself (flb_utils_size_to_bytes, v3.1.9): decimal
# K/M/G with an optional B; a Kubernetes "Gi" is a configuration error there.
FluentBitSize = Annotated[str, Field(pattern=r"^[1-9][0-9]*[KMG]B?$")]


class LogBuffer(Model):
    """Fluent Bit's filesystem buffer on each node (storage.* keys, Fluent Bit 3.1)."""

    # Per output: past it Fluent Bit drops the oldest chunks, so a sink outage
    # fills at most this much of the node's disk.
    total_limit_size: FluentBitSize
    # Chunks (up to 2 MB each) held in memory; the rest wait on disk.
    max_chunks_up: Annotated[int, Field(ge=1, le=1024, strict=True)]
    # Memory for replaying chunks left on disk by a previous pod.
    backlog_mem_limit: FluentBitSize


class Logging(Model):
    image: Image
    output: LogOutput
    buffer: LogBuffer
    resources: Resources


class Mesh(Model):
    """The spec's optional Istio; off by default (Envoy Gateway is the edge)."""

    enabled: bool
    mesh_id: DnsLabel
    network: DnsLabel


class RightSizing(Model):
    """VerticalPodAutoscalers in recommendation mode for stateless services."""

    vpa_enabled: bool


# --- Add-ons (README "Add-ons"; lib/catalog/addons.py has what each one is) ---

# One release, exactly: SemVer 2 with an optional "v" (Helm chart versions
# and release tags). Argo CD resolves "*", a range ("^2.20", ">=1.0 <2",
# "1.x") or "latest" anew on every sync, so the cluster would change
# without a commit, and a rollback would not roll back.
_SEMVER = re.compile(r"^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
                     r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def _pinned(value: str) -> str:
    if not _SEMVER.match(value):
        raise ValueError(
            f"{value!r} is not a pinned version: Argo CD would resolve a wildcard, a range, a "
            "branch or 'latest' again at every sync, so the cluster could change without a "
            "commit; name one exact release (e.g. 2.20.2 or v1.9.0)")
    return value


PinnedVersion = Annotated[str, AfterValidator(_pinned)]
IamRoleArn = Annotated[str, Field(pattern=r"^arn:aws:iam::[0-9]{12}:role/.+$")]


class AddonSource(Model):
    """Where Argo CD gets an add-on: a Helm chart (``chart``) from a chart
    repository (an OCI one has no scheme: ``docker.io/envoyproxy``), or a
    directory (``path``, kustomize) of a Git repository at a release tag."""

    repo_url: Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
    chart: Optional[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]] = None
    path: Optional[Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")]] = None
    version: PinnedVersion

    @model_validator(mode="after")
    def _chart_or_path(self) -> "AddonSource":
        if (self.chart is None) == (self.path is None):
            raise ValueError("set exactly one of chart (a Helm chart) and path (a directory of a "
                             "Git repository)")
        return self


class Addon(Model):
    """One add-on's pinned source and the sizing of its pods, by the
    component names lib/catalog/addons.py gives them."""

    enabled: bool = True
    source: AddonSource
    resources: dict[DnsLabel, Resources] = {}


class VeleroAddon(Addon):
    # The AWS object-store plugin, copied into the server by an init
    # container (the plugin's README pairs v1.14.x with Velero v1.18.x).
    aws_plugin_image: Image
    # IRSA for Velero's ServiceAccount: the region's buckets (README,
    # "Backups (Velero)").
    iam_role_arn: IamRoleArn


class ExternalDnsAddon(Addon):
    # The ExternalDNS release the chart runs (the newest chart still ships an
    # older appVersion; addons/README.md says why this one).
    image: Image
    # IRSA for ExternalDNS's ServiceAccount: Route 53 on the zone.
    iam_role_arn: IamRoleArn
    # sync: deletes the records it owns once their route is gone (README,
    # "DNS failover").
    policy: Literal["sync", "upsert-only", "create-only"] = "sync"


class BarmanCloudAddon(Addon):
    # The plugin and the sidecar it injects into every database pod; the
    # upstream kustomization at the tag names test images until a release
    # rewrites them, as Argo CD does here.
    image: Image
    sidecar_image: Image


class Addons(Model):
    """Every add-on the platform relies on, one Argo CD Application each."""

    # The pool the add-ons' controllers run on (untainted, so anything that
    # does not tolerate a taint lands there anyway; the selector says so).
    node_pool: Literal["compute"] = "compute"
    envoy_gateway: Addon
    external_secrets: Addon
    keda: Addon
    kube_prometheus_stack: Addon
    velero: VeleroAddon
    vertical_pod_autoscaler: Addon
    cloudnative_pg: Addon
    barman_cloud: BarmanCloudAddon
    cert_manager: Addon
    external_dns: ExternalDnsAddon
    strimzi: Addon
    argocd: Addon


class StandbyAutoscaling(Model):
    min_replicas: PositiveInt


class StandbyEventScaling(Model):
    min_replica_count: NonNegativeInt


class StandbyWorkload(Model):
    """What a warm standby lowers of one workload: its minimums, nothing else."""

    autoscaling: Optional[StandbyAutoscaling] = None
    event_scaling: Optional[StandbyEventScaling] = None


class Standby(Model):
    """Values that apply only while ``region_role`` is standby (a warm
    standby); promoted, the environment runs with the rest of its values,
    so the failover's diff raises these minimums (and brings back the PDBs
    they drop) instead of leaving the new primary at standby size."""

    workloads: dict[DnsLabel, StandbyWorkload] = {}


# The minimum a standby may lower, per scaler: (field, lowest, the maximum's field).
_STANDBY_MINIMUMS = {"autoscaling": ("min_replicas", 1, "max_replicas"),
                     "event_scaling": ("min_replica_count", 0, "max_replica_count")}


def _acceptable_minimum(key: str, field: str, value, scaler: dict) -> bool:
    """Whether a standby minimum fits the workload's scaler (as its model checks)."""
    known = _STANDBY_MINIMUMS.get(key)
    if known is None or field != known[0]:
        return False
    if not isinstance(value, int) or isinstance(value, bool) or not known[1] <= value <= INT32_MAX:
        return False
    top = scaler.get(known[2])
    return not isinstance(top, int) or value <= top


class Environment(Model):
    """One environment's values after inheritance: what the platform layer reads."""

    name: DnsLabel
    # Which side of the primary/secondary region pair this environment is.
    # A standby follows the primary (replica databases, no backups of its
    # own, the secondary DNS records); failover is this one value flipped
    # to primary, rendered and synced (README, "Disaster recovery").
    region_role: Literal["primary", "standby"] = "primary"
    cluster: Cluster
    gitops: Gitops
    quotas: dict[Literal["service", "customer"], Quota]
    node_pools: dict[Literal["compute", "database", "gpu"], NodePool]
    transcoder: Sidecar
    rollout: Rollout
    autoscaling_behavior: ScalingBehavior
    vault: Vault
    backup: Backup
    databases: Databases
    edge: Edge
    logging: Logging
    mesh: Mesh
    right_sizing: RightSizing
    limit_range: LimitRangeDefaults
    # The add-ons as Argo CD Applications (README, "Add-ons"); absent, none
    # is rendered (a values directory of tests that predates them).
    addons: Optional[Addons] = None
    namespaces: dict[DnsLabel, NamespaceOverride] = {}
    workloads: dict[DnsLabel, Workload] = {}
    customers: list[Customer] = []
    # Merged over `workloads` while region_role is standby (see Standby).
    standby: Standby = Standby()

    @model_validator(mode="before")
    @classmethod
    def _standby_overlay(cls, data):
        """While standby, `standby.workloads` over `workloads` (checked as one)."""
        if not isinstance(data, dict) or data.get("region_role") != "standby":
            return data
        overlay = (data.get("standby") or {}).get("workloads") if isinstance(data.get("standby"), dict) else None
        workloads = data.get("workloads")
        if not isinstance(overlay, dict) or not isinstance(workloads, dict):
            return data
        merged = dict(workloads)
        for name, low in overlay.items():
            base = merged.get(name)
            if not isinstance(base, dict) or not isinstance(low, dict):
                continue  # reported by _standby_names
            entry = dict(base)
            for key, fields in low.items():
                if isinstance(entry.get(key), dict) and isinstance(fields, dict):
                    # Only minimums the workload will accept move over: a bad
                    # one (wrong type, out of range, above the maximum) stays
                    # in `standby`, whose own model and _standby_names report
                    # it at its real key (standby.workloads...) and file, not
                    # at the workload's, which lives in another file.
                    good = {f: v for f, v in fields.items()
                            if _acceptable_minimum(key, f, v, entry[key])}
                    entry[key] = {**entry[key], **good}
            merged[name] = entry
        return {**data, "workloads": merged}

    @model_validator(mode="after")
    def _standby_names(self) -> "Environment":
        """The overlay is checked in both roles: a typo must not wait for a failover."""
        for name, low in self.standby.workloads.items():
            sizing = self.workloads.get(name)
            if sizing is None:
                raise ValueError(f"standby.workloads.{name}: not a workload sized under workloads")
            for key, field in (("autoscaling", "min_replicas"), ("event_scaling", "min_replica_count")):
                lowered, scaler = getattr(low, key), getattr(sizing, key)
                if lowered is None:
                    continue
                if scaler is None:
                    raise ValueError(f"standby.workloads.{name}.{key}: the workload has no {key} to lower")
                top = scaler.max_replicas if key == "autoscaling" else scaler.max_replica_count
                if getattr(lowered, field) > top:
                    raise ValueError(f"standby.workloads.{name}.{key}.{field} ({getattr(lowered, field)}) "
                                     f"is above the maximum ({top})")
        return self

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

    @model_validator(mode="after")
    def _standby_databases_follow(self) -> "Environment":
        db = self.databases
        if self.region_role == "standby":
            if db.engine != "cloudnative-pg":
                raise ValueError("databases.engine is statefulset but region_role is standby: a single "
                                 "StatefulSet pod cannot follow the primary's archive; use cloudnative-pg")
        if db.engine == "cloudnative-pg" and (self.region_role == "standby" or db.origin == "peer-archive"):
            peer = self.backup.peer_location
            if peer is None:
                raise ValueError("backup.peer_location is missing: this region's databases restore the "
                                 "other region's archive from its bucket's replica here "
                                 f"({'region_role is standby' if self.region_role == 'standby' else 'databases.origin is peer-archive'})")
            if peer.bucket == db.archive.bucket:
                raise ValueError("databases.archive.bucket is backup.peer_location.bucket: promoted, this "
                                 "region would archive into the other region's archive")
        peer = self.backup.peer_location
        if db.engine == "cloudnative-pg" and peer is not None:
            missing = [e for e in (self.name, peer.environment) if e not in db.archive_generations]
            if missing:
                raise ValueError(f"databases.archive_generations needs {' and '.join(missing)}: each "
                                 "region of the pair archives under its own generation (README, "
                                 "\"Databases\")")
        if db.promotion_tokens and (self.region_role != "primary" or peer is None):
            raise ValueError("databases.promotion_tokens: a promotion token is only for promoting this "
                             "region's databases (region_role primary, with a partner region); clear it "
                             "(promotion_tokens: []) when the region is demoted")
        return self

    @model_validator(mode="after")
    def _kms_key_opens_the_peers_snapshots(self) -> "Environment":
        key, region = self.vault.kms_key_id, self.cluster.region
        if key.startswith("arn:"):
            parts = key.split(":", 5)
            if len(parts) != 6 or parts[2] != "kms" or not parts[5].startswith("key/"):
                raise ValueError(f"vault.kms_key_id {key!r} is not a KMS key ARN "
                                 "(arn:aws:kms:<region>:<account>:key/<id>)")
            if parts[3] != region:
                raise ValueError(
                    f"vault.kms_key_id {key!r} is in {parts[3]}, the cluster in {region}: Vault would "
                    f"unseal through another region, and not at all while it is down; name the "
                    f"multi-Region key's replica in {region} (same mrk- id)")
        if self.backup.peer_location is not None and not (
                key.startswith(f"arn:aws:kms:{region}:") and ":key/mrk-" in key):
            raise ValueError(
                f"vault.kms_key_id {key!r}: this environment has a partner region "
                "(backup.peer_location), so Vault must unseal with the pair's multi-Region key, as "
                f"the ARN of its key/mrk-... in {region}; otherwise a raft snapshot from the other "
                "region does not open here")
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
