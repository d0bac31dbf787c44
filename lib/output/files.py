"""File names and bytes of the rendered tree.

``dist/<env>/<namespace>/<kind>-<name>.yaml``; cluster-scoped objects (no
``metadata.namespace``) under ``dist/<env>/cluster/``. YAML is written on the
Python side (lib/output/fastyaml.py): far cheaper than asking cdk8s to write
files, and ~5x cheaper than PyYAML's representer.
"""
from __future__ import annotations

from typing import Iterable

from . import fastyaml

CLUSTER_DIR = "cluster"
KUSTOMIZATION = "kustomization.yaml"

def dump(obj: dict) -> bytes:
    return fastyaml.dump(obj).encode("utf-8")


def object_path(obj: dict) -> tuple[str, str]:
    """(directory, file name) of an object, relative to its environment."""
    meta = obj.get("metadata", {})
    directory = meta.get("namespace") or CLUSTER_DIR
    return directory, f"{obj['kind'].lower()}-{meta['name']}.yaml"


def kustomization(resources: Iterable[str]) -> bytes:
    return dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(resources),
    })
