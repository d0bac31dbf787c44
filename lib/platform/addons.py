"""The add-ons of one environment: what the platform sets in each chart, and
the AppProjects that fence them (README, "Add-ons").

What each add-on is (chart, pinned version, namespace, the kinds it creates)
is data in lib/catalog/addons.py; the numbers (resources, IAM roles,
images) are under ``addons:`` in the values. This module joins the two into
one Argo CD Application per add-on (lib/patterns/addons.py) and two
AppProjects: one for the add-ons, one for Argo CD itself.
"""
from __future__ import annotations

from typing import Any, Callable

import yaml

from ..catalog import Catalog
from ..catalog.addons import ADDONS, AddonSpec
from ..config.loader import LoadedEnvironment
from ..config.models import Addon, Environment
from ..patterns.addons import ExternalApp
from ..patterns.gitops import Project
from .sync_waves import ADDON_WAVES

ARGOCD_KEY = "argocd"
CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
# What the self-managed Argo CD's kustomization creates besides its objects
# in the argocd namespace (manifests/cluster-install at v3.5.1: the
# cluster-rbac and crds directories), CRDs by their exact names.
ARGOCD_CRDS = ("applications.argoproj.io", "applicationsets.argoproj.io", "appprojects.argoproj.io")
# Argo CD's own kinds: no add-on may create them (only the root project may).
ARGO_KINDS = (("argoproj.io", "*"),)

# Argo CD v3.5.1's health check for Application (docs/operator-manual/
# health.md, "Argo CD App"): with it, a wave of the app of apps waits until
# the Applications of the previous one are Healthy, so the add-ons are up
# before anything that uses their CRDs or webhooks syncs.
APPLICATION_HEALTH = """\
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
"""

# Add-ons whose namespace the platform's other values already name (network
# policies admit their pods there): derived, so the two cannot drift apart.
_NAMESPACE_FROM: dict[str, Callable[[Environment], str]] = {
    "argocd": lambda env: env.gitops.argocd_namespace,
    "envoy_gateway": lambda env: env.cluster.edge_controller.namespace,
    "external_secrets": lambda env: env.cluster.external_secrets.namespace,
    "kube_prometheus_stack": lambda env: env.cluster.prometheus.namespace,
    "velero": lambda env: env.backup.velero_namespace,
    "cloudnative_pg": lambda env: env.cluster.cnpg_operator.namespace,
    "barman_cloud": lambda env: env.cluster.cnpg_operator.namespace,
    "strimzi": lambda env: env.cluster.kafka.namespace,
}


def namespace_of(env: Environment, spec: AddonSpec) -> str:
    derive = _NAMESPACE_FROM.get(spec.key)
    return derive(env) if derive else spec.namespace


def _put(values: dict, dotted: str, value: Any) -> None:
    node = values
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _role(arn: str) -> dict:
    # IRSA: EKS's pod identity webhook gives the pods of this ServiceAccount
    # web-identity credentials for the role.
    return {"eks.amazonaws.com/role-arn": arn}


def _sized(env: Environment, spec: AddonSpec, settings: Addon) -> dict:
    """Every component's resources, and the compute pool's node selector."""
    values: dict = {}
    selector = (dict(env.node_pools[env.addons.node_pool].node_labels)
                if env.cluster.dedicated_node_pools and env.addons.node_pool in env.node_pools else {})
    for name, component in spec.components.items():
        if component.resources:
            _put(values, component.resources, settings.resources[name].as_dict())
        if component.node_selector and selector:
            _put(values, component.node_selector, dict(selector))
    return values


# --- what the platform sets per chart (beyond resources and placement) -------

def _envoy_gateway(env: Environment, a: Addon) -> dict:
    # On, as the chart's default: the webhook gives each proxy its zone
    # (zone-aware routing), and the namespace's policies admit the API
    # server on 9443 for it (lib/platform/network.py). Turning it off in
    # v1.9.0 takes a second value: README, "Add-ons".
    return {"topologyInjector": {"enabled": True}}


def _external_secrets(env: Environment, a: Addon) -> dict:
    # Its CRDs are the ExternalSecrets and SecretStores of every namespace.
    return {"installCRDs": True}


def _kube_prometheus_stack(env: Environment, a: Addon) -> dict:
    return {
        "prometheus": {"prometheusSpec": {
            # Nil selectors select everything, not only objects labelled with
            # this release: our ServiceMonitors and PodMonitors carry no
            # `release` label.
            "serviceMonitorSelectorNilUsesHelmValues": False,
            "podMonitorSelectorNilUsesHelmValues": False,
        }},
        # EKS runs these off the cluster's nodes; scraping them only fails.
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeEtcd": {"enabled": False},
        "kubeProxy": {"enabled": False},
    }


