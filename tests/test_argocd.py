"""The ``argocd`` validate check: Argo CD v3.5.1's AppProject rules, the fence
around Argo CD objects, and Prune=false / Delete=false on state holders.

Two halves. The model's primitives against the test tables Argo CD itself
ships for them (pkg/apis/application/v1alpha1/types_test.go at v3.5.1:
TestAppProject_IsSourcePermitted, TestAppProject_IsNegatedSourcePermitted,
TestAppProject_IsDestinationPermitted, TestAppProject_IsNegatedDestinationPermitted,
TestAppProject_IsGroupKindPermitted, TestGlobMatch), so the model says what
Argo CD says. Then one planted defect per rule in a copy of the rendered
production tree, each expecting its finding; the clean render has none.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import ENVS, KUSTOMIZATION, copy_tree
from lib.validate import validate_tree
from lib.validate.argocd import (
    IN_CLUSTER,
    Cluster,
    destination_permitted,
    glob_match,
    kind_permitted,
    path_match,
    source_permitted,
)

ENV = "production"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"

# --- the model against Argo CD's own tables -----------------------------------------------------

SOURCES = [  # TestAppProject_IsSourcePermitted
    (["*"], "https://github.com/argoproj/test.git", True),
    (["https://github.com/argoproj/test.git"], "https://github.com/argoproj/test.git", True),
    (["ssh://git@GITHUB.com:argoproj/test"], "ssh://git@github.com:argoproj/test", True),
    (["https://github.com/argoproj/*"], "https://github.com/argoproj/argoproj.git", True),
    (["https://github.com/test1/test.git", "https://github.com/test2/test.git"],
     "https://github.com/test2/test.git", True),
    (["https://github.com/argoproj/test1.git"], "https://github.com/argoproj/test2.git", False),
    (["https://github.com/argoproj/*.git"], "https://github.com/argoproj1/test2.git", False),
    (["https://github.com/argoproj/foo"], "https://github.com/argoproj/foo1", False),
    (["https://gitlab.com/group/*"], "https://gitlab.com/group/repo/owner", False),
    (["https://gitlab.com/group/*/*"], "https://gitlab.com/group/repo/owner", True),
    (["https://gitlab.com/group/*/*/*"], "https://gitlab.com/group/sub-group/repo/owner", True),
    (["https://gitlab.com/group/**"], "https://gitlab.com/group/sub-group/repo/owner", True),
    # TestAppProject_IsNegatedSourcePermitted
    (["!https://github.com/argoproj/test.git"], "https://github.com/argoproj/test.git", False),
    (["!ssh://git@GITHUB.com:argoproj/test"], "ssh://git@github.com:argoproj/test", False),
    (["!https://github.com/argoproj/*"], "https://github.com/argoproj/argoproj.git", False),
    (["https://github.com/test1/test.git", "!https://github.com/test2/test.git"],
     "https://github.com/test2/test.git", False),
    (["!https://github.com/argoproj/foo*"], "https://github.com/argoproj/foo1", False),
    (["!https://gitlab.com/group/*/*"], "https://gitlab.com/group/repo/owner", False),
    (["!https://gitlab.com/group/*/*/*"], "https://gitlab.com/group/sub-group/repo/owner", False),
    (["!https://gitlab.com/group/**"], "https://gitlab.com/group/sub-group/repo/owner", False),
    (["*"], "https://github.com/argoproj/test.git", True),
    (["https://github.com/argoproj/test1.git", "*"], "https://github.com/argoproj/test2.git", True),
    (["!https://github.com/argoproj/*.git", "*"], "https://github.com/argoproj1/test2.git", True),
]


@pytest.mark.parametrize("repos,url,permitted", SOURCES)
def test_source_permitted_as_argo_cd_decides(repos, url, permitted):
    assert source_permitted({"sourceRepos": repos}, url) is permitted


def _d(server="", namespace="", name=""):
    return {"server": server, "namespace": namespace, "name": name}


K8S, EKS = "https://kubernetes.default.svc", "https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com"
DESTINATIONS = [  # TestAppProject_IsDestinationPermitted
    ([_d(K8S, "default")], (K8S, "", "default"), True),
    ([_d(K8S, "default")], (K8S, "", "kube-system"), False),
    ([_d("https://my-cluster", "default")], (K8S, "", "default"), False),
    ([_d(K8S, "*")], (K8S, "", "kube-system"), True),
    ([_d("https://*.default.svc", "default")], (K8S, "", "default"), True),
    ([_d("https://team1-*", "default")], ("https://test2-dev-cluster", "", "default"), False),
    ([_d(K8S, "test-*")], (K8S, "", "test-foo"), True),
    ([_d(K8S, "test-*")], (K8S, "", "test"), False),
    ([_d("*", "*")], (K8S, "", "test"), True),
    ([_d("", "*", "test")], ("", "test", "test"), True),
    ([_d("", "*", "test2")], ("", "test", "test"), False),
    ([_d(K8S, "!{kube-system,argocd}", "host-cluster"), _d(EKS, "*", "destination-cluster-01")],
     (EKS, "", "kube-system"), True),
    # TestAppProject_IsNegatedDestinationPermitted
    ([_d("!" + K8S, "default")], (K8S, "", "default"), False),
    ([_d(K8S, "!default")], (K8S, "", "kube-system"), True),
    ([_d("!https://my-cluster", "default")], (K8S, "", "default"), True),
    ([_d("!" + K8S, "*")], (K8S, "", "kube-system"), False),
    ([_d("!https://*.default.svc", "default")], (K8S, "", "default"), False),
    ([_d("!https://team1-*", "default")], ("https://test2-dev-cluster", "", "default"), True),
    ([_d(K8S, "!test-*")], (K8S, "", "test-foo"), False),
    ([_d(K8S, "!test-*")], (K8S, "", "test"), True),
    ([_d("", "*", "!test")], ("", "test", "test"), False),
    ([_d("", "*", "!test2")], ("", "test", "test"), True),
    ([_d("*", "kube-system"), _d("*", "!kube-system")], (K8S, "", "kube-system"), False),
    ([_d("*", "*"), _d("*", "!kube-system")], (K8S, "", "kube-system"), False),
    ([_d(K8S, "*"), _d("!" + K8S, "*")], (K8S, "", "kube-system"), False),
    ([_d("*", "*"), _d("!" + K8S, "kube-system")], (K8S, "", "kube-system"), False),
    ([_d("*", "*"), _d("!" + K8S, "kube-system"), _d("*", "!kube-system")], (K8S, "", "kube-system"), False),
    ([_d("*", "*"), _d("!" + K8S, "kube-system"), _d("*", "!kube-system")], (K8S, "", "default"), True),
    ([_d("*", "*"), _d("!" + K8S, "kube-system"), _d("*", "!kube-system")],
     ("https://test-dev-cluster", "", "kube-system"), False),
    ([_d("", "*", "test"), _d("", "*", "!test")], ("", "test", "test"), False),
    ([_d("*", "test"), _d("!https://test-server", "other")], ("https://test-server", "", "test"), True),
    ([_d("*", "*"), _d("https://test-server", "!other")], ("https://other-test-server", "", "other"), True),
    # Ours: an omitted namespace is "" and matches no listed namespace (argo-cd #11510).
    ([_d(K8S, "kube-system"), _d(K8S, "jeeves")], (K8S, "in-cluster", ""), False),
]


@pytest.mark.parametrize("destinations,app,permitted", DESTINATIONS)
def test_destination_permitted_as_argo_cd_decides(destinations, app, permitted):
    server, name, namespace = app
    assert destination_permitted({"destinations": destinations}, Cluster(server, name), namespace) is permitted


def test_group_kind_permitted_as_argo_cd_decides():
    """TestAppProject_IsGroupKindPermitted, proj .. proj7."""
    def gk(spec, group, kind, namespaced, name=""):
        return kind_permitted(spec, group, kind, name, namespaced)

    p1 = {"namespaceResourceWhitelist": [], "namespaceResourceBlacklist": [{"group": "apps", "kind": "Deployment"}]}
    assert not gk(p1, "apps", "ReplicaSet", True) and not gk(p1, "apps", "Deployment", True)
    p2 = {"namespaceResourceWhitelist": [{"group": "apps", "kind": "ReplicaSet"}],
          "namespaceResourceBlacklist": [{"group": "apps", "kind": "Deployment"}]}
    assert gk(p2, "apps", "ReplicaSet", True) and not gk(p2, "apps", "Action", True)
    assert not gk({"clusterResourceBlacklist": [{"group": "", "kind": "Namespace"}]}, "", "Namespace", False)
    p4 = {"clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
          "clusterResourceBlacklist": [{"group": "*", "kind": "*"}]}
    assert not gk(p4, "", "Namespace", False) and gk(p4, "apps", "Action", True)
    p5 = {"clusterResourceWhitelist": [], "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}]}
    assert not gk(p5, "", "Namespace", False) and gk(p5, "apps", "Action", True)
    assert not gk({}, "", "Namespace", False) and gk({}, "apps", "Action", True)
    p7 = {"clusterResourceWhitelist": [{"group": "", "kind": "Namespace", "name": "team1-*"}]}
    assert not gk(p7, "", "Namespace", False, "other-namespace") and gk(p7, "", "Namespace", False, "team1-namespace")


@pytest.mark.parametrize("pattern,value,negation,expected", [  # TestGlobMatch
    ("foo", "foo", False, True), ("foo*", "foobar", False, True), ("foo*", "bar", False, False),
    ("*", "anything", False, True), ("!foo", "foo", True, False), ("!foo", "bar", True, True),
    ("!foo", "foo", False, False), ("!foo", "!foo", False, True),
    # gobwas/glob syntax beyond the table: alternatives, classes, the empty pattern
    ("{a,b}-x", "b-x", False, True), ("[!a]x", "bx", False, True), ("[!a]x", "ax", False, False),
    ("", "", False, True), ("", "x", False, False), ("*", "", False, True),
])
def test_glob_match(pattern, value, negation, expected):
    assert glob_match(pattern, value, negation) is expected


def test_filepath_match_for_kinds_and_names():
    """types.go uses Go's filepath.Match: * stops at '/', a bad pattern matches nothing."""
    assert path_match("*", "") and path_match("*.bdk.voyager.io", "books.bdk.voyager.io")
    assert not path_match("*", "a/b") and not path_match("[", "[") and path_match("[^a]", "b")
    assert path_match("", "") and not path_match("", "Namespace")


