"""Every object against its schema, strictly (unknown fields are errors).

Kubernetes' own kinds: the JSON schemas that kubernetes_validate ships, in
their ``-strict`` form (additionalProperties: false), for each requested
Kubernetes version. Custom resources: the openAPIV3Schema of their CRD under
crds/, made strict the way the API server prunes: an object node without
``x-kubernetes-preserve-unknown-fields`` keeps only the properties it names,
so any other key is a typo that would silently disappear.

Validators are built once per (schema, version) and kept for the process.
"""
from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

import jsonschema
import yaml
from packaging.version import Version
from referencing import Registry, Resource

from .fastschema import Compiler
from .model import Finding, Obj

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

REPO_ROOT = Path(__file__).resolve().parents[2]
CRDS_DIR = REPO_ROOT / "crds"

_OBJECT_META_FIELDS = (
    "name", "generateName", "namespace", "labels", "annotations", "finalizers", "ownerReferences",
    "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
    "deletionGracePeriodSeconds", "managedFields", "selfLink",
)
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_OBJECT_META = {
    "type": "object",
    "properties": {
        **{k: {} for k in _OBJECT_META_FIELDS},
        "name": {"type": "string"}, "namespace": {"type": "string"},
        "labels": _STRING_MAP, "annotations": _STRING_MAP,
    },
    "additionalProperties": False,
}


# --- Kubernetes' own kinds (kubernetes_validate) -----------------------------

def _kv():
    from kubernetes_validate import utils
    return utils


def newest_version() -> str:
    """The newest Kubernetes minor version kubernetes_validate knows ("1.37")."""
    kv = _kv()
    return kv.major_minor(kv.latest_version())


@functools.lru_cache(maxsize=None)
def _schema_dir(version: str) -> str | None:
    """kubernetes_validate's rule: the newest schema set not newer than ``version``."""
    kv = _kv()
    wanted = Version(kv.major_minor(version.lstrip("v")))
    known = [v for v in kv.all_versions() if Version(kv.major_minor(v)) <= wanted]
    return f"v{known[-1]}-local-strict" if known else None


@functools.lru_cache(maxsize=None)
def _registry(schema_dir: str) -> Registry:
    kv = _kv()
    defs = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", schema_dir)
    return Resource.from_contents(defs) @ Registry()


@functools.lru_cache(maxsize=None)
def _compiler(schema_dir: str) -> Compiler:
    defs = _registry(schema_dir).contents("https://kubernetes.io/api/_definitions.json")["$defs"]
    return Compiler(defs)


class Validator:
    """A fast yes/no check, and jsonschema to say why when the answer is no."""

    def __init__(self, fast, slow):
        self.fast = fast
        self.slow = slow

    def iter_errors(self, data):
        if self.fast(data):
            return iter(())
        return self.slow.iter_errors(data)


