"""``python main.py``: render, check, validate and diff the platform."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config.loader import VALUES_DIR
from .errors import VoyagerError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Render the Voyager platform into dist/<env>/<namespace>/ YAML.",
    )
    parser.add_argument("--env", action="append", dest="envs", metavar="NAME",
                        help="environment to render (repeatable; default: all)")
    default_out = os.environ.get("CDK8S_OUTDIR", "dist")  # set by `cdk8s synth`
    parser.add_argument("--outdir", type=Path, default=Path(default_out),
                        help=f"output directory (default: {default_out})")
    parser.add_argument("--values", type=Path, default=VALUES_DIR, metavar="DIR",
                        help="directory of values files (default: the embedded lib/values)")
    parser.add_argument("--check", action="store_true",
                        help="render to a temporary tree and exit 1 if it differs from --outdir")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes (default: one per core)")
    return parser


def _table(stats) -> str:
    rows = [("environment", "namespaces", "objects", "files", "seconds")]
    rows += [(s.name, str(s.namespaces), str(s.objects), str(s.files), f"{s.seconds:.2f}")
             for s in stats]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in rows
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .render import render

    try:
        result = render(args.envs, args.outdir, args.values, check=args.check, jobs=args.jobs)
    except VoyagerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(_table(result.stats))
    if args.check:
        if result.differences:
            print(f"\n{args.outdir} is stale; run `python main.py` and commit:", file=sys.stderr)
            for line in result.differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"\n{args.outdir} is up to date.")
    return 0