# --- planted defects in a copy of the rendered tree ----------------------------------------------

@pytest.fixture
def tree(rendered, tmp_path) -> Path:
    """A writable copy of dist/production, at dist/production of a fake repository root."""
    return copy_tree(rendered / ENV, tmp_path / "dist" / ENV)


def findings(env_dir: Path, checks=("argocd",)):
    return validate_tree(env_dir, checks=list(checks))


def expect(found, obj: str, field: str, text: str, check: str = "argocd"):
    hits = [f for f in found if f.check == check and f.object == obj and f.field == field and text in f.message]
    assert hits, f"no {check} finding on {obj} {field} containing {text!r}; got:\n" + \
        "\n".join(map(str, found))


def edit(path: Path, change) -> None:
    obj = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(obj)
    path.write_text(yaml.safe_dump(obj, sort_keys=False), encoding="utf-8")


def plant(directory: Path, name: str, obj: dict) -> None:
    """Add an object file and list it, as a render would."""
    (directory / name).write_text(yaml.safe_dump(obj, sort_keys=False), encoding="utf-8")
    edit(directory / KUSTOMIZATION, lambda k: k["resources"].append(name))


def app_file(tree: Path, name: str) -> Path:
    return tree / "argocd" / f"application-{name}.yaml"


def project_file(tree: Path, name: str) -> Path:
    return tree / "argocd" / f"appproject-{name}.yaml"


