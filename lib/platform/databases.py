"""Each catalog database (pattern ``postgresql``) as CloudNativePG objects.

``databases.engine: cloudnative-pg`` in the values turns a database into a
``Cluster`` (lib/patterns/postgres_cluster.py) plus the Barman Cloud
``ObjectStore`` objects it reads and writes.

Alone (staging): a fresh cluster (initdb) archiving WAL and taking daily
base backups into ``databases.archive``.

One of a pair (``backup.peer_location`` names the partner region): both
regions' clusters of a database form CloudNativePG's distributed topology.
Each lists both archives in ``externalClusters`` (named after the
environments: this region's own archive, and the other region's as its
bucket is replicated here), says ``replica.self`` (this environment) and
``replica.primary``: this environment while ``region_role`` is primary,
the partner's while standby. Both roles archive into this region's own
archive under ``<cluster>[-<generation>]`` (``databases.archive_generations``)
and take daily base backups there (a replica cluster's designated primary
archives what it replays; without base backups its archive would never be
pruned). So a role flip changes one field per Cluster, ``replica.primary``,
plus ``replica.promotionToken`` when a planned promotion names one
(``databases.promotion_tokens``). ``databases.origin`` says how a primary
was bootstrapped (``new``: initdb; ``peer-archive``: recovery from the
partner's archive); a standby always recovers from the partner's archive.

An entry ``{database, target_time, attempt}`` under ``databases.restores``
adds a point-in-time restore: a new Cluster bootstrapped from the archive up
to that second, beside the original; in the primary it archives under
``<restore>-<attempt>`` (a new attempt, a new, empty path), in a standby it
archives nothing.
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
    ExternalArchive,
    ObjectStoreConfig,
    PostgresCluster,
    PostgresClusterConfig,
    Topology,
)
from ..patterns.pod import Scheduling
from .labels import PART_OF, labels_for, selector_for



def archive_store(workload: Workload) -> str:
    """This region's own archive of the database (ObjectStore name)."""
    return f"{workload.name}-archive"


def peer_store(workload: Workload, peer: str) -> str:
    """The other region's archive, replicated into this region (ObjectStore name)."""
    return f"{workload.name}-archive-{peer}"


def server_name(workload: Workload, generation: int) -> str:
    """The directory of one archive generation below the archive's path:
    ``jeeves-postgresql`` at 0 (the pair's first primary), else
    ``jeeves-postgresql-<n>``."""
    return workload.name if generation == 0 else f"{workload.name}-{generation}"


def restore_name(workload: Workload, target_time: str) -> str:
    """``jeeves-postgresql-pitr-20250601-095900`` for a restore to 09:59:00."""
    stamp = datetime.fromisoformat(target_time.replace("Z", "+00:00")).strftime("%Y%m%d-%H%M%S")
    return f"{workload.name}-pitr-{stamp}"


def restore_server_name(workload: Workload, target_time: str, attempt: int) -> str:
    """Where a restore in the primary archives: a new path per attempt."""
    return f"{restore_name(workload, target_time)}-{attempt}"


def check_restores(loaded: LoadedEnvironment, catalog) -> None:
    """The values' database names and archive names, before anything renders:
    every restore and promotion token names a database of the catalog, a
    planned promotion has a token for every database (one without would be
    promoted at once, a failover whose partner needs a rebuild), and no
    cluster would archive under the server name it follows."""
    db = loaded.model.databases
    databases = [w for w in catalog.workloads if w.pattern == "postgresql"]
    known = sorted(w.name for w in databases)
    for index, restore in enumerate(db.restores):
        if restore.database not in known:
            raise loaded.error(("databases", "restores", index, "database"),
                               f"{restore.database!r} is not a database (databases: {', '.join(known)})")
    if db.engine != "cloudnative-pg":
        return
    if db.promotion_tokens:
        named = [t.database for t in db.promotion_tokens]
        for index, name in enumerate(named):
            if name not in known:
                raise loaded.error(("databases", "promotion_tokens", index, "database"),
                                   f"{name!r} is not a database (databases: {', '.join(known)})")
        missing = sorted(set(known) - set(named))
        if missing:
            raise loaded.error(("databases", "promotion_tokens"),
                               f"no token for {', '.join(missing)}: a planned promotion needs every "
                               "database's demotion token (one without is promoted at once, and the "
                               "other region's cluster must then be rebuilt)")
    for workload in databases:
        check_server_names(loaded, workload)


