"""What makes the render fast (issue #11) keeps it exactly what it was.

- Kinds come from lib/k8s/gvks.py instead of importing cdk8s-plus-27 and the
  bindings under imports/: the table is what scripts/import_crds.py
  generates, agrees with every class it stands for, and a render imports none.
- Objects reach cdk8s in batches (lib/k8s/objects.py): every object is still
  an ApiObject in its chart, patterns are constructs under their scope, and
  what is written is what cdk8s's own Chart.toJson returns, by the batched
  path and by jsii's one-call-at-a-time path alike.
- The docs of a render come from the objects in memory: the same as reading
  the files back, which is how any other tree is read.

Behaviour only: nothing here measures or asserts a time (scripts/benchmark.py
does the measuring). Anything that talks to jsii runs in a child process, so
this test process never starts a Node of its own.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import ENVS, REPO

from lib.docs import render_docs
from lib.docs.load import read_tree, tree_from_objects, wanted
from lib.k8s import api
from lib.k8s.gvks import GVKS
from lib.platform.labels import PART_OF
from lib.validate.model import CLUSTER_SCOPED

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def python(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter at the repository root (as main.py
    runs); its stdout, failing the test with stderr otherwise."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                          capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def import_crds():
    spec = importlib.util.spec_from_file_location("import_crds", REPO / "scripts" / "import_crds.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_crds", module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


# The objects of staging as cdk8s renders them, built in a child process:
# ``fast`` through synth(), ``cdk8s`` through every chart's own Chart.toJson,
# ``tree``: how many ApiObjects the construct tree holds.
BUILD = """
    import json, sys
    from lib.render import checked_catalog
    from lib.config.loader import load_environment
    from lib.platform.environment import Plan, build
    from lib.k8s import objects
    {setup}
    loaded = load_environment("staging", inventory=checked_catalog())
    charts = build(Plan.of(loaded))
    fast = list(objects.synth(charts))
    from cdk8s import ApiObject, App
    app = charts[0].node.scope
    cdk8s = [o for chart in charts for o in chart.to_json()]
    tree = sum(isinstance(c, ApiObject) for c in app.node.find_all())
    json.dump({{"fast": fast, "cdk8s": cdk8s, "tree": tree}}, sys.stdout)
"""


def canonical(objects: list[dict]) -> list[str]:
    return sorted(json.dumps(o, sort_keys=False) for o in objects)


@pytest.fixture(scope="module")
def staging_both_ways() -> tuple[dict, dict]:
    batched = json.loads(python(BUILD.format(setup="assert objects.Bridge.get() is not None")))
    one_by_one = json.loads(python(BUILD.format(setup="objects.Bridge._instance = None")))
    return batched, one_by_one


# --- kinds -------------------------------------------------------------------------------------

def test_gvk_table_is_what_import_crds_generates():
    script = import_crds()
    specs = script.read_import_specs(script.CONFIG)
    fresh = script.gvk_table({**script.core_gvks(), **script.import_gvks(script.IMPORTS_DIR, specs)})
    assert (REPO / "lib" / "k8s" / "gvks.py").read_text(encoding="utf-8") == fresh, \
        "lib/k8s/gvks.py is stale: run .venv/bin/python scripts/import_crds.py --gvks"


def test_every_kind_is_in_the_table():
    missing = {kind: cls for kind, (cls, _) in api.classes().items() if cls not in GVKS}
    assert not missing, f"not in lib/k8s/gvks.py (run scripts/import_crds.py): {missing}"


def test_gvk_table_agrees_with_the_imported_classes():
    """Import cdk8s-plus-27 and every binding (what a render no longer does)
    and compare each class's own GVK with the table."""
    out = python("""
        import json
        from lib.k8s import api
        print(json.dumps({kind: api.imported_gvk(*cls.rsplit(".", 1))
                          for kind, (cls, _) in api.classes().items()}))
    """)
    imported = {kind: tuple(gvk) for kind, gvk in json.loads(out).items()}
    for kind, (cls, namespaced) in api.classes().items():
        assert GVKS[cls] == imported[kind], cls
        ours = api.core(kind) if cls.startswith("cdk8s_plus_27.") else api.crd(kind)
        assert (ours.api_version, ours.kind, ours.namespaced) == (*imported[kind], namespaced)
        assert ours.kind == kind