def _velero(env: Environment, a) -> dict:
    return {
        # The object-store plugin: the server loads it from /target.
        "initContainers": [{
            "name": "velero-plugin-for-aws", "image": a.aws_plugin_image.ref,
            "imagePullPolicy": "IfNotPresent",
            "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
        }],
        "configuration": {
            # CSI snapshots moved into the bucket by the node agent (README,
            # "Backups (Velero)").
            "features": "EnableCSI",
            # The locations are ours (velero/BackupStorageLocation <env> and
            # the peer's): a chart-made "default" would be a second default.
            "backupStorageLocation": [],
            "volumeSnapshotLocation": [],
        },
        "backupsEnabled": False,
        "snapshotsEnabled": False,
        "deployNodeAgent": True,
        # The node agent must run wherever a backed-up volume is mounted,
        # tainted pools included.
        "nodeAgent": {"tolerations": [{"operator": "Exists"}]},
        # Argo CD applies the chart's crds/ on every sync; the hook Job would
        # only repeat it with a kubectl image and cluster-admin.
        "upgradeCRDs": False,
        # IRSA, no static keys.
        "credentials": {"useSecret": False},
        "serviceAccount": {"server": {"annotations": _role(a.iam_role_arn)}},
        # The web-identity token is readable by the pod's group (any fsGroup).
        "podSecurityContext": {"fsGroup": 65534},
    }


def _vertical_pod_autoscaler(env: Environment, a: Addon) -> dict:
    # Our VPAs are "Off": recommendations only. The updater would evict and
    # the admission controller rewrite pods; neither has anything to do.
    return {
        "updater": {"enabled": False}, "admissionController": {"enabled": False},
        # vpa-system enforces Pod Security "restricted". The chart's defaults
        # (0.11.0) set only runAsNonRoot and runAsUser 65534 on the pod and
        # nothing on the container: admission would refuse the recommender.
        # templates/recommender-deployment.yaml renders both maps as they are
        # (Helm merges this one into the defaults' runAsNonRoot/runAsUser).
        "podSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containerSecurityContext": {"allowPrivilegeEscalation": False,
                                     "capabilities": {"drop": ["ALL"]},
                                     "readOnlyRootFilesystem": True},
    }


def _cert_manager(env: Environment, a: Addon) -> dict:
    # The chart installs no CRDs unless asked; keep them if it ever stops.
    return {"crds": {"enabled": True, "keep": True}}


def _external_dns(env: Environment, a) -> dict:
    return {
        "image": {"repository": a.image.repository, "tag": a.image.tag},
        "provider": {"name": "aws"},
        # The HTTPRoutes carry the failover annotations (README, "DNS failover").
        "sources": ["gateway-httproute"],
        "registry": "txt",
        # Each region owns its own records (its set identifier) in the shared zone.
        "txtOwnerId": env.name,
        "domainFilters": [env.edge.domain],
        "policy": a.policy,
        "serviceAccount": {"annotations": _role(a.iam_role_arn)},
        "env": [{"name": "AWS_DEFAULT_REGION", "value": env.cluster.region}],
    }


def _no_extras(env: Environment, a: Addon) -> dict:
    return {}


HELM_VALUES: dict[str, Callable[[Environment, Addon], dict]] = {
    "envoy_gateway": _envoy_gateway,
    "external_secrets": _external_secrets,
    "keda": _no_extras,
    "kube_prometheus_stack": _kube_prometheus_stack,
    "velero": _velero,
    "vertical_pod_autoscaler": _vertical_pod_autoscaler,
    "cloudnative_pg": _no_extras,
    "cert_manager": _cert_manager,
    "external_dns": _external_dns,
    "strimzi": _no_extras,
}


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def helm_values(env: Environment, spec: AddonSpec) -> dict:
    """The chart's values as the Application passes them (valuesObject)."""
    settings: Addon = getattr(env.addons, spec.key)
    return _merge(_sized(env, spec, settings), HELM_VALUES[spec.key](env, settings))


def _patch(body: Any) -> str:
    return yaml.safe_dump(body, sort_keys=False, width=1000)


def kustomize(env: Environment, spec: AddonSpec) -> dict:
    """The kustomize settings of a Git source (images, patches, namespace)."""
    settings = getattr(env.addons, spec.key)
    if spec.key == ARGOCD_KEY:
        return {"patches": [{
            "target": {"version": "v1", "kind": "ConfigMap", "name": "argocd-cm"},
            "patch": _patch({"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "argocd-cm"},
                             "data": {"resource.customizations.health.argoproj.io_Application":
                                      APPLICATION_HEALTH}}),
        }]}
    if spec.key == "barman_cloud":
        # What the plugin's release does to the same kustomization
        # (Taskfile.yml, manifest-internal): the release images, the
        # sidecar's through SIDECAR_IMAGE (here on the container itself,
        # not through the generated Secret, which keeps the test image).
        container = "/spec/template/spec/containers/0"
        return {
            "namespace": namespace_of(env, spec),
            "images": [f"plugin-barman-cloud={settings.image.ref}"],
            "patches": [{
                "target": {"group": "apps", "version": "v1", "kind": "Deployment", "name": "barman-cloud"},
                "patch": _patch([
                    {"op": "replace", "path": f"{container}/env/0",
                     "value": {"name": "SIDECAR_IMAGE", "value": settings.sidecar_image.ref}},
                    {"op": "replace", "path": f"{container}/resources",
                     "value": settings.resources["plugin"].as_dict()},
                ]),
            }],
        }
    raise ValueError(f"add-on {spec.key}: no kustomize settings")