PLATFORM, ROOT, TENANTS = f"voyager-{ENV}", f"voyager-{ENV}-root", f"voyager-{ENV}-customers"


@pytest.mark.parametrize("env", ENVS)
def test_rendered_environments_pass(rendered, env):
    assert findings(rendered / env) == []


def test_the_cluster_app_without_a_namespace_is_refused(tree):
    """The original defect: Argo CD refused <env>-cluster, so nothing cluster-scoped was created."""
    edit(app_file(tree, f"{ENV}-cluster"), lambda o: o["spec"]["destination"].pop("namespace"))
    expect(findings(tree), f"Application/argocd/{ENV}-cluster", "spec.destination.namespace", "#11510")


def test_project_must_exist(tree):
    edit(app_file(tree, f"{ENV}-jeeves"), lambda o: o["spec"].update(project="voyager-nope"))
    edit(app_file(tree, f"{ENV}-user"), lambda o: o["spec"].pop("project"))
    found = findings(tree)
    expect(found, f"Application/argocd/{ENV}-jeeves", "spec.project", "'voyager-nope' is not rendered")
    expect(found, f"Application/argocd/{ENV}-user", "spec.project", "default project would permit everything")


def test_destination_must_be_a_known_cluster_and_a_permitted_namespace(tree):
    edit(app_file(tree, f"{ENV}-jeeves"), lambda o: o["spec"]["destination"].update(server="https://elsewhere"))
    edit(app_file(tree, f"{ENV}-user"), lambda o: o["spec"]["destination"].update(name="in-cluster"))
    edit(app_file(tree, f"{ENV}-customer-acme"), lambda o: o["spec"]["destination"].update(namespace="jeeves"))
    found = findings(tree)
    expect(found, f"Application/argocd/{ENV}-jeeves", "spec.destination", "not a cluster Argo CD knows")
    expect(found, f"Application/argocd/{ENV}-user", "spec.destination", "both name")
    expect(found, f"Application/argocd/{ENV}-customer-acme", "spec.destination.namespace",
           f"not permitted by AppProject {TENANTS}")


