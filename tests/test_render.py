"""The rendered tree: stable, checkable, replaced whole, and shaped as the spec says."""
from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from conftest import (
    CLUSTER_DIR, ENVS, KUSTOMIZATION, REPO, copy_tree, copy_values, load_objects, render_into,
    run_main, tree_bytes,
)
from lib.validate.model import DOCS_DIR  # noqa: E402
from lib.config.loader import load_environment

CDK8S = REPO / ".tools" / "node_modules" / ".bin" / "cdk8s"
RESTRICTED = ("enforce", "audit", "warn")
# cdk8s appends "-" + 8 hex characters of a path hash unless hashes are disabled.
HASH_SUFFIX = re.compile(r"-[0-9a-f]{8}$")


def namespaces_of(rendered: Path, env: str) -> list[str]:
    return sorted(p.name for p in (rendered / env).iterdir() if p.is_dir() and p.name not in (CLUSTER_DIR, DOCS_DIR))


def voyager_namespaces(objects, env: str) -> list[str]:
    """The namespaces Voyager renders (and so owns): a Namespace object in cluster/."""
    return sorted(o["metadata"]["name"] for rel, o in objects(env)
                  if o["kind"] == "Namespace" and rel.startswith(f"{CLUSTER_DIR}/"))


def by_kind(objects, kind: str) -> dict[str, dict]:
    """{relative path: object} of one kind."""
    return {rel: obj for rel, obj in objects if obj["kind"] == kind}


# --- the render as a process ----------------------------------------------------------------

def test_render_is_deterministic(rendered, tmp_path):
    # Two workers per environment: namespaces are sharded differently than in `rendered`.
    again = render_into(tmp_path / "again", "--jobs", str(2 * len(ENVS)))
    first, second = tree_bytes(rendered), tree_bytes(again)
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []


def test_check_passes_on_a_fresh_render(rendered):
    before = tree_bytes(rendered)
    proc = run_main("--outdir", rendered, "--check")
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout
    assert tree_bytes(rendered) == before


def test_check_lists_every_stale_file_and_changes_nothing(rendered, tmp_path):
    out = copy_tree(rendered, tmp_path / "dist")
    edited = "production/jeeves/resourcequota-compute-quota.yaml"
    removed = "staging/customer-acme/serviceaccount-book.yaml"
    added = "staging/jeeves/configmap-hand-written.yaml"
    (out / edited).write_text((out / edited).read_text().replace("'20'", "'21'"))
    (out / removed).unlink()
    (out / added).write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hand-written}\n")
    before = tree_bytes(out)

    proc = run_main("--outdir", out, "--check")

    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    listed = [line.strip() for line in proc.stderr.splitlines() if line.startswith("  ")]
    for path in (edited, removed, added):
        assert any(line.endswith(f" {path}") for line in listed), (path, proc.stderr)
    assert len(listed) == 3, proc.stderr
    assert tree_bytes(out) == before, "--check must not write"


def test_removed_customer_disappears(rendered, tmp_path):
    out = copy_tree(rendered, tmp_path / "dist")
    values = copy_values(tmp_path / "values")
    production = values / "production.yaml"
    data = yaml.safe_load(production.read_text())
    assert {"id": "hooli"} in data["customers"]
    data["customers"].remove({"id": "hooli"})
    production.write_text(yaml.safe_dump(data, sort_keys=False))

    render_into(out, "--env", "production", "--values", values)

    assert (rendered / "production" / "customer-hooli").is_dir()
    assert not (out / "production" / "customer-hooli").exists()
    assert not (out / "production" / CLUSTER_DIR / "namespace-customer-hooli.yaml").exists()
    assert "hooli" not in (out / "production" / KUSTOMIZATION).read_text()
    assert "hooli" not in (out / "production" / CLUSTER_DIR / KUSTOMIZATION).read_text()
    assert not list((out / "production").rglob("*hooli*"))
    assert (out / "production" / "customer-acme").is_dir()


