"""A replicated PostgreSQL: a CloudNativePG ``Cluster`` archiving to S3
through the Barman Cloud plugin.

Upstream: CloudNativePG v1.30.0 (the operator and its CRDs) and the Barman
Cloud plugin v0.14.0 (the ``ObjectStore`` CRD and the sidecar it injects).
The in-tree ``spec.backup.barmanObjectStore`` is deprecated and removed in
1.31.0 (``docs/src/release_notes/v1.30.md``), so archiving, base backups and
restores all go through the plugin.

Three shapes of one database, chosen by the config:

- alone (no partner region): ``bootstrap.initdb``, the plugin as WAL
  archiver into its own ``ObjectStore`` under its own server name, a daily
  ``ScheduledBackup``;
- one of a pair, CloudNativePG's distributed topology
  (``docs/src/replica_cluster.md``, "Distributed Topology"): both regions'
  archives in ``externalClusters``, ``replica: {self, primary, source}``.
  The cluster is the pair's primary when ``primary`` is ``self``, else a
  replica cluster following ``source``. It archives in both roles (a
  replica's designated primary archives what it replays, PostgreSQL's
  ``archive_mode=always``), so a planned demotion uploads its shutdown
  checkpoint and ``.partial`` WAL (``pkg/reconciler/replicaclusterswitch``)
  instead of marking them done unarchived (with no archiver,
  ``pkg/management/postgres/archiver/archiver.go`` internalRun returns
  success). A planned promotion carries the demoted side's token
  (``promotionToken``): the operator promotes only once that LSN is
  replayed, and the demoted cluster follows without a rebuild;
- a point-in-time restore: a new Cluster whose ``bootstrap.recovery`` reads
  another server's archive up to ``recoveryTarget.targetTime``; if it
  archives, it does so under its own server name, so it never writes into
  the archive it was restored from.

A server name never serves two writers: a cluster bootstrapped from an
archive creates ``.check-empty-wal-archive`` (``pkg/management/postgres/
restore.go`` concludeRestore, replicas included) and, until archiving
works, the plugin refuses a destination holding WAL (``internal/cnpgi/
common/wal.go``, ``internal/cnpgi/restore/restore.go``). So the config
refuses a cluster that would archive under the server name of the archive
it follows or restores from.

Instance pods are built by the operator (``pkg/specs/pods.go``), not here:
Pod Security ``restricted`` holds with its defaults (UID/GID 26, runAsNonRoot,
seccomp RuntimeDefault, every capability dropped, read-only root, no
privilege escalation, in ``GetPodSecurityContext`` / ``GetSecurityContext``),
and the plugin's sidecar sets the same (``internal/cnpgi/operator/
lifecycle.go``, ``reconcilePodSpec``). This pattern sets none of those
fields, so nothing here can weaken them. What it sets on the pods goes
through ``inheritedMetadata`` (labels every pod and job of the cluster
carries), ``affinity``, ``topologySpreadConstraints`` and
``priorityClassName``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit
from .pod import Scheduling

PLUGIN = "barman-cloud.cloudnative-pg.io"
# Ports of the postgres container (pkg/specs/pods.go, createPostgresContainers).
POSTGRES_PORT = 5432
METRICS_PORT = 9187
STATUS_PORT = 8000
# Labels CloudNativePG puts on every instance pod (pkg/utils/labels_annotations.go).
CLUSTER_LABEL = "cnpg.io/cluster"
POD_ROLE_LABEL = "cnpg.io/podRole"
# CloudNativePG's webhook refuses longer Cluster names (validateName,
# internal/webhook/v1/cluster_webhook.go): they seed pod, job and PVC names.
MAX_NAME = 50


def instance_selector(cluster: str) -> dict[str, str]:
    """The instance pods of one Cluster (what its PodMonitor and spread select)."""
    return {CLUSTER_LABEL: cluster, POD_ROLE_LABEL: "instance"}


@dataclass(frozen=True)
class ObjectStoreConfig:
    """One Barman Cloud ``ObjectStore``: a prefix of an S3 bucket."""

    name: str
    destination_path: str  # s3://bucket/prefix/
    region: str
    # The sidecar every instance using this store gets. The plugin takes it
    # from the store in spec.plugins, else the recovery or replica source
    # (lifecycle_resources.go), so every store carries the same.
    sidecar_resources: dict
    # Barman's retention ("30d"); "" for an archive this side only reads:
    # the primary's, which only the primary may prune.
    retention: str = ""
    labels: dict[str, str] = field(default_factory=dict)


class BarmanObjectStore(Group):
    def __init__(self, scope: Construct, id: str, *, config: ObjectStoreConfig):
        super().__init__(scope, id)
        c = config
        spec: dict = {
            "configuration": {
                "destinationPath": c.destination_path,
                # IRSA: barman-cloud (boto3) takes the web identity the EKS
                # webhook injects for the Cluster's ServiceAccount.
                "s3Credentials": {"inheritFromIAMRole": True},
                "wal": {"compression": "gzip"},
                "data": {"compression": "gzip"},
            },
            "instanceSidecarConfiguration": {
                # The bucket's region for boto3, not whatever the webhook
                # injects; the env of every store a pod uses is merged
                # (lifecycle_envs.go), and both stores of a pod are in this
                # cluster's region.
                "env": [{"name": "AWS_DEFAULT_REGION", "value": c.region}],
                "resources": c.sidecar_resources,
            },
        }
        if c.retention:
            spec["retentionPolicy"] = c.retention
        emit(self, crd("ObjectStore"), {"name": c.name, "labels": dict(c.labels)}, spec=spec)


@dataclass(frozen=True)
class ArchiveRef:
    """A server's archive: the ObjectStore and the server name below it."""

    store: str
    server_name: str