@functools.lru_cache(maxsize=None)
def core_validator(version: str, api_version: str, kind: str):
    """A strict validator for a built-in kind, or None when that Kubernetes
    version does not serve ``api_version``/``kind``."""
    kv = _kv()
    schema_dir = _schema_dir(version)
    if schema_dir is None:
        return None
    # kubernetes_validate's file naming: rbac.authorization.k8s.io/v1 -> rbac-v1
    short = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(
            f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{short}.json", version)
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(schema) @ _registry(schema_dir)
    return Validator(_compiler(schema_dir).compile(schema),
                     jsonschema.Draft202012Validator(schema, registry=registry))


@functools.lru_cache(maxsize=None)
def core_kinds(version: str) -> frozenset[tuple[str, str]]:
    """(group, kind) of every built-in kind of that version, any API version."""
    kv = _kv()
    schema_dir = _schema_dir(version)
    out: set[tuple[str, str]] = set()
    if schema_dir is None:
        return frozenset()
    all_schema = kv.schema_contents(f"kubernetes-json-schema/{schema_dir}/all.json", version)
    defs = _registry(schema_dir).contents("https://kubernetes.io/api/_definitions.json")["$defs"]
    for one in all_schema.get("oneOf", []):
        ref = one.get("$ref", "").rpartition("/")[2]
        for gvk in defs.get(ref, {}).get("x-kubernetes-group-version-kind", []):
            out.add((gvk.get("group", ""), gvk.get("kind", "")))
    return frozenset(out)


# --- custom resources (crds/) ----------------------------------------------------

class CrdIndex:
    """The CRDs vendored under crds/: kind -> schema, scope and plural."""

    def __init__(self, crds_dir: Path):
        self.dir = Path(crds_dir)
        self.schemas: dict[tuple[str, str, str], dict] = {}  # (group, version, kind) -> schema
        self.kinds: dict[tuple[str, str], dict] = {}  # (group, kind) -> {"scope", "plural", "versions"}
        self.errors: list[str] = []
        if not self.dir.is_dir():
            return
        for path in sorted(self.dir.rglob("*.yaml")):
            try:
                docs = list(yaml.load_all(path.read_bytes(), Loader=_Loader))
            except yaml.YAMLError as exc:
                self.errors.append(f"{path}: {exc}")
                continue
            for doc in docs:
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    self._add(doc)

    def _add(self, crd: dict) -> None:
        spec = crd.get("spec") or {}
        group = spec.get("group", "")
        names = spec.get("names") or {}
        kind = names.get("kind", "")
        versions = []
        for v in spec.get("versions") or []:
            schema = ((v.get("schema") or {}).get("openAPIV3Schema")) or {}
            self.schemas[(group, v.get("name", ""), kind)] = schema
            versions.append(v.get("name", ""))
        self.kinds[(group, kind)] = {
            "scope": spec.get("scope", "Namespaced"),
            "plural": names.get("plural", kind.lower() + "s"),
            "versions": versions,
        }

    def extended(self, crds: list[dict]) -> "CrdIndex":
        """This index plus CRDs rendered in the tree itself (the platform's own
        APIs): their custom resources are judged like any vendored one's."""
        if not crds:
            return self
        out = CrdIndex(Path("/nonexistent"))
        out.dir = self.dir
        out.schemas = dict(self.schemas)
        out.kinds = dict(self.kinds)
        out.errors = list(self.errors)
        for crd in crds:
            out._add(crd)
        return out

    def groups(self) -> set[str]:
        return {group for group, _ in self.kinds}

    def plurals(self, group: str) -> set[str]:
        return {info["plural"] for (g, _), info in self.kinds.items() if g == group}

    def cluster_scoped(self) -> set[str]:
        return {kind for (_, kind), info in self.kinds.items() if info["scope"] == "Cluster"}

    def plural(self, group: str, kind: str) -> str | None:
        info = self.kinds.get((group, kind))
        return info["plural"] if info else None

    @functools.lru_cache(maxsize=None)  # noqa: B019 - one index per crds dir, kept for the process
    def validator(self, group: str, version: str, kind: str):
        schema = self.schemas.get((group, version, kind))
        if schema is None:
            return None
        strict = strict_schema(schema, root=True)
        return Validator(Compiler(draft4=True).compile(strict), jsonschema.Draft4Validator(strict))


@functools.lru_cache(maxsize=8)
def _crd_index(crds_dir: str, stamp: tuple) -> CrdIndex:
    return CrdIndex(Path(crds_dir))


def crd_index(crds_dir: Path = CRDS_DIR) -> CrdIndex:
    """The CRD index of a directory, rebuilt only when a file there changed."""
    crds_dir = Path(crds_dir)
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in crds_dir.rglob("*.yaml"))) \
        if crds_dir.is_dir() else ()
    return _crd_index(str(crds_dir), stamp)


