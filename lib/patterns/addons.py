"""An Argo CD Application whose manifests are not in this repository: a Helm
chart from a chart repository, or a kustomize directory of another Git
repository at a release tag. The add-ons (Envoy Gateway, KEDA, ...) are
these; everything rendered here goes through lib/patterns/gitops.py instead.

Argo CD renders such a source itself (``helm template`` with our
``valuesObject``, or ``kustomize build`` with our images and patches), so
what it creates never appears in ``dist/``: the AppProject is the fence
(which namespaces, which cluster-scoped kinds), and ``tests/test_addons.py``
checks the values against each chart's vendored contract.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit
from .gitops import IN_CLUSTER, RETRY, SYNC_WAVE

# Fields that a controller writes into objects the chart renders (the CA
# bundle of webhooks, conversion webhooks and aggregated APIs, injected by
# cert-manager's cainjector or the operator's own cert controller). Without
# these, self-heal would strip the bundle on every sync and the API server
# would stop trusting the webhook.
INJECTED_FIELDS = (
    {"group": "admissionregistration.k8s.io", "kind": "MutatingWebhookConfiguration",
     "jqPathExpressions": [".webhooks[]?.clientConfig.caBundle"]},
    {"group": "admissionregistration.k8s.io", "kind": "ValidatingWebhookConfiguration",
     "jqPathExpressions": [".webhooks[]?.clientConfig.caBundle"]},
    {"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition",
     "jqPathExpressions": [".spec.conversion.webhook?.clientConfig?.caBundle"]},
    {"group": "apiregistration.k8s.io", "kind": "APIService",
     "jsonPointers": ["/spec/caBundle"]},
)


@dataclass(frozen=True)
class ExternalApp:
    """One Application of a chart or of another repository's directory."""

    name: str
    project: str
    wave: int
    # Never empty: an omitted namespace is "", which no listed AppProject
    # destination matches, and Argo CD refuses the app (argo-cd #11510).
    namespace: str
    repo_url: str
    revision: str  # the chart version or the Git tag: one release, never a range
    chart: str = ""
    path: str = ""
    # The Helm release name fixes the chart's object names; a default derived
    # from the Application name would rename everything per environment.
    release_name: str = ""
    helm_values: dict | None = None  # source.helm.valuesObject
    kustomize: dict | None = None  # source.kustomize (images, patches, namespace)
    # The namespace does not exist before this app (no one renders it):
    # Argo CD creates it, labelled (Pod Security), and never deletes it.
    create_namespace: bool = False
    namespace_labels: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.namespace:
            raise ValueError(f"Argo CD Application {self.name} needs a destination namespace "
                             "(an empty one matches no AppProject destination)")
        if bool(self.chart) == bool(self.path):
            raise ValueError(f"Application {self.name}: give a chart or a path, not "
                             f"{'both' if self.chart else 'neither'}")
        if self.chart and self.kustomize is not None:
            raise ValueError(f"Application {self.name}: kustomize settings on a Helm chart")
        if self.path and self.helm_values is not None:
            raise ValueError(f"Application {self.name}: Helm values on a kustomize directory")
        if self.namespace_labels and not self.create_namespace:
            raise ValueError(f"Application {self.name}: namespace labels need create_namespace "
                             "(Argo CD only labels a namespace it manages)")
        if len(self.name) > 63:
            raise ValueError(f"Argo CD Application name {self.name!r} is {len(self.name)} characters; "
                             "at most 63")


def _source(app: ExternalApp) -> dict:
    source = {"repoURL": app.repo_url, "targetRevision": app.revision}
    if app.chart:
        source["chart"] = app.chart
        source["helm"] = {"releaseName": app.release_name or app.name,
                          "valuesObject": app.helm_values or {}}
    else:
        source["path"] = app.path
        if app.kustomize:
            source["kustomize"] = app.kustomize
    return source


def _sync_policy(app: ExternalApp) -> dict:
    options = [
        # CRDs of hundreds of kilobytes (External Secrets, Envoy Gateway,
        # Prometheus Operator, CloudNativePG, Argo CD) do not fit the
        # last-applied-configuration annotation of a client-side apply.
        "ServerSideApply=true",
        # A custom resource of a CRD the same sync creates, or one an earlier
        # wave is still installing, skips the dry run instead of failing it.
        "SkipDryRunOnMissingResource=true",
        # Self-heal leaves the injected fields alone (INJECTED_FIELDS).
        "RespectIgnoreDifferences=true",
    ]
    policy = {
        # No automatic prune: a chart upgrade or a bad render that drops an
        # object (a CRD: every custom resource of its kind would go, the
        # databases' Clusters and their claims among them) leaves it running
        # and the app OutOfSync; `argocd app sync <app> --prune` removes it
        # once someone has looked.
        "automated": {"prune": False, "selfHeal": True},
        "syncOptions": options,
        "retry": dict(RETRY),
    }
    if app.create_namespace:
        options.append("CreateNamespace=true")
        if app.namespace_labels:
            policy["managedNamespaceMetadata"] = {"labels": dict(app.namespace_labels)}
    return policy


class ExternalApplications(Group):
    """The Applications, in the chart of the Argo CD namespace."""

    def __init__(self, scope: Construct, id: str, *, apps: tuple[ExternalApp, ...]):
        super().__init__(scope, id)
        names = [a.name for a in apps]
        if len(names) != len(set(names)):
            raise ValueError("two add-on Applications would share a name")
        for app in apps:
            emit(self, crd("Application"),
                 {"name": app.name, "labels": dict(app.labels),
                  "annotations": {SYNC_WAVE: str(app.wave)},
                  # Deleting the Application leaves the add-on running.
                  "finalizers": []},
                 spec={
                     "project": app.project,
                     "source": _source(app),
                     "destination": {"server": IN_CLUSTER, "namespace": app.namespace},
                     "syncPolicy": _sync_policy(app),
                     "ignoreDifferences": [dict(d) for d in INJECTED_FIELDS],
                 })