@dataclass(frozen=True)
class ExternalArchive:
    """One ``externalClusters`` entry: a server's archive read through the plugin."""

    name: str
    archive: ArchiveRef


@dataclass(frozen=True)
class Topology:
    """``spec.replica`` of a distributed topology (api/v1/cluster_types.go,
    ReplicaClusterConfiguration): every name is an ``externalClusters``
    entry (the webhook's validateReplicaClusterExternalClusters)."""

    self_name: str
    primary: str  # the pair's current primary
    source: str  # what this cluster follows while it is a replica
    # The demoted primary's .status.demotionToken, for a planned promotion.
    promotion_token: str = ""

    @property
    def is_replica(self) -> bool:
        return self.primary != self.self_name


@dataclass(frozen=True)
class PostgresClusterConfig:
    name: str
    labels: dict[str, str]  # on the objects rendered here
    # Inherited by every pod, job, claim and Service the operator creates:
    # the selector NetworkPolicies use for this database.
    inherited_labels: dict[str, str]
    description: str
    image: str
    resources: dict
    instances: int
    database: str
    owner: str
    credentials_secret: str  # username == owner, password
    storage: str
    storage_class: str
    scheduling: Scheduling = field(default_factory=Scheduling)
    service_account_annotations: dict[str, str] = field(default_factory=dict)
    # Archive WAL and take base backups here.
    archive: Optional[ArchiveRef] = None
    backup_schedule: str = ""
    # The archives this cluster may read (externalClusters).
    external: tuple[ExternalArchive, ...] = ()
    # Bootstrapped from this external archive (recovery); "" is initdb.
    bootstrap_source: str = ""
    # One of a pair (distributed topology).
    topology: Optional[Topology] = None
    target_time: str = ""  # a point-in-time restore
    annotations: dict[str, str] = field(default_factory=dict)

    def external_archive(self, name: str) -> Optional[ArchiveRef]:
        return next((e.archive for e in self.external if e.name == name), None)

    def __post_init__(self) -> None:
        if len(self.name) > MAX_NAME:
            raise ValueError(f"{self.name}: a CloudNativePG Cluster name has at most {MAX_NAME} "
                             f"characters (it has {len(self.name)})")
        if self.resources["requests"] != self.resources["limits"]:
            raise ValueError(f"{self.name}: a database needs Guaranteed QoS; requests "
                             f"{self.resources['requests']} must equal limits {self.resources['limits']}")
        if self.archive and not self.backup_schedule:
            raise ValueError(f"{self.name}: an archiving cluster needs a backup schedule")
        names = [e.name for e in self.external]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: externalClusters names {names} twice")
        t = self.topology
        for what, ref in (("bootstrap source", self.bootstrap_source),
                          *((("replica." + k, v) for k, v in (("self", t.self_name), ("primary", t.primary),
                                                               ("source", t.source))) if t else ())):
            if ref and ref not in names:
                raise ValueError(f"{self.name}: {what} {ref!r} is not an external cluster ({names})")
        if t and t.is_replica and not self.bootstrap_source:
            raise ValueError(f"{self.name}: a replica cluster is bootstrapped by recovery, not initdb")
        if t and t.promotion_token and t.is_replica:
            raise ValueError(f"{self.name}: a promotion token is only for the pair's primary")
        if self.target_time and (not self.bootstrap_source or t):
            raise ValueError(f"{self.name}: a point-in-time restore recovers from a source, "
                             "alone (no topology)")
        if self.archive:
            followed = {s for s in (self.bootstrap_source, t.source if t else "") if s}
            for source in sorted(followed):
                ref = self.external_archive(source)
                if ref and ref.server_name == self.archive.server_name:
                    raise ValueError(f"{self.name}: it would archive under server name "
                                     f"{ref.server_name!r}, the one it follows or restores from "
                                     f"({source})")