def test_every_kind_is_scoped_as_kubernetes_or_its_crd_says():
    script = import_crds()
    crd_of = {spec.name: spec.path for spec in script.read_import_specs(script.CONFIG)}
    for kind, (cls, namespaced) in api.classes().items():
        if cls.startswith("imports."):
            docs = yaml.load_all(crd_of[cls.split(".")[1]].read_text(), Loader=Loader)
            crd = next(d for d in docs if d and d.get("kind") == "CustomResourceDefinition")
            assert crd["spec"]["names"]["kind"] == kind
            assert namespaced == (crd["spec"]["scope"] == "Namespaced"), kind
        else:
            assert namespaced == (kind not in CLUSTER_SCOPED), kind


def test_a_render_imports_no_generated_binding(tmp_path):
    out = python(f"""
        import sys
        from lib.render import checked_catalog, _build_shard
        from lib.config.loader import load_environment
        loaded = load_environment("production", inventory=checked_catalog())
        _build_shard(loaded, 0, 1, {str(tmp_path)!r})
        print(sorted(m for m in sys.modules if m.startswith(("imports", "cdk8s_plus_27"))))
    """)
    assert out.strip() == "[]"


# --- objects through cdk8s -----------------------------------------------------------------------

def test_synth_is_what_cdk8s_renders_for_every_chart(staging_both_ways):
    batched, _ = staging_both_ways
    assert batched["fast"] and canonical(batched["fast"]) == canonical(batched["cdk8s"])
    # every object is an ApiObject in the tree, none twice
    assert batched["tree"] == len(batched["fast"])


def test_batched_and_one_by_one_calls_render_the_same(staging_both_ways):
    batched, one_by_one = staging_both_ways
    assert canonical(batched["fast"]) == canonical(one_by_one["fast"])
    assert canonical(one_by_one["fast"]) == canonical(one_by_one["cdk8s"])
    assert one_by_one["tree"] == batched["tree"]


def test_after_build_the_app_is_an_ordinary_cdk8s_app():
    """cdk8s's own synthesis of the app build() returns holds every object."""
    out = python("""
        import json, yaml
        from lib.render import checked_catalog
        from lib.config.loader import load_environment
        from lib.platform.environment import Plan, build
        from lib.k8s.objects import synth
        charts = build(Plan.of(load_environment("staging", inventory=checked_catalog())))
        app = charts[0].node.scope
        theirs = [d for d in yaml.safe_load_all(app.synth_yaml()) if d]
        print(json.dumps({"charts": len(app.charts), "built": len(charts), "theirs": theirs,
                          "ours": list(synth(charts))}))
    """)
    result = json.loads(out)
    assert result["charts"] == result["built"]
    assert canonical(result["theirs"]) == canonical(result["ours"]) and result["ours"]


def test_charts_join_the_tree_in_one_call_with_their_props():
    """Charts, like patterns, are created in cdk8s at synth: under the app, in
    construction order, with their namespace and labels, and the tree hands
    back the Python object that was built."""
    out = python("""
        import json
        from lib.render import checked_catalog
        from lib.config.loader import load_environment
        from lib.platform.environment import Plan, build
        from lib.k8s import objects
        from lib.k8s.objects import ObjectChart, synth
        from lib.platform import environment
        seen = []  # the charts still placeholders when build() materializes them
        def materialize():
            seen.extend(c for c, *_ in objects._GROUPS if isinstance(c, ObjectChart))
            objects.materialize()
        environment.materialize = materialize
        charts = build(Plan.of(load_environment("staging", inventory=checked_catalog())))
        pending = sum(1 for c in charts if c in seen)
        list(synth(charts))
        app = charts[0].node.scope
        children = [c for c in app.node.children if isinstance(c, ObjectChart)]
        print(json.dumps({
            "charts": len(charts), "pending": pending,
            "same": all(a is b for a, b in zip(children, charts)) and len(children) == len(charts),
            "ids": all(c.node.id == c.voyager_id for c in charts),
            "namespaces": all(c.namespace == c.voyager_namespace for c in charts),
            "labels": sorted({json.dumps(c.labels, sort_keys=True) for c in charts}),
            "names": sorted({c.to_json()[0]["metadata"].get("namespace", "") == (c.namespace or "")
                             for c in charts if c.to_json()}),
        }))
    """)
    result = json.loads(out)
    assert result["charts"] > 1 and result["pending"] == result["charts"], result
    assert result["same"] and result["ids"] and result["namespaces"], result
    assert result["labels"] == [json.dumps(PART_OF, sort_keys=True)], result
    assert result["names"] == [True], result


