"""The add-ons as Argo CD Applications (lib/catalog/addons.py, lib/platform/addons.py).

Four promises, each against a file in the repository, no network:
- the pins are the releases whose application version the vendored CRDs
  have (crds/README.md) and the table in addons/README.md says so;
- every Helm value the render passes is a key of the chart at that version
  (its vendored values.schema.json and default values.yaml), and a
  misspelled one fails; every kustomize patch targets what the upstream
  kustomization at the tag holds;
- the values refuse anything but one exact release, one line, exit 2;
- the Applications sync after the cluster app and before every namespace's
  app, in tiers, in their own projects, in every environment.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ENVS, REPO, copy_values, run_main
from lib.catalog.addons import ADDONS, BY_KEY, DEPENDENTS, FOUNDATION, provenance_table
from lib.config.loader import load_environment
from lib.errors import ValuesError
from lib.platform.sync_waves import ADDON_WAVES, CLUSTER_APP_WAVE, NAMESPACE_APP_WAVE
from lib.validate.pod_security import check_pod

CHARTS = REPO / "addons" / "charts"
HELM = [a for a in ADDONS if a.helm]
WAVE = "argocd.argoproj.io/sync-wave"


def app_of(objects, env: str, key: str) -> dict:
    name = f"{env}-addon-{BY_KEY[key].name}"
    found = [o for _, o in objects(env) if o["kind"] == "Application" and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{env}: no Application {name}"
    return found[0]


# --- the pins and the table -------------------------------------------------------

def crds_readme_tags() -> dict[str, set[str]]:
    """Upstream repo -> the tags crds/README.md vendors it at."""
    tags: dict[str, set[str]] = {}
    for line in (REPO / "crds" / "README.md").read_text().splitlines():
        m = re.match(r"^\| `[^`]+\.yaml` \|.*?\| \[([^\]]+)\]\([^)]*\) \| `([^`]+)`", line)
        if m:
            tags.setdefault(m.group(1), set()).add(m.group(2).rsplit("/", 1)[-1])
    return tags


def test_pins_ship_the_app_version_of_the_vendored_crds():
    tags = crds_readme_tags()
    assert tags, "crds/README.md has no provenance rows"
    covered = set()
    for addon in ADDONS:
        wanted = [(addon.crds_from, addon.app_version)] if addon.crds_from else []
        for repo, version in wanted + list(addon.bundles):
            # Chart appVersions drop the tag's "v" (KEDA's 2.20.2 is tag v2.20.2).
            assert {t.lstrip("v") for t in tags.get(repo, ())} == {version.lstrip("v")}, (
                f"{addon.key}: pins {addon.chart or addon.path} {addon.version} running {version}, "
                f"but crds/README.md vendors {repo} at {sorted(tags.get(repo, ()))}")
            covered.add(repo)
    # The IstioOperator CRD is there for the optional mesh (off), which no
    # add-on installs: the in-cluster operator is gone since Istio 1.24.
    assert set(tags) - covered == {"istio/istio"}


def test_the_issue_s_versions():
    """The versions the platform was validated against (issue #12)."""
    assert {a.key: a.app_version for a in ADDONS} == {
        "argocd": "v3.5.1", "cert_manager": "v1.21.1", "kube_prometheus_stack": "v0.93.0",
        "envoy_gateway": "v1.9.0", "external_secrets": "v2.9.0", "keda": "2.20.2",
        "velero": "1.18.1", "vertical_pod_autoscaler": "1.7.1", "cloudnative_pg": "1.30.0",
        "strimzi": "1.2.0", "barman_cloud": "v0.14.0", "external_dns": "v0.22.0"}


def test_addons_readme_holds_the_catalog_table():
    text = (REPO / "addons" / "README.md").read_text()
    assert provenance_table() in text, "addons/README.md is stale: paste lib.catalog.addons.provenance_table()"


def test_readme_add_ons_table_names_each_pin():
    section = (REPO / "README.md").read_text().split("## Add-ons", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    for addon in ADDONS:
        row = next((r for r in rows if r.startswith(f"| {addon.title} |")), None)
        assert row, f"README's Add-ons table has no row for {addon.title}"
        assert f"`{addon.version}`" in row and f"`{addon.app_version}`" in row, row
        assert f"`{addon.chart or addon.path}`" in row, row


@pytest.mark.parametrize("addon", ADDONS, ids=lambda a: a.key)
def test_vendored_files_are_what_provenance_says(addon):
    provenance = json.loads((CHARTS / addon.key / "provenance.json").read_text())
    up = addon.upstream
    assert (provenance["repository"], provenance["path"], provenance["tag"], provenance["commit"]) == (
        f"https://github.com/{up.repo}", up.path, up.tag, up.commit)
    assert sorted(provenance["files"]) == sorted(up.files)
    for name, entry in provenance["files"].items():
        data = (CHARTS / addon.key / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{addon.key}/{name} changed"
        assert entry["upstream_path"] == f"{up.path}/{name}"


@pytest.mark.parametrize("env", ENVS)
def test_values_pin_what_the_catalog_verified(env):
    addons = load_environment(env).model.addons
    for addon in ADDONS:
        src = getattr(addons, addon.key).source
        assert (src.repo_url, src.chart or "", src.path or "", src.version) == (
            addon.repo_url, addon.chart, addon.path, addon.version), addon.key


# --- the values contract of each chart ----------------------------------------------

def _resolve(schema: dict, node: dict) -> dict:
    """Follow a local ``$ref`` (``#/$defs/...``) to what it names."""
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target = schema
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _schema_has(schema: dict | None, path: tuple[str, ...]) -> bool:
    """The schema declares this key (properties, through local $refs and allOf)."""
    if schema is None:
        return False
    nodes = [schema]
    for part in path:
        nxt = []
        for node in nodes:
            node = _resolve(schema, node)
            for sub in [node] + [_resolve(schema, s) for s in node.get("allOf", []) + node.get("anyOf", [])
                                 + node.get("oneOf", []) if isinstance(s, dict)]:
                props = sub.get("properties") or {}
                if part in props:
                    nxt.append(props[part])
        if not nxt:
            return False
        nodes = nxt
    return True


def _coalesce(defaults, ours):
    """Helm's merge of user values over the chart's: maps merge key by key,
    anything else (lists too) replaces; null removes."""
    if isinstance(defaults, dict) and isinstance(ours, dict):
        out = dict(defaults)
        for key, value in ours.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = _coalesce(defaults.get(key), value)
        return out
    return ours


def contract(addon) -> tuple[dict, dict | None]:
    """(default values, values.schema.json or None), as vendored."""
    files = {Path(f).name: CHARTS / addon.key / f for f in addon.upstream.files}
    values = files.get("values.yaml") or files["values.tmpl.yaml"]
    defaults = yaml.safe_load(values.read_text()) or {}
    schema = json.loads(files["values.schema.json"].read_text()) if "values.schema.json" in files else None
    return defaults, schema


def problems(addon, ours: dict) -> list[str]:
    """What is wrong with ``ours`` as values of this chart: keys the chart
    does not have (outside the catalog's free-form paths), and what its
    schema refuses in the merged values."""
    defaults, schema = contract(addon)
    free = [tuple(p.split(".")) for p in addon.free_form_paths()]
    out: list[str] = []

    def walk(node: dict, known, path: tuple[str, ...]) -> None:
        for key, value in node.items():
            here = path + (key,)
            if any(here[:len(f)] == f for f in free):
                continue
            in_defaults = isinstance(known, dict) and key in known
            if not in_defaults and not _schema_has(schema, here):
                out.append(f"{'.'.join(here)}: not a value of chart {addon.chart} {addon.version}")
                continue
            if isinstance(value, dict):
                sub = known.get(key) if isinstance(known, dict) else None
                walk(value, sub if isinstance(sub, dict) else {}, here)

    walk(ours, defaults, ())
    if schema is not None:
        validator = jsonschema.validators.validator_for(schema)(schema)
        for error in validator.iter_errors(_coalesce(defaults, ours)):
            out.append(f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}")
    return out


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("addon", HELM, ids=lambda a: a.key)
def test_rendered_helm_values_are_the_chart_s(objects, env, addon):
    app = app_of(objects, env, addon.key)
    source = app["spec"]["source"]
    assert (source["repoURL"], source["chart"], source["targetRevision"]) == (
        addon.repo_url, addon.chart, addon.version)
    assert source["helm"]["releaseName"] == addon.name
    assert problems(addon, source["helm"]["valuesObject"]) == []


@pytest.mark.parametrize("key,path,value,expected", [
    # No schema: the key is not in the chart's defaults.
    ("kube_prometheus_stack", "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValue", False,
     "not a value of chart kube-prometheus-stack"),
    ("envoy_gateway", "topologyInjectr.enabled", True, "topologyInjectr: not a value"),
    ("keda", "resources.opertor", {"requests": {"cpu": "1"}}, "resources.opertor: not a value"),
    # A schema: a key it does not declare, and a value of the wrong type.
    ("cert_manager", "crds.enabld", True, "crds.enabld"),
    ("velero", "deployNodeAgent", "yes", "'yes' is not of type 'boolean'"),
    ("external_dns", "policy", "sink", "'sink' is not one of"),
])
def test_a_misspelled_value_fails(objects, key, path, value, expected):
    ours = copy.deepcopy(app_of(objects, "production", key)["spec"]["source"]["helm"]["valuesObject"])
    node = ours
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    found = problems(BY_KEY[key], ours)
    assert any(expected in p for p in found), found


def test_free_form_paths_are_kubernetes_typed_fields_only():
    """What the key check does not look below: requests/limits, node
    selectors, annotations, pod and container security contexts: Kubernetes
    types whose keys the chart cannot list."""
    allowed = re.compile(r"(^|\.)(resources(\.[a-zA-Z]+)?|nodeSelector|annotations"
                         r"|(pod|container)?(S|s)ecurityContext(\.[a-zA-Z]+)?)$")
    for addon in ADDONS:
        for path in addon.free_form_paths():
            assert allowed.search(path), f"{addon.key}: {path} is not a Kubernetes-typed field"


def _kustomize_resources(root: Path, directory: str) -> list[Path]:
    """Files a vendored kustomization reaches (through vendored directories)."""
    kust = yaml.safe_load((root / directory / "kustomization.yaml").read_text())
    out = []
    for res in kust.get("resources") or []:
        target = (root / directory / res).resolve()
        if (target / "kustomization.yaml").is_file():
            out += _kustomize_resources(root, str(target.relative_to(root.resolve())))
        elif target.is_file():
            out.append(target)
    return out


@pytest.mark.parametrize("env", ENVS)
def test_argocd_manages_itself_from_its_release(objects, env):
    app = app_of(objects, env, "argocd")
    source = app["spec"]["source"]
    assert (source["repoURL"], source["path"], source["targetRevision"]) == (
        "https://github.com/argoproj/argo-cd", "manifests/cluster-install", "v3.5.1")
    root = CHARTS / "argocd"
    base = yaml.safe_load((root / "base" / "kustomization.yaml").read_text())
    assert base["images"] == [{"name": "quay.io/argoproj/argocd", "newName": "quay.io/argoproj/argocd",
                               "newTag": "v3.5.1"}], "the tag's manifests run v3.5.1"
    [patch] = source["kustomize"]["patches"]
    target = patch["target"]
    reached = [yaml.safe_load(p.read_text()) for p in _kustomize_resources(root, "cluster-install")
               if p.name == "argocd-cm.yaml"]
    assert [(o["kind"], o["metadata"]["name"]) for o in reached] == [(target["kind"], target["name"])]
    data = yaml.safe_load(patch["patch"])["data"]
    assert list(data) == ["resource.customizations.health.argoproj.io_Application"]
    assert not set(data) & set(reached[0].get("data") or {}), "the upstream ConfigMap sets it already"
    assert "hs.status = obj.status.health.status" in data["resource.customizations.health.argoproj.io_Application"]


@pytest.mark.parametrize("env", ENVS)
def test_barman_cloud_is_its_release_manifest(objects, env):
    app = app_of(objects, env, "barman_cloud")
    kustomize = app["spec"]["source"]["kustomize"]
    kust = yaml.safe_load((CHARTS / "barman_cloud" / "kustomization.yaml").read_text())
    deployment = yaml.safe_load((CHARTS / "barman_cloud" / "deployment.yaml").read_text())
    [image] = kustomize["images"]
    name, ref = image.split("=")
    assert name in [i["name"] for i in kust["images"]]
    assert ref == "ghcr.io/cloudnative-pg/plugin-barman-cloud:v0.14.0"
    [patch] = kustomize["patches"]
    assert (patch["target"]["kind"], patch["target"]["name"]) == (deployment["kind"], deployment["metadata"]["name"])
    ops = yaml.safe_load(patch["patch"])
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["name"] == "barman-cloud" and container["env"][0]["name"] == "SIDECAR_IMAGE"
    assert ops[0] == {"op": "replace", "path": "/spec/template/spec/containers/0/env/0",
                      "value": {"name": "SIDECAR_IMAGE",
                                "value": "ghcr.io/cloudnative-pg/plugin-barman-cloud-sidecar:v0.14.0"}}
    assert ops[1]["path"] == "/spec/template/spec/containers/0/resources" and "resources" in container
    assert kustomize["namespace"] == kust["namespace"] == app["spec"]["destination"]["namespace"]


# --- what the platform sets -------------------------------------------------------------

def values_of(objects, env, key):
    return app_of(objects, env, key)["spec"]["source"]["helm"]["valuesObject"]


def test_platform_settings_reach_the_charts(objects):
    kps = values_of(objects, "production", "kube_prometheus_stack")["prometheus"]["prometheusSpec"]
    assert kps["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert kps["podMonitorSelectorNilUsesHelmValues"] is False
    assert values_of(objects, "production", "envoy_gateway")["topologyInjector"] == {"enabled": True}
    velero = values_of(objects, "production", "velero")
    assert velero["configuration"] == {"features": "EnableCSI", "backupStorageLocation": [],
                                       "volumeSnapshotLocation": []}
    assert velero["backupsEnabled"] is False and velero["snapshotsEnabled"] is False
    assert velero["deployNodeAgent"] is True and velero["upgradeCRDs"] is False
    assert velero["initContainers"][0]["image"] == "velero/velero-plugin-for-aws:v1.14.0"
    assert values_of(objects, "production", "cert_manager")["crds"] == {"enabled": True, "keep": True}
    vpa = values_of(objects, "production", "vertical_pod_autoscaler")
    assert vpa["updater"] == {"enabled": False} and vpa["admissionController"] == {"enabled": False}
    assert vpa["podSecurityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert vpa["containerSecurityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                               "readOnlyRootFilesystem": True}


@pytest.mark.parametrize("env", ENVS)
def test_each_environment_its_own_dns_and_roles(objects, env):
    model = load_environment(env).model
    dns = values_of(objects, env, "external_dns")
    assert dns["provider"] == {"name": "aws"} and dns["sources"] == ["gateway-httproute"]
    assert dns["txtOwnerId"] == env and dns["domainFilters"] == [model.edge.domain]
    assert dns["policy"] == "sync" and dns["image"]["tag"] == "v0.22.0"
    assert dns["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"] == model.addons.external_dns.iam_role_arn
    velero = values_of(objects, env, "velero")
    assert velero["serviceAccount"]["server"]["annotations"]["eks.amazonaws.com/role-arn"] == \
        model.addons.velero.iam_role_arn


def test_regions_do_not_share_roles():
    roles = {env: load_environment(env).model.addons for env in ENVS}
    for key in ("velero", "external_dns"):
        arns = [getattr(a, key).iam_role_arn for a in roles.values()]
        assert len(set(arns)) == len(arns), f"{key}: two environments assume one role"


@pytest.mark.parametrize("env", ENVS)
def test_every_component_has_requests_and_limits_and_the_compute_pool(objects, env):
    model = load_environment(env).model
    pool = dict(model.node_pools["compute"].node_labels)
    for addon in HELM:
        values = values_of(objects, env, addon.key)
        for name, component in addon.components.items():
            node = values
            for part in component.resources.split("."):
                node = node[part]
            assert set(node) == {"requests", "limits"}, f"{addon.key}/{name}"
            if component.node_selector:
                node = values
                for part in component.node_selector.split("."):
                    node = node[part]
                assert node == pool, f"{addon.key}/{name}"


# --- Pod Security of the charts' pods --------------------------------------------------------

ENFORCE = "pod-security.kubernetes.io/enforce"


def namespace_levels(objects, env) -> dict[str, str]:
    """Each namespace's enforced Pod Security level in this environment: a
    rendered Namespace's label, or the labels an add-on's Application gives
    the namespace it creates. A namespace neither names (argocd, kube-system)
    is the cluster's default, privileged."""
    levels: dict[str, str] = {}
    for _, o in objects(env):
        if o["kind"] == "Namespace":
            levels[o["metadata"]["name"]] = (o["metadata"].get("labels") or {}).get(ENFORCE, "privileged")
        elif o["kind"] == "Application" and "CreateNamespace=true" in (
                o["spec"].get("syncPolicy", {}).get("syncOptions") or []):
            labels = o["spec"]["syncPolicy"].get("managedNamespaceMetadata", {}).get("labels") or {}
            levels[o["spec"]["destination"]["namespace"]] = labels.get(ENFORCE, "privileged")
    return levels


def _at(values: dict, dotted: str):
    node = values
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _as_rendered(context) -> dict:
    """A security-context value as the template writes it. external-secrets
    gates each map with an `enabled` key and renders it without that key
    (`omit . "enabled"`, templates/_helpers.tpl at helm-chart-2.9.0)."""
    if not isinstance(context, dict):
        return {}
    if "enabled" in context:
        return {k: v for k, v in context.items() if k != "enabled"} if context["enabled"] else {}
    return context


def effective_pods(addon, ours: dict) -> dict[str, dict]:
    """Per component, a synthetic pod spec: the pod and container security
    contexts that the chart's vendored defaults merged with ``ours`` give at
    the value paths the catalog names for it."""
    defaults, _ = contract(addon)
    merged = _coalesce(defaults, ours)
    return {name: {"securityContext": _as_rendered(_at(merged, c.pod_security_context)),
                   "containers": [{"name": name,
                                   "securityContext": _as_rendered(_at(merged, c.security_context))}]}
            for name, c in addon.components.items()}


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("addon", HELM, ids=lambda a: a.key)
def test_chart_pods_meet_their_namespace_s_pod_security_level(objects, env, addon):
    """The security settings our values pass, merged with the chart's
    defaults, meet the Pod Security level its namespace enforces
    (lib/validate/pod_security's check_pod on a synthetic pod per component).

    Limits, honestly: this reads values, not rendered manifests (no chart is
    rendered here). It sees only the securityContext maps at the paths the
    catalog names per component (each read by hand in the template at the
    pinned tag: lib/catalog/addons.py); a template may add or drop fields of
    its own (external-secrets' `enabled`, modelled here; OpenShift
    adaptations; KEDA falls back to the whole map when a component's is
    empty), render init containers, sidecars or hook Jobs with contexts of
    their own, or set hostNetwork, hostPath volumes or host ports, none of
    which this check sees. It catches a chart whose defaults do not meet the
    level and that we did not fix in values (the VPA recommender in
    restricted vpa-system, chart 0.11.0), not everything admission would."""
    app = app_of(objects, env, addon.key)
    level = namespace_levels(objects, env).get(app["spec"]["destination"]["namespace"], "privileged")
    if level == "privileged":
        return  # node-exporter, Velero's node agent: they mount the host on purpose
    undeclared = [name for name, c in addon.components.items()
                  if not (c.pod_security_context and c.security_context)]
    assert not undeclared, (f"{addon.key}: {level} namespace, but the catalog does not say where the "
                            f"security contexts of {', '.join(undeclared)} come from")
    for name, pod in effective_pods(addon, values_of(objects, env, addon.key)).items():
        found = check_pod(pod, level)
        assert not found, f"{env} {addon.key}/{name} in a {level} namespace:\n" + "\n".join(
            f"  {v.field}: {v.message} ({v.fix})" for v in found)


def test_the_vpa_chart_s_defaults_alone_are_refused_by_restricted(objects):
    """Without the values the platform adds, the check above fails for the
    VPA recommender: the chart's defaults set no seccomp profile, allow
    privilege escalation and keep capabilities."""
    addon = BY_KEY["vertical_pod_autoscaler"]
    ours = copy.deepcopy(values_of(objects, "production", addon.key))
    del ours["podSecurityContext"], ours["containerSecurityContext"]
    fields = {v.field for v in check_pod(effective_pods(addon, ours)["recommender"], "restricted")}
    assert fields == {"containers[0].securityContext.allowPrivilegeEscalation",
                      "containers[0].securityContext.seccompProfile.type",
                      "containers[0].securityContext.capabilities.drop"}, fields


@pytest.mark.parametrize("env", ENVS)
def test_barman_cloud_pod_meets_its_namespace_s_level(objects, env):
    """The kustomize add-on's pod is the vendored Deployment's (our patches
    replace an env entry and the resources only)."""
    app = app_of(objects, env, "barman_cloud")
    level = namespace_levels(objects, env)[app["spec"]["destination"]["namespace"]]
    assert level == "restricted"
    deployment = yaml.safe_load((CHARTS / "barman_cloud" / "deployment.yaml").read_text())
    assert check_pod(deployment["spec"]["template"]["spec"], level) == []


# --- ordering and fences ------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_addons_sync_between_the_cluster_app_and_the_namespaces(objects, env):
    apps = {o["metadata"]["name"]: o for _, o in objects(env) if o["kind"] == "Application"}
    wave = {name: int(o["metadata"]["annotations"].get(WAVE, 0)) for name, o in apps.items()
            if name != "voyager-platform"}
    addon_waves = {a.key: wave[f"{env}-addon-{a.name}"] for a in ADDONS}
    assert wave[f"{env}-cluster"] == CLUSTER_APP_WAVE
    assert all(CLUSTER_APP_WAVE < w < NAMESPACE_APP_WAVE for w in addon_waves.values())
    namespace_apps = [w for n, w in wave.items() if "-addon-" not in n and n != f"{env}-cluster"]
    assert namespace_apps and set(namespace_apps) == {NAMESPACE_APP_WAVE}
    # What needs another add-on comes after it.
    for later, earlier in (("barman_cloud", "cert_manager"), ("barman_cloud", "cloudnative_pg"),
                           ("external_dns", "envoy_gateway")):
        assert addon_waves[later] > addon_waves[earlier], (later, earlier)
    assert addon_waves["argocd"] == ADDON_WAVES[FOUNDATION]
    assert addon_waves["barman_cloud"] == ADDON_WAVES[DEPENDENTS]
    projects = [o for _, o in objects(env) if o["kind"] == "AppProject"]
    assert {int(p["metadata"]["annotations"][WAVE]) for p in projects} == {min(wave.values()) - 1}


@pytest.mark.parametrize("env", ENVS)
def test_addon_applications_sync_safely(objects, env):
    for addon in ADDONS:
        spec = app_of(objects, env, addon.key)["spec"]
        assert spec["destination"]["namespace"], "argo-cd #11510"
        options = spec["syncPolicy"]["syncOptions"]
        assert "ServerSideApply=true" in options  # CRDs too large for client-side apply
        assert spec["syncPolicy"]["automated"]["prune"] is False
        assert spec["project"] == f"voyager-{env}-{'argocd' if addon.key == 'argocd' else 'addons'}"
        created = "CreateNamespace=true" in options
        if created:
            labels = spec["syncPolicy"]["managedNamespaceMetadata"]["labels"]
            assert labels["pod-security.kubernetes.io/enforce"] == addon.pod_security


@pytest.mark.parametrize("env", ENVS)
def test_addons_project_permits_exactly_the_catalog_s_kinds(objects, env):
    project = next(o for _, o in objects(env) if o["kind"] == "AppProject"
                   and o["metadata"]["name"] == f"voyager-{env}-addons")
    listed = {(i["group"], i["kind"], i.get("name", "")) for i in project["spec"]["clusterResourceWhitelist"]}
    others = [a for a in ADDONS if a.key != "argocd"]
    expected = {k + ("",) for a in others for k in a.cluster_kinds} | {
        ("apiextensions.k8s.io", "CustomResourceDefinition", f"*.{g}") for a in others for g in a.crd_groups}
    assert listed == expected
    assert project["spec"]["namespaceResourceBlacklist"] == [{"group": "argoproj.io", "kind": "*"}]
    assert "argocd" not in {d["namespace"] for d in project["spec"]["destinations"]}
    assert sorted(project["spec"]["sourceRepos"]) == sorted({a.repo_url for a in others})


# --- bad pins are refused at load ----------------------------------------------------------

def _set_version(values: Path, key: str, version) -> None:
    path = values / "base.yaml"
    data = yaml.safe_load(path.read_text())
    data["addons"][key]["source"]["version"] = version
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize("version", ["*", "^2.20", ">=2.20.0 <3", "2.x", "latest", "2.20", "main"])
def test_a_range_or_latest_is_refused(tmp_path, version):
    values = copy_values(tmp_path / "values")
    _set_version(values, "keda", version)
    with pytest.raises(ValuesError) as err:
        load_environment("staging", values)
    assert err.value.path == "addons.keda.source.version"
    assert "not a pinned version" in err.value.message


def test_a_pin_the_catalog_did_not_verify_is_refused_in_one_line(tmp_path):
    values = copy_values(tmp_path / "values")
    _set_version(values, "keda", "2.21.0")
    proc = run_main("--values", values, "--outdir", tmp_path / "out", "--env", "staging")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert re.match(r"^error: \S*base\.yaml: addons\.keda\.source\.version: '2\.21\.0' is not what "
                    r"addons/charts/keda/ vendors", lines[0]), lines[0]
    assert not (tmp_path / "out").exists()


def test_a_wildcard_pin_fails_the_cli_in_one_line(tmp_path):
    values = copy_values(tmp_path / "values")
    _set_version(values, "velero", "*")
    proc = run_main("--values", values, "--outdir", tmp_path / "out", "--env", "staging")
    assert proc.returncode == 2
    assert re.match(r"^error: \S*base\.yaml: addons\.velero\.source\.version: '\*' is not a pinned version",
                    proc.stderr.strip()), proc.stderr


@pytest.mark.parametrize("change,path,text", [
    (lambda a: a["keda"]["resources"].pop("webhooks"), "addons.keda.resources", "missing resources for webhooks"),
    (lambda a: a["keda"]["resources"].update(operater=a["keda"]["resources"]["operator"]),
     "addons.keda.resources.operater", "unknown component 'operater'"),
])
def test_every_component_is_sized_and_no_other(tmp_path, change, path, text):
    from lib.platform.addons import check_addons

    values = copy_values(tmp_path / "values")
    data = yaml.safe_load((values / "base.yaml").read_text())
    change(data["addons"])
    (values / "base.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ValuesError) as err:
        check_addons(load_environment("staging", values))
    assert err.value.path == path and text in err.value.message
    assert err.value.file.endswith("base.yaml")