def check_server_names(loaded: LoadedEnvironment, workload: Workload) -> None:
    """Refuse a pair whose two regions archive under one server name: a
    cluster would archive into the name its replica source reads."""
    env = loaded.model
    peer = env.backup.peer_location
    if env.databases.engine != "cloudnative-pg" or peer is None:
        return
    gens = env.databases.archive_generations
    own = server_name(workload, gens.get(env.name, 0))
    theirs = server_name(workload, gens.get(peer.environment, 0))
    if own == theirs:
        raise loaded.error(("databases", "archive_generations"),
                           f"{env.name} and {peer.environment} both at generation "
                           f"{gens.get(env.name, 0)}: {workload.name} would archive under server "
                           f"name {own!r}, the one its replica source ({peer.environment}) reads; "
                           "give the rebuilt region a number above both (README, \"Databases\")")


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
    peer = env.backup.peer_location  # a pair; the loader required it for a standby
    gens = db.archive_generations
    own = ArchiveRef(archive_store(workload), server_name(workload, gens.get(env.name, 0)))
    external: tuple[ExternalArchive, ...] = ()
    topology, bootstrap_source, theirs = None, "", None
    if peer is not None:
        check_server_names(loaded, workload)
        stores.append(ObjectStoreConfig(
            name=peer_store(workload, peer.environment),
            destination_path=ArchiveLocation(bucket=peer.bucket, region=peer.region,
                                             path=db.archive.path).destination,
            region=peer.region, sidecar_resources=sidecar, labels=store_labels))
        # The other region's cluster of this database has the same name; the
        # entries are named after the environments, the same in both regions.
        theirs = ArchiveRef(peer_store(workload, peer.environment),
                            server_name(workload, gens.get(peer.environment, 0)))
        external = tuple(sorted((ExternalArchive(env.name, own), ExternalArchive(peer.environment, theirs)),
                                key=lambda e: e.name))
        topology = Topology(
            self_name=env.name, primary=env.name if primary else peer.environment,
            source=peer.environment,
            promotion_token=next((t.token for t in db.promotion_tokens if t.database == workload.name), "")
            if primary else "")
        if not primary or db.origin == "peer-archive":
            bootstrap_source = peer.environment
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
    # A pair's clusters archive (and back up) in both roles: a standby's
    # designated primary archives what it replays, and a demoted primary
    # must upload its last WAL. A lone environment is always the primary.
    clusters = [PostgresClusterConfig(
        name=workload.name, instances=db.instances,
        archive=own, backup_schedule=db.backup_schedule,
        external=external, bootstrap_source=bootstrap_source, topology=topology,
        annotations=cluster_annotations, **common)]
    for index, restore in enumerate(db.restores):
        if restore.database != workload.name:
            continue
        name = restore_name(workload, restore.target_time)
        if len(name) > MAX_NAME:
            raise loaded.error(("databases", "restores", index, "database"),
                               f"the restored cluster's name {name!r} is longer than {MAX_NAME} characters")
        # A standby restores from the primary's archive (its own has no base
        # backup older than its own first); a primary from its own.
        origin = own if primary else theirs
        clusters.append(PostgresClusterConfig(
            name=name, instances=restore.instances,
            archive=ArchiveRef(archive_store(workload),
                               restore_server_name(workload, restore.target_time, restore.attempt))
            if primary else None,
            backup_schedule=db.backup_schedule if primary else "",
            external=(ExternalArchive(workload.name, origin),), bootstrap_source=workload.name,
            target_time=restore.target_time,
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
           "check_server_names", "cnpg_config", "peer_store", "restore_name", "restore_server_name",
           "server_name", "talks_to_itself"]
