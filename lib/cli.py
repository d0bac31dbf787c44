"""``python main.py``: render, check, validate and diff the platform."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config.loader import VALUES_DIR
from .errors import VoyagerError, one_line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        usage="%(prog)s [render|validate|diff] [options]",
        description="Render the Voyager platform into dist/<env>/<namespace>/ YAML.",
        epilog="subcommands: render (the default) renders; `validate` checks a rendered tree "
               "(main.py validate --help); `diff` shows what a render would change in it "
               "(main.py diff --help).",
    )
    parser.add_argument("--env", action="append", dest="envs", metavar="NAME",
                        help="environment to render (repeatable; default: all); the environments "
                             "that extend it are rendered too")
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


def _say_dependents(result) -> None:
    for name, parent in result.dependents.items():
        print(f"{name} extends {parent}: rendered too, so that it is not left stale")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "validate":
        return _validate(argv[1:])
    if argv and argv[0] == "diff":
        return _diff(argv[1:])
    if argv and argv[0] == "render":
        argv = argv[1:]
    args = _parser().parse_args(argv)
    from .render import render

    try:
        result = render(args.envs, args.outdir, args.values, check=args.check, jobs=args.jobs)
    except VoyagerError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    _say_dependents(result)
    print(_table(result.stats))
    if args.check:
        if result.differences:
            print(f"\n{args.outdir} is stale; run `python main.py` and commit:", file=sys.stderr)
            for line in result.differences:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"\n{args.outdir} is up to date.")
    return 0


# --- validate ---------------------------------------------------------------------

def _validate_parser() -> argparse.ArgumentParser:
    from .validate import CHECKS, DEFAULT_EXTERNAL_NAMESPACES

    parser = argparse.ArgumentParser(
        prog="main.py validate",
        description="Check rendered environments (dist/<env>/): schemas, Pod Security, references, "
                    "secrets, image pins, RBAC, names, quotas and declared traffic. Reads the YAML only. "
                    "Prints one line per finding, `<env>: <check>: <Kind/ns/name>: <field>: <message> "
                    "(fix: ...)`, then a summary. Exit status: 0 no finding, 1 findings, 2 nothing to check.",
    )
    parser.add_argument("--env", action="append", dest="envs", metavar="NAME",
                        help="environment to check (repeatable; default: every one under --dir)")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("CDK8S_OUTDIR", "dist")),
                        help="rendered tree (default: dist)")
    parser.add_argument("--check", action="append", dest="checks", metavar="NAME", choices=sorted(CHECKS),
                        help=f"run only this check (repeatable): {', '.join(CHECKS)}")
    parser.add_argument("--kubernetes-version", action="append", dest="versions", metavar="X.Y",
                        help="Kubernetes version whose schema must accept every object (repeatable; "
                             "default: 1.27 and the newest kubernetes_validate knows)")
    parser.add_argument("--external-namespace", action="append", dest="external", default=[], metavar="NAME",
                        help="a namespace that exists without being rendered, in addition to "
                             f"{', '.join(DEFAULT_EXTERNAL_NAMESPACES)} (repeatable)")
    parser.add_argument("--storage-class", action="append", dest="storage_classes", default=[], metavar="NAME",
                        help="a StorageClass the cluster has without rendering it (repeatable)")
    parser.add_argument("--repo-root", type=Path, default=None, metavar="DIR",
                        help="what Argo CD Application paths are relative to (default: the parent of --dir)")
    return parser


def _validate(argv: list[str]) -> int:
    import time

    from .validate import DEFAULT_EXTERNAL_NAMESPACES, environments, validate_tree

    args = _validate_parser().parse_args(argv)
    envs = args.envs or environments(args.dir)
    if not envs:
        print(f"error: no rendered environment under {args.dir} (render first: python main.py)", file=sys.stderr)
        return 2
    missing = [e for e in envs if not (args.dir / e).is_dir()]
    if missing:
        print(f"error: {', '.join(missing)} not rendered under {args.dir}", file=sys.stderr)
        return 2
    counts: list[str] = []
    total = 0
    started = time.perf_counter()
    for env in envs:
        findings = validate_tree(
            args.dir / env, kubernetes_versions=args.versions, checks=args.checks,
            known_external_namespaces=tuple(DEFAULT_EXTERNAL_NAMESPACES) + tuple(args.external),
            known_storage_classes=args.storage_classes, repo_root=args.repo_root,
        )
        for finding in findings:
            print(finding.line(env))
        total += len(findings)
        counts.append(f"{env}: {len(findings)}")
    seconds = time.perf_counter() - started
    verdict = "no findings" if total == 0 else f"{total} finding{'s' if total != 1 else ''}"
    print(f"validate: {verdict} ({', '.join(counts)}) in {seconds:.1f} s")
    return 1 if total else 0


# --- diff -------------------------------------------------------------------------

def _diff_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py diff",
        description="Render into a temporary tree and show, per object, what merging it would change in "
                    "--dir: added and removed objects, and each changed field with its old and new value. "
                    "Ends with `N added, M removed, K changed`. Exit status: 0 no change, 1 changes, "
                    "2 error.",
    )
    parser.add_argument("--env", action="append", dest="envs", metavar="NAME",
                        help="environment to compare (repeatable; default: all), with the "
                             "environments that extend it")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("CDK8S_OUTDIR", "dist")),
                        help="the committed rendered tree (default: dist)")
    parser.add_argument("--values", type=Path, default=VALUES_DIR, metavar="DIR",
                        help="directory of values files (default: the embedded lib/values)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--max-fields", type=int, default=50, metavar="N",
                        help="changed fields shown per object (default: 50)")
    return parser


def _diff(argv: list[str]) -> int:
    import tempfile

    from .diff import diff_trees, format_diff, summary
    from .render import render

    args = _diff_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="voyager-diff-") as tmp:
        fresh = Path(tmp) / "dist"
        try:
            result = render(args.envs, fresh, args.values, jobs=args.jobs)
        except VoyagerError as exc:
            print(f"error: {one_line(exc)}", file=sys.stderr)
            return exc.exit_code
        _say_dependents(result)
        envs = [s.name for s in result.stats]
        if not args.envs and args.dir.is_dir():
            # Environments only in --dir would be removed by the merge.
            envs += sorted(p.name for p in args.dir.iterdir()
                           if p.is_dir() and not p.name.startswith(".") and p.name not in envs)
        diffs = [diff_trees(args.dir, fresh, env) for env in envs]
    for line in format_diff(diffs, max_fields=args.max_fields):
        print(line)
    print(summary(diffs))
    return 1 if any(d.changes for d in diffs) else 0