def test_a_rerender_keeps_unchanged_files_and_replaces_changed_ones(rendered, tmp_path):
    """Unchanged files keep their inode (linked from the replaced tree: no
    inode to allocate, none freed); changed ones are new files; nothing in
    dist/ shares an inode once the old tree is gone."""
    out = copy_tree(rendered, tmp_path / "dist")
    values = copy_values(tmp_path / "values")
    staging = values / "staging.yaml"
    data = yaml.safe_load(staging.read_text())
    data["customers"].append({"id": "initech"})
    staging.write_text(yaml.safe_dump(data, sort_keys=False))
    quota = out / "staging" / "jeeves" / "resourcequota-compute-quota.yaml"
    namespaces = out / "staging" / CLUSTER_DIR / KUSTOMIZATION
    before = {p: p.stat().st_ino for p in (out / "staging").rglob("*.yaml")}

    render_into(out, "--env", "staging", "--values", values)

    after = {p: p.stat() for p in (out / "staging").rglob("*.yaml")}
    assert after[quota].st_ino == before[quota]  # unchanged: the same file
    assert after[namespaces].st_ino != before[namespaces]  # lists the new namespace now
    assert "customer-initech" in namespaces.read_text()
    assert (out / "staging" / "customer-initech").is_dir()
    kept = [p for p in before if p in after and after[p].st_ino == before[p]]
    assert len(kept) > 0.9 * len(before)
    # production was carried over by --env staging: linked too, same bytes
    assert tree_bytes(out / "production") == tree_bytes(rendered / "production")
    assert all(s.st_nlink == 1 for s in after.values())
    assert all(p.stat().st_nlink == 1 for p in (out / "production").rglob("*.yaml"))


def test_only_what_a_render_would_write_is_linked(rendered, tmp_path):
    """A file with another name, a symlink, a file under a symlinked directory,
    a file whose mode was changed: all written anew (or, in an environment
    carried over, copied), so dist/ never shares an inode with anything
    outside it and looks as if every file were written anew."""
    out = copy_tree(rendered, tmp_path / "dist")
    outside = tmp_path / "outside"
    outside.mkdir()
    jeeves = out / "staging" / "jeeves"
    shared = jeeves / "resourcequota-compute-quota.yaml"
    os.link(shared, outside / "shared.yaml")  # the same inode under a name outside dist/
    pointed = jeeves / "limitrange-container-defaults.yaml"
    shutil.copy(pointed, outside / "target.yaml")
    pointed.unlink()
    pointed.symlink_to(outside / "target.yaml")
    private = jeeves / "networkpolicy-default-deny-all.yaml"
    private.chmod(0o600)
    grouped = jeeves / "serviceaccount-jeeves-service-account.yaml"
    os.chown(grouped, -1, 4321)
    noted = jeeves / "kustomization.yaml"
    os.setxattr(noted, "user.note", b"hand-made")
    fifo = jeeves / "poddisruptionbudget-jeeves-run-manager-pdb.yaml"
    fifo.unlink()
    os.mkfifo(fifo)  # opened to compare, it must not block the render
    # a whole namespace directory that is a symlink to a copy outside
    books = out / "staging" / "books"
    shutil.move(books, outside / "books")
    books.symlink_to(outside / "books")
    # and in production, which `--env staging` carries over
    carried = out / "production" / "jeeves" / "resourcequota-compute-quota.yaml"
    os.link(carried, outside / "carried.yaml")
    carried_link = out / "production" / "jeeves" / "limitrange-container-defaults.yaml"
    shutil.copy(carried_link, outside / "carried-target.yaml")
    carried_link.unlink()
    carried_link.symlink_to(outside / "carried-target.yaml")

    render_into(out, "--env", "staging")

    assert tree_bytes(out) == tree_bytes(rendered)
    outside_inodes = {p.stat().st_ino for p in outside.rglob("*") if p.is_file()}
    for path in out.rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            assert path.stat().st_ino not in outside_inodes, path
            assert path.stat().st_nlink == 1, path
    assert stat.S_IMODE(private.stat().st_mode) == stat.S_IMODE(shared.stat().st_mode)
    assert grouped.stat().st_gid == os.getegid()
    assert os.listxattr(noted) == []
    assert stat.S_ISREG(fifo.stat().st_mode)


def test_check_leaves_every_file_as_it_was(rendered, tmp_path):
    """--check links nothing (a link changes a file's ctime, which git reads)."""
    out = copy_tree(rendered, tmp_path / "dist")
    before = {p: (p.stat().st_ino, p.stat().st_ctime_ns) for p in out.rglob("*") if p.is_file()}
    proc = run_main("--outdir", out, "--check")
    assert proc.returncode == 0, proc.stderr
    proc = run_main("--outdir", out, "--check", "--env", "staging")
    assert proc.returncode == 0, proc.stderr
    assert {p: (p.stat().st_ino, p.stat().st_ctime_ns) for p in out.rglob("*") if p.is_file()} == before


