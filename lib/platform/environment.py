"""Build every chart of one environment (or one shard of its namespaces)."""
from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, build_catalog
from ..config.models import Environment
from ..k8s.api import core  # noqa: F401  (selects the Node before cdk8s loads)
from ..k8s.objects import emit
from .labels import PART_OF
from .namespaces import add_namespace_layer
from .network import declared_edges, policies_for

from cdk8s import App, Chart  # noqa: E402


@dataclass
class Plan:
    """What one environment renders, computed once before any construct."""

    env: Environment
    catalog: Catalog
    edges: list

    @classmethod
    def of(cls, env: Environment) -> "Plan":
        catalog = build_catalog(env)
        return cls(env, catalog, declared_edges(env, catalog))


def build(plan: Plan, shard: int = 0, shards: int = 1) -> list[Chart]:
    """The charts of this shard: every ``shards``-th namespace, and the
    cluster-scoped chart in shard 0's hands only for cluster-wide objects.

    Namespace objects and ClusterRoles are emitted into a cluster chart per
    shard; the output layer merges them into one ``cluster/`` directory.
    """
    app = App()
    cluster = Chart(app, "cluster", disable_resource_name_hashes=True, labels=PART_OF)
    charts = [cluster]
    for index, namespace in enumerate(plan.catalog.namespaces):
        if index % shards != shard:
            continue
        chart = Chart(app, namespace.name, namespace=namespace.name,
                      disable_resource_name_hashes=True, labels=PART_OF)
        add_namespace_layer(chart, cluster, plan.env, plan.catalog, namespace)
        for name, spec in policies_for(namespace.name, plan.edges):
            emit(chart, core("NetworkPolicy"), {"name": name}, spec=spec)
        charts.append(chart)
    return charts
