#!/usr/bin/env python3
"""How rendering scales with customers: production with 10, 100 and 1,000.

    .venv/bin/python scripts/benchmark.py [--sizes 10 100 1000] [--jobs N]
                                          [--bytecode off|on|cold|both|all]
                                          [--repeat N] [--scratch DIR]

For each size it copies lib/values into a temp dir, replaces production's
customers with c0001..cNNNN, and times
``main.py --env production --values DIR --outdir DIR`` as a subprocess (the
wall time includes interpreter start, loading values, and the jsii/Node start
of each worker).

The floor, measured in the same run next to each render: the objects
rendered, read back as plain dicts (untimed), written one file each by
PyYAML's C dumper (``yaml.dump(..., Dumper=CSafeDumper)``) in one process,
into the same directory layout. That is the least any renderer of these
files pays for YAML and the file system here; the ratio is render / floor.
With ``--repeat``, every second run measures the floor first (from the
previous run's render: the same objects), so neither always meets the disk
as the other left it (the ``order`` column).
Run at the same moment, both see the same machine: creating a file on this
disk costs from 15 us to 400 us of kernel time. The slow case follows mass
deletions: ext4 without a journal (as here; see /proc/fs/jbd2) does not reuse
an inode deleted in the last one to five minutes, and finding a free one
then reads inode-table blocks one by one (``recently_deleted`` in
fs/ext4/ialloc.c, 56% of a slow run's samples in ``perf``). So compare
ratios, use ``--repeat``, leave a few minutes after deleting a large tree,
or pass ``--scratch /dev/shm`` to measure without the disk.

Bytecode (``PYTHONPYCACHEPREFIX`` points at a cache of the benchmark's own, so
no ``.pyc`` is ever written into the repository or the virtualenv):

- ``on``: a cache filled by a warm-up render first (what users normally have).
- ``off``: ``PYTHONDONTWRITEBYTECODE=1``, as on machines that set it: the
  dependencies compiled (pip compiles them at install whatever that variable
  says), the project's own modules compiled from source on every run. The
  warm-up render fills the cache, then the project's entries are removed.
- ``cold``: an empty cache and ``PYTHONDONTWRITEBYTECODE=1``: every module,
  the dependencies' too, compiled from source (stricter than any real
  machine). jsii's own package cache (cdk8s extracted once per user) stays.

``both`` (the default) runs off and on; ``all`` adds cold.

Breakdown (seconds, from ``VOYAGER_TIMINGS``, which lib/render.py fills):

- load: everything before the workers start: interpreter start, imports,
  the catalog and the values.
- build, bridge, write: the slowest worker shard (the critical path): build is
  importing cdk8s and the constructs, running them and creating their charts,
  patterns and objects in cdk8s (lib/k8s/bridge.js); bridge is waiting for
  and decoding what cdk8s renders back; write is the YAML files (fastyaml and
  the file system).
- docs: docs/*.md in the main process after the workers (kustomizations are
  written meanwhile); other: the rest (process pool, results, the swap).
- shards: objects and seconds of each worker shard (their balance).

Memory is measured two ways, because neither alone is the whole truth:

- peak tree RSS: /proc sampled every 50 ms, summing the resident set of the
  render and every descendant (workers and their Node processes) alive at that
  instant. Shared pages count once per process, so this overstates a little;
  a peak shorter than 50 ms can be missed.
- largest process: ru_maxrss from wait4() on the render, i.e. the peak RSS of
  the single biggest process among it and the descendants it waited for (the
  main process and its workers; jsii's Node processes exit on their own and
  are not among them); it is not a sum.

Prints markdown tables.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
VALUES = REPO / "lib" / "values"
PAGE = os.sysconf("SC_PAGE_SIZE")

# Runs in its own process: the floor (one process, PyYAML's C dumper, one file
# each). It reads the render's objects back first, untimed (and here, not in the
# benchmark's own process, whose size every later render would inherit by fork
# in its ru_maxrss).
FLOOR = r"""
import os, sys, time, yaml
env_root, root = sys.argv[1], sys.argv[2]
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
objects = []
for directory in sorted(os.listdir(env_root)):
    if directory == "docs" or not os.path.isdir(os.path.join(env_root, directory)):
        continue
    for name in sorted(os.listdir(os.path.join(env_root, directory))):
        if name.endswith(".yaml") and name != "kustomization.yaml":
            with open(os.path.join(env_root, directory, name), "rb") as handle:
                objects.append((directory, name, yaml.load(handle.read(), Loader=loader)))