def test_failed_render_leaves_the_previous_tree(rendered, tmp_path):
    out = copy_tree(rendered, tmp_path / "dist")
    values = copy_values(tmp_path / "values")
    (values / "staging.yaml").write_text("extends: base\ncustomers: [{id: Acme_Corp}]\n")
    before = tree_bytes(out)

    proc = run_main("--values", values, "--outdir", out)

    assert proc.returncode == 2, proc.stderr
    assert tree_bytes(out) == before
    # Nothing beside it either (a lock file is how renders queue; it may be there).
    assert {p.name for p in tmp_path.iterdir()} - {".dist.lock"} == {"dist", "values"}


def test_full_render_drops_an_environment_that_no_longer_exists(rendered, tmp_path):
    out = copy_tree(rendered, tmp_path / "dist")
    (out / "qa" / CLUSTER_DIR).mkdir(parents=True)
    (out / "qa" / CLUSTER_DIR / "namespace-old.yaml").write_text("# from a deleted qa.yaml\n")
    render_into(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(ENVS)


def test_output_directory_has_ordinary_permissions(rendered):
    umask = os.umask(0)
    os.umask(umask)
    assert oct(rendered.stat().st_mode & 0o777) == oct(0o777 & ~umask)


def test_killed_render_leaves_the_old_tree(rendered, tmp_path):
    """SIGKILL while files are being written: dist/ is untouched (the swap is one rename)."""
    out = copy_tree(rendered, tmp_path / "dist")
    before = tree_bytes(out)
    values = copy_values(tmp_path / "values")
    production = values / "production.yaml"
    data = yaml.safe_load(production.read_text())
    data["customers"].append({"id": "newcomer"})
    production.write_text(yaml.safe_dump(data, sort_keys=False))
    proc = subprocess.Popen(
        [sys.executable, "main.py", "--values", str(values), "--outdir", str(out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(tmp_path.glob(".dist-new-*/*/*/*.yaml")):  # the new tree is being written
                break
            time.sleep(0.01)
        finished = proc.poll() is not None
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the render, its workers and their Node processes
        except ProcessLookupError:
            pass
        proc.wait(timeout=60)
    if finished:
        assert proc.returncode == 0, "the render failed instead of being killed"
        pytest.skip("the render finished before it could be killed mid-write")
    assert tree_bytes(out) == before
    # The next render clears what the killed one left beside dist/.
    render_into(out, "--env", "staging")
    assert not list(tmp_path.glob(".dist-new-*")) and not list(tmp_path.glob(".dist-old-*"))
    assert tree_bytes(out) == before


def test_rendering_one_env_leaves_the_others_untouched(rendered, tmp_path):
    out = copy_tree(rendered, tmp_path / "dist")
    others = [env for env in ENVS if env != "staging"]
    assert others
    for env in others:
        (out / env / CLUSTER_DIR / "hand-edit.yaml").write_text("# kept\n")
    (out / "README.md").write_text("# not ours\n")
    before = {env: tree_bytes(out / env) for env in others}

    render_into(out, "--env", "staging")

    assert {env: tree_bytes(out / env) for env in others} == before
    assert (out / "README.md").read_text() == "# not ours\n"
    assert tree_bytes(out / "staging") == tree_bytes(rendered / "staging")


@pytest.mark.skipif(not CDK8S.exists(), reason=f"cdk8s-cli is not installed at {CDK8S} (scripts/test installs it)")
def test_cdk8s_synth(tmp_path):
    """`cdk8s synth` runs the app from cdk8s.yaml; in a copy, since it empties its output dir."""
    if not (REPO / "cdk8s.yaml").exists():
        pytest.skip("cdk8s.yaml is not there yet")
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".venv-*", ".tools", "node_modules", "dist", ".dist*",
        "__pycache__", ".pytest_cache", ".hypothesis"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(CDK8S), "synth", "--no-check-upgrade"], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (copy / "dist" / "staging" / KUSTOMIZATION).is_file()
    assert (copy / "dist" / "production" / KUSTOMIZATION).is_file()


# --- the tree's layout ----------------------------------------------------------------------

def kustomize(root: Path) -> str | None:
    """``kubectl kustomize root``: None when it builds one object per file below root."""
    proc = subprocess.run(["kubectl", "kustomize", str(root)], capture_output=True, text=True)
    if proc.returncode != 0:
        return proc.stderr.strip()
    built = [d for d in yaml.safe_load_all(proc.stdout) if d]
    files = [p for p in root.rglob("*.yaml") if p.name != KUSTOMIZATION]
    return None if len(built) == len(files) else f"{len(built)} objects from {len(files)} files"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("env", ENVS)
def test_kubectl_kustomize_builds_every_directory(rendered, env):
    roots = sorted(p.parent for p in (rendered / env).rglob(KUSTOMIZATION))
    assert len(roots) > 1, "no kustomization.yaml rendered"
    with ThreadPoolExecutor(max_workers=4) as pool:  # kubectl is a process: threads suffice
        results = list(pool.map(kustomize, roots))
    failures = [f"{root.relative_to(rendered)}: {error}" for root, error in zip(roots, results) if error]
    assert failures == []


@pytest.mark.parametrize("env", ENVS)
def test_kustomizations_list_exactly_what_is_there(rendered, env):
    env_root = rendered / env
    top = yaml.safe_load((env_root / KUSTOMIZATION).read_text())
    dirs = sorted(p.name for p in env_root.iterdir() if p.is_dir() and p.name != DOCS_DIR)
    assert sorted(top["resources"]) == dirs
    assert top["resources"][0] == CLUSTER_DIR  # namespaces before what lives in them
    for directory in dirs:
        listed = yaml.safe_load((env_root / directory / KUSTOMIZATION).read_text())["resources"]
        present = sorted(p.name for p in (env_root / directory).iterdir() if p.name != KUSTOMIZATION)
        assert listed == present, directory


@pytest.mark.parametrize("env", ENVS)
def test_file_names_are_kind_and_name_without_hashes(objects, env):
    for rel, obj in objects(env):
        name = obj["metadata"]["name"]
        assert Path(rel).name == f"{obj['kind'].lower()}-{name}.yaml", rel
        assert not HASH_SUFFIX.search(name), f"{rel}: {name} looks like a cdk8s hash suffix"
        assert not HASH_SUFFIX.search(Path(rel).stem), rel


@pytest.mark.parametrize("env", ENVS)
def test_one_object_per_file(rendered, env):
    for path in (rendered / env).rglob("*.yaml"):
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
        assert len(documents) == 1, path


@pytest.mark.parametrize("env", ENVS)
def test_cluster_objects_have_no_namespace(objects, env):
    cluster = [(rel, obj) for rel, obj in objects(env) if rel.startswith(f"{CLUSTER_DIR}/")]
    assert cluster
    for rel, obj in cluster:
        assert "namespace" not in obj["metadata"], rel


@pytest.mark.parametrize("env", ENVS)
def test_namespaced_objects_live_in_their_namespace_dir(objects, env):
    for rel, obj in objects(env):
        directory = rel.split("/", 1)[0]
        if directory != CLUSTER_DIR:
            assert obj["metadata"].get("namespace") == directory, rel


@pytest.mark.parametrize("env", ENVS)
def test_every_rendered_namespace_has_a_directory(rendered, objects, env):
    """Directories without a Namespace object are add-ons' own (argocd, velero, ...)."""
    for ns in voyager_namespaces(objects, env):
        assert (rendered / env / ns / KUSTOMIZATION).is_file(), ns


@pytest.mark.parametrize("env", ENVS)
def test_no_construct_paths_anywhere(rendered, env):
    """Selectors are immutable: they use explicit labels, never cdk8s's construct address."""
    for path in (rendered / env).rglob("*.yaml"):
        assert "cdk8s.io/metadata.addr" not in path.read_text(), path


# --- every namespace's baseline -------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_namespace_labels(objects, env):
    namespaces = by_kind(objects(env), "Namespace")
    assert namespaces
    for rel, ns in namespaces.items():
        name, labels = ns["metadata"]["name"], ns["metadata"]["labels"]
        for mode in RESTRICTED:
            assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted", (rel, mode)
        assert labels["name"] == name, rel
        assert labels["kubernetes.io/metadata.name"] == name, rel


@pytest.mark.parametrize("env", ENVS)
def test_every_namespace_has_its_baseline(rendered, objects, env):
    model = load_environment(env).model
    for ns in voyager_namespaces(objects, env):
        here = [(rel, obj) for rel, obj in objects(env) if rel.startswith(f"{ns}/")]

        quotas = list(by_kind(here, "ResourceQuota").values())
        assert len(quotas) == 1, ns
        if ns.startswith("customer-"):
            customer = next(c for c in model.customers if f"customer-{c.id}" == ns)
            expected_name, quota = "customer-quota", customer.quota or model.quotas["customer"]
        else:
            override = model.namespaces.get(ns)
            quota = override.quota if override and override.quota else model.quotas["service"]
            expected_name = "compute-quota"
        assert quotas[0]["metadata"]["name"] == expected_name, ns
        assert quotas[0]["spec"]["hard"] == quota.hard(), ns

        limit_ranges = list(by_kind(here, "LimitRange").values())
        assert len(limit_ranges) == 1, ns
        (limits,) = limit_ranges[0]["spec"]["limits"]
        assert limits["type"] == "Container"
        assert limits["defaultRequest"] == model.limit_range.default_request.as_dict(), ns
        assert limits["default"] == model.limit_range.default_limit.as_dict(), ns

        policies = {o["metadata"]["name"]: o["spec"] for o in by_kind(here, "NetworkPolicy").values()}
        assert policies["default-deny-all"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, ns
        dns = policies["allow-dns"]
        assert dns["podSelector"] == {} and dns["policyTypes"] == ["Egress"], ns
        (rule,) = dns["egress"]
        assert rule["to"] == [{
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }], ns
        assert sorted((p["protocol"], p["port"]) for p in rule["ports"]) == [("TCP", 53), ("UDP", 53)], ns


SPEC_COMPUTE_QUOTA = {
    "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi",
    "persistentvolumeclaims": "10", "requests.storage": "100Gi", "pods": "20", "services": "10",
    "secrets": "20", "configmaps": "20",
}
SPEC_CUSTOMER_QUOTA = {
    "requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "8Gi",
    "persistentvolumeclaims": "5", "requests.storage": "50Gi", "pods": "10", "services": "5",
}


def test_base_values_carry_the_spec_quotas():
    quotas = yaml.safe_load((REPO / "lib" / "values" / "base.yaml").read_text())["quotas"]
    for name, spec in (("service", SPEC_COMPUTE_QUOTA), ("customer", SPEC_CUSTOMER_QUOTA)):
        values = {key.replace("_", ".", 1) if key.startswith(("requests_", "limits_")) else key: str(v)
                  for key, v in quotas[name].items()}
        assert {k: values[k] for k in spec} == spec, name


@pytest.mark.parametrize("env", ENVS)
def test_quota_numbers_are_the_specs(rendered, env):
    """The spec's numbers, literally, where the values do not override them."""
    model = load_environment(env).model
    plain = [ns for ns in namespaces_of(rendered, env)
             if (rendered / env / ns / "resourcequota-compute-quota.yaml").exists()
             and not (model.namespaces.get(ns) and model.namespaces[ns].quota)]
    assert plain, "every service namespace overrides its quota"
    for ns in plain:
        compute = yaml.safe_load((rendered / env / ns / "resourcequota-compute-quota.yaml").read_text())
        assert compute["spec"]["hard"] == SPEC_COMPUTE_QUOTA, ns
    customers = [c for c in model.customers if c.quota is None]
    for customer in customers:
        path = rendered / env / f"customer-{customer.id}" / "resourcequota-customer-quota.yaml"
        hard = yaml.safe_load(path.read_text())["spec"]["hard"]
        assert {k: hard[k] for k in SPEC_CUSTOMER_QUOTA} == SPEC_CUSTOMER_QUOTA, customer.id
        assert hard["pods"] == "10"


@pytest.mark.parametrize("env", ENVS)
def test_one_namespace_per_customer(rendered, env):
    expected = sorted(f"customer-{c.id}" for c in load_environment(env).model.customers)
    assert [ns for ns in namespaces_of(rendered, env) if ns.startswith("customer-")] == expected
    cluster = sorted(p.name for p in (rendered / env / CLUSTER_DIR).glob("namespace-customer-*.yaml"))
    assert cluster == [f"namespace-{ns}.yaml" for ns in expected]


def test_production_has_a_namespace_per_customer_in_its_values_file(rendered):
    values = yaml.safe_load((REPO / "lib" / "values" / "production.yaml").read_text())
    ids = [c["id"] for c in values["customers"]]
    assert len(ids) >= 5
    assert [ns for ns in namespaces_of(rendered, "production") if ns.startswith("customer-")] \
        == sorted(f"customer-{i}" for i in ids)


def test_load_objects_skips_kustomizations(rendered):
    paths = [rel for rel, _ in load_objects(rendered / "staging")]
    assert paths and not any(p.endswith(KUSTOMIZATION) for p in paths)
