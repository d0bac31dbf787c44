"""Every rendered environment applied to a real kube-apiserver (etcd + kube-apiserver on loopback).

JSON schemas and our own Pod Security model (tests/test_validate.py, ``main.py validate``)
cannot do what the server does: strict field decoding, defaulting, admission (Pod Security
as the real plugin judges it) and the CEL rules (``x-kubernetes-validations``) of the CRDs.
So, once per session (tests/kube_envtest.py; binaries from KUBEBUILDER_ASSETS, else
../shared/envtest/kube-apiserver and /usr/bin/etcd):

1. the vendored CRDs (crds/**/*.yaml) are server-side applied for real and awaited until
   Established;
2. per environment (same server; nothing but namespaces and CRDs is stored):
   a. CustomResourceDefinitions rendered in the tree itself (our own APIs) are applied for real
      and awaited;
   b. the add-ons' own namespaces (referenced by objects, not rendered: argocd, velero, ...)
      are created plainly, without labels, as their installs would create them;
   c. the rendered Namespaces are server-side applied for real, so their Pod Security labels
      are in force for (d);
   d. every other object is server-side applied with ``dryRun=All`` and
      ``fieldValidation=Strict``.
   Any rejection and any ``Warning`` header (Pod Security, deprecations, ...) fails the test,
   naming env, file, object and the server's words.

Why server-side apply (PATCH ``application/apply-patch+yaml``, ``force=true``) and not POST:
Argo CD syncs these apps with server-side apply, so this is the request it will make. SSA also
checks what a POST does not (list-map keys such as duplicate container ports), and it is an
upsert, so the Namespace step (c) can be repeated per environment. An apply patch with a field
the schema does not declare is refused whatever ``fieldValidation`` says (HTTP 500, "field not
declared in schema"); Strict adds duplicate fields.

Namespaces across environments: the environments share the server and their namespaces have
the same names, but not always the same labels. Step (c) applies each env's Namespaces with
one field manager (``MANAGER``); server-side apply then removes whatever that manager set for
an earlier env and this env no longer sets, so the labels in force are exactly this env's.
A namespace this env only references (an add-on's) gets an empty apply by the same manager
in step (b), which strips labels an earlier env had rendered on it. Prefixing namespaces per
env would not do: the objects name their namespaces (RBAC subjects, selectors, Argo CD
destinations), and rewriting them would test something else than what Argo CD gets.
"""
from __future__ import annotations

import copy
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from conftest import ENVS, REPO, Loader, require_program
from kube_envtest import HOW_TO_GET, APIServer, Response, find_binaries

CRDS = REPO / "crds"
MANAGER = "voyager-argocd"           # what Argo CD applies (rendered objects)
CRD_MANAGER = "voyager-crds"         # the add-ons' CRD installs
WORKERS = 4                          # concurrent dry-run requests (the server is mostly waiting on etcd/CEL)
CRD = "CustomResourceDefinition"
# Created by the API server itself at start-up.
SYSTEM_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}


def report(config, line: str) -> None:
    """A line in the terminal output even under -q (the closing note quotes it)."""
    tr = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if tr is None:
        return
    if capture is None:
        tr.write_line(line)
        return
    with capture.global_and_fixture_disabled():
        tr.write_line(line)


def ident(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')} {where}{meta.get('name')}"


def vendored_crds() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CRDS.rglob("*.yaml")):
        for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=Loader):
            if isinstance(doc, dict) and doc.get("kind") == CRD:
                out.append((str(path.relative_to(REPO)), doc))
    return out


# --- the server --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def apiserver(tmp_path_factory, pytestconfig):
    binaries, why = find_binaries(REPO)
    require_program(binaries is not None, f"kube-apiserver/etcd {why}; {HOW_TO_GET}")
    require_program(shutil.which("openssl") is not None, "openssl (makes the service-account key pair)")

    server = APIServer(binaries, tmp_path_factory.mktemp("envtest"))
    try:
        try:
            server.start()
        except RuntimeError:  # a free port taken between probing and binding: once more
            server.stop()
            server = APIServer(binaries, tmp_path_factory.mktemp("envtest"))
            server.start()
        t0 = time.monotonic()
        crds = vendored_crds()
        server.crd_problems = []
        established = []
        for rel, crd in crds:
            r = server.apply(crd, manager=CRD_MANAGER)
            if r.ok:
                established.append(crd)
            else:
                server.crd_problems.append(f"{rel}: {ident(crd)}: rejected (HTTP {r.status}): {r.message}")
            for w in r.warnings:  # upstream's CRDs: reported, not ours to fix
                report(pytestconfig, f"kube-apiserver warning on {rel}: {w}")
        server.wait_established(established)
        report(pytestconfig, f"kube-apiserver {binaries.kube_apiserver} ready in {server.startup_seconds:.1f}s "
                             f"(etcd {binaries.etcd}); {len(crds)} vendored CRDs applied and Established "
                             f"in {time.monotonic() - t0:.1f}s")
        yield server
    finally:
        server.stop()


