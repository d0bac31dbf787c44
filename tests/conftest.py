"""Shared fixtures: render the platform once per session and read it back.

Rendering costs seconds (cdk8s runs on Node through jsii), so every test that
reads the rendered tree shares the ``rendered`` fixture. A test that needs to
change the tree works on a copy (``copy_tree``) or renders again into its own
tmp dir. Helpers are plain functions as well as fixtures, so other test files
can ``from conftest import load_objects`` or take the fixture.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
VALUES = REPO / "lib" / "values"
KUSTOMIZATION = "kustomization.yaml"
CLUSTER_DIR = "cluster"

sys.path.insert(0, str(REPO))
from lib.config.loader import available_environments  # noqa: E402

ENVS = available_environments(VALUES)
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # same result, ~10x faster


def run_main(*args: str | Path, cwd: Path = REPO, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` from the repo root; output captured as text."""
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )


def render_into(outdir: Path, *args: str | Path) -> Path:
    """Render into ``outdir`` and fail the test (with stderr) unless it succeeds."""
    proc = run_main("--outdir", outdir, *args)
    assert proc.returncode == 0, f"render failed ({proc.returncode}):\n{proc.stderr}"
    return outdir


def load_objects(env_root: Path) -> list[tuple[str, dict]]:
    """Every object under ``env_root`` as (path relative to env_root, object).

    kustomization.yaml files are not Kubernetes objects and are left out.
    Sorted by path, so parametrized test ids are stable.
    """
    out: list[tuple[str, dict]] = []
    for path in sorted(Path(env_root).rglob("*.yaml")):
        if path.name == KUSTOMIZATION:
            continue
        rel = str(path.relative_to(env_root))
        for obj in yaml.load_all(path.read_text(encoding="utf-8"), Loader=Loader):
            if obj:
                out.append((rel, obj))
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> content), for exact comparisons."""
    root = Path(root)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def copy_values(dst: Path) -> Path:
    """A writable copy of the embedded values directory, to mutate in a test."""
    shutil.copytree(VALUES, dst)
    return dst


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """The output root of one render of every environment from the embedded values.

    Read-only by convention: copy it (``copy_tree``) before changing anything.
    """
    out = tmp_path_factory.mktemp("rendered") / "dist"
    return render_into(out)


@pytest.fixture(scope="session")
def objects(rendered):
    """``objects(env)`` -> [(relative path, object)] of that environment (cached)."""
    cache: dict[str, list[tuple[str, dict]]] = {}

    def get(env: str) -> list[tuple[str, dict]]:
        if env not in cache:
            cache[env] = load_objects(rendered / env)
        return cache[env]

    return get


@pytest.fixture(scope="session")
def all_objects(rendered, objects) -> list[tuple[str, str, dict]]:
    """(env, relative path, object) for every object of every environment."""
    return [(env, rel, obj) for env in ENVS for rel, obj in objects(env)]


@pytest.fixture(scope="session")
def statefulset_objects(tmp_path_factory) -> list[tuple[str, dict]]:
    """staging rendered with ``databases.engine: statefulset``: the seed's
    single-pod PostgreSQL, which an environment can still choose (the
    embedded values run CloudNativePG: tests/test_databases.py)."""
    root = tmp_path_factory.mktemp("statefulset")
    values = copy_values(root / "values")
    path = values / "staging.yaml"
    data = yaml.safe_load(path.read_text())
    data.setdefault("databases", {})["engine"] = "statefulset"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    render_into(root / "dist", "--values", values, "--env", "staging")
    return load_objects(root / "dist" / "staging")


@pytest.fixture
def values_dir(tmp_path) -> Path:
    """A fresh writable copy of lib/values for this test."""
    return copy_values(tmp_path / "values")


# CI sets this (.ci/run): a test that needs a real program (PostgreSQL, etcd and
# the kube-apiserver, ...) must run there, so "not installed" is a failure, not
# a skip. On a user's machine without the program it skips with how to get it.
REQUIRE_REAL_PROGRAMS = os.environ.get("VOYAGER_REQUIRE_REAL_PROGRAMS") == "1"


def require_program(available: bool, how_to_get: str) -> None:
    """Skip (or, in CI, fail) unless a real program the test runs is available."""
    if available:
        return
    if REQUIRE_REAL_PROGRAMS:
        pytest.fail(f"required program missing in CI: {how_to_get}", pytrace=False)
    pytest.skip(how_to_get)