def test_deny_pattern_in_project_destinations(tree):
    """A "!" destination refuses what another entry allows (isDestinationMatched)."""
    edit(project_file(tree, PLATFORM), lambda o: o["spec"]["destinations"].append(
        {"server": "*", "namespace": "!vault"}))
    expect(findings(tree), f"Application/argocd/{ENV}-vault", "spec.destination.namespace", "not permitted")


def test_repo_url_must_match_source_repos(tree):
    edit(app_file(tree, f"{ENV}-jeeves"), lambda o: o["spec"]["source"].update(
        repoURL="https://github.com/someone-else/platform-config"))
    # Argo CD normalises case and a .git suffix: still the same repository.
    edit(app_file(tree, f"{ENV}-user"), lambda o: o["spec"]["source"].update(
        repoURL=o["spec"]["source"]["repoURL"].upper().replace("HTTPS", "https") + ".git"))
    found = findings(tree)
    expect(found, f"Application/argocd/{ENV}-jeeves", "spec.source.repoURL", "not permitted")
    assert not [f for f in found if f.object == f"Application/argocd/{ENV}-user"]


def test_path_must_exist_reported_once_by_the_reference_check(tree):
    edit(app_file(tree, f"{ENV}-jeeves"), lambda o: o["spec"]["source"].update(path=f"dist/{ENV}/jeevs"))
    found = findings(tree, checks=("reference", "argocd"))
    expect(found, f"Application/argocd/{ENV}-jeeves", "spec.source.path", "does not exist", check="reference")
    assert not [f for f in found if f.check == "argocd"], "the argocd check must not repeat it"


def test_cluster_scoped_kind_outside_the_whitelist(tree):
    plant(tree / "cluster", "validatingwebhookconfiguration-x.yaml", {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "x"}, "webhooks": []})
    expect(findings(tree), "ValidatingWebhookConfiguration/x", "kind", "clusterResourceWhitelist")


def test_crds_are_whitelisted_by_name(tree):
    """The platform may create its own CRDs, not one named like Argo CD's."""
    crds = sorted((tree / "cluster").glob("customresourcedefinition-*.yaml"))
    assert crds, "the platform renders its own CRDs"
    crd = yaml.safe_load(crds[0].read_text())
    crd["metadata"]["name"] = "applications.argoproj.io"
    plant(tree / "cluster", "customresourcedefinition-applications.argoproj.io.yaml", crd)
    expect(findings(tree), "CustomResourceDefinition/applications.argoproj.io", "kind",
           "clusterResourceWhitelist")


def test_cluster_blacklist_wins_over_the_whitelist(tree):
    edit(project_file(tree, PLATFORM), lambda o: o["spec"].update(
        clusterResourceBlacklist=[{"group": "storage.k8s.io", "kind": "StorageClass"}]))
    expect(findings(tree), "StorageClass/gp3-standard", "kind", "not permitted")


