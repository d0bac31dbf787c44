"""Argo CD sync order and first-sync safety, stamped on rendered objects.

Waves: namespaces and cluster-scoped objects (0), then RBAC and configuration
(1), then databases (2), then services (3). Custom resources whose CRDs an
add-on installs (KEDA, Prometheus Operator, External Secrets, ...) skip the
dry run when their CRD is not there yet, so a first sync of an empty cluster
does not fail on them.

State holders are never pruned or cascade-deleted by Argo CD (see
:func:`keep_options`), so a bad render that drops one leaves it running.
"""
from __future__ import annotations

WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"

_CONFIG = {"ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "ResourceQuota",
           "LimitRange", "NetworkPolicy", "SecretStore", "ExternalSecret",
           "TriggerAuthentication",
           # before the Gateway that names it: Envoy Gateway does not deploy a
           # Gateway's proxies while its parametersRef finds no EnvoyProxy
           "EnvoyProxy",
           # before the Schedule that writes to it: a backup whose location
           # is missing fails validation
           "BackupStorageLocation",
           # before the Cluster that names it: the Barman Cloud plugin's
           # lifecycle hook fails the instance pods while it is missing
           "ObjectStore"}
_CORE_GROUPS = {"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1",
                "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
                "storage.k8s.io/v1", "scheduling.k8s.io/v1", "apiextensions.k8s.io/v1"}

# Argo CD v3.5.1 reads each option from the one annotation, split at commas
# and trimmed (gitops-engine/pkg/sync/resource/annotations.go,
# GetAnnotationCSVs / GetAnnotationOptionValue), and always from the live
# object, so the options protect an object once it has been applied:
# - Prune=false: a sync does not delete it when it is missing from Git
#   (gitops-engine/pkg/sync/sync_context.go, isPruningDisabled: "ignored (no prune)");
# - Delete=false: deleting the Application with cascade leaves it
#   (controller/appcontroller.go, shouldBeDeleted).
NO_PRUNE = "Prune=false"
NO_DELETE = "Delete=false"


CNPG_CLUSTER_API = "postgresql.cnpg.io/v1"

# The app of apps, in order: the AppProjects, the cluster app (Namespaces,
# our CRDs, ClusterRoles), the add-ons in three tiers (lib/catalog/addons.py:
# what others need, the operators, what needs an earlier add-on), then every
# namespace's app, whose custom resources and pods use the add-ons' CRDs and
# webhooks. Argo CD waits for a wave's Applications to be Healthy only with
# the Application health check, which the self-managed Argo CD add-on
# installs (lib/platform/addons.py).
PROJECTS_WAVE = -5
CLUSTER_APP_WAVE = -4
ADDON_WAVES = (-3, -2, -1)
NAMESPACE_APP_WAVE = 0


def wave_of(obj: dict) -> int:
    kind = obj["kind"]
    if kind == "AppProject":
        return PROJECTS_WAVE  # before the Applications that name it
    if "namespace" not in obj["metadata"]:
        return 0
    if kind in _CONFIG:
        return 1
    if kind == "StatefulSet" or (kind == "Service" and obj["spec"].get("clusterIP") == "None"):
        return 2
    if (kind, obj["apiVersion"]) == ("Cluster", CNPG_CLUSTER_API):
        return 2  # a database, like the StatefulSet it replaces
    return 3


def keep_options(obj: dict) -> tuple[str, ...]:
    """The sync options that keep a state holder when a render drops it.

    - Namespace: deleting one deletes everything in it, its claims too (and
      their volumes, under a Delete reclaim policy); the cluster app prunes
      automatically, so one render without a namespace would wipe it.
    - StatefulSet with volumeClaimTemplates (PostgreSQL, Vault): its claims
      are retained, but pruning it stops the database or Vault's raft
      quorum until someone notices.
    - PersistentVolumeClaim: the data itself.
    - CloudNativePG Cluster: the operator deletes its claims with it
      (owner references), so a render that drops one would drop the data.
    - CustomResourceDefinition: deleting one deletes every object of its
      kind (Books, Models, Prompts). Prune=false only: Argo CD never deletes
      a CRD on cascade anyway (shouldBeDeleted skips kube.IsCRD).
    """
    kind, api = obj["kind"], obj["apiVersion"]
    if (kind, api) in (("Namespace", "v1"), ("PersistentVolumeClaim", "v1")):
        return NO_PRUNE, NO_DELETE
    if (kind, api) == ("StatefulSet", "apps/v1") and (obj.get("spec") or {}).get("volumeClaimTemplates"):
        return NO_PRUNE, NO_DELETE
    # A CloudNativePG Cluster owns its claims: deleting it deletes them.
    if (kind, api) == ("Cluster", CNPG_CLUSTER_API):
        return NO_PRUNE, NO_DELETE
    if kind == "CustomResourceDefinition" and api.startswith("apiextensions.k8s.io/"):
        return (NO_PRUNE,)
    return ()


def stamp(obj: dict) -> dict:
    """Add the sync annotations to one rendered object (in place)."""
    if obj["kind"] == "Application":
        return obj  # Applications carry their own app-of-apps wave
    annotations = obj["metadata"].setdefault("annotations", {})
    annotations[WAVE] = str(wave_of(obj))
    options = list(keep_options(obj))
    if obj["apiVersion"] not in _CORE_GROUPS:
        options.insert(0, "SkipDryRunOnMissingResource=true")
    if options:
        annotations[SYNC_OPTIONS] = ",".join(options)
    return obj
