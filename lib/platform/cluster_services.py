"""Cluster-wide services outside Voyager's namespaces: backup (velero),
logging (kube-system), the optional mesh (istio-system) and the GitOps wiring
(argocd). Each is derived from the catalog, not typed by hand."""
from __future__ import annotations

from cdk8s import App, Chart

from ..k8s.objects import ObjectChart

from ..catalog import Catalog
from ..config.loader import LoadedEnvironment
from ..patterns.backup import (
    BackupSchedule,
    BackupScheduleConfig,
    StorageLocation,
    StorageLocationConfig,
)
from ..patterns.addons import ExternalApplications
from ..patterns.dr_verify import DeploymentCheck, DeploymentCheckConfig
from ..patterns.extras import IstioControlPlane, MeshConfig
from ..patterns.gitops import ChildApp, Gitops, GitopsConfig, Project
from ..patterns.logging import FluentBit, FluentBitConfig
from ..patterns.secrets import (
    ExternalSecretConfig,
    VaultExternalSecret,
    VaultSecretStore,
    VaultStoreConfig,
)
from .addons import addon_apps, addon_projects, check_addons
from .labels import PART_OF
from .sync_waves import CLUSTER_APP_WAVE, NAMESPACE_APP_WAVE
from .workloads import dr_verify_labels

LOGGING_NAMESPACE = "kube-system"
MESH_NAMESPACE = "istio-system"
LOG_SINK_SECRET = "fluent-bit-opensearch"  # username, password, ca.crt of the log sink
GITOPS_DIR = "argocd"

# Where the cluster app "deploys": it renders only cluster-scoped objects, but
# Argo CD needs a destination namespace the project allows (an omitted one is
# "", which no listed namespace matches: argo-cd #11510). kube-system is
# already in the platform project (logging), so the fence does not widen.
CLUSTER_APP_NAMESPACE = LOGGING_NAMESPACE

# The cluster-scoped kinds the platform renders, and nothing else: Argo CD
# refuses any other (`validate` flags an entry nothing renders).
# ClusterRoles and their bindings are still allowed by kind (their names
# follow the workloads); validate's reference check refuses a binding to
# cluster-admin. Everything else is allowed by name (cluster_kinds below).
CLUSTER_KINDS = (
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
)


def cluster_kinds(env, catalog: Catalog) -> tuple[tuple[str, ...], ...]:
    """What the platform project may create cluster-wide, by name where the
    name is known here (Argo CD v3.5.1 matches `name` globs,
    app_project_types.go IsGroupKindNamePermitted): its own Namespaces (one
    glob for the customers'), classes and GatewayClass, so a stray object in
    dist/ cannot relabel kube-system or replace another class."""
    from .workloads import (DATABASE_STORAGE_CLASS, PRIORITY_CUSTOMER, PRIORITY_DATABASE,
                            PRIORITY_PLATFORM, STANDARD_STORAGE_CLASS)

    named = [("", "Namespace", ns.name) for ns in catalog.namespaces if not ns.customer]
    if any(ns.customer for ns in catalog.namespaces):
        named.append(("", "Namespace", "customer-*"))
    named += [("storage.k8s.io", "StorageClass", name)
              for name in (DATABASE_STORAGE_CLASS, STANDARD_STORAGE_CLASS)]
    named += [("scheduling.k8s.io", "PriorityClass", name)
              for name in (PRIORITY_DATABASE, PRIORITY_PLATFORM, PRIORITY_CUSTOMER)]
    named.append(("gateway.networking.k8s.io", "GatewayClass", env.edge.gateway_class))
    return CLUSTER_KINDS + tuple(named)
# Argo CD's own kinds (Application, AppProject, ApplicationSet, ...): only the
# root project may create them; any other project that could would widen its
# own fence.
ARGO_KINDS = (("argoproj.io", "*"),)


