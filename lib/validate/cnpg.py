"""CloudNativePG's instance pods, modelled from the rendered ``Cluster``.

The operator builds the pods (nothing in the tree is a pod template), yet
they run under the namespace's Pod Security level and quota, NetworkPolicies
and PodMonitors select them, and the applications declare edges to them.
So the tree gets one pod template per Cluster, built as CloudNativePG
v1.30.0 builds an instance (``pkg/specs/pods.go``: ``buildInstance``,
``createClusterPodSpec``, ``createPostgresContainers``; security contexts in
``GetPodSecurityContext`` / ``GetSecurityContext``), with the Barman Cloud
plugin v0.14.0's sidecar when the plugin serves the cluster
(``internal/cnpgi/operator/lifecycle.go``, ``reconcilePodSpec``: a
restartable init container, resources from the ``ObjectStore`` chosen as in
``lifecycle_resources.go``). Its owner is the Cluster; ``spec.instances``
says how many (lib/validate/capacity.py).

Left out on purpose: the data volume (a claim the operator creates per
instance, counted from ``spec.storage``) and the ServiceAccount (the
operator creates it, named after the Cluster), which the reference check
would otherwise report as missing.
"""
from __future__ import annotations

from .model import Obj, PodTemplate

CLUSTER_API = "postgresql.cnpg.io/v1"
OBJECT_STORE_API = "barmancloud.cnpg.io/v1"
PLUGIN = "barman-cloud.cloudnative-pg.io"
# Where findings about the modelled pod point (a Cluster has no pod template).
POD_PATH = "instancePod.spec"


