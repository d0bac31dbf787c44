"""Which API version and kind each object we render has, and its scope.

Core kinds take their group/version from cdk8s-plus-27's L1 classes, so the
Kubernetes 1.27 API surface is decided by the package the user chose. This is
the only module that imports ``cdk8s_plus_27``: moving to a newer cdk8s-plus
means changing the import below (and the pin in pyproject.toml), nothing else.
Custom resources take theirs from the bindings ``cdk8s import`` generated
under imports/ from the vendored CRDs (crds/).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import runtime

runtime.use_bundled_node()

from cdk8s_plus_27 import k8s  # noqa: E402


@dataclass(frozen=True)
class Kind:
    api_version: str
    kind: str
    namespaced: bool = True


def _core(l1: type, namespaced: bool = True) -> Kind:
    gvk = l1.GVK
    return Kind(gvk.api_version, gvk.kind, namespaced)


@lru_cache(maxsize=None)
def _core_kinds() -> dict[str, Kind]:
    kinds = [
        _core(k8s.KubeNamespace, namespaced=False),
        _core(k8s.KubeResourceQuota),
        _core(k8s.KubeLimitRange),
        _core(k8s.KubeNetworkPolicy),
        _core(k8s.KubeServiceAccount),
        _core(k8s.KubeRole),
        _core(k8s.KubeRoleBinding),
        _core(k8s.KubeClusterRole, namespaced=False),
        _core(k8s.KubeClusterRoleBinding, namespaced=False),
        _core(k8s.KubeDeployment),
        _core(k8s.KubeStatefulSet),
        _core(k8s.KubeDaemonSet),
        _core(k8s.KubeService),
        _core(k8s.KubeConfigMap),
        _core(k8s.KubeSecret),
        _core(k8s.KubeHorizontalPodAutoscalerV2),
        _core(k8s.KubePodDisruptionBudget),
        _core(k8s.KubeStorageClass, namespaced=False),
        _core(k8s.KubePriorityClass, namespaced=False),
    ]
    return {k.kind: k for k in kinds}


def core(kind: str) -> Kind:
    """A core Kubernetes kind by name, e.g. ``core("Deployment")``."""
    return _core_kinds()[kind]




# Custom resources: (generated module under imports/, class, namespaced).
# Each module loads only when a kind from it is first used.
_CRDS = {
    "ScaledObject": ("imports.keda_scaledobject.sh.keda", "ScaledObject", True),
    "TriggerAuthentication": ("imports.keda_triggerauthentication.sh.keda", "TriggerAuthentication", True),
    "ServiceMonitor": ("imports.monitoring_servicemonitor.com.coreos.monitoring", "ServiceMonitor", True),
    "Schedule": ("imports.velero_schedule.io.velero", "Schedule", True),
    "Application": ("imports.argocd_application.io.argoproj", "Application", True),
    "AppProject": ("imports.argocd_appproject.io.argoproj", "AppProject", True),
    "IstioOperator": ("imports.istio_operator.io.istio.install", "IstioOperator", True),
    "ExternalSecret": ("imports.eso_externalsecret.io.external_secrets", "ExternalSecret", True),
    "SecretStore": ("imports.eso_secretstore.io.external_secrets", "SecretStore", True),
    "ClusterSecretStore": ("imports.eso_clustersecretstore.io.external_secrets", "ClusterSecretStore", False),
    "Gateway": ("imports.gateway_gateway.io.k8s.networking.gateway", "Gateway", True),
    "HTTPRoute": ("imports.gateway_httproute.io.k8s.networking.gateway", "HttpRoute", True),
    "SecurityPolicy": ("imports.envoygateway_securitypolicy.io.envoyproxy.gateway", "SecurityPolicy", True),
    "VerticalPodAutoscaler": ("imports.vpa.io.k8s.autoscaling", "VerticalPodAutoscaler", True),
}


@lru_cache(maxsize=None)
def crd(kind: str) -> Kind:
    """A custom resource kind, its group/version from the generated binding."""
    import importlib

    module_name, class_name, namespaced = _CRDS[kind]
    generated = getattr(importlib.import_module(module_name), class_name)
    gvk = generated.GVK
    return Kind(gvk.api_version, gvk.kind, namespaced)