def crd_kinds(catalog: Catalog) -> tuple[tuple[str, str, str], ...]:
    """Our own CRDs, by name: the platform may create these and no other
    CustomResourceDefinition (not Argo CD's or an add-on's, which it could
    otherwise replace)."""
    return tuple(("apiextensions.k8s.io", "CustomResourceDefinition", f"{api.plural}.{api.group}")
                 for api in sorted(catalog.apis, key=lambda a: (a.group, a.plural)))


def stateful_namespaces(catalog: Catalog, env=None) -> tuple[str, ...]:
    """Namespaces with a persistent volume Velero must back up. A database
    on CloudNativePG is not Velero's (CloudNativePG archives it, and the
    schedule leaves out its objects: lib/patterns/backup.py); the seed's
    single-pod StatefulSet is."""
    velero_databases = env is None or env.databases.engine == "statefulset"
    return tuple(sorted({w.namespace for w in catalog.workloads
                         if w.pattern == "vault" or (w.pattern == "postgresql" and velero_databases)}))


def add_backup(velero: Chart, env, catalog: Catalog) -> None:
    """The region's Velero objects. The other region's backups (its bucket,
    replicated here) are always readable, read-only; this region's own
    location and the schedule writing to it exist only while it is the
    primary: one writer per bucket, and a standby's schedule would race the
    primary's (README, "Disaster recovery")."""
    b = env.backup
    if b.peer_location is not None:
        peer = b.peer_location
        StorageLocation(velero, "peer-location", config=StorageLocationConfig(
            name=peer.environment, bucket=peer.bucket, region=peer.region, prefix=peer.prefix,
            read_only=True))
    if env.region_role != "primary":
        return
    StorageLocation(velero, "own-location", config=StorageLocationConfig(
        name=env.name, bucket=b.location.bucket, region=b.location.region,
        prefix=b.location.prefix, default=True))
    BackupSchedule(velero, "daily", config=BackupScheduleConfig(
        name="daily-backup", schedule=b.schedule, namespaces=stateful_namespaces(catalog, env),
        ttl=b.ttl, storage_location=env.name))