def test_namespaced_object_in_a_namespace_the_project_does_not_allow(tree):
    edit(tree / "jeeves" / "serviceaccount-vault-auth.yaml",
         lambda o: o["metadata"].update(namespace="default"))
    expect(findings(tree), "ServiceAccount/default/vault-auth", "metadata.namespace",
           "'default' is not among the project's destinations")


def test_tenant_cannot_create_argo_cd_objects(tree):
    """namespaceResourceBlacklist: a customer directory smuggling an Application."""
    app = yaml.safe_load(app_file(tree, f"{ENV}-jeeves").read_text())
    app["metadata"].update(name="escape", namespace="customer-acme")
    plant(tree / "customer-acme", "application-escape.yaml", app)
    expect(findings(tree), "Application/customer-acme/escape", "kind", "namespaceResourceWhitelist/Blacklist")


def test_root_project_syncs_only_argo_cd_objects(tree):
    """namespaceResourceWhitelist: a ConfigMap (say argocd-cm) in the app-of-apps directory."""
    plant(tree / "argocd", "configmap-argocd-cm.yaml", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm", "namespace": "argocd"},
        "data": {"accounts.mallory": "apiKey"}})
    expect(findings(tree), "ConfigMap/argocd/argocd-cm", "kind", "namespaceResourceWhitelist/Blacklist")


@pytest.mark.parametrize("blacklist,leaked", [
    (None, "argoproj.io/Application"),
    ([{"group": "argoproj.io", "kind": "Application"}, {"group": "argoproj.io", "kind": "AppProject"}],
     "argoproj.io/ApplicationSet"),
])
def test_fence_non_root_projects_cannot_permit_argo_cd_objects(tree, blacklist, leaked):
    def change(o):
        o["spec"].pop("namespaceResourceBlacklist")
        if blacklist:
            o["spec"]["namespaceResourceBlacklist"] = blacklist
    edit(project_file(tree, PLATFORM), change)
    expect(findings(tree), f"AppProject/argocd/{PLATFORM}", "spec.namespaceResourceBlacklist", leaked)


def test_fence_non_root_projects_stay_out_of_the_argo_cd_namespace(tree):
    edit(project_file(tree, TENANTS), lambda o: o["spec"]["destinations"].append(
        {"server": "https://kubernetes.default.svc", "namespace": "argocd"}))
    expect(findings(tree), f"AppProject/argocd/{TENANTS}", "spec.destinations", "argocd.argoproj.io/secret-type")


def test_fence_cluster_kinds_only_what_is_rendered(tree):
    def change(o):
        o["spec"]["clusterResourceWhitelist"] += [
            {"group": "admissionregistration.k8s.io", "kind": "MutatingWebhookConfiguration"},
            {"group": "*", "kind": "*"}]
    edit(project_file(tree, PLATFORM), change)
    edit(project_file(tree, TENANTS), lambda o: o["spec"].update(
        clusterResourceWhitelist=[{"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition"}]))
    found = findings(tree)
    n = len(yaml.safe_load(project_file(tree, PLATFORM).read_text())["spec"]["clusterResourceWhitelist"])
    expect(found, f"AppProject/argocd/{PLATFORM}", f"spec.clusterResourceWhitelist[{n - 2}]",
           "which none of its Applications render")
    expect(found, f"AppProject/argocd/{PLATFORM}", f"spec.clusterResourceWhitelist[{n - 1}]",
           "every cluster-scoped kind")
    expect(found, f"AppProject/argocd/{TENANTS}", "spec.clusterResourceWhitelist", "by any name")


def test_fence_root_project_is_exactly_what_it_syncs(tree):
    def change(o):
        o["spec"].pop("namespaceResourceWhitelist")
        o["spec"]["destinations"].append({"server": "https://kubernetes.default.svc", "namespace": "jeeves"})
    edit(project_file(tree, ROOT), change)
    found = findings(tree)
    expect(found, f"AppProject/argocd/{ROOT}", "spec.namespaceResourceWhitelist", "core/Secret")
    expect(found, f"AppProject/argocd/{ROOT}", "spec.destinations[1].namespace", "'jeeves'")


