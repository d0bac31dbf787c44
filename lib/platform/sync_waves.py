"""Argo CD sync order and first-sync safety, stamped on rendered objects.

Waves: namespaces and cluster-scoped objects (0), then RBAC and configuration
(1), then databases (2), then services (3). Custom resources whose CRDs an
add-on installs (KEDA, Prometheus Operator, External Secrets, ...) skip the
dry run when their CRD is not there yet, so a first sync of an empty cluster
does not fail on them.
"""
from __future__ import annotations

WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"

_CONFIG = {"ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "ResourceQuota",
           "LimitRange", "NetworkPolicy", "SecretStore", "ExternalSecret",
           "TriggerAuthentication"}
_CORE_GROUPS = {"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1",
                "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1",
                "storage.k8s.io/v1", "scheduling.k8s.io/v1"}


def wave_of(obj: dict) -> int:
    kind = obj["kind"]
    if kind == "AppProject":
        return -2  # before the Applications that name it
    if "namespace" not in obj["metadata"]:
        return 0
    if kind in _CONFIG:
        return 1
    if kind == "StatefulSet" or (kind == "Service" and obj["spec"].get("clusterIP") == "None"):
        return 2
    return 3


def stamp(obj: dict) -> dict:
    """Add the sync annotations to one rendered object (in place)."""
    if obj["kind"] == "Application":
        return obj  # Applications carry their own app-of-apps wave
    annotations = obj["metadata"].setdefault("annotations", {})
    annotations[WAVE] = str(wave_of(obj))
    if obj["apiVersion"] not in _CORE_GROUPS:
        annotations[SYNC_OPTIONS] = "SkipDryRunOnMissingResource=true"
    return obj
