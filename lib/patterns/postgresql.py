"""A service's own PostgreSQL: the spec's StatefulSet, made production-safe.

Pinned ``postgres:15.x``, the database named after its service, credentials
from the service's Secret, a headless Service, ``pg_isready`` probes (startup,
readiness, liveness) that name their user through ``PGUSER``, a volume
on the high-IOPS class, Guaranteed QoS (requests == limits), database nodes,
``restricted`` pod security (a non-root UID >= 10000, read-only root
fs), and a Velero pre-backup hook that forces a CHECKPOINT so the volume
snapshot starts from a flushed state.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

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
)

# Not the image's 999: a UID >= 10000 never collides with a host user. The
# official image runs as an arbitrary UID (nss_wrapper) once PGDATA is writable,
# which fsGroup makes it.
POSTGRES_UID = 10999
DATA_DIR = "/var/lib/postgresql/data"


@dataclass(frozen=True)
class PostgresConfig(WorkloadConfig):
    database: str
    storage: str
    storage_class: str
    credentials_secret: str
    port: int = 5432
    termination_grace_period_seconds: int = 60
    scheduling: Scheduling = field(default_factory=Scheduling)
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        repo, _, tag = self.image.rpartition(":")
        if not repo.endswith("postgres") or not tag.startswith("15."):
            raise ValueError(f"{self.name}: image {self.image!r} must be a pinned postgres:15.x")
        if self.resources["requests"] != self.resources["limits"]:
            raise ValueError(
                f"{self.name}: a database needs Guaranteed QoS; requests "
                f"{self.resources['requests']} must equal limits {self.resources['limits']}"
            )


class PostgresDatabase(Group):
    def __init__(self, scope: Construct, id: str, *, config: PostgresConfig):
        super().__init__(scope, id)
        c = config
        volumes, mounts = scratch(("/tmp", "/var/run/postgresql"))
        # The container runs as POSTGRES_UID, which has no passwd entry in the
        # image (nss_wrapper covers initdb only). libpq then cannot name a
        # default user, and every client, pg_isready included, exits 3 ("no
        # attempt") before it connects: a probe without a user fails forever and
        # the liveness probe restarts the database in a loop. PGUSER and
        # PGDATABASE in the container's env give every libpq program in it (the
        # probes, the Velero hook, an operator's `kubectl exec -- psql`) the
        # owner and database without flags or a shell: exec probes inherit the
        # container's env, the argv stays shell-free, and PGUSER comes from the
        # same Secret key as POSTGRES_USER, so the two cannot drift.
        # tests/test_real_programs.py runs these commands against a real
        # PostgreSQL 15 as this UID.
        ready = {"exec": {"command": ["pg_isready", "-h", "127.0.0.1", "-p", str(c.port)]},
                 # pg_isready waits up to 3 s (its -t default) for an answer;
                 # the kubelet's default of 1 s would fail a busy but healthy server.
                 "timeoutSeconds": 5}
        user = {"secretKeyRef": {"name": c.credentials_secret, "key": "username"}}
        container = {
            "name": "postgresql",
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "env": [
                {"name": "POSTGRES_DB", "value": c.database},
                {"name": "POSTGRES_USER", "valueFrom": user},
                {"name": "POSTGRES_PASSWORD", "valueFrom": {"secretKeyRef": {
                    "name": c.credentials_secret, "key": "password"}}},
                # A subdirectory: the volume's root holds lost+found, which
                # initdb refuses.
                {"name": "PGDATA", "value": f"{DATA_DIR}/pgdata"},
                {"name": "PGUSER", "valueFrom": user},
                {"name": "PGDATABASE", "value": c.database},
            ],
            "ports": [{"name": "postgresql", "containerPort": c.port, "protocol": "TCP"}],
            "resources": c.resources,
            # First start (initdb) and crash recovery (WAL replay) can take
            # minutes; the startup probe allows 15 and holds the liveness probe
            # back meanwhile, so a recovering database is not killed and made
            # to start its recovery over.
            "startupProbe": {**ready, "periodSeconds": 10, "failureThreshold": 90},
            "readinessProbe": {**ready, "periodSeconds": 10},
            "livenessProbe": {**ready, "periodSeconds": 10, "failureThreshold": 6},
            "securityContext": container_security_context(),
            "volumeMounts": [{"name": "postgresql-data", "mountPath": DATA_DIR}] + mounts,
        }
        hook = ["/bin/sh", "-c",
                'psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c CHECKPOINT']
        pod_annotations = {
            "pre.hook.backup.velero.io/container": "postgresql",
            "pre.hook.backup.velero.io/command": json.dumps(hook),
            "pre.hook.backup.velero.io/timeout": "120s",
        }
        pod_spec = c.scheduling.apply({
            "serviceAccountName": c.service_account,
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": c.termination_grace_period_seconds,
            "securityContext": pod_security_context(POSTGRES_UID),
            "containers": [container],
            "volumes": volumes,
        }, c.selector)
        emit(self, core("StatefulSet"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "serviceName": c.name,
                 "replicas": 1,
                 "selector": {"matchLabels": dict(c.selector)},
                 "updateStrategy": {"type": "RollingUpdate"},
                 "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                          "whenScaled": "Retain"},
                 "template": {"metadata": {"labels": dict(c.labels),
                                           "annotations": pod_annotations},
                              "spec": pod_spec},
                 "volumeClaimTemplates": [{
                     "metadata": {"name": "postgresql-data", "labels": dict(c.selector)},
                     "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "storageClassName": c.storage_class,
                         "resources": {"requests": {"storage": c.storage}},
                     },
                 }],
             })
        emit(self, core("Service"), {"name": c.name, "labels": dict(c.labels)},
             spec=service_for([container], c.selector, headless=True))
