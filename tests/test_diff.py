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
    assert [(f.path, f.old, f.new) for f in field_changes({"a": [1]}, {"a": [1, 2]})] == [("a[1]", ABSENT, 2)]
    assert field_changes({"a": 1}, {"a": 1.5})[0].new == 1.5
    assert field_changes({"a": True}, {"a": True}) == []


# --- lists whose items carry no name: item by item, never cut into the same text -------------

RULE = {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                  "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}],
        "ports": [{"protocol": "TCP", "port": 9090}]}


def _rule(namespace: str, port: int) -> dict:
    return {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
                      "podSelector": {"matchLabels": {"app": "a-long-enough-name-to-need-cutting"}}}],
            "ports": [{"protocol": "TCP", "port": port}]}


def test_an_added_rule_is_one_added_item():
    old = {"spec": {"ingress": [_rule("a", 1), _rule("b", 2), _rule("c", 3)]}}
    new = {"spec": {"ingress": [_rule("a", 1), _rule("new", 4), _rule("b", 2), _rule("c", 3)]}}
    changes = [(f.path, f.old, f.new) for f in field_changes(old, new)]
    assert changes == [("spec.ingress[1]", ABSENT, _rule("new", 4))]


def test_a_changed_rule_shows_the_changed_field_with_its_index():
    old = {"spec": {"ingress": [_rule("a", 1), _rule("b", 2)]}}
    new = {"spec": {"ingress": [_rule("a", 1), _rule("b", 20)]}}
    changes = [(f.path, f.old, f.new) for f in field_changes(old, new)]
    assert changes == [("spec.ingress[1].ports[0].port", 2, 20)]


def test_a_removed_and_an_added_scalar_are_listed_apart():
    old = {"includedNamespaces": ["grimoire", "jeeves", "journal", "threads"]}
    new = {"includedNamespaces": ["grimoire", "journal", "threads", "user"]}
    changes = [(f.path, f.old, f.new) for f in field_changes(old, new)]
    assert changes == [("includedNamespaces[1]", "jeeves", ABSENT), ("includedNamespaces[3]", ABSENT, "user")]


def test_items_with_a_unique_key_are_matched_by_it():
    server = "https://kubernetes.default.svc"
    old = {"destinations": [{"server": server, "namespace": n} for n in ("jarvis", "jeeves", "journal")]}
    new = {"destinations": [{"server": server, "namespace": n} for n in ("jarvis", "journal", "llm")]}
    changes = [(f.path, f.old, f.new) for f in field_changes(old, new)]
    assert changes == [("destinations[namespace=jeeves]", {"server": server, "namespace": "jeeves"}, ABSENT),
                       ("destinations[namespace=llm]", ABSENT, {"server": server, "namespace": "llm"})]


def test_long_values_are_cut_around_their_difference():
    old, new = "x" * 400 + "old", "x" * 400 + "new"
    line = field_changes({"data": {"k": old}}, {"data": {"k": new}})[0].line()
    shown_old, shown_new = line.split(": ", 1)[1].split(" → ")
    assert shown_old != shown_new
    assert shown_old.endswith('old"') and shown_new.endswith('new"') and shown_old.startswith("…")
    assert len(shown_old) < 200


def test_cli_diff_lists_rule_and_namespace_changes_item_by_item(rendered, tmp_path):
    """What a user reviews: Velero's namespace list, an AppProject's destinations and a
    NetworkPolicy's rules changed in the committed tree; each change is its own line."""
    committed = shutil.copytree(rendered, tmp_path / "dist")
    env = committed / "staging"

    def rewrite(path, change):
        obj = yaml.safe_load(path.read_text())
        change(obj)
        path.write_text(yaml.safe_dump(obj, sort_keys=False))
        return obj

    def drop_namespace(obj):
        namespaces = obj["spec"]["template"]["includedNamespaces"]
        assert namespaces
        index = len(namespaces) // 2
        dropped.append((index, namespaces.pop(index)))

    dropped: list[tuple[int, str]] = []
    rewrite(next((env / "velero").glob("schedule-*.yaml")), drop_namespace)
    project = rewrite(env / "argocd" / "appproject-voyager-staging.yaml",
                      lambda o: o["spec"]["destinations"].pop(1))
    policy_file = next((env / "jeeves").glob("networkpolicy-jeeves-run-manager-ingress.yaml"))
    policy = yaml.safe_load(policy_file.read_text())
    assert len(policy["spec"]["ingress"]) > 1
    rewrite(policy_file, lambda o: o["spec"]["ingress"].pop(0))

    proc = run_main("diff", "--env", "staging", "--dir", committed)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert out[-1] == "0 added, 0 removed, 3 changed"
    (index, namespace), = dropped
    assert f'    spec.template.includedNamespaces[{index}]: (absent) → "{namespace}"' in out, out
    removed = next(d for d in yaml.safe_load((rendered / "staging" / "argocd" / "appproject-voyager-staging.yaml")
                                             .read_text())["spec"]["destinations"]
                   if d not in project["spec"]["destinations"])
    assert any(line.startswith(f"    spec.destinations[namespace={removed['namespace']}]: (absent) → ")
               for line in out), out
    rule_lines = [line for line in out if line.startswith("    spec.ingress[")]
    assert rule_lines and rule_lines[0].startswith("    spec.ingress[0]: (absent) → "), out
    for line in out:
        if " → " in line:
            old, new = line.split(": ", 1)[1].split(" → ", 1)
            assert old != new, line


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