def strict_schema(node, root: bool = False, structural: bool = True):
    """A copy of an OpenAPI v3 (structural) schema that JSON Schema validates
    strictly: ``nullable`` becomes a null type, and every object node that does
    not preserve unknown fields rejects properties it does not name."""
    if not isinstance(node, dict):
        return node
    out = dict(node)
    if out.get("nullable") is True:
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]
    if "properties" in out:
        out["properties"] = {k: strict_schema(v, structural=structural) for k, v in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = strict_schema(out["items"], structural=structural)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = strict_schema(out["additionalProperties"], structural=structural)
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            # Value validations: they never widen the structure, so no strictness here.
            out[key] = [strict_schema(s, structural=False) for s in out[key]]
    if isinstance(out.get("not"), dict):
        out["not"] = strict_schema(out["not"], structural=False)
    is_object = out.get("type") == "object" or (isinstance(out.get("type"), list) and "object" in out["type"]) \
        or "properties" in out
    if structural and is_object and "additionalProperties" not in out \
            and not out.get("x-kubernetes-preserve-unknown-fields"):
        props = dict(out.get("properties") or {})
        if out.get("x-kubernetes-embedded-resource"):
            for key in ("apiVersion", "kind", "metadata"):
                props.setdefault(key, {})
        out["properties"] = props
        out["additionalProperties"] = False
    if root:
        props = dict(out.get("properties") or {})
        props["metadata"] = _OBJECT_META
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        out["properties"] = props
    return out


# --- the check -------------------------------------------------------------------

def _path(error) -> str:
    out = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _explain(error) -> tuple[str, str, str]:
    """(extra path, message, fix) for one validation error, in plain words."""
    if error.context:  # oneOf/anyOf: the branch that got furthest says most
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and best is not error:
            return _explain(best)
    if error.validator == "additionalProperties":
        known = sorted((error.schema.get("properties") or {}).keys())
        extra = [k for k in (error.instance or {}) if k not in known] if isinstance(error.instance, dict) else []
        key = extra[0] if extra else ""
        close = difflib.get_close_matches(key, known, n=1) if key else []
        fix = f"did you mean {close[0]!r}?" if close else (
            f"remove it (known here: {', '.join(known[:12])}{', ...' if len(known) > 12 else ''})"
            if known else "remove it")
        return (f".{key}" if key else ""), f"unknown field {key!r}", fix
    if error.validator == "required":
        return "", error.message, "set it"
    if error.validator in ("type", "enum"):
        return "", error.message[:300], "use a value of the right type/enum"
    return "", error.message[:300], "see the API reference for this field"


def validate_object(obj: Obj, versions, crds: CrdIndex) -> list[Finding]:
    """Schema findings of one object (deduplicated across versions)."""
    data = obj.data
    api_version, kind = obj.api_version, obj.kind
    group = obj.group
    found: dict[tuple[str, str], tuple[str, list[str]]] = {}
    if not api_version or not kind:
        return [obj.finding("schema", "apiVersion" if not api_version else "kind", "missing",
                            "set apiVersion and kind")]

    crd_versions = (crds.kinds.get((group, kind)) or {}).get("versions")
    if crd_versions is not None:
        version = api_version.rpartition("/")[2]
        validator = crds.validator(group, version, kind)
        if validator is None:
            return [obj.finding("schema", "apiVersion",
                                f"{api_version} is not a version of {kind} in crds/ "
                                f"(served: {', '.join(group + '/' + v for v in crd_versions)})",
                                "use a served version")]
        out = []
        for error in validator.iter_errors(data):
            extra, message, fix = _explain(error)
            out.append(obj.finding("schema", (_path(error) + extra).lstrip("."),
                                   f"{message} (CRD schema)", fix))
        return out

    missing: list[str] = []
    for version in versions:
        validator = core_validator(version, api_version, kind)
        if validator is None:
            missing.append(version)
            continue
        for error in validator.iter_errors(data):
            extra, message, fix = _explain(error)
            key = ((_path(error) + extra).lstrip("."), message)
            found.setdefault(key, (fix, []))[1].append(version)
    out = []
    if missing:
        if len(missing) == len(versions) and all((group, kind) not in core_kinds(v) for v in versions):
            out.append(obj.finding(
                "schema", "apiVersion",
                f"no schema for {api_version} {kind}: not a Kubernetes kind and no CRD under crds/",
                "vendor its CRD into crds/<project>/<group>_<plural>.yaml, or fix apiVersion/kind"))
        else:
            out.append(obj.finding(
                "schema", "apiVersion",
                f"{api_version} {kind} is not served by Kubernetes {', '.join(missing)}",
                "move to an API version served by every supported Kubernetes version"))
    for (field, message), (fix, vs) in found.items():
        suffix = "" if len(vs) == len(versions) else f" (Kubernetes {', '.join(vs)})"
        out.append(obj.finding("schema", field, message + suffix, fix))
    return out


def check(ctx) -> list[Finding]:
    out: list[Finding] = []
    for error in ctx.crds.errors:
        out.append(Finding("crds", "schema", "-", f"CRD file does not parse: {error}", "fix the vendored CRD"))
    for obj in ctx.tree.objects:
        out += validate_object(obj, ctx.versions, ctx.crds)
    return out