def test_vendored_crds_apply(apiserver):
    assert not apiserver.crd_problems, "\n".join(apiserver.crd_problems)


# --- one environment ---------------------------------------------------------------------------

def namespace_of(server: APIServer, rel: str, obj: dict) -> str | None:
    """The namespace a namespaced object lands in: its own, else its directory's (the
    Argo CD Application's destination). None for cluster-scoped or unknown kinds."""
    res = server.resource_for(obj["apiVersion"], obj["kind"])
    if res is None or not res["namespaced"]:
        return None
    return (obj.get("metadata") or {}).get("namespace") or rel.split("/")[0]


def outcome(env: str, rel: str, obj: dict, r: Response | Exception) -> list[str]:
    """Problems (one line each) of one request; [] when accepted without a warning."""
    head = f"{env}: {rel}: {ident(obj)}"
    if isinstance(r, Exception):
        return [f"{head}: rejected: {r}"]
    out = [] if r.ok else [f"{head}: rejected (HTTP {r.status}): {r.message}"]
    return out + [f"{head}: warning: {w}" for w in r.warnings]


def prepare_namespaces(server: APIServer, env: str, objs: list[tuple[str, dict]]) -> dict:
    """Steps (a) to (c) of the module doc for one env.
    Returns {"crd_problems", "problems" (namespaces), "applied"}."""
    problems: list[str] = []
    crd_problems: list[str] = []
    applied = 0

    own_crds = []
    for rel, crd in ((rel, o) for rel, o in objs if o.get("kind") == CRD):
        r = server.apply(crd, manager=MANAGER)
        crd_problems += outcome(env, rel, crd, r)
        if r.ok:
            applied += 1
            own_crds.append(crd)
    if own_crds:
        server.wait_established(own_crds)

    rendered_ns = {o["metadata"]["name"] for _, o in objs if o.get("kind") == "Namespace"}
    referenced = {ns for rel, o in objs
                  if o.get("kind") not in ("Namespace", CRD) and (ns := namespace_of(server, rel, o))}
    for ns in sorted(referenced - rendered_ns - SYSTEM_NAMESPACES):
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        r = server.create(body)
        if not r.ok and r.status != 409:
            problems.append(f"{env}: add-on namespace {ns}: create failed (HTTP {r.status}): {r.message}")
        r = server.apply(body, manager=MANAGER)  # strip labels an earlier env rendered on it
        if not r.ok:
            problems.append(f"{env}: add-on namespace {ns}: apply failed (HTTP {r.status}): {r.message}")

    for rel, namespace in ((rel, o) for rel, o in objs if o.get("kind") == "Namespace"):
        r = server.apply(namespace, manager=MANAGER)
        problems += outcome(env, rel, namespace, r)
        applied += r.ok
    return {"crd_problems": crd_problems, "problems": problems, "applied": applied}


def dry_run(server: APIServer, rel: str, obj: dict) -> Response | Exception:
    try:
        return server.apply(obj, manager=MANAGER, dry_run=True, namespace=namespace_of(server, rel, obj))
    except LookupError as e:  # a kind no CRD serves
        return e


def apply_environment(server: APIServer, env: str, objs: list[tuple[str, dict]]) -> dict:
    prep = prepare_namespaces(server, env, objs)
    rest = [(rel, o) for rel, o in objs if o.get("kind") not in ("Namespace", CRD)]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda item: dry_run(server, *item), rest))
    problems = prep["crd_problems"] + prep["problems"]
    accepted = 0
    for (rel, obj), r in zip(rest, results):
        problems += outcome(env, rel, obj, r)
        accepted += isinstance(r, Response) and r.ok
    return {"total": len(objs), "real": prep["applied"], "dry_run": accepted,
            "accepted": prep["applied"] + accepted, "problems": problems}


@pytest.mark.parametrize("env", ENVS)
def test_environment_on_apiserver(apiserver, objects, env, pytestconfig):
    objs = objects(env)
    t0 = time.monotonic()
    res = apply_environment(apiserver, env, objs)
    warnings = sum(": warning: " in p for p in res["problems"])
    report(pytestconfig,
           f"kube-apiserver {env}: {res['accepted']} of {res['total']} objects accepted "
           f"({res['real']} namespaces/CRDs applied, {res['dry_run']} dry-run), "
           f"{len(res['problems']) - warnings} rejected, {warnings} warnings, "
           f"{time.monotonic() - t0:.1f}s")
    assert res["total"] > 0
    assert not res["problems"], (
        f"the kube-apiserver rejected or warned about {len(res['problems'])} object(s) of {env}:\n"
        + "\n".join(res["problems"]))


