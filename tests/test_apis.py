"""The platform's own APIs (lib/catalog/apis/): every kind a controller
watches is rendered as a CRD, and custom resources of those kinds are judged
by the rendered CRD like any vendored one."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml

from conftest import ENVS, copy_tree
from lib.catalog import check_catalog
from lib.catalog.apis import APIS, check_owners
from lib.catalog.model import Rule
from lib.catalog.services import SERVICE_WORKLOADS
from lib.validate import validate_tree

OWN = ".voyager.io"


def _crds(objects, env):
    return {obj["metadata"]["name"]: obj for _, obj in objects(env)
            if obj["kind"] == "CustomResourceDefinition"}


@pytest.mark.parametrize("env", ENVS)
def test_every_watched_voyager_resource_has_a_crd(objects, env):
    crds = _crds(objects, env)
    served = {(c["spec"]["group"], c["spec"]["names"]["plural"]) for c in crds.values()}
    wanted = set()
    for _, obj in objects(env):
        if obj["kind"] in ("Role", "ClusterRole"):
            for rule in obj.get("rules") or []:
                for group in rule["apiGroups"]:
                    if group.endswith(OWN):
                        wanted |= {(group, r.split("/")[0]) for r in rule["resources"]}
    assert wanted == {("bdk.voyager.io", "books"), ("llm.voyager.io", "models"),
                      ("llm.voyager.io", "prompts")}
    assert wanted <= served


@pytest.mark.parametrize("env", ENVS)
def test_crds_are_structural_with_status_and_one_storage_version(objects, env):
    def typed(node, path):
        # Structural schema (apiextensions): every node has a type, or says it is int-or-string.
        if isinstance(node, dict) and ("properties" in node or "items" in node):
            assert "type" in node, path
        for key, child in (node.get("properties") or {}).items():
            assert "type" in child or child.get("x-kubernetes-int-or-string"), f"{path}.{key}"
            typed(child, f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            typed(node["items"], f"{path}[]")

    for name, crd in _crds(objects, env).items():
        assert crd["metadata"]["name"] == f"{crd['spec']['names']['plural']}.{crd['spec']['group']}"
        versions = crd["spec"]["versions"]
        assert [v["storage"] for v in versions].count(True) == 1, name
        for v in versions:
            assert v["subresources"] == {"status": {}}, name
            typed(v["schema"]["openAPIV3Schema"], name)


def test_check_owners_refuses_an_undeclared_resource():
    controller = next(w for w in SERVICE_WORKLOADS if w.name == "book-controller")
    broken = replace(controller, managed_resources=controller.managed_resources + (
        Rule(("bdk.voyager.io",), ("chapters",), ("get",)),))
    workloads = tuple(broken if w is controller else w for w in SERVICE_WORKLOADS)
    with pytest.raises(ValueError, match=r"bdk/book-controller manages chapters\.bdk\.voyager\.io"):
        check_owners(APIS, workloads)


def test_check_owners_refuses_an_api_without_its_controller_rbac():
    controller = next(w for w in SERVICE_WORKLOADS if w.name == "book-controller")
    broken = replace(controller, managed_resources=controller.managed_resources[2:])
    workloads = tuple(broken if w is controller else w for w in SERVICE_WORKLOADS)
    with pytest.raises(ValueError, match="Book's owner bdk/book-controller has no RBAC rule"):
        check_owners(APIS, workloads)


def test_the_shipped_catalog_passes():
    check_catalog()


def test_validate_finds_a_controller_without_its_crd(rendered, tmp_path):
    tree = copy_tree(rendered / "production", tmp_path / "production")
    (tree / "cluster" / "customresourcedefinition-books.bdk.voyager.io.yaml").unlink()
    kust = tree / "cluster" / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("- customresourcedefinition-books.bdk.voyager.io.yaml\n", ""))
    findings = validate_tree(tree, checks=["reference"])
    assert any(f.object == "ClusterRole/bdk-book-controller" and "bdk.voyager.io" in f.message
               for f in findings), findings


def test_validate_judges_a_book_by_the_rendered_crd(rendered, tmp_path):
    tree = copy_tree(rendered / "production", tmp_path / "production")
    book = {"apiVersion": "bdk.voyager.io/v1alpha1", "kind": "Book",
            "metadata": {"name": "idp", "namespace": "customer-acme"},
            "spec": {"implementation": "idp", "image": {"repository": "voyager/idp-book", "tag": "1.4.0"},
                     "replicas": 2, "chapters": 3}}
    (tree / "customer-acme" / "book-idp.yaml").write_text(yaml.safe_dump(book))
    kust = tree / "customer-acme" / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:\n", "resources:\n- book-idp.yaml\n"))
    findings = validate_tree(tree, checks=["schema"])
    assert [(f.object, f.field) for f in findings] == [("Book/customer-acme/idp", "spec.chapters")], findings
    book["spec"].pop("chapters")
    (tree / "customer-acme" / "book-idp.yaml").write_text(yaml.safe_dump(book))
    assert validate_tree(tree, checks=["schema"]) == []
