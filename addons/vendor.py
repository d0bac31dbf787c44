"""Copy each add-on's chart values contract into addons/charts/<add-on>/.

Run by hand, with a local clone (a bare git directory) of every upstream
repository; the tests never run it and need no network. For each add-on of
``lib/catalog/addons.py`` it copies, byte for byte, from the repository at
the pinned tag:

- ``values.schema.json`` where the chart has one (Helm validates the merged
  values against it), and its default ``values.yaml`` (the key paths the
  templates read);
- for a kustomize source, the ``kustomization.yaml`` and the manifests our
  patches target;

and writes ``provenance.json`` beside them: repository, path, tag, the
commit the tag points at, and each file's sha256 (tests/test_addons.py
checks the files still hash to it).

    .venv/bin/python addons/vendor.py --git-dirs /path/to/clones
    # /path/to/clones/<owner>+<name>/repo is the bare clone of github.com/<owner>/<name>
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.catalog.addons import ADDONS  # noqa: E402


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True,
                          capture_output=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git-dirs", type=Path, required=True,
                        help="directory holding <owner>+<name>/repo bare clones")
    args = parser.parse_args()
    for addon in ADDONS:
        up = addon.upstream
        git_dir = args.git_dirs / up.repo.replace("/", "+") / "repo"
        commit = _git(git_dir, "rev-list", "-1", up.tag).decode().strip()
        if commit != up.commit:
            print(f"{addon.key}: tag {up.tag} is {commit}, the catalog says {up.commit}", file=sys.stderr)
            return 1
        out = ROOT / "addons" / "charts" / addon.key
        out.mkdir(parents=True, exist_ok=True)
        files = {}
        for name in up.files:
            data = _git(git_dir, "show", f"{up.commit}:{up.path}/{name}")
            target = out / name  # the layout below the chart's directory, kept
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            files[name] = {"upstream_path": f"{up.path}/{name}",
                           "sha256": hashlib.sha256(data).hexdigest()}
        provenance = {"repository": f"https://github.com/{up.repo}", "path": up.path, "tag": up.tag,
                      "commit": up.commit, "files": files}
        (out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
        print(f"{addon.key}: {', '.join(files)} from {up.repo}@{up.tag} ({up.commit[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
