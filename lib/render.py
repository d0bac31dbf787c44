"""The pipeline end to end: values -> charts -> files -> dist/.

Values are loaded and validated in this process before anything is built, so
bad input fails before a single file is written. Building happens in worker
processes (each with its own jsii Node): environments and shards of their
namespaces render in parallel on every core. This process never imports cdk8s,
so forking workers from it is safe.
"""
from __future__ import annotations

import gc
import json
import marshal
import multiprocessing
from collections import Counter
import os
import shutil
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .config.loader import (
    VALUES_DIR,
    Inventory,
    LoadedEnvironment,
    ancestors,
    available_environments,
    load_environment,
)
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
    # Environments rendered because they extend one that was asked for
    # (name -> the one it extends): a partial render never leaves them stale.
    dependents: dict[str, str] = field(default_factory=dict)
    # Seconds per phase (load, workers, docs, total; per shard: import, build,
    # bridge, write): scripts/benchmark.py prints them.
    timings: dict = field(default_factory=dict)


def dependents(names: list[str], values_dir: Path = VALUES_DIR) -> dict[str, str]:
    """Environments not in ``names`` that inherit from one of them -> which one.

    production-dr extends production: rendering production alone would leave
    production-dr (same customers, same services) stale until ``--check``.
    A file that does not load is skipped here; rendering it would say why.
    """
    out: dict[str, str] = {}
    for other in available_environments(values_dir):
        if other in names:
            continue
        try:
            chain = ancestors(other, values_dir)
        except VoyagerError:
            continue
        parent = next((n for n in chain if n in names), None)
        if parent is not None:
            out[other] = parent
    return out


def checked_catalog() -> Inventory:
    """Import and check the catalog; any mistake in it is one line (exit 2)."""
    try:
        from .catalog import check_catalog, inventory
    except Exception as exc:  # noqa: BLE001 - a catalog file that does not even import
        raise VoyagerError(_import_error(exc)) from None
    try:
        check_catalog()
    except ValueError as exc:
        raise VoyagerError(str(exc)) from None
    return inventory()


def _import_error(exc: BaseException) -> str:
    """``lib/catalog/<file>.py:<line>: <Error>: <message>`` for a catalog file that
    raises on import (a misspelt keyword of Workload(...), a name not imported)."""
    catalog = Path(__file__).resolve().parent / "catalog"
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{_shown(Path(exc.filename))}:{exc.lineno}"
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if Path(f.filename).resolve().is_relative_to(catalog)]
        if frames:
            where = f"{_shown(Path(frames[-1].filename))}:{frames[-1].lineno}"
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{where or 'lib/catalog/'}: {type(exc).__name__}: {message}"


def _shown(path: Path) -> str:
    lib = Path(__file__).resolve().parent
    try:
        return str(Path("lib") / path.resolve().relative_to(lib))
    except ValueError:
        return str(path)


def _build_shard(loaded: LoadedEnvironment, shard: int, shards: int, root: str,
                 previous_root: str | None = None
                 ) -> tuple[list[str], int, float, bytes, dict[str, float]]:
    """Worker: build one shard's charts and write its object files under root/<env>/.
    A file equal to its namesake under ``previous_root/<env>/`` (the tree being
    replaced) is linked to it (lib/output/files.py says why).

    Returns the files written, how many objects, seconds, the objects the docs
    read (``<dir>/<file>``, object), marshalled (the docs need no second parse,
    and marshal writes plain data four times faster than the pool's pickle),
    and seconds per phase (scripts/benchmark.py prints them)."""
    started = time.perf_counter()
    _no_cycle_collection()
    from .docs.load import wanted  # which kinds the docs read
    from .k8s.objects import synth
    from .platform.environment import Plan, build  # imports cdk8s: workers only
    from .platform.sync_waves import stamp

    imported = time.perf_counter()
    plan = Plan.of(loaded)
    charts = build(plan, shard, shards)
    built = time.perf_counter()
    written: list[str] = []
    for_docs: list[tuple[str, dict]] = []
    writing = 0.0
    env_root = os.path.join(root, loaded.model.name)  # strings: a Path per file costs more
    previous = F.PreviousTree(os.path.join(previous_root, loaded.model.name) if previous_root else None)
    made: set[str] = set()
    for obj in synth(charts):
        begun = time.perf_counter()
        stamp(obj)
        directory, name = F.object_path(obj)
        if directory not in made:
            os.makedirs(os.path.join(env_root, directory), exist_ok=True)
            made.add(directory)
        try:  # the file must not exist yet (two objects with one path, in this shard)
            F.write_or_link(f"{env_root}/{directory}/{name}", F.dump(obj),
                            previous.path(f"{directory}/{name}"))
        except FileExistsError:
            raise VoyagerError(
                f"{loaded.model.name}: two objects render to {directory}/{name}; "
                "names must be unique per kind and namespace"
            ) from None
        path = f"{directory}/{name}"
        written.append(path)
        if wanted(name):
            for_docs.append((path, obj))
        writing += time.perf_counter() - begun
    done = time.perf_counter()
    phases = {"import": imported - started, "build": built - imported,
              "bridge": done - built - writing, "write": writing}
    return written, len(written), done - started, marshal.dumps(for_docs), phases


def _no_cycle_collection() -> None:
    """Turn off Python's cycle collector for this render.

    A render allocates a few hundred thousand dicts and lists and frees them
    by reference counting; none needs the cycle collector, which would still
    walk every live container again and again as they are made (unpickling or
    unmarshalling a shard's objects took 5x longer with it on). Worker
    processes end with the render; the main process turns it back on."""
    gc.disable()