started = time.perf_counter()
made = set()
for directory, name, obj in objects:
    if directory not in made:
        os.makedirs(os.path.join(root, directory), exist_ok=True)
        made.add(directory)
    with open(os.path.join(root, directory, name), "w", encoding="utf-8") as handle:
        handle.write(yaml.dump(obj, Dumper=dumper, sort_keys=False, default_flow_style=False,
                               allow_unicode=True))
print(time.perf_counter() - started)
"""


def values_with_customers(root: Path, count: int) -> Path:
    values = root / "values"
    shutil.copytree(VALUES, values)
    production = values / "production.yaml"
    data = yaml.safe_load(production.read_text()) or {}
    data["customers"] = [{"id": f"c{i:04d}"} for i in range(1, count + 1)]
    production.write_text(yaml.safe_dump(data, sort_keys=False))
    # `--env production` also renders the environments that extend it; the
    # benchmark measures production alone.
    for child in values.glob("*.yaml"):
        if (yaml.safe_load(child.read_text()) or {}).get("extends") == "production":
            child.unlink()
    return values


def _tree_rss(root_pid: int) -> int:
    """Bytes resident in root_pid and all its descendants right now."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/statm") as f:
                resident = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = resident * PAGE
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


MODES = {
    "on": "on (warm)",
    "off": "off (PYTHONDONTWRITEBYTECODE=1: dependencies compiled at install, the project from source)",
    "cold": "cold (PYTHONDONTWRITEBYTECODE=1 and no bytecode cached: every module from source)",
}


def _environment(cache: Path, write: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPYCACHEPREFIX"] = str(cache)  # never the repository's or the venv's __pycache__
    if write:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def render(count: int, jobs: int | None, env: dict[str, str], root: Path) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    values = values_with_customers(root, count)
    outdir = root / "dist"
    timings = root / "timings.json"
    cmd = [sys.executable, "main.py", "--env", "production", "--values", str(values),
           "--outdir", str(outdir)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    peak = 0
    done = threading.Event()

    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**env, "VOYAGER_TIMINGS": str(timings)})

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes first (a full pipe would block the render), then reap with
    # wait4 for the rusage of this one child (Popen.wait would discard it).
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"render of {count} customers failed ({proc.returncode}):\n"
                         f"{stderr.decode()}")
    env_root = outdir / "production"
    files = [p for p in env_root.rglob("*.yaml")]
    objects = sum(1 for p in files if p.name != "kustomization.yaml")
    reported = _objects_from_table(stdout.decode())
    if reported is not None and reported != objects:
        raise SystemExit(f"summary says {reported} objects, dist has {objects} files")
    namespaces = sum(1 for p in env_root.iterdir() if p.is_dir() and p.name not in ("cluster", "docs"))
    return {
        "customers": count, "namespaces": namespaces, "objects": objects,
        "files": len(files), "seconds": seconds, "rate": objects / seconds,
        "tree_rss": peak, "max_rss": usage.ru_maxrss * 1024,  # Linux: KiB
        # No breakdown from a render that does not report one (an older tree).
        "timings": json.loads(timings.read_text()) if timings.exists() else None,
        "env_root": env_root,
    }


