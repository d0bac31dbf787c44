"""Velero: where backups live (BackupStorageLocations) and the schedule that
writes them.

Facts from Velero v1.18.1 (github.com/vmware-tanzu/velero, tag v1.18.1) this
module relies on:

- ``snapshotMoveData`` on the schedule's template: Velero takes a CSI
  snapshot of each claim, copies its data into the location's bucket (the
  built-in data mover, run by the node agent), then deletes the snapshot
  (site/content/docs/v1.18/csi-snapshot-data-movement.md). The data is in
  the bucket, so bucket replication carries it to the other region; an EBS
  snapshot would have stayed in this one.
- No VolumeSnapshotLocation: with the EnableCSI feature a CSI volume gets no
  native snapshot ("#4758 Do not take snapshot for CSI PV",
  pkg/backup/item_backupper.go), and a backup naming a location that does not
  exist fails validation (validateAndGetSnapshotLocations,
  pkg/controller/backup_controller.go).
- A backup whose location has ``accessMode: ReadOnly`` fails validation
  ("backup storage location ... is currently in read-only mode",
  pkg/controller/backup_controller.go): a read-only location can only be
  restored from, which is what the other region's replicated bucket is.
"""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit

# CloudNativePG labels every object of a Cluster, its claims and pods
# included, with the Cluster's name (docs/src/labels_annotations.md,
# cloudnative-pg). Those databases are backed up by CloudNativePG itself
# (WAL archive and base backups in object storage); a Velero copy of their
# claims would be a second, inconsistent backup, and restoring it would hand
# the operator volumes it did not create.
CNPG_CLUSTER_LABEL = "cnpg.io/cluster"


@dataclass(frozen=True)
class StorageLocationConfig:
    """One BackupStorageLocation on an S3 bucket (IRSA: no credential)."""

    name: str
    bucket: str
    region: str
    prefix: str
    read_only: bool = False
    default: bool = False
    labels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.read_only and self.default:
            raise ValueError(f"location {self.name}: a read-only location cannot be the default, "
                             "every backup without a location would fail validation")


class StorageLocation(Group):
    def __init__(self, scope: Construct, id: str, *, config: StorageLocationConfig):
        super().__init__(scope, id)
        c = config
        emit(self, crd("BackupStorageLocation"), {"name": c.name, "labels": dict(c.labels)}, spec={
            "provider": "aws",
            # No credential: Velero's own ServiceAccount (its chart) carries the
            # IRSA role that may read (and, for its own bucket, write) here.
            "objectStorage": {"bucket": c.bucket, "prefix": c.prefix},
            "config": {"region": c.region},
            "accessMode": "ReadOnly" if c.read_only else "ReadWrite",
            **({"default": True} if c.default else {}),
        })


@dataclass(frozen=True)
class BackupScheduleConfig:
    name: str
    schedule: str
    namespaces: tuple[str, ...]
    ttl: str
    storage_location: str

    def __post_init__(self) -> None:
        if not self.namespaces:
            raise ValueError(f"backup {self.name}: no namespace holds state; nothing to back up")
        if len(self.schedule.split()) != 5:
            raise ValueError(f"backup {self.name}: {self.schedule!r} is not a 5-field cron expression")


class BackupSchedule(Group):
    def __init__(self, scope: Construct, id: str, *, config: BackupScheduleConfig):
        super().__init__(scope, id)
        c = config
        emit(self, crd("Schedule"), {"name": c.name}, spec={
            "schedule": c.schedule,
            # The first backup waits for the schedule, not for the first sync.
            "useOwnerReferencesInBackup": False,
            "template": {
                "includedNamespaces": list(c.namespaces),
                # Everything but CloudNativePG's objects (see CNPG_CLUSTER_LABEL):
                # Vault's raft claims and any other claim are backed up here.
                "labelSelector": {"matchExpressions": [
                    {"key": CNPG_CLUSTER_LABEL, "operator": "DoesNotExist"}]},
                # The spec also excludes pods; but Velero runs the pods' pre-backup
                # hooks (the databases' CHECKPOINT) only while backing up the pod
                # itself, so pods stay in. ReplicaSets are recreated by Deployments.
                "excludedResources": ["replicasets"],
                "snapshotVolumes": True,
                # CSI snapshot data movement: the volume data goes into the
                # bucket, and with it to the other region (module docstring).
                "snapshotMoveData": True,
                "storageLocation": c.storage_location,
                "ttl": c.ttl,
            },
        })