class PostgresCluster(Group):
    """The Cluster, its daily ScheduledBackup (when it archives) and a PodMonitor."""

    def __init__(self, scope: Construct, id: str, *, config: PostgresClusterConfig):
        super().__init__(scope, id)
        c = config
        selector = instance_selector(c.name)
        credentials = {"database": c.database, "owner": c.owner,
                       "secret": {"name": c.credentials_secret}}
        spec: dict = {
            "description": c.description,
            "instances": c.instances,
            "imageName": c.image,
            "imagePullPolicy": "IfNotPresent",
            "inheritedMetadata": {"labels": dict(c.inherited_labels)},
            # Rolling updates restart the replicas first, then switch over to
            # an updated one instead of restarting the primary in place.
            "primaryUpdateStrategy": "unsupervised",
            "primaryUpdateMethod": "switchover",
            "resources": c.resources,
            "storage": {"size": c.storage, "storageClass": c.storage_class},
            "affinity": self._affinity(c.scheduling),
            # One instance per zone while zones last; DoNotSchedule because an
            # EBS volume never leaves the zone its first pod chose.
            "topologySpreadConstraints": [{
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": dict(selector)},
            }],
        }
        if c.scheduling.priority_class:
            spec["priorityClassName"] = c.scheduling.priority_class
        if c.service_account_annotations:
            spec["serviceAccountTemplate"] = {
                "metadata": {"annotations": dict(c.service_account_annotations)}}
        if not c.bootstrap_source:
            spec["bootstrap"] = {"initdb": credentials}
        else:
            # owner/database/secret on recovery too: once the cluster is no
            # longer a replica, the operator keeps the owner's password in
            # line with the secret (ShouldRecoveryCreateApplicationDatabase,
            # refreshCredentialsFromSecret), the same in both regions.
            recovery: dict = {"source": c.bootstrap_source, **credentials}
            if c.target_time:
                recovery["recoveryTarget"] = {"targetTime": c.target_time}
            spec["bootstrap"] = {"recovery": recovery}
        if c.external:
            spec["externalClusters"] = [{
                "name": e.name,
                "plugin": {"name": PLUGIN, "parameters": {
                    "barmanObjectName": e.archive.store, "serverName": e.archive.server_name}},
            } for e in c.external]
        if c.topology:
            t = c.topology
            # No `enabled`: the webhook refuses it beside `primary`
            # (validateReplicaMode); IsReplica compares self with primary.
            replica = {"self": t.self_name, "primary": t.primary, "source": t.source}
            if t.promotion_token:
                replica["promotionToken"] = t.promotion_token
            spec["replica"] = replica
        if c.archive:
            spec["plugins"] = [{
                "name": PLUGIN, "isWALArchiver": True,
                "parameters": {"barmanObjectName": c.archive.store,
                               "serverName": c.archive.server_name},
            }]
        emit(self, crd("Cluster"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec=spec)
        if c.archive:
            emit(self, crd("ScheduledBackup"), {"name": f"{c.name}-daily", "labels": dict(c.labels)},
                 spec={
                     "schedule": c.backup_schedule,
                     "cluster": {"name": c.name},
                     # v1.30.0 still defaults to the in-tree barmanObjectStore.
                     "method": "plugin",
                     "pluginConfiguration": {"name": PLUGIN},
                     # A base backup as soon as the cluster exists (a new, a
                     # rebuilt or a restored one): its WAL is useless without one.
                     "immediate": True,
                     "backupOwnerReference": "self",
                 })
        emit(self, crd("PodMonitor"), {"name": c.name, "labels": dict(c.labels)},
             spec={"selector": {"matchLabels": dict(selector)},
                   "podMetricsEndpoints": [{"port": "metrics", "interval": "30s"}]})

    @staticmethod
    def _affinity(scheduling: Scheduling) -> dict:
        affinity: dict = {
            # Never two instances on one node: a lost node takes one instance.
            "enablePodAntiAffinity": True,
            "podAntiAffinityType": "required",
            "topologyKey": "kubernetes.io/hostname",
        }
        if scheduling.node_labels:
            affinity["nodeSelector"] = dict(scheduling.node_labels)
        if scheduling.tolerations:
            affinity["tolerations"] = [dict(t) for t in scheduling.tolerations]
        return affinity
