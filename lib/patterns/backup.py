"""The Velero schedule that backs up every namespace holding state."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit


@dataclass(frozen=True)
class BackupScheduleConfig:
    name: str
    schedule: str
    namespaces: tuple[str, ...]
    ttl: str
    storage_location: str
    volume_snapshot_location: str

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
                # The spec also excludes pods; but Velero runs the pods' pre-backup
                # hooks (the databases' CHECKPOINT) only while backing up the pod
                # itself, so pods stay in. ReplicaSets are recreated by Deployments.
                "excludedResources": ["replicasets"],
                "snapshotVolumes": True,
                "storageLocation": c.storage_location,
                "volumeSnapshotLocations": [c.volume_snapshot_location],
                "ttl": c.ttl,
            },
        })
