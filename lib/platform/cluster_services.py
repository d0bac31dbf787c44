"""Cluster-wide services outside Voyager's namespaces: backup (velero),
logging (kube-system), the optional mesh (istio-system) and the GitOps wiring
(argocd). Each is derived from the catalog, not typed by hand."""
from __future__ import annotations

from cdk8s import App, Chart

from ..k8s.objects import ObjectChart

from ..catalog import Catalog
from ..config.loader import LoadedEnvironment
from ..patterns.backup import BackupSchedule, BackupScheduleConfig
from ..patterns.extras import IstioControlPlane, MeshConfig
from ..patterns.gitops import ChildApp, Gitops, GitopsConfig
from ..patterns.logging import FluentBit, FluentBitConfig
from .labels import PART_OF

LOGGING_NAMESPACE = "kube-system"
MESH_NAMESPACE = "istio-system"
GITOPS_DIR = "argocd"

CLUSTER_KINDS = (
    ("", "Namespace"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("storage.k8s.io", "StorageClass"),
    ("scheduling.k8s.io", "PriorityClass"),
)


def stateful_namespaces(catalog: Catalog) -> tuple[str, ...]:
    """Namespaces with a persistent volume: what the daily backup must include."""
    return tuple(sorted({w.namespace for w in catalog.workloads
                         if w.pattern in ("postgresql", "vault")}))


def extra_dirs(loaded: LoadedEnvironment) -> list[str]:
    """Non-Voyager namespaces the render writes into (besides cluster/)."""
    env = loaded.model
    dirs = [env.backup.velero_namespace, LOGGING_NAMESPACE]
    if env.mesh.enabled:
        dirs.append(MESH_NAMESPACE)
    return dirs


def add_cluster_services(app: App, loaded: LoadedEnvironment, catalog: Catalog) -> list[Chart]:
    env = loaded.model
    charts = []

    def chart(namespace: str) -> Chart:
        c = ObjectChart(app, f"svc-{namespace}", namespace=namespace,
                  disable_resource_name_hashes=True, labels=PART_OF)
        charts.append(c)
        return c

    cluster = ObjectChart(app, "cluster-services", disable_resource_name_hashes=True,
                          labels=PART_OF)
    charts.append(cluster)
    BackupSchedule(chart(env.backup.velero_namespace), "daily", config=BackupScheduleConfig(
        name="daily-backup", schedule=env.backup.schedule,
        namespaces=stateful_namespaces(catalog), ttl=env.backup.ttl,
        storage_location=env.backup.storage_location,
        volume_snapshot_location=env.backup.volume_snapshot_location))
    FluentBit(chart(LOGGING_NAMESPACE), "fluent-bit", cluster=cluster, config=FluentBitConfig(
        namespace=LOGGING_NAMESPACE, image=env.logging.image.ref,
        resources=env.logging.resources.as_dict(), output_host=env.logging.output.host,
        output_port=env.logging.output.port, output_index=env.logging.output.index,
        output_tls=env.logging.output.tls, labels=dict(PART_OF)))
    if env.mesh.enabled:
        IstioControlPlane(chart(MESH_NAMESPACE), "istio",
                          config=MeshConfig(env.mesh.mesh_id, env.mesh.network))

    root = f"{env.gitops.path_prefix}/{env.name}"
    voyager = [ns.name for ns in catalog.namespaces]
    dirs = voyager + extra_dirs(loaded)
    children = [ChildApp(f"{env.name}-cluster", f"{root}/cluster", "", wave=-1)]
    children += [ChildApp(f"{env.name}-{d}", f"{root}/{d}", d, wave=0) for d in dirs]
    Gitops(chart(env.gitops.argocd_namespace), "gitops", config=GitopsConfig(
        environment=env.name, argocd_namespace=env.gitops.argocd_namespace,
        project=f"voyager-{env.name}", repo_url=env.gitops.repo_url,
        target_revision=env.gitops.target_revision, root_path=f"{root}/{GITOPS_DIR}",
        destinations=tuple(dirs) + (env.gitops.argocd_namespace,),
        cluster_kinds=CLUSTER_KINDS, children=tuple(children)))
    return charts