def _container_security(spec: dict) -> dict:
    """GetSecurityContext: the Cluster's spec.securityContext over the defaults."""
    seccomp = spec.get("seccompProfile") or {"type": "RuntimeDefault"}
    default = {"seccompProfile": seccomp, "capabilities": {"drop": ["ALL"]}, "privileged": False,
               "runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False}
    defined = spec.get("securityContext")
    if not isinstance(defined, dict):
        return default
    return {**default, **defined}


def _pod_security(spec: dict) -> dict:
    """GetPodSecurityContext (UID/GID 26 unless postgresUID/postgresGID say otherwise)."""
    uid, gid = spec.get("postgresUID", 26), spec.get("postgresGID", 26)
    seccomp = spec.get("seccompProfile") or {"type": "RuntimeDefault"}
    default = {"seccompProfile": seccomp, "runAsUser": uid, "runAsGroup": gid, "runAsNonRoot": True,
               "fsGroup": gid}
    defined = spec.get("podSecurityContext")
    if not isinstance(defined, dict):
        return default
    return {"runAsUser": uid, "runAsGroup": gid, "seccompProfile": seccomp, **defined}


# The plugin's sidecar security context (reconcilePodSpec), whatever the Cluster says.
SIDECAR_SECURITY = {
    "allowPrivilegeEscalation": False, "runAsNonRoot": True, "privileged": False,
    "readOnlyRootFilesystem": True, "seccompProfile": {"type": "RuntimeDefault"},
    "capabilities": {"drop": ["ALL"]},
}


def archiver_store(spec: dict) -> str | None:
    """The ObjectStore the plugin archives WAL and base backups into."""
    for entry in spec.get("plugins") or []:
        if isinstance(entry, dict) and entry.get("name") == PLUGIN and entry.get("enabled", True):
            return (entry.get("parameters") or {}).get("barmanObjectName")
    return None


def external_store(spec: dict, source: str | None) -> str | None:
    """The ObjectStore an externalClusters entry reads through the plugin."""
    for ext in spec.get("externalClusters") or []:
        if isinstance(ext, dict) and ext.get("name") == source:
            plugin = ext.get("plugin") or {}
            if plugin.get("name") == PLUGIN and plugin.get("enabled", True):
                return (plugin.get("parameters") or {}).get("barmanObjectName")
    return None


def sidecar_store(spec: dict) -> str | None:
    """The ObjectStore whose instanceSidecarConfiguration the sidecar gets, or
    None when the instances get no sidecar. The plugin injects one into an
    instance that archives or follows a replica source through it
    (reconcileInstancePod); its resources come from the WAL archiver's store,
    else the recovery source's, else the replica source's
    (collectSidecarResourcesForPod)."""
    archive = archiver_store(spec)
    replica = external_store(spec, (spec.get("replica") or {}).get("source"))
    if not archive and not replica:
        return None
    recovery = ((spec.get("bootstrap") or {}).get("recovery") or {}).get("source")
    return archive or external_store(spec, recovery) or replica


def instance_pod(tree, cluster: Obj) -> PodTemplate:
    spec = cluster.spec
    name = cluster.name
    inherited = ((spec.get("inheritedMetadata") or {}).get("labels")) or {}
    labels = {
        "cnpg.io/cluster": name, "cnpg.io/instanceName": f"{name}-1", "cnpg.io/podRole": "instance",
        "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": "database", "app.kubernetes.io/managed-by": "cloudnative-pg",
        **inherited,
    }
    resources = spec.get("resources") or {}
    security = _container_security(spec)
    postgres = {
        "name": "postgres",
        "image": spec.get("imageName") or "",
        "resources": resources,
        "ports": [{"name": "postgresql", "containerPort": 5432, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9187, "protocol": "TCP"},
                  {"name": "status", "containerPort": 8000, "protocol": "TCP"}],
        "securityContext": security,
    }
    # The operator image copying the instance manager in: the Cluster's
    # resources too (createBootstrapContainer). Its image is the operator's,
    # not in the tree; the postgres image stands in for the pin check.
    init = [{"name": "bootstrap-controller", "image": postgres["image"], "resources": resources,
             "securityContext": security}]
    store_name = sidecar_store(spec)
    if store_name:
        store = tree.get("ObjectStore", cluster.namespace, store_name)
        store_spec = store.spec if store is not None else {}
        sidecar_resources = ((store_spec.get("instanceSidecarConfiguration") or {}).get("resources")) or {}
        init.append({"name": "plugin-barman-cloud", "image": postgres["image"],
                     "restartPolicy": "Always", "resources": sidecar_resources,
                     "securityContext": dict(SIDECAR_SECURITY)})
    affinity = spec.get("affinity") or {}
    pod_spec: dict = {
        "securityContext": _pod_security(spec),
        "initContainers": init,
        "containers": [postgres],
        "volumes": [{"name": "scratch-data", "emptyDir": {}},
                    {"name": "shm", "emptyDir": {"medium": "Memory"}}]
                   + ([{"name": "plugins", "emptyDir": {}}] if store_name else []),
    }
    for key, value in (("nodeSelector", affinity.get("nodeSelector")),
                       ("tolerations", affinity.get("tolerations")),
                       ("topologySpreadConstraints", spec.get("topologySpreadConstraints")),
                       ("priorityClassName", spec.get("priorityClassName"))):
        if value:
            pod_spec[key] = value
    return PodTemplate(cluster, {"labels": labels}, pod_spec, POD_PATH)


def cluster_pods(tree) -> list[PodTemplate]:
    """One modelled instance pod per rendered CloudNativePG Cluster."""
    return [instance_pod(tree, obj) for obj in tree.by_kind.get("Cluster", [])
            if obj.api_version == CLUSTER_API and obj.namespace]


def instances(cluster: Obj) -> int:
    value = cluster.spec.get("instances", 1)
    return value if isinstance(value, int) and value >= 0 else 1


def is_cluster(obj: Obj) -> bool:
    return obj.kind == "Cluster" and obj.api_version == CLUSTER_API


def check_references(refs) -> None:
    """References of CloudNativePG and Barman Cloud objects (``reference`` check):
    a Cluster's ObjectStores, credentials secret (``username`` and
    ``password``: ``GetUserPasswordFromSecret``), storage classes and
    external clusters; a ScheduledBackup's Cluster, which must archive
    through the plugin it names; an ObjectStore's credential secrets."""
    tree = refs.tree
    for cluster in tree.kind("Cluster"):
        if not is_cluster(cluster):
            continue
        ns, spec = cluster.namespace, cluster.spec
        externals = {e.get("name") for e in spec.get("externalClusters") or [] if isinstance(e, dict)}
        for i, entry in enumerate(spec.get("plugins") or []):
            name = ((entry or {}).get("parameters") or {}).get("barmanObjectName")
            if (entry or {}).get("name") == PLUGIN and name and tree.get("ObjectStore", ns, name) is None:
                refs.add(cluster, f"spec.plugins[{i}].parameters.barmanObjectName",
                         f"ObjectStore {ns}/{name} is not rendered, so the instances get no sidecar and "
                         "WAL archiving fails", "render the ObjectStore next to the Cluster, or fix the name")
        for i, ext in enumerate(spec.get("externalClusters") or []):
            plugin = (ext or {}).get("plugin") or {}
            name = (plugin.get("parameters") or {}).get("barmanObjectName")
            if plugin.get("name") == PLUGIN and name and tree.get("ObjectStore", ns, name) is None:
                refs.add(cluster, f"spec.externalClusters[{i}].plugin.parameters.barmanObjectName",
                         f"ObjectStore {ns}/{name} is not rendered, so nothing can be restored from it",
                         "render the ObjectStore next to the Cluster, or fix the name")
        for where, source in (("spec.bootstrap.recovery.source",
                               ((spec.get("bootstrap") or {}).get("recovery") or {}).get("source")),
                              *((f"spec.replica.{k}", (spec.get("replica") or {}).get(k))
                                for k in ("source", "self", "primary"))):
            if source is not None and source not in externals:
                refs.add(cluster, where, f"names external cluster {source!r}, which spec.externalClusters "
                         "does not define", "add it to spec.externalClusters, or fix the name")
        # CloudNativePG v1.30.0's webhook (validateReplicaMode): `enabled` and
        # `primary` exclude each other.
        replica = spec.get("replica") or {}
        if "enabled" in replica and replica.get("primary"):
            refs.add(cluster, "spec.replica.enabled", "is set beside spec.replica.primary, which "
                     "CloudNativePG refuses", "keep primary (the distributed topology) and drop enabled")
        for method, conf in ((spec.get("bootstrap") or {}).items()):
            secret = ((conf or {}).get("secret") or {}).get("name") if isinstance(conf, dict) else None
            if secret:
                for key in ("username", "password"):
                    refs.need_secret(cluster, f"spec.bootstrap.{method}.secret", ns, secret, key)
        for key in ("storage", "walStorage"):
            conf = spec.get(key) or {}
            if conf:
                refs.need_storage_class(cluster, f"spec.{key}.storageClass", conf.get("storageClass"))
    for backup in tree.kind("ScheduledBackup"):
        if backup.group != "postgresql.cnpg.io":
            continue
        name = (backup.spec.get("cluster") or {}).get("name")
        target = tree.get("Cluster", backup.namespace, name)
        if target is None or not is_cluster(target):
            refs.add(backup, "spec.cluster.name", f"Cluster {backup.namespace}/{name} is not rendered",
                     "point it at a rendered CloudNativePG Cluster, or fix the name")
            continue
        if backup.spec.get("method") == "plugin":
            plugin = (backup.spec.get("pluginConfiguration") or {}).get("name")
            if plugin == PLUGIN and not archiver_store(target.spec):
                refs.add(backup, "spec.pluginConfiguration.name",
                         f"Cluster {backup.namespace}/{name} does not archive through {plugin} "
                         "(no spec.plugins entry with a barmanObjectName), so every backup fails",
                         "render the backup only where the Cluster archives, or add the plugin to it")
    for store in tree.kind("ObjectStore"):
        if store.api_version != OBJECT_STORE_API:
            continue
        conf = store.spec.get("configuration") or {}
        for provider in ("s3Credentials", "azureCredentials", "googleCredentials"):
            for field, ref in (conf.get(provider) or {}).items():
                if isinstance(ref, dict) and ref.get("name"):
                    refs.need_secret(store, f"spec.configuration.{provider}.{field}", store.namespace,
                                     ref.get("name"), ref.get("key"))
        ca = conf.get("endpointCA")
        if isinstance(ca, dict) and ca.get("name"):
            refs.need_secret(store, "spec.configuration.endpointCA", store.namespace, ca["name"], ca.get("key"))