def database(env: Path) -> tuple[Path, str]:
    """jeeves's database object (a StatefulSet with claims or a CloudNativePG
    Cluster, whichever the render holds) and its Kind/ns/name."""
    for path in sorted((env / "jeeves").glob("*.yaml")):
        obj = yaml.safe_load(path.read_text())
        if (obj.get("kind") == "StatefulSet" and obj["spec"].get("volumeClaimTemplates")) or (
                obj.get("kind"), obj.get("apiVersion")) == ("Cluster", "postgresql.cnpg.io/v1"):
            return path, f"{obj['kind']}/jeeves/{obj['metadata']['name']}"
    raise AssertionError("jeeves renders no database")


@pytest.mark.parametrize("holder,missing", [
    ("namespace", "Prune=false, Delete=false"), ("database", "Prune=false"), ("vault", "Delete=false"),
])
def test_state_holders_keep(tree, holder, missing):
    path, obj = {"namespace": (tree / "cluster" / "namespace-jeeves.yaml", "Namespace/jeeves"),
                 "vault": (tree / "vault" / "statefulset-vault.yaml", "StatefulSet/vault/vault"),
                 "database": database(tree) if holder == "database" else None}[holder]

    def change(o):
        options = [x for x in o["metadata"]["annotations"][SYNC_OPTIONS].split(",") if x not in missing]
        o["metadata"]["annotations"][SYNC_OPTIONS] = ",".join(options)
    edit(path, change)
    expect(findings(tree), obj, f"metadata.annotations[{SYNC_OPTIONS}]", missing)


def test_crds_keep(tree):
    crd = sorted((tree / "cluster").glob("customresourcedefinition-*.yaml"))[0]
    name = yaml.safe_load(crd.read_text())["metadata"]["name"]
    edit(crd, lambda o: o["metadata"]["annotations"].pop(SYNC_OPTIONS))
    expect(findings(tree), f"CustomResourceDefinition/{name}", f"metadata.annotations[{SYNC_OPTIONS}]",
           "lacks Prune=false:")


def test_keep_options_are_read_as_argo_cd_reads_them(tree):
    """One annotation, comma-separated, spaces trimmed; the Application's own
    sync options are the fallback (GetAnnotationOptionValue, SyncOptions.GetOptionValue)."""
    edit(tree / "cluster" / "namespace-jeeves.yaml", lambda o: o["metadata"]["annotations"].update(
        {SYNC_OPTIONS: " Delete=false , Prune=false "}))
    edit(tree / "cluster" / "namespace-user.yaml", lambda o: o["metadata"]["annotations"].pop(SYNC_OPTIONS))
    edit(app_file(tree, f"{ENV}-cluster"), lambda o: o["spec"]["syncPolicy"]["syncOptions"].extend(
        ["Prune=false", "Delete=false"]))
    assert findings(tree) == []


def test_rendered_keep_annotations(rendered):
    """What the render stamps (lib/platform/sync_waves.py), in the form Argo CD parses."""
    env = rendered / ENV
    ns = yaml.safe_load((env / "cluster" / "namespace-jeeves.yaml").read_text())
    assert ns["metadata"]["annotations"][SYNC_OPTIONS] == "Prune=false,Delete=false"
    db = yaml.safe_load(database(env)[0].read_text())
    assert db["metadata"]["annotations"][SYNC_OPTIONS].endswith("Prune=false,Delete=false")
    for crd in (env / "cluster").glob("customresourcedefinition-*.yaml"):
        assert yaml.safe_load(crd.read_text())["metadata"]["annotations"][SYNC_OPTIONS] == "Prune=false"
    deployment = yaml.safe_load((env / "jeeves" / "deployment-jeeves-run-manager.yaml").read_text())
    assert SYNC_OPTIONS not in deployment["metadata"].get("annotations", {})


def test_in_cluster_is_the_only_cluster():
    assert IN_CLUSTER == Cluster("https://kubernetes.default.svc", "in-cluster")


# --- add-ons: Applications whose manifests Argo CD renders from elsewhere -------------------------

ADDONS_PROJECT, ARGOCD_PROJECT = f"voyager-{ENV}-addons", f"voyager-{ENV}-argocd"
KEDA, ARGOCD_APP = f"{ENV}-addon-keda", f"{ENV}-addon-argocd"


def test_chart_and_other_repository_sources_are_judged_by_their_fences_only(tree):
    """A chart's or another repository's objects are not in the tree: no path to resolve, nothing
    to deliver, and the project's list is judged as written (the clean render has no finding)."""
    keda = yaml.safe_load(app_file(tree, KEDA).read_text())["spec"]["source"]
    assert "chart" in keda and "path" not in keda
    assert findings(tree, checks=("reference", "argocd")) == []