def test_the_bridge_is_packed_reproducibly_and_declares_what_bridge_js_defines():
    import re
    import tarfile
    from io import BytesIO

    from lib.k8s import bridge

    packed = bridge.tarball()
    assert packed == bridge.tarball()  # the kernel caches extractions by digest
    with tarfile.open(fileobj=BytesIO(packed)) as tar:
        names = tar.getnames()
        source = tar.extractfile("package/index.js").read()
        manifest = json.loads(tar.extractfile("package/.jsii").read())
    assert sorted(names) == ["package/.jsii", "package/index.js", "package/package.json"]
    assert source == bridge.SOURCE.read_bytes()
    defined = dict(re.findall(r"^  static (\w+)\(([^)]*)\)", source.decode(), re.M))
    declared = {m["name"]: m for m in manifest["types"]["voyager-bridge.Bridge"]["methods"]}
    assert set(defined) == set(declared)
    for name, params in defined.items():
        assert declared[name]["static"] is True
        assert [p["name"] for p in declared[name]["parameters"]] == \
            [p.strip() for p in params.split(",") if p.strip()], name


def test_patterns_are_constructs_under_their_scope():
    """A pattern joins the tree when the objects do: same paths as if created
    at once, and the tree hands back the Python object that was built."""
    out = python("""
        import json
        from lib.render import checked_catalog
        from lib.config.loader import load_environment
        from lib.platform.environment import Plan, build
        from lib.k8s import objects
        from lib.k8s.objects import Group, synth
        built = []
        init = Group.__init__
        def record(self, scope, id):
            init(self, scope, id)
            built.append((self, scope, id))
        Group.__init__ = record
        from lib.platform import environment
        pending = []  # groups still placeholders when build() materializes them
        def materialize():
            pending.append(sum(1 for g, _, _ in built if getattr(g, "voyager_pending", False)))
            objects.materialize()
        environment.materialize = materialize
        charts = build(Plan.of(load_environment("staging", inventory=checked_catalog())))
        pending = pending[0]
        list(synth(charts))
        ok = all(g.node.scope is s and g.node.id == i for g, s, i in built)
        nested = sum(1 for _, s, _ in built if isinstance(s, Group))
        print(json.dumps({"groups": len(built), "pending": pending, "ok": ok, "nested": nested,
                          "left": sum(1 for g, _, _ in built if g.voyager_pending)}))
    """)
    result = json.loads(out)
    assert result["groups"] > 0 and result["pending"] == result["groups"], result  # deferred
    assert result["nested"] > 0, result  # patterns inside patterns too
    assert result["ok"] and result["left"] == 0, result


BAD = """
    from cdk8s import App
    from lib.errors import VoyagerError
    from lib.k8s.api import Kind, core
    from lib.k8s.objects import ObjectChart, emit, synth
    app = App()
    chart = ObjectChart(app, "c", namespace="ns")
    try:
        {emit}
        list(synth([ObjectChart(app, "first"), chart]))
    except VoyagerError as exc:
        print(exc)
    # jsii still answers in order afterwards
    other = ObjectChart(app, "after", namespace="ns")
    emit(other, core("ConfigMap"), {{"name": "fine"}}, data={{"a": "b"}})
    other.flush()
    assert list(synth([ObjectChart(app, "first-again"), other]))[0]["data"] == {{"a": "b"}}
    print("still usable")
"""


