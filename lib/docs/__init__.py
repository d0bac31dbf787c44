"""Generated, committed documentation of a rendered environment.

``write_docs(env_root)`` reads the rendered objects of ``dist/<env>/`` (the
YAML only: never lib.platform, lib.patterns, lib.catalog or cdk8s, like
lib/validate, whose loaders and models it reuses) and writes

- ``docs/inventory.md``: namespaces, workloads, quota headroom at maximum
  scale, backups, public routes, Argo CD applications;
- ``docs/network.md``: who may talk to whom, from the NetworkPolicies: a
  Mermaid overview by namespace, one small Mermaid diagram per namespace, a
  matrix and the policies behind each edge.

lib/render.py calls it for every rendered environment, inside the new tree
before the swap, so ``python main.py --check`` also fails on stale docs. It
passes the objects it just wrote, still in memory, instead of having them
read back: the same Tree either way (``load.tree_from_objects``).
``docs/`` holds no Kubernetes object and is in no kustomization. Output is
deterministic: sorted, no timestamps.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..errors import VoyagerError
from .load import DOCS_DIR, read_tree, tree_from_objects

DOCS = ("inventory.md", "network.md")


def render_docs(env_root: Path, objects: Iterable[tuple[str, dict]] | None = None) -> dict[str, str]:
    """File name -> Markdown for the environment rendered at ``env_root``.

    ``objects``: the (``<directory>/<file>``, object) pairs a render just wrote
    there, still in memory; the docs are the same as from the files (which is
    how any other tree, hand-edited ones included, is read), without parsing
    thousands of files again."""
    from .inventory import inventory
    from .network import network

    if objects is None:
        tree = read_tree(env_root)
        return {"inventory.md": inventory(tree), "network.md": network(tree)}
    # A render waits for the docs with every worker done: the network map in a
    # forked child, the inventory here, so both cores work.
    tree = tree_from_objects(env_root, objects)
    inventory_md, network_md = _side_by_side(tree, inventory, network)
    return {"inventory.md": inventory_md, "network.md": network_md}


def _side_by_side(tree, here, there) -> tuple[str, str]:
    """``here(tree)`` in this process and ``there(tree)`` in a forked child at
    the same time. The child only computes and writes its text to a pipe, then
    leaves with os._exit (no atexit handler, no buffer flushed twice). Should
    it fail, ``there`` runs again here, so its error is raised as usual."""
    if not hasattr(os, "fork"):
        return here(tree), there(tree)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 1
        try:
            os.close(read_end)
            text = there(tree).encode("utf-8")
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(text)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        first = here(tree)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    return first, data.decode("utf-8") if status == 0 else there(tree)


def write_docs(env_root: Path, objects: Iterable[tuple[str, dict]] | None = None) -> list[Path]:
    """Write ``env_root/docs/*.md`` (``objects`` as for :func:`render_docs`);
    returns the files written."""
    env_root = Path(env_root)
    target = env_root / DOCS_DIR
    if target.exists() and any(p.suffix == ".yaml" for p in target.iterdir()):
        raise VoyagerError(f"{env_root.name}: a namespace named {DOCS_DIR!r} would share "
                           f"{DOCS_DIR}/ with the generated docs; rename it")
    docs = render_docs(env_root, objects)
    target.mkdir(exist_ok=True)
    written = []
    for name, text in sorted(docs.items()):
        path = target / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


__all__ = ["DOCS", "DOCS_DIR", "render_docs", "write_docs"]
