"""Check a rendered environment (``dist/<env>/``) before it is merged.

Reads the rendered YAML only — never lib.platform, lib.patterns or cdk8s — so
it judges any tree, hand-written or generated. ``validate_tree`` returns one
:class:`Finding` per problem (object, field, what is wrong, how to fix it);
``python main.py validate`` prints them and exits 1 when there are any.

Checks (``Finding.check``):

- ``schema``: Kubernetes schema of every requested version (strict), CRD
  schemas from crds/ for custom resources (strict unless the schema
  preserves unknown fields);
- ``pod-security``: Pod Security Standards of the namespace's enforce label;
- ``reference``: every name that points at another object resolves;
- ``secret-data``: no Secret carries data;
- ``image-pin``: every image has a tag other than ``latest`` (or a digest);
- ``rbac-wildcard``: no ``*`` in Roles and ClusterRoles;
- ``cluster-scoped-namespace``: namespaces only on namespaced kinds;
- ``name-length``: names, labels and port names within Kubernetes' limits;
- ``capacity``: ResourceQuotas hold at maximum scale and during rollouts;
- ``traffic``: declared ``voyager.io/talks-to`` edges vs NetworkPolicies;
- ``edge``: each Gateway's proxies, as Envoy Gateway v1.9 would deploy them,
  survive one pod (EnvoyProxy with >= 2 replicas and a PodDisruptionBudget);
- ``kustomization``: every object file is listed, every listed file exists;
- ``argocd``: Argo CD v3.5.1's AppProject rules (project, destination,
  sourceRepos, every synced object's kind and namespace), the fence around
  Argo CD objects, and Prune=false / Delete=false on state holders.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import yaml

from .model import _Loader

from . import argocd, capacity, edge, hygiene, pod_security, references, schema, traffic
from .model import CLUSTER_DIR, DOCS_DIR, KUSTOMIZATION, Finding, Obj, PodTemplate, Tree, load_tree
from .pod_security import check_pod

DEFAULT_EXTERNAL_NAMESPACES = (
    "kube-system", "kube-public", "kube-node-lease", "default", "monitoring", "kafka", "external-secrets",
    "argocd", "velero", "istio-system",
    # the CloudNativePG operator and its Barman Cloud plugin (add-ons)
    "cnpg-system",
)
# Pods that exist in rendered namespaces without being rendered (created by an
# add-on's own chart or controller): namespace -> label sets of those pods.
# Selectors that match them are not dangling; traffic checks still ignore them.
DEFAULT_EXTERNAL_PODS = {
    "envoy-gateway-system": (
        # the Envoy Gateway controller (its Helm chart) and the proxies it creates
        {"control-plane": "envoy-gateway", "app.kubernetes.io/name": "gateway-helm"},
        {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
         "app.kubernetes.io/managed-by": "envoy-gateway"},
        # the chart's certgen Job (TLS between controller and proxies)
        {"app": "certgen"},
    ),
}
OLDEST_KUBERNETES = "1.27"


def target_version(tree: Tree | None) -> str | None:
    """The cluster version the render targets, as its Namespaces declare it
    (``pod-security.kubernetes.io/enforce-version: v1.36`` -> "1.36")."""
    found = set()
    for ns in (tree.kind("Namespace") if tree is not None else ()):
        label = (ns.labels or {}).get("pod-security.kubernetes.io/enforce-version", "")
        if label.startswith("v1."):
            found.add(label[1:])
    return max(found, key=lambda v: int(v.split(".")[1])) if found else None


def default_versions(tree: Tree | None = None) -> tuple[str, ...]:
    """1.27 (the API cdk8s-plus-27 describes) and the target cluster's version,
    or the newest kubernetes-validate knows when the tree does not say."""
    target = target_version(tree) or schema.newest_version()
    return (OLDEST_KUBERNETES, target) if target != OLDEST_KUBERNETES else (OLDEST_KUBERNETES,)


@dataclass
class Context:
    """What every check gets: the tree and the assumptions about the world around it."""

    tree: Tree
    versions: tuple[str, ...]
    crds: schema.CrdIndex
    external_namespaces: dict[str, dict] = field(default_factory=dict)  # name -> labels
    storage_classes: frozenset[str] = frozenset()
    external_pods: dict[str, tuple[dict, ...]] = field(default_factory=dict)  # namespace -> pod labels
    repo_root: Path | None = None


def check_kustomization(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    root = ctx.tree.env_dir
    listed_files: set[str] = set()
    env_kust = root / KUSTOMIZATION
    dirs = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != DOCS_DIR) if root.is_dir() else []
    if not env_kust.exists():
        out.append(Finding(KUSTOMIZATION, "kustomization", "-", "the environment has no kustomization.yaml",
                           "render it with python main.py"))
    else:
        resources = (yaml.load(env_kust.read_bytes(), Loader=_Loader) or {}).get("resources") or []
        for d in dirs:
            if d not in resources:
                out.append(Finding(KUSTOMIZATION, "kustomization", "resources",
                                   f"directory {d}/ is not listed, so Argo CD never applies it", f"add {d}"))
    for d in dirs:
        kust = root / d / KUSTOMIZATION
        loaded = yaml.load(kust.read_bytes(), Loader=_Loader) if kust.exists() else None
        resources = (loaded or {}).get("resources") or []
        if not kust.exists():
            out.append(Finding(f"{d}/{KUSTOMIZATION}", "kustomization", "-", "missing", "render it"))
        for res in resources:
            listed_files.add(f"{d}/{res}")
            if not (root / d / res).exists():
                out.append(Finding(f"{d}/{KUSTOMIZATION}", "kustomization", "resources",
                                   f"lists {res}, which does not exist", "re-render"))
    for obj in ctx.tree.objects:
        if obj.file not in listed_files and env_kust.exists():
            out.append(obj.finding("kustomization", "-", f"file {obj.file} is not listed in its kustomization.yaml, "
                                   "so Argo CD never applies it", "re-render (python main.py)"))
    return out


CHECKS = {
    "schema": schema.check,
    "pod-security": pod_security.check,
    "reference": references.check,
    "secret-data": hygiene.check_secret_data,
    "image-pin": hygiene.check_image_pin,
    "rbac-wildcard": hygiene.check_rbac_wildcard,
    "cluster-scoped-namespace": hygiene.check_cluster_scoped_namespace,
    "name-length": hygiene.check_name_length,
    "capacity": capacity.check,
    "traffic": traffic.check,
    "edge": edge.check,
    "kustomization": check_kustomization,
    "argocd": argocd.check,
}


def _external(known) -> dict[str, dict]:
    if isinstance(known, Mapping):
        return {name: {**(labels or {}), "kubernetes.io/metadata.name": name} for name, labels in known.items()}
    return {name: {"kubernetes.io/metadata.name": name} for name in known}


def make_context(
    env_dir: Path,
    *,
    kubernetes_versions: Iterable[str] | None = None,
    known_external_namespaces: Iterable[str] | Mapping[str, Mapping[str, str]] = DEFAULT_EXTERNAL_NAMESPACES,
    known_storage_classes: Iterable[str] = (),
    known_external_pods: Mapping[str, Iterable[Mapping[str, str]]] = DEFAULT_EXTERNAL_PODS,
    crds_dir: Path = schema.CRDS_DIR,
    repo_root: Path | None = None,
) -> Context:
    env_dir = Path(env_dir)
    tree = load_tree(env_dir)
    return Context(
        tree=tree,
        versions=tuple(kubernetes_versions or default_versions(tree)),
        crds=schema.crd_index(crds_dir).extended([o.data for o in tree.kind("CustomResourceDefinition")]),
        external_namespaces=_external(known_external_namespaces),
        storage_classes=frozenset(known_storage_classes),
        external_pods={ns: tuple(dict(p) for p in pods) for ns, pods in known_external_pods.items()},
        # dist/<env> -> the repository that holds dist/
        repo_root=Path(repo_root) if repo_root is not None else env_dir.resolve().parent.parent,
    )


def validate_tree(
    env_dir: Path,
    *,
    kubernetes_versions: Iterable[str] | None = None,
    known_external_namespaces: Iterable[str] | Mapping[str, Mapping[str, str]] = DEFAULT_EXTERNAL_NAMESPACES,
    known_storage_classes: Iterable[str] = (),
    known_external_pods: Mapping[str, Iterable[Mapping[str, str]]] = DEFAULT_EXTERNAL_PODS,
    crds_dir: Path = schema.CRDS_DIR,
    repo_root: Path | None = None,
    checks: Iterable[str] | None = None,
    timings: dict[str, float] | None = None,
) -> list[Finding]:
    """Every finding of the rendered environment ``env_dir`` (``dist/<env>``), sorted.

    ``kubernetes_versions``: schema versions (default 1.27 and the newest
    kubernetes_validate ships). ``known_external_namespaces``: namespaces that
    exist without being rendered (names, or name -> labels).
    ``known_storage_classes``: StorageClasses the cluster has without
    rendering them. ``known_external_pods``: pods that add-ons run in rendered
    namespaces (namespace -> label sets), so selectors of them are not dangling.
    ``repo_root``: what Argo CD Application paths are relative
    to (default: the parent of dist/). ``checks``: a subset of :data:`CHECKS`.
    """
    started = time.perf_counter()
    ctx = make_context(env_dir, kubernetes_versions=kubernetes_versions,
                       known_external_namespaces=known_external_namespaces,
                       known_storage_classes=known_storage_classes, known_external_pods=known_external_pods,
                       crds_dir=crds_dir, repo_root=repo_root)
    if timings is not None:
        timings["load"] = time.perf_counter() - started
    selected = list(checks) if checks is not None else list(CHECKS)
    unknown = [c for c in selected if c not in CHECKS]
    if unknown:
        raise ValueError(f"unknown checks {unknown}; known: {', '.join(CHECKS)}")
    findings: set[Finding] = set(ctx.tree.load_errors)
    for name in selected:
        t = time.perf_counter()
        findings.update(CHECKS[name](ctx))
        if timings is not None:
            timings[name] = time.perf_counter() - t
    return sorted(findings, key=lambda f: (f.check, f.object, f.field, f.message))


def environments(dist: Path) -> list[str]:
    """Rendered environments under ``dist`` (directories with a kustomization)."""
    dist = Path(dist)
    if not dist.is_dir():
        return []
    return sorted(p.name for p in dist.iterdir() if p.is_dir() and (p / KUSTOMIZATION).exists())


__all__ = [
    "CHECKS", "CLUSTER_DIR", "Context", "DEFAULT_EXTERNAL_NAMESPACES", "DEFAULT_EXTERNAL_PODS", "Finding",
    "Obj", "PodTemplate", "Tree",
    "check_pod", "default_versions", "environments", "load_tree", "make_context", "validate_tree",
]