# --- planted defects: the server, not our model, catches them ----------------------------------

PLANT_ENV = "staging" if "staging" in ENVS else ENVS[0]


@pytest.fixture(scope="module")
def plant_env(apiserver, objects):
    """PLANT_ENV's namespaces in force; its objects as [(rel, obj)]. A rejected CRD of our
    own is test_environment_on_apiserver's to report; the planted defects do not need it."""
    objs = objects(PLANT_ENV)
    prep = prepare_namespaces(apiserver, PLANT_ENV, objs)
    assert not prep["problems"], "\n".join(prep["problems"])
    return objs


def first(objs, kind: str, pred=lambda o: True) -> tuple[str, dict]:
    for rel, o in objs:
        if o.get("kind") == kind and pred(o):
            return rel, copy.deepcopy(o)
    pytest.fail(f"{PLANT_ENV} renders no {kind} to plant a defect in")


def cel_rule(crd_file: str, message: str) -> str:
    """The x-kubernetes-validations rule with this message in a vendored CRD (proves it is CEL)."""
    def walk(node):
        if isinstance(node, dict):
            for v in node.get("x-kubernetes-validations") or []:
                if v.get("message") == message:
                    yield v["rule"]
            for child in node.values():
                yield from walk(child)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child)
    rules = list(walk(yaml.load((CRDS / crd_file).read_text(encoding="utf-8"), Loader=Loader)))
    assert rules, f"{crd_file} has no CEL rule with message {message!r}"
    return rules[0]


def test_planted_cel_violation_is_rejected(apiserver, plant_env):
    """HTTPRoute backendRef to a Service without a port: no JSON-schema check can see it
    (port is optional in the schema), Gateway API's CEL rule refuses it."""
    message = "Must have port for Service reference"
    rule = cel_rule("gateway-api/gateway.networking.k8s.io_httproutes.yaml", message)
    rel, route = first(plant_env, "HTTPRoute",
                       lambda o: any("port" in b for rule_ in o["spec"].get("rules", [])
                                     for b in rule_.get("backendRefs", [])))
    assert dry_run(apiserver, rel, route).ok, "the unplanted HTTPRoute must be accepted"
    del route["spec"]["rules"][0]["backendRefs"][0]["port"]

    from lib.validate.schema import crd_index  # our offline model: the CRD's JSON schema
    group, version = route["apiVersion"].split("/")
    schema_errors = list(crd_index().validator(group, version, "HTTPRoute").iter_errors(route))
    assert not schema_errors, "expected the JSON schema alone to accept this (CEL-only rule)"

    r = dry_run(apiserver, rel, route)
    assert r.status == 422 and message in r.message, (
        f"expected the CEL rule `{rule}` to reject {rel}; got HTTP {r.status}: {r.message}")


@pytest.mark.parametrize("kind", ["Deployment", "ExternalSecret"])
def test_planted_unknown_field_is_rejected(apiserver, plant_env, kind):
    rel, obj = first(plant_env, kind)
    assert dry_run(apiserver, rel, obj).ok, f"the unplanted {kind} must be accepted"
    if kind == "Deployment":
        obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always"  # typo
        field = "imagePullPolcy"
    else:
        obj["spec"]["refreshIntervall"] = "1h"  # typo
        field = "refreshIntervall"
    r = dry_run(apiserver, rel, obj)
    assert not r.ok and field in r.message, f"expected {field} refused; got HTTP {r.status}: {r.message}"


