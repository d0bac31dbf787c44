"""A replicated PostgreSQL: a CloudNativePG ``Cluster`` archiving to S3
through the Barman Cloud plugin.

Upstream: CloudNativePG v1.30.0 (the operator and its CRDs) and the Barman
Cloud plugin v0.14.0 (the ``ObjectStore`` CRD and the sidecar it injects).
The in-tree ``spec.backup.barmanObjectStore`` is deprecated and removed in
1.31.0 (``docs/src/release_notes/v1.30.md``), so archiving, base backups and
restores all go through the plugin.

Three shapes of one database, chosen by the config:

- a primary: ``bootstrap.initdb`` (or, once promoted, the recovery it was
  bootstrapped with), the plugin as WAL archiver into its own
  ``ObjectStore`` under its own server name, a daily ``ScheduledBackup``;
- a replica cluster: ``bootstrap.recovery`` from another archive and
  ``replica: {enabled: true, source}``; it archives nothing and has no
  ScheduledBackup. Promotion is ``enabled: false`` plus archiving on
  (``docs/src/replica_cluster.md``, "Standalone Replica Clusters": setting
  ``enabled`` to false promotes the designated primary);
- a point-in-time restore: a new Cluster whose ``bootstrap.recovery`` reads
  another server's archive up to ``recoveryTarget.targetTime``; if it
  archives, it does so under its own server name, so it never writes into
  the archive it was restored from.

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
    # Archive WAL and take base backups here (a primary).
    archive: Optional[ArchiveRef] = None
    backup_schedule: str = ""
    # Bootstrapped from this archive (a replica cluster or a restore).
    source: Optional[ArchiveRef] = None
    source_name: str = ""  # its externalClusters entry
    # With a source: follow it (True), or be promoted off it (False).
    replica: Optional[bool] = None
    target_time: str = ""  # a point-in-time restore
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.name) > MAX_NAME:
            raise ValueError(f"{self.name}: a CloudNativePG Cluster name has at most {MAX_NAME} "
                             f"characters (it has {len(self.name)})")
        if self.resources["requests"] != self.resources["limits"]:
            raise ValueError(f"{self.name}: a database needs Guaranteed QoS; requests "
                             f"{self.resources['requests']} must equal limits {self.resources['limits']}")
        if self.archive and not self.backup_schedule:
            raise ValueError(f"{self.name}: an archiving cluster needs a backup schedule")
        if self.source is None and (self.replica is not None or self.target_time):
            raise ValueError(f"{self.name}: replica or a target time needs a source archive")
        if self.replica and self.archive:
            raise ValueError(f"{self.name}: a replica cluster archives nothing (its WAL is the source's)")
        if self.replica and self.target_time:
            raise ValueError(f"{self.name}: a replica follows its source to the end, not to a time")
        if self.source and self.archive and self.source == self.archive:
            raise ValueError(f"{self.name}: archiving into the archive it restores from "
                             f"({self.source.store}/{self.source.server_name}) would overwrite it")


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
        if c.source is None:
            spec["bootstrap"] = {"initdb": credentials}
        else:
            # owner/database/secret on recovery too: once the cluster is no
            # longer a replica, the operator keeps the owner's password in
            # line with the secret (ShouldRecoveryCreateApplicationDatabase,
            # refreshCredentialsFromSecret), the same in both regions.
            recovery: dict = {"source": c.source_name, **credentials}
            if c.target_time:
                recovery["recoveryTarget"] = {"targetTime": c.target_time}
            spec["bootstrap"] = {"recovery": recovery}
            spec["externalClusters"] = [{
                "name": c.source_name,
                "plugin": {"name": PLUGIN, "parameters": {
                    "barmanObjectName": c.source.store, "serverName": c.source.server_name}},
            }]
            if c.replica is not None:
                spec["replica"] = {"enabled": c.replica, "source": c.source_name}
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
                     # A base backup as soon as the cluster exists (a new or
                     # just promoted one): its WAL is useless without one.
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
