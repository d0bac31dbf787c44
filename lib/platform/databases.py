"""Each catalog database (pattern ``postgresql``) as CloudNativePG objects.

``databases.engine: cloudnative-pg`` in the values turns a database into a
``Cluster`` (lib/patterns/postgres_cluster.py) plus the Barman Cloud
``ObjectStore`` objects it reads and writes. ``region_role`` and
``databases.origin`` decide its shape:

- primary, origin ``new``: a fresh cluster (initdb) archiving WAL and taking
  daily base backups into ``databases.archive``;
- standby: a replica cluster restoring the other region's WAL from its
  archive, the same path in the other region's bucket as replicated into
  this one (``backup.peer_location``), archiving nothing;
- primary, origin ``peer-archive`` (a promoted standby): the same cluster,
  replica off, archiving into this region's own archive.

So promotion changes a database's objects in exactly two places: the
Cluster's ``replica.enabled`` and ``plugins`` (archiving on), and a new
ScheduledBackup (tests/test_databases.py renders both and compares).

An entry ``{database, target_time}`` under ``databases.restores`` adds a
point-in-time restore:
a new Cluster bootstrapped from the archive up to that second, beside the
original, archiving (if at all) under its own server name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from constructs import Construct

from ..catalog.model import Workload
from ..config.models import ArchiveLocation
from ..k8s.objects import Group
from ..config.loader import LoadedEnvironment
from ..patterns.postgres_cluster import (
    METRICS_PORT,
    MAX_NAME,
    ArchiveRef,
    BarmanObjectStore,
    ObjectStoreConfig,
    PostgresCluster,
    PostgresClusterConfig,
)
from ..patterns.pod import Scheduling
from .labels import PART_OF, labels_for, selector_for



def archive_store(workload: Workload) -> str:
    """This region's own archive of the database (ObjectStore name)."""
    return f"{workload.name}-archive"


def peer_store(workload: Workload, peer: str) -> str:
    """The other region's archive, replicated into this region (ObjectStore name)."""
    return f"{workload.name}-archive-{peer}"


def restore_name(workload: Workload, target_time: str) -> str:
    """``jeeves-postgresql-pitr-20250601-095900`` for a restore to 09:59:00."""
    stamp = datetime.fromisoformat(target_time.replace("Z", "+00:00")).strftime("%Y%m%d-%H%M%S")
    return f"{workload.name}-pitr-{stamp}"


def check_restores(loaded: LoadedEnvironment, catalog) -> None:
    """Every restore names a database of the catalog."""
    known = sorted(w.name for w in catalog.workloads if w.pattern == "postgresql")
    for index, restore in enumerate(loaded.model.databases.restores):
        if restore.database not in known:
            raise loaded.error(("databases", "restores", index, "database"),
                               f"{restore.database!r} is not a database (databases: {', '.join(known)})")


def talks_to_itself(workload: Workload) -> str:
    """``voyager.io/talks-to`` of the instances: each other's PostgreSQL
    (streaming replication, pg_basebackup of a joining instance) and status
    port (the instance manager), so validate's traffic check sees the
    instance-to-instance allows as declared."""
    me = f"{workload.namespace}/{selector_for(workload)['app']}"
    return f"{me}:postgresql,{me}:status"


@dataclass(frozen=True)
class CnpgDatabaseConfig:
    """Everything one database renders; also what the capacity check counts."""

    stores: tuple[ObjectStoreConfig, ...]
    clusters: tuple[PostgresClusterConfig, ...]  # the database, then any restore
    sidecar_resources: dict

    # The capacity check (lib/platform/capacity.py) reads these: every
    # instance of every cluster is a pod with the postgres container and the
    # plugin's sidecar, and one claim of the database's size.
    @property
    def resources(self) -> dict:
        return self.clusters[0].resources

    @property
    def max_pods(self) -> int:
        return sum(c.instances for c in self.clusters)

    @property
    def replicas(self) -> int:
        return self.max_pods

    @property
    def storage(self) -> str:
        return self.clusters[0].storage


