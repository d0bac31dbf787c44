"""Every rendered object is one the API server would accept, field by field.

Built-in kinds validate against the Kubernetes OpenAPI schema (kubernetes-validate,
strict: an unknown field fails, as ``kubectl apply --validate=strict`` would).
Custom resources validate against the openAPIV3Schema of their CRD, vendored
under crds/, made strict the same way. The whole tree is also snapshotted per
environment (syrupy), so every change to the output shows up in review.
"""
from __future__ import annotations

import copy
import functools
from pathlib import Path

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils as kv_utils
import pytest
import yaml
from referencing import Registry, Resource

from conftest import ENVS, REPO, Loader, tree_bytes
from lib.config.loader import load_environment

CRDS = REPO / "crds"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def kubernetes_version(env: str) -> str:
    """The minor version the environment's cluster runs (values: cluster.kubernetes_version)."""
    return load_environment(env).model.cluster.kubernetes_version


def group_of(api_version: str) -> str:
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


# --- CRD schemas ----------------------------------------------------------------------------

def strict_schema(node):
    """The CRD's schema as the API server applies it with strict field validation.

    Unknown fields are an error wherever the schema lists properties and does not
    preserve unknown fields; ``nullable`` becomes a JSON Schema null; an embedded
    resource may always carry apiVersion, kind and metadata.
    """
    if isinstance(node, list):
        return [strict_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: strict_schema(value) for key, value in node.items()}
    if node.get("x-kubernetes-embedded-resource"):
        props = node.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props.setdefault("metadata", {"type": "object"})
    if ("properties" in node and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")):
        node["additionalProperties"] = False
    if node.get("nullable"):
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    return node


@functools.lru_cache(maxsize=None)
def crd_index() -> dict[tuple[str, str], dict]:
    """{(group, kind): {version: {"served": bool, "schema": strict schema}}} from crds/."""
    index: dict[tuple[str, str], dict] = {}
    for path in sorted(CRDS.rglob("*.y*ml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=Loader):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            versions = index.setdefault((spec["group"], spec["names"]["kind"]), {})
            for version in spec["versions"]:
                schema = (version.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")
                versions[version["name"]] = {
                    "served": version.get("served", True),
                    "schema": strict_schema(schema) if schema else None,
                    "file": str(path.relative_to(REPO)),
                }
    return index


@functools.lru_cache(maxsize=None)
def object_meta_validator(version: str) -> jsonschema.Validator:
    """ObjectMeta from the Kubernetes schema: CRD schemas only say ``metadata: object``."""
    directory = f"kubernetes-json-schema/v{version}.0-local-strict"
    definitions = kv_utils.schema_contents(f"{directory}/_definitions.json", version)
    schema = {"$id": "https://kubernetes.io/api/object-meta.json",
              "$ref": f"/api/_definitions.json#/$defs/{OBJECT_META}"}
    registry = Resource.from_contents(definitions) @ Registry()
    return jsonschema.Draft202012Validator(schema, registry=registry)


def crd_errors(obj: dict, version: str) -> list[str]:
    group, api = group_of(obj["apiVersion"]), obj["apiVersion"].rsplit("/", 1)[-1]
    versions = crd_index()[(group, obj["kind"])]
    served = versions.get(api)
    if served is None or not served["served"]:
        return [f"{obj['apiVersion']} {obj['kind']} is not served by its CRD "
                f"(served: {sorted(v for v, s in versions.items() if s['served'])})"]
    errors = []
    if served["schema"] is not None:
        validator = jsonschema.Draft7Validator(served["schema"])
        errors += [f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                   for e in validator.iter_errors(obj)]
    errors += [f"metadata.{'.'.join(map(str, e.absolute_path))}: {e.message}"
               for e in object_meta_validator(version).iter_errors(obj.get("metadata", {}))]
    return errors


def builtin_errors(obj: dict, version: str) -> list[str]:
    """Why the API server would reject a built-in kind (empty when it validates)."""
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'.'.join(map(str, e.path)) or '<root>'}: {e.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{obj['apiVersion']} {obj['kind']} is not built into Kubernetes {version} "
                "and no CRD under crds/ defines it"]
    return []


def is_custom(obj: dict) -> bool:
    return CRDS.is_dir() and (group_of(obj["apiVersion"]), obj["kind"]) in crd_index()


@pytest.fixture(scope="module", autouse=True)
def cached_kubernetes_schemas():
    """kubernetes-validate re-reads its 1 MB definitions file per object; read it once."""
    original = kv_utils.schema_contents
    kv_utils.schema_contents = functools.lru_cache(maxsize=None)(original)
    yield
    kv_utils.schema_contents = original


# --- the rendered objects -------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_builtin_objects_match_the_kubernetes_schema(objects, env):
    version = kubernetes_version(env)
    builtin = [(rel, obj) for rel, obj in objects(env) if not is_custom(obj)]
    assert builtin
    failures = [f"{rel}: {error}" for rel, obj in builtin for error in builtin_errors(obj, version)]
    if not CRDS.is_dir() and any("no CRD under crds/" in f for f in failures):
        pytest.skip("custom resources are rendered but crds/ (the vendored CRDs) is missing")
    assert failures == []


@pytest.mark.skipif(not CRDS.is_dir(), reason="crds/ (the vendored CRDs) is not there yet")
@pytest.mark.parametrize("env", ENVS)
def test_custom_resources_match_their_crd(objects, env):
    version = kubernetes_version(env)
    custom = [(rel, obj) for rel, obj in objects(env) if is_custom(obj)]
    if not custom:
        pytest.skip(f"{env} renders no custom resources yet")
    failures = [f"{rel}: {error}" for rel, obj in custom for error in crd_errors(obj, version)]
    assert failures == []


# --- the validators themselves (so a green run means something) -----------------------------

def test_strict_validation_rejects_an_unknown_field():
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
    assert builtin_errors(namespace, "1.27") == []
    assert builtin_errors({**namespace, "spec": {"finalisers": []}}, "1.27")
    assert builtin_errors({**namespace, "metadata": {"name": "x", "lables": {}}}, "1.27")


def test_validation_rejects_a_wrong_type():
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "n"},
             "spec": {"hard": {"pods": "10"}, "scopes": "BestEffort"}}
    assert builtin_errors(quota, "1.27")


@pytest.mark.skipif(not CRDS.is_dir(), reason="crds/ (the vendored CRDs) is not there yet")
def test_crd_validation_is_strict():
    if ("monitoring.coreos.com", "ServiceMonitor") not in crd_index():
        pytest.skip("the ServiceMonitor CRD is not vendored")
    monitor = {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": {"name": "jeeves", "namespace": "jeeves", "labels": {"app": "jeeves"}},
        "spec": {"selector": {"matchLabels": {"app": "jeeves"}},
                 "endpoints": [{"port": "metrics", "interval": "30s"}]},
    }
    assert crd_errors(monitor, "1.27") == []
    typo = copy.deepcopy(monitor)
    typo["spec"]["endpoints"][0]["intervall"] = "30s"
    assert any("intervall" in e for e in crd_errors(typo, "1.27"))
    wrong_type = copy.deepcopy(monitor)
    wrong_type["spec"]["endpoints"] = {"port": "metrics"}
    assert crd_errors(wrong_type, "1.27")
    bad_meta = copy.deepcopy(monitor)
    bad_meta["metadata"]["lables"] = {}
    assert any("lables" in e for e in crd_errors(bad_meta, "1.27"))
    unserved = {**monitor, "apiVersion": "monitoring.coreos.com/v2"}
    assert any("not served" in e for e in crd_errors(unserved, "1.27"))


@pytest.mark.skipif(not CRDS.is_dir(), reason="crds/ (the vendored CRDs) is not there yet")
def test_every_vendored_crd_has_a_schema():
    index = crd_index()
    assert index, "crds/ holds no CustomResourceDefinition"
    missing = [f"{group}/{version} {kind} ({v['file']})"
               for (group, kind), versions in index.items()
               for version, v in versions.items() if v["served"] and v["schema"] is None]
    assert missing == []


# --- snapshots ------------------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_snapshot(rendered, env, snapshot):
    """The whole environment, path -> YAML. After an intended change: pytest --snapshot-update."""
    tree = tree_bytes(rendered / env)
    assert snapshot == {path: tree[path].decode("utf-8") for path in sorted(tree)}


def test_snapshot_helpers_see_every_file(rendered):
    for env in ENVS:
        files = {str(p.relative_to(rendered / env)) for p in Path(rendered / env).rglob("*") if p.is_file()}
        assert set(tree_bytes(rendered / env)) == files
