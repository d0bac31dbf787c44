"""Turn each catalog workload plus its values into its pattern's config, and
add the constructs (with the ExternalSecrets it reads) to its namespace chart."""
from __future__ import annotations

from constructs import Construct

from ..catalog import Catalog
from ..catalog import ports as P
from ..catalog.model import Namespace, Workload
from ..config.loader import LoadedEnvironment
from ..config.models import Environment
from ..patterns.controller import Controller, ControllerConfig
from ..patterns.event_worker import EventWorker, EventWorkerConfig, KafkaTrigger
from ..patterns.grpc_service import GrpcService, GrpcServiceConfig, Hpa
from ..patterns.pod import Scheduling, env_list
from ..patterns.postgresql import PostgresConfig, PostgresDatabase
from .databases import CnpgDatabase, CnpgDatabaseConfig, cnpg_config
from ..patterns.secrets import (
    ExternalSecretConfig,
    VaultExternalSecret,
    VaultSecretStore,
    VaultStoreConfig,
)
from ..patterns.tailscale import TailscaleConfig, TailscaleNode
from ..patterns.vault import VaultConfig, VaultServer
from ..catalog.namespaces import EDGE_NAMESPACE
from ..patterns.edge import EnvoyGatewayClass, EdgeGateway, EdgeProxy, GatewayConfig, ProxyConfig, PublicRoute, RouteConfig
from ..patterns.extras import RecommendOnlyVpa
from ..patterns.dns_failover import failover_annotations
from ..patterns.dr_verify import Database, DatabaseWriteCheck, DatabaseWriteCheckConfig
from ..patterns.vault_snapshot import VaultRaftSnapshot, VaultSnapshotConfig
from .labels import PART_OF, labels_for, selector_for

GATEWAY_NAME = "voyager"
EDGE_PROXY_NAME = "voyager-proxy"
EDGE_TLS_SECRET = "voyager-edge-tls"
# Stateless workloads a VPA may give recommendations for.
STATELESS = ("grpc-service", "event-worker", "controller")

DATABASE_STORAGE_CLASS = "gp3-high-iops"
STANDARD_STORAGE_CLASS = "gp3-standard"

PRIORITY_DATABASE = "voyager-database"
PRIORITY_PLATFORM = "voyager-platform"
PRIORITY_CUSTOMER = "voyager-customer"


def values_of(loaded: LoadedEnvironment, workload: Workload):
    """The workload's sizing; a missing entry is a values error, not a crash."""
    sizing = loaded.model.workloads.get(workload.name)
    if sizing is None:
        raise loaded.error(("workloads", workload.name),
                           "missing: every workload in the catalog needs its sizing and image")
    return sizing


def image_of(env: Environment, namespace: Namespace, workload: Workload, sizing) -> str:
    if namespace.customer:
        customer = env.customers[namespace.customer_index]
        if customer.book_image_tag:
            return f"{sizing.image.repository}:{customer.book_image_tag}"
    return sizing.image.ref


def pool_of(env: Environment, workload: Workload, sizing) -> str:
    """Databases on database nodes, GPU-hungry workloads on GPU nodes where the
    environment has them, everything else on compute nodes (the general nodes
    when the cluster has no dedicated pools)."""
    if not env.cluster.dedicated_node_pools:
        return "compute"
    return sizing.node_pool or (
        "database" if workload.pattern == "postgresql"
        else "gpu" if workload.gpu and "gpu" in env.node_pools
        else "compute")


