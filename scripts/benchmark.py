#!/usr/bin/env python3
"""How rendering scales with customers: production with 10, 100 and 1,000.

    .venv/bin/python scripts/benchmark.py [--sizes 10 100 1000] [--jobs N]

For each size it copies lib/values into a temp dir, replaces production's
customers with c0001..cNNNN, and times
``main.py --env production --values DIR --outdir DIR`` as a subprocess (the
wall time includes interpreter start, loading values, and the jsii/Node start
of each worker). Memory is measured two ways, because neither alone is the
whole truth:

- peak tree RSS: /proc sampled every 50 ms, summing the resident set of the
  render and every descendant (workers and their Node processes) alive at that
  instant. Shared pages count once per process, so this overstates a little;
  a peak shorter than 50 ms can be missed.
- largest process: ru_maxrss from wait4() on the render, i.e. the peak RSS of
  the single biggest process among it and the descendants it waited for; it
  is not a sum.

Prints a markdown table.
"""
from __future__ import annotations

import argparse
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


def values_with_customers(root: Path, count: int) -> Path:
    values = root / "values"
    shutil.copytree(VALUES, values)
    production = values / "production.yaml"
    data = yaml.safe_load(production.read_text()) or {}
    data["customers"] = [{"id": f"c{i:04d}"} for i in range(1, count + 1)]
    production.write_text(yaml.safe_dump(data, sort_keys=False))
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


def run(count: int, jobs: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"voyager-bench-{count}-") as tmp:
        root = Path(tmp)
        values = values_with_customers(root, count)
        outdir = root / "dist"
        cmd = [sys.executable, "main.py", "--env", "production", "--values", str(values),
               "--outdir", str(outdir)]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        peak = 0
        done = threading.Event()

        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

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
        files = [p for p in (outdir / "production").rglob("*.yaml")]
        objects = sum(1 for p in files if p.suffix == ".yaml" and p.name != "kustomization.yaml")
        reported = _objects_from_table(stdout.decode())
        if reported is not None and reported != objects:
            raise SystemExit(f"summary says {reported} objects, dist has {objects} files")
        namespaces = sum(1 for p in (outdir / "production").iterdir()
                         if p.is_dir() and p.name not in ("cluster", "docs"))
        return {
            "customers": count, "namespaces": namespaces, "objects": objects,
            "files": len(files), "seconds": seconds, "rate": objects / seconds,
            "tree_rss": peak, "max_rss": usage.ru_maxrss * 1024,  # Linux: KiB
        }


def _objects_from_table(stdout: str) -> int | None:
    for line in stdout.splitlines():
        cells = line.split()
        if cells and cells[0] == "production" and len(cells) >= 3 and cells[2].isdigit():
            return int(cells[2])
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--jobs", type=int, default=None, help="passed to main.py (default: its own)")
    args = parser.parse_args()

    rows = []
    for count in args.sizes:
        print(f"rendering production with {count} customers ...", file=sys.stderr, flush=True)
        rows.append(run(count, args.jobs))

    mib = 2**20
    print(f"\n{os.cpu_count()} CPUs, --jobs {args.jobs or 'default (one per core)'}; "
          "wall time of the whole `main.py` process, interpreter start included.\n")
    print("| customers | namespaces | objects | files | wall s | objects/s "
          "| peak tree RSS MiB (sum, sampled) | largest process MiB (ru_maxrss) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['customers']:,} | {r['namespaces']:,} | {r['objects']:,} | {r['files']:,} "
              f"| {r['seconds']:.1f} | {r['rate']:.0f} | {r['tree_rss'] / mib:,.0f} "
              f"| {r['max_rss'] / mib:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