def test_addon_destination_and_repository_must_be_permitted(tree):
    edit(app_file(tree, KEDA), lambda o: o["spec"]["destination"].update(namespace="jeeves"))
    edit(app_file(tree, f"{ENV}-addon-velero"), lambda o: o["spec"]["source"].update(
        repoURL="https://charts.example.invalid/velero"))
    edit(app_file(tree, f"{ENV}-addon-cert-manager"), lambda o: o["spec"]["destination"].pop("namespace"))
    found = findings(tree)
    expect(found, f"Application/argocd/{KEDA}", "spec.destination.namespace",
           f"not permitted by AppProject {ADDONS_PROJECT}")
    expect(found, f"Application/argocd/{ENV}-addon-velero", "spec.source.repoURL", "not permitted")
    expect(found, f"Application/argocd/{ENV}-addon-cert-manager", "spec.destination.namespace", "#11510")


def test_addons_project_fence(tree):
    def widen(o):
        spec = o["spec"]
        spec["destinations"].append({"server": "https://kubernetes.default.svc", "namespace": "argocd"})
        spec["sourceRepos"].append("https://charts.example.invalid/*")
        spec["clusterResourceWhitelist"] += [
            {"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition", "name": "*"},
            {"group": "*", "kind": "ClusterRole"}]
        spec.pop("namespaceResourceBlacklist")
    edit(project_file(tree, ADDONS_PROJECT), widen)
    found = findings(tree)
    n = len(yaml.safe_load(project_file(tree, ADDONS_PROJECT).read_text())["spec"]["sourceRepos"])
    obj = f"AppProject/argocd/{ADDONS_PROJECT}"
    expect(found, obj, "spec.destinations", "argocd.argoproj.io/secret-type")
    expect(found, obj, f"spec.sourceRepos[{n - 1}]", "every repository matching")
    expect(found, obj, "spec.clusterResourceWhitelist", "by any name")
    expect(found, obj, "spec.namespaceResourceBlacklist", "argoproj.io/Application")
    m = len(yaml.safe_load(project_file(tree, ADDONS_PROJECT).read_text())["spec"]["clusterResourceWhitelist"])
    expect(found, obj, f"spec.clusterResourceWhitelist[{m - 1}]", "every cluster-scoped kind")


def test_argo_cd_s_own_project_takes_only_its_own_crds_by_name(tree):
    edit(project_file(tree, ARGOCD_PROJECT), lambda o: o["spec"]["clusterResourceWhitelist"].append(
        {"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition", "name": "*.argoproj.io"}))
    n = len(yaml.safe_load(project_file(tree, ARGOCD_PROJECT).read_text())["spec"]["clusterResourceWhitelist"])
    expect(findings(tree), f"AppProject/argocd/{ARGOCD_PROJECT}", f"spec.clusterResourceWhitelist[{n - 1}]",
           "each by its exact name")


def test_only_argo_cd_s_own_manifests_may_reach_the_argo_cd_namespace(tree):
    """The exception is for Argo CD managing itself: another repository in that project loses it."""
    fork = "https://github.com/someone/argo-cd-fork"
    edit(app_file(tree, ARGOCD_APP), lambda o: o["spec"]["source"].update(repoURL=fork))
    edit(project_file(tree, ARGOCD_PROJECT), lambda o: o["spec"]["sourceRepos"].append(fork))
    found = findings(tree)
    expect(found, f"AppProject/argocd/{ARGOCD_PROJECT}", "spec.destinations", "only the root project")
    expect(found, f"AppProject/argocd/{ARGOCD_PROJECT}", "spec.clusterResourceWhitelist", "by any name")


def test_a_path_in_this_repository_is_still_resolved(tree):
    """Only other repositories' paths are Argo CD's to fetch: ours must exist."""
    edit(app_file(tree, f"{ENV}-jeeves"), lambda o: o["spec"]["source"].update(path=f"dist/{ENV}/nope"))
    expect(findings(tree, checks=("reference",)), f"Application/argocd/{ENV}-jeeves", "spec.source.path",
           "does not exist", check="reference")
