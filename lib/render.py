"""The pipeline end to end: values -> charts -> files -> dist/.

Values are loaded and validated in this process before anything is built, so
bad input fails before a single file is written. Building happens in worker
processes (each with its own jsii Node): environments and shards of their
namespaces render in parallel on every core. This process never imports cdk8s,
so forking workers from it is safe.
"""
from __future__ import annotations

import multiprocessing
from collections import Counter
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .config.loader import VALUES_DIR, LoadedEnvironment, available_environments, load_environment
from .errors import ValuesError, VoyagerError
from .output import files as F
from .output.tree import differences, locked, new_tree, swap_in


@dataclass
class EnvStats:
    name: str
    namespaces: int = 0
    objects: int = 0
    files: int = 0
    seconds: float = 0.0


@dataclass
class Result:
    stats: list[EnvStats] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)


def _build_shard(loaded: LoadedEnvironment, shard: int, shards: int, root: str) -> tuple[list[str], int, float]:
    """Worker: build one shard's charts and write its object files under root/<env>/."""
    started = time.perf_counter()
    from .platform.environment import Plan, build  # imports cdk8s: workers only
    from .platform.sync_waves import stamp

    plan = Plan.of(loaded)
    written: list[str] = []
    objects = 0
    env_root = Path(root) / loaded.model.name
    for chart in build(plan, shard, shards):
        for obj in chart.to_json():
            stamp(obj)
            directory, name = F.object_path(obj)
            target = env_root / directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                raise VoyagerError(
                    f"{loaded.model.name}: two objects render to {directory}/{name}; "
                    "names must be unique per kind and namespace"
                )
            target.write_bytes(F.dump(obj))
            written.append(f"{directory}/{name}")
            objects += 1
    return written, objects, time.perf_counter() - started


def _kustomize(env_root: Path, paths: list[str]) -> int:
    """Write one kustomization per directory and one per environment."""
    by_dir: dict[str, list[str]] = {}
    for path in paths:
        directory, name = path.split("/", 1)
        by_dir.setdefault(directory, []).append(name)
    for directory, names in by_dir.items():
        (env_root / directory / F.KUSTOMIZATION).write_bytes(F.kustomization(sorted(names)))
    order = sorted(by_dir, key=lambda d: (d != F.CLUSTER_DIR, d))
    (env_root / F.KUSTOMIZATION).write_bytes(F.kustomization(order))
    return len(by_dir) + 1


def _jobs(requested: int | None) -> int:
    return max(1, requested or os.cpu_count() or 1)


def render(
    envs: list[str] | None = None,
    outdir: Path = Path("dist"),
    values_dir: Path = VALUES_DIR,
    check: bool = False,
    jobs: int | None = None,
    loaded: list[LoadedEnvironment] | None = None,
) -> Result:
    """Render ``envs`` (all by default) into ``outdir``, or compare with it."""
    outdir = Path(outdir).resolve()
    if loaded is None:
        names = envs or available_environments(values_dir)
        if not names:
            raise ValuesError(str(values_dir), "", "no environments to render")
        loaded = [load_environment(name, values_dir) for name in dict.fromkeys(names)]
    jobs = _jobs(jobs)
    shards = max(1, jobs // len(loaded))
    tasks = [(env, shard) for env in loaded for shard in range(shards)]

    result = Result()
    with locked(outdir):
        tmp = new_tree(outdir)
        try:
            started = {env.model.name: time.perf_counter() for env in loaded}
            outputs = _run(tasks, shards, tmp, jobs)
            for env in loaded:
                name = env.model.name
                paths: list[str] = []
                objects = 0
                for (task_env, _), (written, count, _secs) in zip(tasks, outputs):
                    if task_env is env:
                        paths += written
                        objects += count
                # Two shards racing to the same file both pass the worker's
                # exists() check; counting afterwards catches that (linearly).
                duplicates = ({p for p, n in Counter(paths).items() if n > 1}
                              if shards > 1 else set())
                if duplicates:
                    raise VoyagerError(f"{name}: two objects render to {sorted(duplicates)[0]}")
                kustomizations = _kustomize(tmp / name, paths)
                # Generated docs (docs/*.md, in no kustomization) from the objects just
                # written: part of the tree, so --check also catches stale docs.
                from .docs import write_docs  # reads YAML only; imported after the workers forked

                docs = write_docs(tmp / name)
                result.stats.append(EnvStats(
                    name, namespaces=len({p.split('/', 1)[0] for p in paths} - {F.CLUSTER_DIR}),
                    objects=objects, files=len(paths) + kustomizations + len(docs),
                    seconds=time.perf_counter() - started[name],
                ))
            # A partial render (--env) carries the other environments over unchanged;
            # a full render replaces dist/ whole, so a deleted environment disappears.
            rendered = {env.model.name for env in loaded}
            partial = rendered != set(available_environments(values_dir))
            if partial and outdir.exists():
                for entry in outdir.iterdir():
                    if entry.name not in rendered:
                        if entry.is_dir():
                            shutil.copytree(entry, tmp / entry.name)
                        else:
                            shutil.copy2(entry, tmp / entry.name)
            if check:
                result.differences = differences(tmp, outdir)
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                swap_in(tmp, outdir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return result


def _run(tasks, shards: int, tmp: Path, jobs: int):
    if len(tasks) == 1:
        env, shard = tasks[0]
        return [_build_shard(env, shard, shards, str(tmp))]
    # fork: workers inherit the loaded values; this process holds no jsii state.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(_build_shard, env, shard, shards, str(tmp)) for env, shard in tasks]
        return [f.result() for f in futures]