def restricted_namespaces(objs) -> dict[str, dict]:
    return {o["metadata"]["name"]: o["metadata"].get("labels", {}) for _, o in objs
            if o.get("kind") == "Namespace"
            and o["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted"}


def test_planted_privileged_template_warns(apiserver, plant_env):
    """A Deployment whose pod template `restricted` refuses: admission warns (it rejects only pods)."""
    restricted = restricted_namespaces(plant_env)
    rel, dep = first(plant_env, "Deployment", lambda o: o["metadata"]["namespace"] in restricted)
    clean = dry_run(apiserver, rel, dep)
    assert clean.ok and not clean.warnings, f"the unplanted {rel} must pass: {clean.message} {clean.warnings}"
    # Valid for the API (unlike privileged next to allowPrivilegeEscalation=false), refused by restricted.
    dep["spec"]["template"]["spec"]["containers"][0].setdefault("securityContext", {})[
        "allowPrivilegeEscalation"] = True
    r = dry_run(apiserver, rel, dep)
    assert r.ok, r.message
    assert any('would violate PodSecurity "restricted:' in w and "allowPrivilegeEscalation" in w
               for w in r.warnings), (
        f"expected a Pod Security warning for {rel}; got {r.warnings}")


def test_planted_privileged_pod_is_rejected(apiserver, plant_env):
    """The same pod as a bare Pod is refused outright by `restricted` enforcement. It runs in a
    namespace of its own with the rendered namespace's labels (a Pod needs its ServiceAccount to
    exist for real, and the environments' namespaces stay free of stored objects)."""
    restricted = restricted_namespaces(plant_env)
    rel, dep = first(plant_env, "Deployment", lambda o: o["metadata"]["namespace"] in restricted)
    ns = "envtest-planted"
    labels = {k: v for k, v in restricted[dep["metadata"]["namespace"]].items() if k.startswith("pod-security.")}
    r = apiserver.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}},
                        manager=MANAGER)
    assert r.ok, r.message
    spec = copy.deepcopy(dep["spec"]["template"]["spec"])
    spec.pop("priorityClassName", None)  # Priority admission wants the class stored; it is dry-run only
    sa = spec.get("serviceAccountName") or "default"
    r = apiserver.apply({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "namespace": ns}},
                        manager=MANAGER)
    assert r.ok, r.message
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "planted", "namespace": ns}, "spec": spec}
    clean = apiserver.apply(pod, manager=MANAGER, dry_run=True)
    assert clean.ok and not clean.warnings, f"the unplanted pod must pass: {clean.message} {clean.warnings}"
    spec["containers"][0].setdefault("securityContext", {})["allowPrivilegeEscalation"] = True
    r = apiserver.apply(pod, manager=MANAGER, dry_run=True)
    assert r.status == 403 and 'violates PodSecurity "restricted:' in r.message, (
        f"expected restricted to refuse the pod; got HTTP {r.status}: {r.message}")


def test_warning_header_parsing():
    from kube_envtest import parse_warnings
    assert parse_warnings(['299 - "would violate PodSecurity \\"restricted:v1.27\\": privileged"']) == [
        'would violate PodSecurity "restricted:v1.27": privileged']


def test_binaries_are_found_by_the_envtest_convention(monkeypatch, tmp_path):
    for name in ("kube-apiserver", "etcd"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(tmp_path))
    found, why = find_binaries(REPO)
    assert found and found.kube_apiserver == tmp_path / "kube-apiserver" and found.etcd == tmp_path / "etcd", why
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(tmp_path / "nowhere"))
    found, why = find_binaries(REPO)
    assert found is None and "nowhere" in why


# --- our own APIs (lib/catalog/apis/): their CEL rules, judged by the server ---------------------

GOOD_OWN = {
    "Book": {"apiVersion": "bdk.voyager.io/v1alpha1", "kind": "Book",
             "metadata": {"name": "idp", "namespace": "customer-acme"},
             "spec": {"implementation": "idp", "image": {"repository": "voyager/idp-book", "tag": "1.4.0"},
                      "replicas": 2}},
    "Model": {"apiVersion": "llm.voyager.io/v1alpha1", "kind": "Model",
              "metadata": {"name": "claude", "namespace": "llm"},
              "spec": {"provider": "anthropic", "modelId": "claude-sonnet",
                       "parameters": {"maxOutputTokens": 4096, "temperature": 0.2}}},
    "Prompt": {"apiVersion": "llm.voyager.io/v1alpha1", "kind": "Prompt",
               "metadata": {"name": "summarise", "namespace": "llm"},
               "spec": {"modelRef": {"name": "claude"}, "template": "Summarise {{document}} for {{audience}}.",
                        "variables": [{"name": "document"}, {"name": "audience", "required": False}]}},
}


def _break_book(o):
    o["spec"]["image"]["tag"] = "latest"


def _break_model(o):
    o["spec"]["serving"] = {"image": {"repository": "voyager/vllm", "tag": "0.6.0"}, "gpus": 1}


def _break_prompt(o):
    o["spec"]["variables"].append({"name": "tone"})  # declared, never used in the template


@pytest.mark.parametrize("kind, defect, message", [
    ("Book", _break_book, "pin a release tag; latest is refused"),
    ("Model", _break_model, "serving is required for self-hosted models and only for them"),
    ("Prompt", _break_prompt, "every variable must appear in the template as {{name}}"),
])
def test_own_crd_cel_rules_are_enforced_by_the_server(apiserver, plant_env, kind, defect, message):
    good = copy.deepcopy(GOOD_OWN[kind])
    rel = f"{good['metadata']['namespace']}/{kind.lower()}-{good['metadata']['name']}.yaml"
    r = dry_run(apiserver, rel, good)
    assert isinstance(r, Response) and r.ok, f"the valid {kind} must be accepted: {r}"
    bad = copy.deepcopy(good)
    defect(bad)
    r = dry_run(apiserver, rel, bad)
    assert isinstance(r, Response) and r.status == 422 and message in r.message, (
        f"expected the {kind} CRD's CEL rule to refuse it; got {r}")