def floor(env_root: Path, env: dict[str, str], root: Path) -> float:
    """Seconds for PyYAML's C dumper to write the render's objects, one file each, in one process."""
    root.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([sys.executable, "-c", FLOOR, str(env_root), str(root / "floor")],
                         env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def breakdown(row: dict) -> dict:
    t = row["timings"]
    slowest = max(t["shards"], key=lambda s: s["seconds"])
    start = row["seconds"] - t["total"]
    parts = {
        "load": start + t["load"],
        "build": slowest["import"] + slowest["build"],
        "bridge": slowest["bridge"],
        "write": slowest["write"],
        "docs": t["docs"],
    }
    parts["other"] = row["seconds"] - sum(parts.values())
    return parts


def _objects_from_table(stdout: str) -> int | None:
    for line in stdout.splitlines():
        cells = line.split()
        if cells and cells[0] == "production" and len(cells) >= 3 and cells[2].isdigit():
            return int(cells[2])
    return None


def _forget_project(cache: Path) -> None:
    """Remove the project's own modules from a filled cache, keeping the
    dependencies' (the virtualenv may live inside the repository). The cache
    mirrors absolute source paths."""
    venv = Path(sys.prefix).resolve()
    mirror = cache / REPO.relative_to(REPO.anchor)
    if not mirror.is_dir():
        return
    for entry in mirror.iterdir():
        source = REPO / entry.name
        if source == venv or venv.is_relative_to(source):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def measure(sizes: list[int], jobs: int | None, mode: str, repeat: int, scratch: Path) -> list[dict]:
    rows = []
    # Nothing is deleted until the whole benchmark is over (main() holds the
    # scratch directory): deleting thousands of files here slows the creation
    # of the next thousands for minutes (see the module's doc), which would
    # tax whichever ran next, render or floor, or the next bytecode mode. And
    # dirty pages are flushed before each timed part, so neither pays for the
    # other's.
    scratch = scratch / mode
    with tempfile.TemporaryDirectory(prefix="voyager-bench-cache-") as cache:
        if mode != "cold":  # fill the cache the way a user's first run would
            render(10, jobs, _environment(Path(cache), write=True), scratch / "warm-up")
        if mode == "off":
            _forget_project(Path(cache))
        env = _environment(Path(cache), write=mode == "on")
        for count in sizes:
            objects_from = None  # a render of this size already on disk: the floor's input
            for attempt in range(repeat):
                print(f"bytecode cache {mode}: production with {count} customers"
                      f"{f' (run {attempt + 1})' if repeat > 1 else ''} ...", file=sys.stderr, flush=True)
                root = scratch / f"{count}-{attempt}"
                # Whichever goes first meets the disk as the last run left it, so
                # the order alternates: render first, then floor first (reading the
                # previous render's objects: the same, renders are deterministic).
                floor_first = attempt % 2 == 1 and objects_from is not None
                if floor_first:
                    os.sync()
                    seconds = floor(objects_from, env, root)
                os.sync()
                row = render(count, jobs, env, root)
                objects_from = row.pop("env_root")
                if not floor_first:
                    os.sync()
                    seconds = floor(objects_from, env, root)
                row["floor"] = seconds
                row["order"] = "floor, render" if floor_first else "render, floor"
                rows.append(row)
    return rows


def table(rows: list[dict], mode: str, jobs: int | None) -> None:
    mib = 2**20
    print(f"\nbytecode cache {MODES[mode]}; "
          f"{os.cpu_count()} CPUs, --jobs {jobs or 'default (one per core)'}; wall time of the whole "
          "`main.py` process, interpreter start included; floor: the same objects written by "
          "PyYAML's C dumper, one file each, in one process, same run.\n")
    print("| customers | objects | wall s | floor s | ratio | objects/s | ms/customer (marginal) "
          "| peak tree RSS MiB | largest process MiB | order |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    previous = None
    for r in rows:
        marginal = ""
        if previous is not None and r["customers"] > previous["customers"]:
            marginal = f"{(r['seconds'] - previous['seconds']) / (r['customers'] - previous['customers']) * 1000:.1f}"
        print(f"| {r['customers']:,} | {r['objects']:,} | {r['seconds']:.1f} | {r['floor']:.1f} "
              f"| {r['seconds'] / r['floor']:.2f} | {r['rate']:,.0f} | {marginal} "
              f"| {r['tree_rss'] / mib:,.0f} | {r['max_rss'] / mib:,.0f} | {r['order']} |")
        if previous is None or r["customers"] != previous["customers"]:
            previous = r
    print("\n| customers | load | build | bridge | write | docs | other | shards (objects, s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if r["timings"] is None:
            print(f"| {r['customers']:,} | " + " | ".join(["n/a"] * 7) + " |")
            continue
        b = breakdown(r)
        shards = ", ".join(f"{s['objects']:,} / {s['seconds']:.1f}" for s in r["timings"]["shards"])
        print(f"| {r['customers']:,} | " + " | ".join(f"{b[k]:.1f}" for k in
              ("load", "build", "bridge", "write", "docs", "other")) + f" | {shards} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--jobs", type=int, default=None, help="passed to main.py (default: its own)")
    parser.add_argument("--bytecode", choices=("off", "on", "cold", "both", "all"), default="both",
                        help="off: PYTHONDONTWRITEBYTECODE=1 (the project compiled every run); on: "
                             "a warm cache; cold: nothing cached at all; both: off and on (default); "
                             "all: the three")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size")
    parser.add_argument("--scratch", default=None, metavar="DIR",
                        help="where renders and floors write (default: the system's temporary "
                             "directory); e.g. /dev/shm to measure without the disk")
    args = parser.parse_args()

    modes = {"both": ["off", "on"], "all": ["cold", "off", "on"]}.get(args.bytecode, [args.bytecode])
    with tempfile.TemporaryDirectory(prefix="voyager-bench-", dir=args.scratch) as scratch:
        results = [(mode, measure(args.sizes, args.jobs, mode, args.repeat, Path(scratch)))
                   for mode in modes]
    for mode, rows in results:
        table(rows, mode, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
