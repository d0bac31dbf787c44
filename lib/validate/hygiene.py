"""Per-object rules: no secret material, pinned images, no RBAC wildcards,
namespaces only where they belong, names and labels within Kubernetes' limits."""
from __future__ import annotations

import re

from .model import CLUSTER_SCOPED, Finding, Obj

# --- secret-data --------------------------------------------------------------


def check_secret_data(ctx) -> list[Finding]:
    out = []
    for obj in ctx.tree.kind("Secret"):
        for key in ("data", "stringData"):
            if obj.data.get(key):
                keys = ", ".join(sorted(map(str, obj.data[key])))
                out.append(obj.finding(
                    "secret-data", key, f"secret material in Git (keys: {keys})",
                    "remove it and materialise the Secret from Vault with an ExternalSecret"))
    return out


# --- image-pin ----------------------------------------------------------------

def image_problem(image) -> str | None:
    """Why an image reference is not pinned, or None when it is."""
    if not isinstance(image, str) or not image:
        return "no image"
    if "@" in image:
        digest = image.split("@", 1)[1]
        return None if re.fullmatch(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}", digest) \
            else f"digest {digest!r} is malformed"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag (pulls :latest)"
    tag = last.rsplit(":", 1)[1]
    if tag == "latest" or not tag:
        return f"image {image!r} uses the moving tag {tag or '(empty)'!r}"
    return None


def check_image_pin(ctx) -> list[Finding]:
    out = []
    for pod in ctx.tree.pods:
        for path, container in pod.containers():
            problem = image_problem(container.get("image"))
            if problem:
                out.append(pod.owner.finding(
                    "image-pin", f"{path}.image", problem,
                    "pin an explicit version tag (or @sha256 digest) in the values"))
    return out


# --- rbac-wildcard -------------------------------------------------------------

def check_rbac_wildcard(ctx) -> list[Finding]:
    out = []
    for kind in ("Role", "ClusterRole"):
        for obj in ctx.tree.kind(kind):
            for i, rule in enumerate(obj.data.get("rules") or []):
                for key in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                    values = (rule or {}).get(key) or []
                    if any(isinstance(v, str) and "*" in v for v in values):
                        out.append(obj.finding(
                            "rbac-wildcard", f"rules[{i}].{key}",
                            f"wildcard in {key} grants every present and future "
                            f"{key[:-1] if key.endswith('s') else key}",
                            f"list the {key} the workload uses"))
    return out


# --- cluster-scoped-namespace ---------------------------------------------------

def check_cluster_scoped_namespace(ctx) -> list[Finding]:
    out = []
    cluster_kinds = CLUSTER_SCOPED | ctx.crds.cluster_scoped()
    for obj in ctx.tree.objects:
        if obj.kind in cluster_kinds:
            if "namespace" in obj.meta:
                out.append(obj.finding(
                    "cluster-scoped-namespace", "metadata.namespace",
                    f"{obj.kind} is cluster-scoped but sets namespace {obj.meta.get('namespace')!r} "
                    "(kubectl/Argo CD reject or ignore it)",
                    "emit it into the cluster chart without a namespace"))
        elif not obj.namespace and obj.kind:
            out.append(obj.finding(
                "cluster-scoped-namespace", "metadata.namespace",
                f"{obj.kind} is namespaced but has no namespace (it would land in whatever "
                "namespace the applier defaults to)",
                "emit it into its namespace's chart"))
    return out


# --- name-length -----------------------------------------------------------------

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PORT_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_PATH_SEGMENT_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")  # any path segment name
DNS_LABEL_KINDS = ("Namespace", "Service")  # Service: also RFC 1035 (starts with a letter)
STATEFULSET_MAX = 52  # <name>-<ordinal> pods and <name>-<10 char hash> revision labels stay <= 63
CRONJOB_MAX = 52  # the CronJob controller appends an 11-character suffix to Job names
JOB_MAX = 63  # Jobs label their pods job-name=<name>


def label_key_problem(key) -> str | None:
    if not isinstance(key, str) or not key:
        return "empty label key"
    prefix, _, name = key.rpartition("/")
    if prefix:
        if len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix):
            return f"label key prefix {prefix!r} is not a DNS subdomain of at most 253 characters"
    if len(name) > 63 or not _LABEL_NAME.fullmatch(name):
        return f"label key name {name!r} must be at most 63 alphanumerics, '-', '_', '.' (alphanumeric at both ends)"
    return None


