"""lib.diff and ``python main.py diff``: what a merge would change, per object."""
from __future__ import annotations

import shutil

import yaml

from conftest import run_main
from lib.diff import ABSENT, EnvDiff, diff_objects, field_changes, format_diff, summary


def _obj(kind, name, ns="shop", **body):
    meta = {"name": name, "namespace": ns} if ns else {"name": name}
    return {"apiVersion": "v1", "kind": kind, "metadata": meta, **body}


def _keyed(*objs):
    from lib.diff import object_key
    return {object_key(o): (o, f"{o['kind'].lower()}-{o['metadata']['name']}.yaml") for o in objs}


def test_added_removed_changed():
    old = _keyed(_obj("ConfigMap", "a", data={"x": "1"}), _obj("ConfigMap", "gone"), _obj("Namespace", "shop", ns=None))
    new = _keyed(_obj("ConfigMap", "a", data={"x": "2", "y": "3"}), _obj("ConfigMap", "new"),
                 _obj("Namespace", "shop", ns=None))
    changes = {c.key: c for c in diff_objects(old, new)}
    assert changes["ConfigMap/shop/new"].status == "added"
    assert changes["ConfigMap/shop/gone"].status == "removed"
    assert "Namespace/shop" not in changes
    fields = [(f.path, f.old, f.new) for f in changes["ConfigMap/shop/a"].fields]
    assert fields == [("data.x", "1", "2"), ("data.y", ABSENT, "3")]
    diff = EnvDiff("staging", list(changes.values()))
    assert summary([diff]) == "1 added, 1 removed, 1 changed"
    lines = format_diff([diff])
    assert "staging: ~ ConfigMap/shop/a" in lines
    assert '    data.y: (absent) → "3"' in lines
    assert "staging: + ConfigMap/shop/new  (added)" in lines


def test_named_lists_match_by_name():
    old = {"containers": [{"name": "app", "image": "a:1"}, {"name": "proxy", "image": "p:1"}]}
    new = {"containers": [{"name": "init", "image": "i:1"}, {"name": "app", "image": "a:2"},
                          {"name": "proxy", "image": "p:1"}]}
    changes = {f.path: (f.old, f.new) for f in field_changes(old, new)}
    assert changes == {"containers[name=app].image": ("a:1", "a:2"),
                       "containers[name=init]": (ABSENT, {"name": "init", "image": "i:1"})}


def test_label_keys_and_positional_lists():
    old = {"metadata": {"labels": {"app.kubernetes.io/name": "a"}}, "args": ["--x", "1"]}
    new = {"metadata": {"labels": {"app.kubernetes.io/name": "b"}}, "args": ["--x", "2"]}
    paths = [f.path for f in field_changes(old, new)]
    assert paths == ["metadata.labels[app.kubernetes.io/name]", "args[1]"]
    assert field_changes({"a": [1]}, {"a": [1, 2]})[0].path == "a"
    assert field_changes({"a": 1}, {"a": 1.5})[0].new == 1.5
    assert field_changes({"a": True}, {"a": True}) == []


def test_cli_diff(rendered, tmp_path):
    committed = shutil.copytree(rendered, tmp_path / "dist")
    same = run_main("diff", "--env", "staging", "--dir", committed)
    assert same.returncode == 0, same.stdout + same.stderr
    assert same.stdout.splitlines()[-1] == "0 added, 0 removed, 0 changed"

    jeeves = committed / "staging" / "jeeves"
    deployment = jeeves / "deployment-jeeves-run-manager.yaml"
    obj = yaml.safe_load(deployment.read_text())
    image = obj["spec"]["template"]["spec"]["containers"][0]["image"]
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "voyager/jeeves:0.0.1"
    deployment.write_text(yaml.safe_dump(obj))
    (jeeves / "serviceaccount-jeeves-service-account.yaml").unlink()
    (jeeves / "configmap-leftover.yaml").write_text(yaml.safe_dump(_obj("ConfigMap", "leftover", ns="jeeves")))

    changed = run_main("diff", "--env", "staging", "--dir", committed)
    assert changed.returncode == 1, changed.stdout + changed.stderr
    out = changed.stdout.splitlines()
    assert out[-1] == "1 added, 1 removed, 1 changed"
    assert "staging: + ServiceAccount/jeeves/jeeves-service-account  (added)" in out
    assert "staging: - ConfigMap/jeeves/leftover  (removed)" in out
    assert "staging: ~ Deployment/jeeves/jeeves-run-manager" in out
    name = obj["spec"]["template"]["spec"]["containers"][0]["name"]
    assert f'    spec.template.spec.containers[name={name}].image: "voyager/jeeves:0.0.1" → "{image}"' in out


def test_cli_help_mentions_exit_status():
    proc = run_main("diff", "--help")
    assert proc.returncode == 0
    assert "0 no change, 1 changes" in " ".join(proc.stdout.split())


def test_render_is_still_the_default(tmp_path):
    proc = run_main("--help")
    assert "--outdir" in proc.stdout and "validate" in proc.stdout
    explicit = run_main("render", "--env", "staging", "--outdir", tmp_path / "dist")
    assert explicit.returncode == 0, explicit.stderr
    assert (tmp_path / "dist" / "staging" / "kustomization.yaml").exists()