# --- checks at render ------------------------------------------------------------

def check_addons(loaded: LoadedEnvironment) -> None:
    """The values name the release whose contract is vendored, and size
    every component the catalog knows (one line, file and key path)."""
    env = loaded.model
    if env.addons is None:
        return
    for spec in ADDONS:
        settings: Addon = getattr(env.addons, spec.key)
        src = settings.source
        loc = ("addons", spec.key, "source")
        pinned = {"repo_url": spec.repo_url, "chart": spec.chart or None, "path": spec.path or None,
                  "version": spec.version}
        for key, want in pinned.items():
            got = getattr(src, key)
            if got != want:
                raise loaded.error(loc + (key,), (
                    f"{got!r} is not what addons/charts/{spec.key}/ vendors and tests verify "
                    f"({want!r}, lib/catalog/addons.py); to change it, vendor the new release "
                    "(addons/vendor.py) and update the catalog in the same change"))
        sized = {n for n, c in spec.components.items() if c.resources or not spec.helm}
        for name in settings.resources:
            if name not in sized:
                raise loaded.error(("addons", spec.key, "resources", name), (
                    f"unknown component {name!r} of {spec.title} (its components: "
                    f"{', '.join(sorted(sized)) or 'none'})"))
        missing = sorted(sized - set(settings.resources))
        if missing:
            raise loaded.error(("addons", spec.key, "resources"), (
                f"missing resources for {', '.join(missing)}: every pod gets requests and limits"))


# --- Applications and projects ---------------------------------------------------

def _enabled(env: Environment) -> list[AddonSpec]:
    return [s for s in ADDONS if getattr(env.addons, s.key).enabled]


def addon_apps(env: Environment, catalog: Catalog, *, addons_project: str, argocd_project: str,
               labels: dict) -> tuple[ExternalApp, ...]:
    rendered = {ns.name for ns in catalog.namespaces}
    existing = rendered | {env.gitops.argocd_namespace, "kube-system"}
    apps = []
    for spec in _enabled(env):
        settings: Addon = getattr(env.addons, spec.key)
        namespace = namespace_of(env, spec)
        # The first add-on into a namespace nobody renders creates it.
        create = namespace not in existing
        existing.add(namespace)
        level = spec.pod_security if create else ""
        minor = f"v{env.cluster.kubernetes_version}"
        ns_labels = {f"pod-security.kubernetes.io/{mode}{suffix}": value
                     for mode in ("enforce", "audit", "warn")
                     for suffix, value in (("", level), ("-version", minor))} if level else {}
        apps.append(ExternalApp(
            # "-addon-": the platform's app of velero/ is <env>-velero already.
            name=f"{env.name}-addon-{spec.name}",
            project=argocd_project if spec.key == ARGOCD_KEY else addons_project,
            wave=ADDON_WAVES[spec.tier], namespace=namespace,
            repo_url=settings.source.repo_url, revision=settings.source.version,
            chart=spec.chart, path=spec.path, release_name=spec.name if spec.helm else "",
            helm_values=helm_values(env, spec) if spec.helm else None,
            kustomize=None if spec.helm else kustomize(env, spec),
            create_namespace=create, namespace_labels=ns_labels, labels=dict(labels)))
    return tuple(apps)


def addon_projects(env: Environment, *, addons_project: str, argocd_project: str) -> list[Project]:
    """The add-ons' fence and Argo CD's own: which namespaces, which
    repositories, which cluster-scoped kinds (CRDs by API group, named)."""
    enabled = _enabled(env)
    others = [s for s in enabled if s.key != ARGOCD_KEY]
    namespaces: list[str] = []
    for spec in others:
        for ns in (namespace_of(env, spec),) + spec.extra_namespaces:
            if ns not in namespaces:
                namespaces.append(ns)
    kinds: list[tuple[str, ...]] = []
    for spec in others:
        kinds += [k for k in spec.cluster_kinds if k not in kinds]
    crds = sorted({g for s in others for g in s.crd_groups})
    projects = []
    if others:
        projects.append(Project(
            addons_project,
            f"Voyager add-ons ({env.name}): pinned charts, their namespaces, their CRDs by API group",
            tuple(namespaces),
            tuple(sorted(kinds)) + tuple(CRD + (f"*.{g}",) for g in crds),
            denied_kinds=ARGO_KINDS,
            source_repos=tuple(dict.fromkeys(getattr(env.addons, s.key).source.repo_url for s in others))))
    if any(s.key == ARGOCD_KEY for s in enabled):
        argocd = env.addons.argocd
        projects.append(Project(
            argocd_project,
            f"Argo CD ({env.name}): manages itself from its release's manifests",
            (env.gitops.argocd_namespace,),
            (("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"))
            + tuple(CRD + (name,) for name in ARGOCD_CRDS),
            denied_kinds=ARGO_KINDS, source_repos=(argocd.source.repo_url,)))
    return projects