def test_owner_references_render_the_same_on_both_paths():
    """None stands for absent (as in jsii); owner references cross as cdk8s's
    structs on jsii's Python API and as JSON through the bridge."""
    code = """
        import json
        from cdk8s import App
        from lib.k8s import objects
        from lib.k8s.api import core
        from lib.k8s.objects import ObjectChart, emit, synth
        {setup}
        app = App()
        chart = ObjectChart(app, "c", namespace="ns")
        emit(chart, core("ConfigMap"), {{"name": "x", "labels": None, "ownerReferences": [
            {{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "1234",
              "controller": True}}]}}, data={{"a": "b"}})
        chart.flush()
        print(json.dumps(list(synth([ObjectChart(app, "first"), chart]))))
    """
    bridged = json.loads(python(code.format(setup="assert objects.Bridge.get() is not None")))
    one_by_one = json.loads(python(code.format(setup="objects.Bridge._instance = None")))
    assert bridged == one_by_one
    assert bridged[0]["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "controller": True, "kind": "ConfigMap", "name": "owner", "uid": "1234"}]


@pytest.mark.parametrize("emitted, message", [
    ('emit(chart, core("ConfigMap"), {"name": "x", "generateName": "x-"}); chart.flush()',
     "metadata.generateName is not a metadata field cdk8s keeps"),
    ('emit(chart, core("ConfigMap"), {"name": "x"}, data={"$jsii.map": {"a": "b"}}); chart.flush()',
     "starts with '$jsii.'"),
    ('emit(chart, Kind("a/b/c", "Thing"), {"name": "x"}, spec={}); chart.flush()',
     "cdk8s refused Thing 'x' in chart c: invalid apiVersion a/b/c"),
    # What jsii checked when metadata crossed as a struct (the bridge passes JSON):
    ('emit(chart, core("ConfigMap"), {"name": "x", "labels": {"n": 1}}); chart.flush()',
     "ConfigMap 'x': metadata.labels['n'] must be a string, not int"),
    ('emit(chart, core("ConfigMap"), {"name": "x", "annotations": {"k": None}}); chart.flush()',
     "ConfigMap 'x': metadata.annotations['k'] must be a string, not NoneType"),
    ('emit(chart, core("ConfigMap"), {"name": 5}); chart.flush()',
     "ConfigMap in chart c: metadata.name is required (a string), not 5"),
    ('emit(chart, core("ConfigMap"), {"name": "x", "labels": {1: "a"}}); chart.flush()',
     "ConfigMap 'x': metadata.labels has a key that is not a string: 1"),
    ('emit(chart, core("ConfigMap"), {"name": "x", "ownerReferences": [{"kind": "K", "name": "n"}]}); '
     'chart.flush()',
     "ConfigMap 'x': metadata.ownerReferences[0].apiVersion is required (a string)"),
])
def test_a_bad_object_is_named_and_jsii_stays_usable(emitted, message):
    out = python(BAD.format(emit=emitted))
    assert message in out
    assert out.strip().endswith("still usable")


# --- docs ----------------------------------------------------------------------------------------

def _written(env_root: Path) -> list[tuple[str, dict]]:
    """(``<dir>/<file>``, object) of every object file the docs read, as a render has them."""
    return [(f"{path.parent.name}/{path.name}", yaml.load(path.read_bytes(), Loader=Loader))
            for path in sorted(env_root.glob("*/*.yaml"))
            if path.parent.name != "docs" and wanted(path.name)]


@pytest.mark.parametrize("env", ENVS)
def test_docs_from_memory_are_the_docs_from_files(rendered, env):
    env_root = rendered / env
    objects = _written(env_root)
    from_memory = render_docs(env_root, list(reversed(objects)))  # order must not matter
    assert from_memory == render_docs(env_root)
    assert from_memory == {name: (env_root / "docs" / name).read_text(encoding="utf-8")
                           for name in from_memory}


@pytest.mark.parametrize("env", ENVS)
def test_tree_from_objects_is_read_tree(rendered, env):
    env_root = rendered / env
    ours = tree_from_objects(env_root, _written(env_root))
    theirs = read_tree(env_root)
    assert [(o.file, o.data) for o in ours.objects] == [(o.file, o.data) for o in theirs.objects]


# --- the benchmark's breakdown -------------------------------------------------------------------

def test_render_reports_its_phases(tmp_path):
    timings = tmp_path / "timings.json"
    proc = subprocess.run([sys.executable, "main.py", "--env", "staging", "--outdir", str(tmp_path / "dist")],
                          cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "VOYAGER_TIMINGS": str(timings)})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(timings.read_text())
    assert {"load", "workers", "docs", "total", "shards"} <= set(report)
    assert report["shards"] and all({"import", "build", "bridge", "write", "objects"} <= set(s)
                                    for s in report["shards"])
    assert sum(s["objects"] for s in report["shards"]) == sum(
        1 for p in (tmp_path / "dist" / "staging").rglob("*.yaml")
        if p.name != "kustomization.yaml" and p.parent.name != "docs")
