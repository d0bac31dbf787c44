"""Which API version and kind each object we render has, and its scope.

Core kinds take their group/version from cdk8s-plus-27's L1 classes, so the
Kubernetes 1.27 API surface is decided by the package the user chose.
Custom resources take theirs from the bindings ``cdk8s import`` generated
under imports/ from the vendored CRDs (crds/).

A render does not import either: importing cdk8s-plus-27 and the bindings cost
3-6 s per worker process (more without a bytecode cache) only to read these
strings. ``scripts/import_crds.py`` writes them into ``gvks.py`` (read from
the same packages' jsii assemblies); tests/test_performance_plumbing.py
imports every class named here and proves the table agrees. A class missing
from the table (a new entry before the script ran) is imported here, as
before, so it is never wrong, only slower. This is still the only module that
imports ``cdk8s_plus_27``: moving to a newer cdk8s-plus means changing
``_CORE_MODULE`` (and the pin in pyproject.toml) and running the script.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

from . import runtime
from .gvks import GVKS

# Selects jsii's Node before anything imports cdk8s (callers rely on it).
runtime.use_bundled_node()


@dataclass(frozen=True)
class Kind:
    api_version: str
    kind: str
    namespaced: bool = True


_CORE_MODULE = "cdk8s_plus_27.k8s"

# Core kinds: kind -> (cdk8s-plus-27 L1 class, namespaced).
_CORE = {
    "Namespace": ("KubeNamespace", False),
    "ResourceQuota": ("KubeResourceQuota", True),
    "LimitRange": ("KubeLimitRange", True),
    "NetworkPolicy": ("KubeNetworkPolicy", True),
    "ServiceAccount": ("KubeServiceAccount", True),
    "Role": ("KubeRole", True),
    "RoleBinding": ("KubeRoleBinding", True),
    "ClusterRole": ("KubeClusterRole", False),
    "ClusterRoleBinding": ("KubeClusterRoleBinding", False),
    "Deployment": ("KubeDeployment", True),
    "StatefulSet": ("KubeStatefulSet", True),
    "DaemonSet": ("KubeDaemonSet", True),
    "Service": ("KubeService", True),
    "ConfigMap": ("KubeConfigMap", True),
    "Secret": ("KubeSecret", True),
    "HorizontalPodAutoscaler": ("KubeHorizontalPodAutoscalerV2", True),
    "PodDisruptionBudget": ("KubePodDisruptionBudget", True),
    "StorageClass": ("KubeStorageClass", False),
    "PriorityClass": ("KubePriorityClass", False),
    "Job": ("KubeJob", True),
    "CronJob": ("KubeCronJob", True),
    "CustomResourceDefinition": ("KubeCustomResourceDefinition", False),
}


@lru_cache(maxsize=None)
def core(kind: str) -> Kind:
    """A core Kubernetes kind by name, e.g. ``core("Deployment")``."""
    l1, namespaced = _CORE[kind]
    return _kind(_CORE_MODULE, l1, namespaced)


# Custom resources: (generated module under imports/, class, namespaced).
# Each module loads only when a kind from it is first used.
_CRDS = {
    "ScaledObject": ("imports.keda_scaledobject.sh.keda", "ScaledObject", True),
    "TriggerAuthentication": ("imports.keda_triggerauthentication.sh.keda", "TriggerAuthentication", True),
    "ServiceMonitor": ("imports.monitoring_servicemonitor.com.coreos.monitoring", "ServiceMonitor", True),
    "Schedule": ("imports.velero_schedule.io.velero", "Schedule", True),
    "BackupStorageLocation": ("imports.velero_backupstoragelocation.io.velero", "BackupStorageLocation", True),
    "Application": ("imports.argocd_application.io.argoproj", "Application", True),
    "AppProject": ("imports.argocd_appproject.io.argoproj", "AppProject", True),
    "IstioOperator": ("imports.istio_operator.io.istio.install", "IstioOperator", True),
    "ExternalSecret": ("imports.eso_externalsecret.io.external_secrets", "ExternalSecret", True),
    "SecretStore": ("imports.eso_secretstore.io.external_secrets", "SecretStore", True),
    "ClusterSecretStore": ("imports.eso_clustersecretstore.io.external_secrets", "ClusterSecretStore", False),
    "Gateway": ("imports.gateway_gateway.io.k8s.networking.gateway", "Gateway", True),
    "HTTPRoute": ("imports.gateway_httproute.io.k8s.networking.gateway", "HttpRoute", True),
    "GatewayClass": ("imports.gateway_gatewayclass.io.k8s.networking.gateway", "GatewayClass", False),
    "SecurityPolicy": ("imports.envoygateway_securitypolicy.io.envoyproxy.gateway", "SecurityPolicy", True),
    "EnvoyProxy": ("imports.envoygateway_envoyproxy.io.envoyproxy.gateway", "EnvoyProxy", True),
    "VerticalPodAutoscaler": ("imports.vpa.io.k8s.autoscaling", "VerticalPodAutoscaler", True),
    "Cluster": ("imports.cnpg_cluster.io.cnpg.postgresql", "Cluster", True),
    "ScheduledBackup": ("imports.cnpg_scheduledbackup.io.cnpg.postgresql", "ScheduledBackup", True),
    "ObjectStore": ("imports.barmancloud_objectstore.io.cnpg.barmancloud", "ObjectStore", True),
    "PodMonitor": ("imports.monitoring_podmonitor.com.coreos.monitoring", "PodMonitor", True),
}


@lru_cache(maxsize=None)
def crd(kind: str) -> Kind:
    """A custom resource kind, its group/version from the generated binding."""
    module_name, class_name, namespaced = _CRDS[kind]
    return _kind(module_name, class_name, namespaced)


def _kind(module_name: str, class_name: str, namespaced: bool) -> Kind:
    gvk = GVKS.get(f"{module_name}.{class_name}") or imported_gvk(module_name, class_name)
    return Kind(gvk[0], gvk[1], namespaced)


def imported_gvk(module_name: str, class_name: str) -> tuple[str, str]:
    """(apiVersion, kind) as the class itself states it: imports its module
    (seconds, and a jsii assembly load); the table above avoids this."""
    generated = getattr(importlib.import_module(module_name), class_name)
    return generated.GVK.api_version, generated.GVK.kind


def classes() -> dict[str, tuple[str, bool]]:
    """Every kind named here -> (its class as ``module.Class``, namespaced)."""
    out = {kind: (f"{_CORE_MODULE}.{l1}", namespaced) for kind, (l1, namespaced) in _CORE.items()}
    out.update({kind: (f"{module}.{cls}", namespaced) for kind, (module, cls, namespaced) in _CRDS.items()})
    return out