def _kustomize(env_root: Path, paths: list[str], previous: Path | None) -> int:
    """Write one kustomization per directory and one per environment (linked
    to the replaced tree's where equal, as the objects are)."""
    by_dir: dict[str, list[str]] = {}
    for path in paths:
        directory, name = path.split("/", 1)
        by_dir.setdefault(directory, []).append(name)

    linkable = F.PreviousTree(str(previous) if previous else None)

    def write(relative: str, data: bytes) -> None:
        F.write_or_link(str(env_root / relative), data, linkable.path(relative))

    for directory, names in by_dir.items():
        write(f"{directory}/{F.KUSTOMIZATION}", F.kustomization(sorted(names)))
    order = sorted(by_dir, key=lambda d: (d != F.CLUSTER_DIR, d))
    write(F.KUSTOMIZATION, F.kustomization(order))
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
    collecting = gc.isenabled()
    _no_cycle_collection()
    try:
        return _render(envs, outdir, values_dir, check, jobs, loaded)
    finally:
        if collecting:
            gc.enable()


def _render(envs, outdir, values_dir, check, jobs, loaded) -> Result:
    began = time.perf_counter()
    outdir = Path(outdir).resolve()
    # Catalog mistakes are the user's too: one line and exit 2, before any
    # worker starts (the catalog imports no cdk8s, so this process stays fork-safe),
    # and before the values, whose keys name what the catalog declares.
    inventory = checked_catalog()
    result = Result()
    if loaded is None:
        names = envs or available_environments(values_dir)
        if not names:
            raise ValuesError(str(values_dir), "", "no environments to render")
        names = list(dict.fromkeys(names))
        if envs:
            result.dependents = dependents(names, values_dir)
            names += [n for n in result.dependents if n not in names]
        loaded = [load_environment(name, values_dir, inventory) for name in names]
    jobs = _jobs(jobs)
    shards = max(1, jobs // len(loaded))
    tasks = [(env, shard) for env in loaded for shard in range(shards)]

    with locked(outdir):
        tmp = new_tree(outdir)
        try:
            started = {env.model.name: time.perf_counter() for env in loaded}
            result.timings["load"] = time.perf_counter() - began
            # The tree this render replaces, whose unchanged files it links
            # (lib/output/files.py says why); --check replaces nothing and
            # leaves dist/ untouched, so it writes every file.
            previous = outdir if outdir.is_dir() and not check else None
            outputs = _run(tasks, shards, tmp, jobs, previous)
            result.timings["workers"] = time.perf_counter() - began - result.timings["load"]
            result.timings["shards"] = [
                {"env": env.model.name, "shard": shard, "objects": out[1], "seconds": out[2], **out[4]}
                for (env, shard), out in zip(tasks, outputs)]
            docs_seconds = 0.0
            for env in loaded:
                name = env.model.name
                paths: list[str] = []
                objects = 0
                for_docs: list[tuple[str, dict]] = []
                for (task_env, _), (written, count, _secs, docs_objects, _phases) in zip(tasks, outputs):
                    if task_env is env:
                        paths += written
                        objects += count
                        for_docs += marshal.loads(docs_objects)
                # Two shards racing to the same file both pass the worker's
                # exists() check; counting afterwards catches that (linearly).
                duplicates = ({p for p, n in Counter(paths).items() if n > 1}
                              if shards > 1 else set())
                if duplicates:
                    raise VoyagerError(f"{name}: two objects render to {sorted(duplicates)[0]}")
                # The kustomizations (a thousand small files at 1,000 customers: mostly
                # the kernel's time, without the GIL) are written while the docs compute.
                # (write_docs forks for the network map meanwhile; its child only
                # computes from the objects, nothing this thread holds.)
                with ThreadPoolExecutor(max_workers=1) as files:
                    kustomized = files.submit(_kustomize, tmp / name, paths, previous and previous / name)
                    # Generated docs (docs/*.md, in no kustomization) from the objects just
                    # written: part of the tree, so --check also catches stale docs.
                    from .docs import write_docs  # reads YAML only; imported after the workers forked

                    docs_started = time.perf_counter()
                    # The objects just written, from memory: the same docs as reading them back.
                    docs = write_docs(tmp / name, for_docs)
                    docs_seconds += time.perf_counter() - docs_started
                    kustomizations = kustomized.result()
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
                        # Linked, unless this is --check (which must not touch dist/).
                        carry = shutil.copy2 if check else F.CarryOver()
                        if entry.is_dir():
                            shutil.copytree(entry, tmp / entry.name, copy_function=carry)
                        else:
                            carry(str(entry), str(tmp / entry.name))
            if check:
                result.differences = differences(tmp, outdir)
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                swap_in(tmp, outdir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    result.timings["docs"] = docs_seconds
    result.timings["total"] = time.perf_counter() - began
    if os.environ.get("VOYAGER_TIMINGS"):  # scripts/benchmark.py's breakdown
        Path(os.environ["VOYAGER_TIMINGS"]).write_text(json.dumps(result.timings), encoding="utf-8")
    return result


def _run(tasks, shards: int, tmp: Path, jobs: int, previous: Path | None):
    previous = str(previous) if previous else None
    if len(tasks) == 1:
        env, shard = tasks[0]
        return [_build_shard(env, shard, shards, str(tmp), previous)]
    # fork: workers inherit the loaded values; this process holds no jsii state.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(_build_shard, env, shard, shards, str(tmp), previous)
                   for env, shard in tasks]
        return [f.result() for f in futures]