def extra_dirs(loaded: LoadedEnvironment) -> list[str]:
    """Non-Voyager namespaces the render writes into (besides cluster/)."""
    env = loaded.model
    # A standby without a partner's location renders nothing into velero.
    writes_velero = env.backup.enabled and (env.region_role == "primary"
                                            or env.backup.peer_location is not None)
    dirs = [env.backup.velero_namespace] if writes_velero else []
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
        add_backup(chart(env.backup.velero_namespace), env, catalog)
    log_chart = chart(LOGGING_NAMESPACE)
    sink = env.logging.output
    # kube-system gets its own `vault` store (Vault role "kube-system", like
    # every namespace) so the sink's credentials and CA come from Vault, not Git.
    VaultSecretStore(log_chart, "vault-store", config=VaultStoreConfig(
        namespace=LOGGING_NAMESPACE, server=env.vault.address, kv_mount=env.vault.kv_mount,
        auth_mount=env.vault.auth_mount, labels=dict(PART_OF)))
    VaultExternalSecret(log_chart, "secret-log-sink", config=ExternalSecretConfig(
        name=LOG_SINK_SECRET, remote_key=f"{LOGGING_NAMESPACE}/{sink.vault_key}",
        properties=("username", "password") + (("ca.crt",) if sink.tls else ()),
        refresh_interval=env.vault.refresh_interval, labels=dict(PART_OF)))
    if env.region_role == "primary":
        # After every sync of kube-system (a failover syncs it: this Job
        # appears), and on `argocd app sync <env>-kube-system`.
        DeploymentCheck(log_chart, "dr-verify", cluster=cluster, config=DeploymentCheckConfig(
            name="voyager-dr-verify", labels=dr_verify_labels("voyager-dr-verify"),
            image=env.backup.verify_image.ref,
            namespaces=tuple(ns.name for ns in catalog.namespaces)))
    FluentBit(log_chart, "fluent-bit", cluster=cluster, config=FluentBitConfig(
        namespace=LOGGING_NAMESPACE, image=env.logging.image.ref,
        resources=env.logging.resources.as_dict(), output_host=sink.host,
        output_port=sink.port, output_index=sink.index, output_tls=sink.tls,
        credentials_secret=LOG_SINK_SECRET,
        buffer_total_limit_size=env.logging.buffer.total_limit_size,
        buffer_max_chunks_up=env.logging.buffer.max_chunks_up,
        buffer_backlog_mem_limit=env.logging.buffer.backlog_mem_limit,
        labels=dict(PART_OF)))
    if env.mesh.enabled:
        IstioControlPlane(chart(MESH_NAMESPACE), "istio",
                          config=MeshConfig(env.mesh.mesh_id, env.mesh.network))

    root = f"{env.gitops.path_prefix}/{env.name}"
    platform = [ns.name for ns in catalog.namespaces if not ns.customer] + extra_dirs(loaded)
    customers = [ns.name for ns in catalog.namespaces if ns.customer]
    argocd = env.gitops.argocd_namespace
    # Three fences. The root (the app of apps): Applications and AppProjects in
    # the argocd namespace, nothing else, so it cannot reach a workload. The
    # platform: its namespaces, the add-on namespaces it writes into, the
    # cluster-scoped kinds it renders; not argocd, where a Secret labelled
    # argocd.argoproj.io/secret-type would register clusters or repositories.
    # The tenants: their own namespaces only, no cluster-scoped kind. Only the
    # root may create Argo CD objects.
    root_project = f"voyager-{env.name}-root"
    platform_project = f"voyager-{env.name}"
    tenant_project = f"voyager-{env.name}-customers"
    projects = [
        Project(root_project, f"Voyager root ({env.name}): the app of apps, Argo CD objects in "
                              f"{argocd} only",
                (argocd,), cluster_kinds=(),
                namespace_kinds=(("argoproj.io", "Application"), ("argoproj.io", "AppProject"))),
        Project(platform_project,
                f"Voyager platform ({env.name}): its namespaces and cluster-scoped kinds",
                tuple(platform), cluster_kinds(env, catalog) + crd_kinds(catalog),
                denied_kinds=ARGO_KINDS),
    ]
    if customers:
        projects.append(Project(tenant_project,
                                f"Voyager customers ({env.name}): customer namespaces only",
                                tuple(customers), denied_kinds=ARGO_KINDS))
    # The add-ons (README, "Add-ons"): pinned charts, synced after the cluster
    # app and before every namespace's app, in a project of their own; Argo
    # CD itself in another, the only other one that may reach argocd.
    addons_project = f"voyager-{env.name}-addons"
    argocd_project = f"voyager-{env.name}-argocd"
    addons = ()
    if env.addons is not None:
        check_addons(loaded)
        projects += addon_projects(env, addons_project=addons_project, argocd_project=argocd_project)
        addons = addon_apps(env, catalog, addons_project=addons_project, argocd_project=argocd_project,
                            labels={"voyager.io/environment": env.name})
    children = [ChildApp(f"{env.name}-cluster", f"{root}/cluster", CLUSTER_APP_NAMESPACE,
                         wave=CLUSTER_APP_WAVE, project=platform_project)]
    children += [ChildApp(f"{env.name}-{d}", f"{root}/{d}", d, wave=NAMESPACE_APP_WAVE,
                          project=platform_project)
                 for d in platform]
    children += [ChildApp(f"{env.name}-{d}", f"{root}/{d}", d, wave=NAMESPACE_APP_WAVE,
                          project=tenant_project)
                 for d in customers]
    argocd_chart = chart(argocd)
    if addons:
        ExternalApplications(argocd_chart, "addons", apps=addons)
    Gitops(argocd_chart, "gitops", config=GitopsConfig(
        environment=env.name, argocd_namespace=argocd,
        repo_url=env.gitops.repo_url, target_revision=env.gitops.target_revision,
        root_path=f"{root}/{GITOPS_DIR}", root_project=root_project,
        projects=tuple(projects), children=tuple(children)))
    return charts
