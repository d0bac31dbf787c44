"""The platform's own Kubernetes APIs: the kinds Voyager's controllers own.

One module per API group (``bdk.py``: Book; ``llm.py``: Model, Prompt). Each
declares an :class:`Api` with its schema; the platform renders one
CustomResourceDefinition per Api into the cluster directory, so a controller
never starts without its kinds. ``check_owners`` ties the two together: every
``*.voyager.io`` resource a controller's RBAC names is declared here, and
every Api is reconciled by a controller that has RBAC for it.
"""
from __future__ import annotations

from ..model import Api, Workload
from . import bdk, llm

APIS: tuple[Api, ...] = bdk.APIS + llm.APIS

OWN_GROUP_SUFFIX = ".voyager.io"


def check_owners(apis: tuple[Api, ...], workloads: tuple[Workload, ...]) -> None:
    """Raise ValueError (one line) when a controller and the APIs disagree."""
    declared = {(a.group, a.plural): a for a in apis}
    served = {(a.group, a.plural) for a in apis} | {(a.group, f"{a.plural}/status") for a in apis}
    names = [(a.group, a.plural) for a in apis]
    for key in names:
        if names.count(key) > 1:
            raise ValueError(f"lib/catalog/apis/: {key[1]}.{key[0]} is declared twice")
    for workload in workloads:
        for rule in workload.managed_resources + workload.api_rules:
            for group in rule.api_groups:
                if not group.endswith(OWN_GROUP_SUFFIX):
                    continue
                for resource in rule.resources:
                    if (group, resource) not in served:
                        known = ", ".join(sorted(f"{p}.{g}" for g, p in declared)) or "none"
                        raise ValueError(
                            f"lib/catalog/services/: {workload.namespace}/{workload.name} manages "
                            f"{resource}.{group}, which no API in lib/catalog/apis/ declares "
                            f"(declared: {known})")
    by_target = {f"{w.namespace}/{w.name}": w for w in workloads}
    for api in apis:
        owner = by_target.get(api.owner)
        if owner is None:
            raise ValueError(f"lib/catalog/apis/: {api.kind} ({api.group}) names owner "
                             f"{api.owner!r}, which is not a workload in lib/catalog/services/")
        granted = {(g, r) for rule in owner.managed_resources for g in rule.api_groups
                   for r in rule.resources}
        if (api.group, api.plural) not in granted:
            raise ValueError(f"lib/catalog/apis/: {api.kind}'s owner {api.owner} has no RBAC "
                             f"rule for {api.plural}.{api.group} in its managed_resources")


__all__ = ["APIS", "OWN_GROUP_SUFFIX", "check_owners"]
