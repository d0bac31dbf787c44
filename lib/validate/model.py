"""What the checks read (a rendered environment as plain objects) and what
they report (findings: object, field, what is wrong, how to fix it)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

try:  # the C loader is ~10x faster; the pure one gives identical objects
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

KUSTOMIZATION = "kustomization.yaml"
CLUSTER_DIR = "cluster"
DOCS_DIR = "docs"  # generated Markdown (lib/docs): no objects, in no kustomization

# Kinds that are cluster-scoped in Kubernetes itself (CRDs add their own from
# spec.scope; see schema.CrdIndex.cluster_scoped).
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "PriorityClass",
    "RuntimeClass", "CustomResourceDefinition", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "CertificateSigningRequest", "IngressClass", "FlowSchema",
    "PriorityLevelConfiguration", "ComponentStatus", "TokenReview",
    "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview",
    "PodSecurityPolicy", "ClusterSecretStore", "ClusterExternalSecret",
    "ClusterTriggerAuthentication", "GatewayClass", "ClusterIssuer",
    "IPAddress", "ServiceCIDR", "DeviceClass",
})


@dataclass(frozen=True, order=True)
class Finding:
    """One thing wrong with one object, and how to fix it.

    ``object`` is ``Kind/namespace/name`` (``Kind/name`` when cluster-scoped),
    ``field`` a path inside it (``spec.template.spec.containers[0].image``).
    """

    object: str
    check: str
    field: str
    message: str
    fix: str = ""

    def line(self, env: str | None = None) -> str:
        head = f"{env}: " if env else ""
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{head}{self.check}: {self.object}: {self.field or '-'}: {self.message}{fix}"

    def __str__(self) -> str:
        return self.line()


@dataclass(eq=False)
class Obj:
    """One rendered object and the file it came from."""

    data: dict
    file: str  # relative to the environment directory

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or "")

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion") or "")

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def meta(self) -> dict:
        meta = self.data.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or "")

    @property
    def labels(self) -> dict:
        labels = self.meta.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict:
        ann = self.meta.get("annotations")
        return ann if isinstance(ann, dict) else {}

    @property
    def spec(self) -> dict:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def ref(self) -> str:
        ns = self.namespace
        return f"{self.kind}/{ns}/{self.name}" if ns else f"{self.kind}/{self.name}"

    def finding(self, check: str, field: str, message: str, fix: str = "") -> Finding:
        return Finding(self.ref, check, field, message, fix)


@dataclass(eq=False)
class PodTemplate:
    """A pod as a workload would create it: labels, annotations and spec."""

    owner: Obj
    meta: dict
    spec: dict
    path: str  # field path of the pod spec inside the owner ("spec.template.spec")

    @property
    def meta_path(self) -> str:
        return self.path.rpartition(".")[0] + ".metadata" if "." in self.path else "metadata"

    @property
    def namespace(self) -> str:
        return self.owner.namespace

    @property
    def labels(self) -> dict:
        labels = self.meta.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict:
        ann = self.meta.get("annotations")
        return ann if isinstance(ann, dict) else {}

    def containers(self, init: bool = True) -> Iterator[tuple[str, dict]]:
        """(field path, container) of every container, init and ephemeral too."""
        keys = ("initContainers", "containers", "ephemeralContainers") if init else ("containers",)
        for key in keys:
            items = self.spec.get(key) or []
            if isinstance(items, list):
                for i, c in enumerate(items):
                    if isinstance(c, dict):
                        yield f"{self.path}.{key}[{i}]", c

    def ports(self) -> Iterator[dict]:
        for _, c in self.containers(init=False):
            for port in c.get("ports") or []:
                if isinstance(port, dict):
                    yield port


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


def pod_template(obj: Obj) -> PodTemplate | None:
    kind = obj.kind
    spec = obj.spec
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"):
        template, path = spec.get("template"), "spec.template"
    elif kind == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        template, path = job.get("template"), "spec.jobTemplate.spec.template"
    elif kind == "Pod":
        return PodTemplate(obj, obj.meta, spec, "spec")
    else:
        return None
    if not isinstance(template, dict):
        return None
    pspec = template.get("spec")
    meta = template.get("metadata")
    return PodTemplate(obj, meta if isinstance(meta, dict) else {},
                       pspec if isinstance(pspec, dict) else {}, f"{path}.spec")


class Tree:
    """A rendered environment: every object, indexed the ways the checks need."""

    def __init__(self, env_dir: Path, objects: list[Obj], errors: list[Finding] | None = None):
        self.env_dir = Path(env_dir)
        self.objects = objects
        self.load_errors = errors or []
        self.by_kind: dict[str, list[Obj]] = {}
        self._index: dict[tuple[str, str, str], Obj] = {}
        self.by_namespace: dict[str, list[Obj]] = {}
        for obj in objects:
            self.by_kind.setdefault(obj.kind, []).append(obj)
            self._index.setdefault((obj.kind, obj.namespace, obj.name), obj)
            self.by_namespace.setdefault(obj.namespace, []).append(obj)
        self.namespaces: dict[str, Obj] = {o.name: o for o in self.by_kind.get("Namespace", [])}
        self.pods: list[PodTemplate] = []
        for kind in WORKLOAD_KINDS:
            for obj in self.by_kind.get(kind, []):
                pod = pod_template(obj)
                if pod is not None:
                    self.pods.append(pod)
        # CloudNativePG builds each Cluster's pods itself; model them as
        # v1.30.0 does, so selectors, policies, Pod Security and quotas judge
        # the pods that will run (lib/validate/cnpg.py).
        from .cnpg import cluster_pods
        self.pods += cluster_pods(self)
        self.pods_by_namespace: dict[str, list[PodTemplate]] = {}
        for pod in self.pods:
            self.pods_by_namespace.setdefault(pod.namespace, []).append(pod)

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        return self._index.get((kind, namespace, name))

    def kind(self, kind: str) -> list[Obj]:
        return self.by_kind.get(kind, [])

    def namespace_labels(self, name: str) -> dict | None:
        """Labels of a rendered Namespace, with the one the API server adds."""
        ns = self.namespaces.get(name)
        if ns is None:
            return None
        return {**ns.labels, "kubernetes.io/metadata.name": name}


def load_objects(env_dir: Path) -> tuple[list[Obj], list[Finding]]:
    """Every object under ``env_dir`` (kustomization files aside), in path order."""
    env_dir = Path(env_dir)
    objects: list[Obj] = []
    errors: list[Finding] = []
    for path in sorted(env_dir.rglob("*.yaml")):
        if path.name == KUSTOMIZATION:
            continue
        rel = str(path.relative_to(env_dir))
        try:
            docs = list(yaml.load_all(path.read_bytes(), Loader=_Loader))
        except yaml.YAMLError as exc:
            errors.append(Finding(rel, "schema", "-", f"not valid YAML: {exc}".replace("\n", " "),
                                  "fix the generator that wrote this file"))
            continue
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict) or "kind" not in doc:
                errors.append(Finding(rel, "schema", "-", "not a Kubernetes object (no kind)",
                                      "every file under dist/ holds one object"))
                continue
            objects.append(Obj(doc, rel))
    return objects, errors


def load_tree(env_dir: Path) -> Tree:
    objects, errors = load_objects(env_dir)
    return Tree(env_dir, objects, errors)


def fmt(value) -> str:
    """A short, readable rendering of a value inside a message."""
    if isinstance(value, str):
        return repr(value) if value else "''"
    return str(value)
