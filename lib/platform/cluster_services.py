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
from ..patterns.gitops import ChildApp, Gitops, GitopsConfig, Project
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
    dirs = [env.backup.velero_namespace] if env.backup.enabled else []
    dirs.append(LOGGING_NAMESPACE)
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
    if env.backup.enabled:
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
    platform = [ns.name for ns in catalog.namespaces if not ns.customer] + extra_dirs(loaded)
    customers = [ns.name for ns in catalog.namespaces if ns.customer]
    # Two fences: the platform (its namespaces, the add-on namespaces it writes
    # into, the cluster-scoped kinds it owns) and the tenants (their own
    # namespaces only, no cluster-scoped kind, no Argo CD objects).
    platform_project = f"voyager-{env.name}"
    tenant_project = f"voyager-{env.name}-customers"
    projects = [Project(platform_project,
                        f"Voyager platform ({env.name}): its namespaces and cluster-scoped kinds",
                        tuple(platform) + (env.gitops.argocd_namespace,), CLUSTER_KINDS)]
    if customers:
        projects.append(Project(tenant_project,
                                f"Voyager customers ({env.name}): customer namespaces only",
                                tuple(customers),
                                denied_kinds=(("argoproj.io", "Application"),
                                              ("argoproj.io", "AppProject"),
                                              ("argoproj.io", "ApplicationSet"))))
    children = [ChildApp(f"{env.name}-cluster", f"{root}/cluster", "", wave=-1,
                         project=platform_project)]
    children += [ChildApp(f"{env.name}-{d}", f"{root}/{d}", d, wave=0, project=platform_project)
                 for d in platform]
    children += [ChildApp(f"{env.name}-{d}", f"{root}/{d}", d, wave=0, project=tenant_project)
                 for d in customers]
    Gitops(chart(env.gitops.argocd_namespace), "gitops", config=GitopsConfig(
        environment=env.name, argocd_namespace=env.gitops.argocd_namespace,
        repo_url=env.gitops.repo_url, target_revision=env.gitops.target_revision,
        root_path=f"{root}/{GITOPS_DIR}", root_project=platform_project,
        projects=tuple(projects), children=tuple(children)))
    return charts