def cnpg_config(loaded: LoadedEnvironment, workload: Workload, sizing, scheduling: Scheduling,
                annotations: dict[str, str], storage_class: str) -> CnpgDatabaseConfig:
    env = loaded.model
    db = env.databases
    labels = labels_for(workload)
    store_labels = dict(labels)
    sidecar = db.sidecar_resources.as_dict()
    stores = [ObjectStoreConfig(
        name=archive_store(workload), destination_path=db.archive.destination,
        region=db.archive.region, sidecar_resources=sidecar, retention=db.retention,
        labels=store_labels)]
    primary = env.region_role == "primary"
    source, source_name = None, ""
    if not primary or db.origin == "peer-archive":
        peer = env.backup.peer_location  # the loader checked it is there
        source_name = peer.environment
        stores.append(ObjectStoreConfig(
            name=peer_store(workload, peer.environment),
            destination_path=ArchiveLocation(bucket=peer.bucket, region=peer.region,
                                             path=db.archive.path).destination,
            region=peer.region, sidecar_resources=sidecar, labels=store_labels))
        # The other region's cluster of this database has the same name.
        source = ArchiveRef(peer_store(workload, peer.environment), workload.name)
    own = ArchiveRef(archive_store(workload), workload.name)
    common = dict(
        labels=labels,
        # The database's selector on every pod and job of the cluster: its
        # NetworkPolicies and the applications' declared edges select them.
        # (Velero's schedule leaves them out by CloudNativePG's own
        # cnpg.io/cluster label: Barman backs them up.)
        inherited_labels={**selector_for(workload),
                          "app.kubernetes.io/part-of": PART_OF["app.kubernetes.io/part-of"]},
        description=workload.description,
        image=db.image.ref,
        resources=sizing.resources.as_dict(),
        # The service's own database, owned by the user its secret names:
        # CloudNativePG refuses a secret whose username is not the owner
        # (reconcileUser, internal/management/controller/instance_controller.go).
        database=workload.database_of,
        owner=workload.database_of,
        credentials_secret=f"{workload.database_of}-db-secret",
        storage=sizing.storage,
        storage_class=storage_class,
        scheduling=scheduling,
        service_account_annotations={"eks.amazonaws.com/role-arn": db.iam_role_arn},
    )
    cluster_annotations = {**annotations, "voyager.io/talks-to": talks_to_itself(workload)}
    clusters = [PostgresClusterConfig(
        name=workload.name, instances=db.instances,
        archive=own if primary else None, backup_schedule=db.backup_schedule if primary else "",
        source=source, source_name=source_name,
        replica=(not primary) if source else None,
        annotations=cluster_annotations, **common)]
    for index, restore in enumerate(db.restores):
        if restore.database != workload.name:
            continue
        name = restore_name(workload, restore.target_time)
        if len(name) > MAX_NAME:
            raise loaded.error(("databases", "restores", index, "database"),
                               f"the restored cluster's name {name!r} is longer than {MAX_NAME} characters")
        # A standby restores from the primary's archive (its own is empty);
        # a primary from its own.
        origin = own if primary else source
        clusters.append(PostgresClusterConfig(
            name=name, instances=restore.instances,
            archive=ArchiveRef(archive_store(workload), name) if primary else None,
            backup_schedule=db.backup_schedule if primary else "",
            source=origin, source_name=workload.name, target_time=restore.target_time,
            annotations={**cluster_annotations,
                         "voyager.io/description": f"{workload.description}, restored to "
                                                   f"{restore.target_time}"},
            **common))
    return CnpgDatabaseConfig(stores=tuple(stores), clusters=tuple(clusters), sidecar_resources=sidecar)


class CnpgDatabase(Group):
    """The ObjectStores and Clusters of one database, in its namespace chart."""

    def __init__(self, scope: Construct, id: str, *, config: CnpgDatabaseConfig):
        super().__init__(scope, id)
        for store in config.stores:
            BarmanObjectStore(self, f"store-{store.name}", config=store)
        for cluster in config.clusters:
            PostgresCluster(self, f"cluster-{cluster.name}", config=cluster)


__all__ = ["CnpgDatabase", "CnpgDatabaseConfig", "METRICS_PORT", "archive_store", "check_restores",
           "cnpg_config", "peer_store", "restore_name", "talks_to_itself"]