def scheduling_of(env: Environment, workload: Workload, sizing, customer: bool) -> Scheduling:
    pool_name = pool_of(env, workload, sizing)
    pool = env.node_pools.get(pool_name)
    if pool is None:
        raise ValueError(f"{workload.name}: node pool {pool_name!r} is not defined in node_pools")
    priority = (PRIORITY_DATABASE if workload.pattern == "postgresql"
                else PRIORITY_CUSTOMER if customer else PRIORITY_PLATFORM)
    if not env.cluster.dedicated_node_pools:
        return Scheduling(priority_class=priority,
                          spread_zones=workload.pattern not in ("postgresql", "tailscale"))
    return Scheduling(
        node_labels=dict(pool.node_labels),
        tolerations=tuple({"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect}
                          for t in pool.taints),
        priority_class=priority,
        spread_zones=workload.pattern not in ("postgresql", "tailscale"),
    )


def talks_to_annotation(catalog: Catalog, workload: Workload) -> dict[str, str]:
    """``voyager.io/talks-to``: the declared edges, readable from the render
    (validate and the docs' network map judge the NetworkPolicies by it)."""
    entries = []
    for talk in workload.talks_to:
        target = catalog.target(talk.target)
        entries.append(f"{target.namespace}/{selector_for(target)['app']}:{talk.port}")
    if workload.pattern == "vault":
        entries += [f"{workload.namespace}/{workload.name}:vault",
                    f"{workload.namespace}/{workload.name}:vault-cluster"]
    return {"voyager.io/talks-to": ",".join(entries)} if entries else {}


def config_for(loaded: LoadedEnvironment, catalog: Catalog, namespace: Namespace,
               workload: Workload):
    """The pattern config of one workload (also used by the capacity check)."""
    env = loaded.model
    sizing = values_of(loaded, workload)
    labels = labels_for(workload)
    selector = selector_for(workload)
    image = image_of(env, namespace, workload, sizing)
    resources = sizing.resources.as_dict()
    scheduling = scheduling_of(env, workload, sizing, namespace.customer)
    if sizing.gpus and pool_of(env, workload, sizing) == "gpu":
        for kind in ("requests", "limits"):
            resources[kind]["nvidia.com/gpu"] = str(sizing.gpus)
    annotations = {"voyager.io/description": workload.description,
                   **talks_to_annotation(catalog, workload)}
    plain_env = tuple(workload.env)
    if any(e.name == "kafka" for e in workload.external):
        plain_env += (("KAFKA_BOOTSTRAP_SERVERS", env.cluster.kafka.bootstrap),)
    env_vars = tuple(env_list(plain_env, workload.secret_env))

    if workload.pattern == "grpc-service":
        hpa = None
        if sizing.autoscaling:
            a = sizing.autoscaling
            b = env.autoscaling_behavior
            hpa = Hpa(a.min_replicas, a.max_replicas, a.cpu_utilization, a.memory_utilization,
                      behavior={
                          "scaleDown": {"stabilizationWindowSeconds":
                                        b.scale_down.stabilization_window_seconds,
                                        "policies": [{"type": "Percent", "value": b.scale_down.percent,
                                                      "periodSeconds": b.scale_down.period_seconds}]},
                          "scaleUp": {"stabilizationWindowSeconds":
                                      b.scale_up.stabilization_window_seconds,
                                      "policies": [{"type": "Percent", "value": b.scale_up.percent,
                                                    "periodSeconds": b.scale_up.period_seconds}]},
                      })
        max_surge, max_unavailable = env.rollout.max_surge, env.rollout.max_unavailable
        if not env.node_pools[pool_of(env, workload, sizing)].surge_headroom:
            # No spare node (GPU) for a surge pod: replace one pod at a time.
            max_surge, max_unavailable = 0, 1
        return GrpcServiceConfig(
            name=workload.name, labels=labels, selector=selector,
            service_account=workload.sa_name, image=image, resources=resources,
            transcoder_image=env.transcoder.image.ref,
            transcoder_resources=env.transcoder.resources.as_dict(),
            replicas=sizing.replicas, container_name=workload.component,
            grpc_port=P.GRPC, http_port=P.HTTP, metrics_port=P.METRICS,
            env=env_vars, hpa=hpa,
            max_surge=max_surge, max_unavailable=max_unavailable,
            termination_grace_period_seconds=env.rollout.termination_grace_period_seconds,
            pre_stop_sleep_seconds=env.rollout.pre_stop_sleep_seconds,
            writable_paths=workload.writable_paths, scheduling=scheduling,
            annotations=annotations, uses_api=bool(workload.api_rules),
        )
    if workload.pattern == "postgresql":
        if not sizing.storage:
            raise loaded.error(("workloads", workload.name, "storage"),
                               "a database needs a volume size")
        if sizing.resources.requests != sizing.resources.limits:
            raise loaded.error(("workloads", workload.name, "resources"),
                               "a database runs with Guaranteed QoS: requests must equal limits")
        if env.databases.engine == "cloudnative-pg":
            return cnpg_config(loaded, workload, sizing, scheduling, annotations,
                               DATABASE_STORAGE_CLASS)
        return PostgresConfig(
            name=workload.name, database=workload.database_of, labels=labels, selector=selector,
            service_account=workload.sa_name, image=image, resources=resources,
            storage=sizing.storage, storage_class=DATABASE_STORAGE_CLASS,
            credentials_secret=f"{workload.database_of}-db-secret", port=P.POSTGRESQL,
            scheduling=scheduling, annotations=annotations,
        )
    if workload.pattern == "event-worker":
        scaling = sizing.event_scaling
        if scaling is None:
            raise loaded.error(("workloads", workload.name, "event_scaling"),
                               "an event-scaled worker needs min/max replica counts and a lag threshold")
        return EventWorkerConfig(
            name=workload.name, labels=labels, selector=selector,
            service_account=workload.sa_name, image=image, resources=resources,
            min_replicas=scaling.min_replica_count, max_replicas=scaling.max_replica_count,
            trigger=KafkaTrigger(
                bootstrap_servers=env.cluster.kafka.bootstrap, consumer_group=workload.name,
                topic=workload.kafka_topic, lag_threshold=scaling.lag_threshold,
                credentials_secret=workload.secrets[0].name,
            ),
            env=env_vars, metrics_port=P.METRICS, writable_paths=workload.writable_paths,
            scheduling=scheduling, annotations=annotations,
        )
    if workload.pattern == "controller":
        return ControllerConfig(
            name=workload.name, labels=labels, selector=selector,
            service_account=workload.sa_name, image=image, resources=resources,
            replicas=max(1, sizing.replicas), watch_namespace="",
            watch_own_namespace=not workload.watch_all_namespaces,
            metrics_port=P.METRICS, health_port=P.HEALTH, scheduling=scheduling,
            annotations=annotations,
        )
    if workload.pattern == "tailscale":
        return TailscaleConfig(
            name=workload.name, labels=labels, selector=selector,
            service_account=workload.sa_name, image=image, resources=resources,
            state_secret=dict(workload.env)["TS_KUBE_SECRET"], env=env_vars,
            metrics_port=P.METRICS, scheduling=scheduling, annotations=annotations,
        )
    if workload.pattern == "vault":
        return VaultConfig(
            name=workload.name, namespace=workload.namespace, labels=labels, selector=selector,
            service_account=workload.sa_name, image=image, resources=resources,
            replicas=sizing.replicas, storage=sizing.storage or "10Gi",
            # The retaining class: a released claim keeps Vault's raft data.
            storage_class=DATABASE_STORAGE_CLASS, kms_key_id=env.vault.kms_key_id,
            region=env.cluster.region, port=P.VAULT, cluster_port=P.VAULT_CLUSTER,
            scheduling=scheduling, annotations=annotations,
        )
    raise ValueError(f"{workload.name}: unknown pattern {workload.pattern!r}")


_CONSTRUCTS = {
    "grpc-service": GrpcService,
    "postgresql": PostgresDatabase,
    "event-worker": EventWorker,
    "controller": Controller,
    "tailscale": TailscaleNode,
}


DR_VERIFY = "dr-verify"
VAULT_SNAPSHOT_AUTH_ROLE = "vault-raft-snapshot"


def dr_verify_labels(name: str = DR_VERIFY) -> dict[str, str]:
    """Pod labels of the post-sync checks (network.py admits them by these)."""
    return {"app": name, "component": "verification", "app.kubernetes.io/name": name, **PART_OF}


def vault_snapshot_labels(vault: Workload) -> dict[str, str]:
    name = f"{vault.name}-raft-snapshot"
    return {"app": name, "component": "backup", "app.kubernetes.io/name": name, **PART_OF}


def vault_snapshot_config(env: Environment, vault: Workload, server: VaultConfig) -> VaultSnapshotConfig:
    snap, location = env.backup.vault_snapshot, env.backup.location
    labels = vault_snapshot_labels(vault)
    return VaultSnapshotConfig(
        name=labels["app"], namespace=vault.namespace, labels=labels, schedule=snap.schedule,
        # A standby's Vault is not the one in charge; its bucket is written
        # only once it is promoted (region_role, README "Disaster recovery").
        suspend=env.region_role != "primary",
        vault_image=server.image, upload_image=snap.image.ref, vault_address=env.vault.address,
        auth_mount=env.vault.auth_mount, auth_role=VAULT_SNAPSHOT_AUTH_ROLE,
        bucket=location.bucket, region=location.region, prefix=snap.prefix,
        iam_role_arn=snap.iam_role_arn, max_size=server.storage,
        annotations={"voyager.io/description": "Vault raft snapshot to the backup bucket",
                     "voyager.io/talks-to": f"{vault.namespace}/{selector_for(vault)['app']}:vault"})


def add_dr_checks(chart: Construct, loaded: LoadedEnvironment, workloads) -> None:
    """The primary's post-sync check that its databases accept writes (a
    standby's refuse them by design, so it renders none)."""
    env = loaded.model
    databases = [w for w in workloads if w.pattern == "postgresql"]
    if env.region_role != "primary" or not databases:
        return
    DatabaseWriteCheck(chart, DR_VERIFY, config=DatabaseWriteCheckConfig(
        name=DR_VERIFY, labels=dr_verify_labels(),
        databases=tuple(Database(w.name, f"{w.database_of}-db-secret",
                                 values_of(loaded, w).image.ref) for w in databases)))


def add_workloads(chart: Construct, cluster: Construct, loaded: LoadedEnvironment,
                  catalog: Catalog, namespace: Namespace) -> None:
    env = loaded.model
    workloads = catalog.in_namespace(namespace.name)
    secrets = {}
    if namespace.name == EDGE_NAMESPACE:
        secrets[EDGE_TLS_SECRET] = None  # the store is needed for the certificate
    for workload in workloads:
        for secret in workload.secrets:
            secrets.setdefault(secret.name, secret)
    if secrets:
        VaultSecretStore(chart, "vault-store", config=VaultStoreConfig(
            namespace=namespace.name, server=env.vault.address, kv_mount=env.vault.kv_mount,
            auth_mount=env.vault.auth_mount, labels=dict(PART_OF)))
        for name, secret in sorted(secrets.items()):
            if secret is None:
                continue
            VaultExternalSecret(chart, f"secret-{name}", config=ExternalSecretConfig(
                name=name, remote_key=f"{namespace.name}/{secret.vault_key}",
                properties=secret.keys, refresh_interval=env.vault.refresh_interval,
                labels=dict(PART_OF)))
    for workload in workloads:
        config = config_for(loaded, catalog, namespace, workload)
        if workload.pattern == "vault":
            VaultServer(chart, workload.name, cluster=cluster, config=config)
            if env.backup.vault_snapshot:
                VaultRaftSnapshot(chart, f"{workload.name}-snapshot",
                                  config=vault_snapshot_config(env, workload, config))
        elif isinstance(config, CnpgDatabaseConfig):
            CnpgDatabase(chart, workload.name, config=config)
        else:
            _CONSTRUCTS[workload.pattern](chart, workload.name, config=config)
        if workload.public:
            host = namespace.name if namespace.customer else workload.name
            failover = env.edge.failover
            PublicRoute(chart, f"route-{workload.name}", config=RouteConfig(
                name=workload.name, hostname=f"{host}.{env.edge.domain}",
                service=workload.name, port=P.HTTP, gateway=GATEWAY_NAME,
                gateway_namespace=EDGE_NAMESPACE,
                annotations=tuple(failover_annotations(
                    env.cluster.region, env.region_role, failover.health_check_id).items())
                if failover else ()))
        if env.right_sizing.vpa_enabled and workload.pattern in STATELESS:
            RecommendOnlyVpa(chart, f"vpa-{workload.name}", target=workload.name)
    add_dr_checks(chart, loaded, workloads)
    if namespace.name == EDGE_NAMESPACE:
        authz = next(w for w in workloads if w.pattern == "grpc-service")
        VaultExternalSecret(chart, "secret-edge-tls", config=ExternalSecretConfig(
            name=EDGE_TLS_SECRET, remote_key=f"{namespace.name}/{env.edge.tls_vault_key}",
            properties=("tls.crt", "tls.key"), refresh_interval=env.vault.refresh_interval,
            labels=dict(PART_OF), secret_type="kubernetes.io/tls"))
        # The proxies are sized and placed here, not by Envoy Gateway's
        # defaults (one replica, no PDB); they run where the authorization
        # service they call runs (its node pool, platform priority).
        proxy, b = env.edge.proxy, env.autoscaling_behavior
        EdgeProxy(chart, "edge-proxy", config=ProxyConfig(
            name=EDGE_PROXY_NAME, gateway=GATEWAY_NAME, gateway_namespace=EDGE_NAMESPACE,
            min_replicas=proxy.autoscaling.min_replicas, max_replicas=proxy.autoscaling.max_replicas,
            cpu_utilization=proxy.autoscaling.cpu_utilization,
            memory_utilization=proxy.autoscaling.memory_utilization,
            behavior={
                "scaleDown": {"stabilizationWindowSeconds": b.scale_down.stabilization_window_seconds,
                              "policies": [{"type": "Percent", "value": b.scale_down.percent,
                                            "periodSeconds": b.scale_down.period_seconds}]},
                "scaleUp": {"stabilizationWindowSeconds": b.scale_up.stabilization_window_seconds,
                            "policies": [{"type": "Percent", "value": b.scale_up.percent,
                                          "periodSeconds": b.scale_up.period_seconds}]},
            },
            resources=proxy.resources.as_dict(),
            shutdown_manager_resources=proxy.shutdown_manager_resources.as_dict(),
            min_available=proxy.min_available,
            scheduling=scheduling_of(env, authz, values_of(loaded, authz), customer=False)))
        EnvoyGatewayClass(cluster, "gateway-class", name=env.edge.gateway_class,
                          description="Voyager's public edge, run by Envoy Gateway")
        EdgeGateway(chart, "gateway", config=GatewayConfig(
            name=GATEWAY_NAME, gateway_class=env.edge.gateway_class, domain=env.edge.domain,
            tls_secret=EDGE_TLS_SECRET, authz_service=authz.name, authz_port=P.GRPC,
            proxy=EDGE_PROXY_NAME))
