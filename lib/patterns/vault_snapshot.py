"""Vault's raft data as a snapshot file in the backup bucket, on a schedule.

A CronJob whose pod has two containers sharing an emptyDir: the Vault image
logs in through Vault's Kubernetes auth (a role whose policy may only read
``sys/storage/raft/snapshot``, README "Disaster recovery") and saves a
snapshot; then the AWS CLI image uploads it with the IRSA role of the pod's
ServiceAccount (s3:PutObject below one prefix; kms:GenerateDataKey and
kms:Decrypt on the bucket's key, since `aws s3 cp` uploads a snapshot of
8 MiB or more in parts: README "Vault"). Neither container can do the
other's job: the Vault token never reaches the uploader, the AWS role never
reaches Vault.

The snapshot is sealed by Vault's seal (the multi-Region KMS key), so it
opens in either region of the pair and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit
from .pod import container_security_context, pod_security_context, scratch

SNAPSHOT_DIR = "/snapshot"
TOKEN_DIR = "/var/run/secrets/vault"


@dataclass(frozen=True)
class VaultSnapshotConfig:
    name: str
    namespace: str
    labels: dict[str, str]
    schedule: str
    # While the region is a standby: its Vault is not the one in charge.
    suspend: bool
    vault_image: str
    upload_image: str
    # Any Vault address: the job asks it for the active node (sys/leader).
    vault_address: str
    auth_mount: str
    auth_role: str
    bucket: str
    region: str
    prefix: str
    iam_role_arn: str
    # The snapshot is at most the raft data: Vault's volume size.
    max_size: str
    annotations: dict[str, str] = field(default_factory=dict)
    vault_resources: dict = field(default_factory=lambda: {
        "requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "250m", "memory": "256Mi"}})
    upload_resources: dict = field(default_factory=lambda: {
        "requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}})

    def __post_init__(self) -> None:
        if len(self.schedule.split()) != 5:
            raise ValueError(f"{self.name}: {self.schedule!r} is not a 5-field cron expression")

    def snapshot_script(self) -> str:
        # Assignments before exports: `export X="$(false)"` succeeds, and
        # `set -e` would not stop a failed login.
        return "\n".join((
            "set -eu",
            # sys/leader answers without a token; the snapshot is read from the
            # active node directly, not through a standby's request forwarding.
            "leader=\"$(vault read -field=leader_address sys/leader)\"",
            "VAULT_ADDR=\"$leader\"",
            "export VAULT_ADDR",
            f"token=\"$(vault write -field=token auth/{self.auth_mount}/login "
            f"role={self.auth_role} jwt=@{TOKEN_DIR}/token)\"",
            "VAULT_TOKEN=\"$token\"",
            "export VAULT_TOKEN",
            f"vault operator raft snapshot save \"{SNAPSHOT_DIR}/vault-raft-$(date -u +%Y%m%dT%H%M%SZ).snap\"",
        ))


class VaultRaftSnapshot(Group):
    def __init__(self, scope: Construct, id: str, *, config: VaultSnapshotConfig):
        super().__init__(scope, id)
        c = config
        emit(self, core("ServiceAccount"),
             {"name": c.name, "labels": dict(c.labels),
              # IRSA: the uploader's only AWS identity.
              "annotations": {"eks.amazonaws.com/role-arn": c.iam_role_arn}},
             automountServiceAccountToken=False)
        scratch_volumes, tmp = scratch(("/tmp",))
        snapshot_mount = {"name": "snapshot", "mountPath": SNAPSHOT_DIR}
        save = {
            "name": "save",
            "image": c.vault_image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["/bin/sh", "-c", c.snapshot_script()],
            "env": [{"name": "VAULT_ADDR", "value": c.vault_address},
                    {"name": "HOME", "value": "/tmp"}],
            "resources": c.vault_resources,
            "securityContext": container_security_context(),
            "volumeMounts": [snapshot_mount,
                             {"name": "vault-token", "mountPath": TOKEN_DIR, "readOnly": True}] + tmp,
        }
        upload = {
            "name": "upload",
            "image": c.upload_image,
            "imagePullPolicy": "IfNotPresent",
            # Exactly the one file `save` wrote; no shell needed.
            "command": ["aws", "s3", "cp", "--recursive", "--only-show-errors",
                        f"{SNAPSHOT_DIR}/", f"s3://{c.bucket}/{c.prefix}/"],
            # HOME: the CLI caches the web-identity credentials there.
            "env": [{"name": "AWS_REGION", "value": c.region}, {"name": "HOME", "value": "/tmp"}],
            "resources": c.upload_resources,
            "securityContext": container_security_context(),
            "volumeMounts": [{**snapshot_mount, "readOnly": True}] + tmp,
        }
        pod = {
            "serviceAccountName": c.name,
            # Only `save` gets a token, a short-lived one, for Vault's login.
            "automountServiceAccountToken": False,
            "restartPolicy": "Never",
            "securityContext": pod_security_context(),
            "initContainers": [save],
            "containers": [upload],
            "volumes": [
                {"name": "snapshot", "emptyDir": {"sizeLimit": c.max_size}},
                {"name": "vault-token", "projected": {"sources": [
                    {"serviceAccountToken": {"path": "token", "expirationSeconds": 600}}]}},
            ] + scratch_volumes,
        }
        emit(self, core("CronJob"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "schedule": c.schedule,
                 "suspend": c.suspend,
                 # One snapshot at a time; a missed slot is skipped, not piled up.
                 "concurrencyPolicy": "Forbid",
                 "startingDeadlineSeconds": 600,
                 "successfulJobsHistoryLimit": 3,
                 "failedJobsHistoryLimit": 3,
                 "jobTemplate": {"spec": {
                     "backoffLimit": 2,
                     "activeDeadlineSeconds": 900,
                     "template": {"metadata": {"labels": dict(c.labels)}, "spec": pod},
                 }},
             })