def label_value_problem(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"label value {value!r} is not a string"
    if value == "":
        return None
    if len(value) > 63:
        return f"label value is {len(value)} characters (at most 63)"
    if not _LABEL_NAME.fullmatch(value):
        return f"label value {value!r} must be alphanumerics, '-', '_', '.' with alphanumerics at both ends"
    return None


def port_name_problem(name) -> str | None:
    if not isinstance(name, str):
        return f"port name {name!r} is not a string"
    if len(name) > 15 or not _PORT_NAME.fullmatch(name) or "--" in name or not re.search("[a-z]", name):
        return (f"port name {name!r} is not an IANA service name "
                "(at most 15 lowercase alphanumerics or '-', one letter at least, no '--')")
    return None


def _labels(obj: Obj, where: str, labels, out: list[Finding]) -> None:
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        problem = label_key_problem(key) or label_value_problem(value)
        if problem:
            out.append(obj.finding("name-length", f"{where}[{key}]", problem,
                                   "shorten or reshape it (labels: 63-character names and values)"))


def _selector_labels(obj: Obj, where: str, selector, out: list[Finding]) -> None:
    if isinstance(selector, dict):
        _labels(obj, f"{where}.matchLabels", selector.get("matchLabels"), out)


def check_name_length(ctx) -> list[Finding]:
    out: list[Finding] = []
    for obj in ctx.tree.objects:
        name, kind = obj.name, obj.kind
        if not name:
            out.append(obj.finding("name-length", "metadata.name", "no name", "set metadata.name"))
            continue
        if len(name) > 253:
            out.append(obj.finding("name-length", "metadata.name", f"{len(name)} characters (at most 253)",
                                   "shorten it"))
        if kind in DNS_LABEL_KINDS:
            pattern = _DNS_1035 if kind == "Service" else _DNS_LABEL
            if len(name) > 63 or not pattern.fullmatch(name):
                rule = "an RFC 1035 label (starts with a letter)" if kind == "Service" else "a DNS label"
                out.append(obj.finding("name-length", "metadata.name",
                                       f"{name!r} ({len(name)} characters) is not {rule} of at most 63 characters",
                                       "shorten it"))
        elif kind not in _PATH_SEGMENT_KINDS and len(name) <= 253 and not _DNS_SUBDOMAIN.fullmatch(name):
            out.append(obj.finding("name-length", "metadata.name",
                                   f"{name!r} is not a DNS subdomain (lowercase alphanumerics, '-', '.')",
                                   "rename it"))
        limit = {"StatefulSet": STATEFULSET_MAX, "CronJob": CRONJOB_MAX, "Job": JOB_MAX}.get(kind)
        if limit and len(name) > limit:
            out.append(obj.finding("name-length", "metadata.name",
                                   f"{kind} name is {len(name)} characters; more than {limit} breaks the names "
                                   "and labels its controller derives from it", f"shorten it to at most {limit}"))
        _labels(obj, "metadata.labels", obj.meta.get("labels"), out)
        annotations = obj.meta.get("annotations")
        if isinstance(annotations, dict):
            size = sum(len(str(k)) + len(str(v)) for k, v in annotations.items())
            if size > 256 * 1024:
                out.append(obj.finding("name-length", "metadata.annotations",
                                       f"annotations total {size} bytes (at most 262144)", "move data elsewhere"))
            for key in annotations:
                problem = label_key_problem(key)
                if problem:
                    out.append(obj.finding("name-length", f"metadata.annotations[{key}]",
                                           problem.replace("label", "annotation"), "fix the key"))
        spec = obj.spec
        if kind == "Service":
            for i, port in enumerate(spec.get("ports") or []):
                if isinstance(port, dict) and "name" in port:
                    problem = port_name_problem(port["name"])
                    if problem:
                        out.append(obj.finding("name-length", f"spec.ports[{i}].name", problem, "rename it"))
            if isinstance(spec.get("selector"), dict):
                _labels(obj, "spec.selector", spec["selector"], out)
        if kind in ("ConfigMap", "Secret"):
            for key in ("data", "binaryData", "stringData"):
                for k in obj.data.get(key) or {}:
                    if not isinstance(k, str) or len(k) > 253 or not _CONFIG_KEY.fullmatch(k):
                        out.append(obj.finding("name-length", f"{key}[{k}]",
                                               "keys must be alphanumerics, '-', '_', '.' (at most 253)",
                                               "rename the key"))
        if isinstance(spec.get("selector"), dict) and kind not in ("Service",):
            _selector_labels(obj, "spec.selector", spec["selector"], out)
    for pod in ctx.tree.pods:
        owner = pod.owner
        if pod.path != "spec":
            _labels(owner, f"{pod.meta_path}.labels", pod.meta.get("labels"), out)
        for path, c in pod.containers():
            cname = c.get("name")
            if not isinstance(cname, str) or len(cname) > 63 or not _DNS_LABEL.fullmatch(cname):
                out.append(owner.finding("name-length", f"{path}.name",
                                         f"container name {cname!r} is not a DNS label of at most 63 characters",
                                         "rename it"))
            for j, port in enumerate(c.get("ports") or []):
                if isinstance(port, dict) and "name" in port:
                    problem = port_name_problem(port["name"])
                    if problem:
                        out.append(owner.finding("name-length", f"{path}.ports[{j}].name", problem, "rename it"))
        for i, vol in enumerate(pod.spec.get("volumes") or []):
            vname = (vol or {}).get("name")
            if not isinstance(vname, str) or len(vname) > 63 or not _DNS_LABEL.fullmatch(vname):
                out.append(owner.finding("name-length", f"{pod.path}.volumes[{i}].name",
                                         f"volume name {vname!r} is not a DNS label of at most 63 characters",
                                         "rename it"))
    return out
