"""Build every chart of one environment (or one shard of its namespaces)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..catalog import Catalog, build_catalog
from ..config.loader import LoadedEnvironment
from ..k8s.api import core  # noqa: F401  (selects the Node before cdk8s loads)
from ..k8s.objects import ObjectChart, emit, materialize
from ..patterns.cluster_baseline import (
    PriorityClassConfig,
    PriorityClasses,
    StorageClassConfig,
    StorageClasses,
)
from . import capacity
from .apis import add_apis
from .cluster_services import add_cluster_services
from .databases import check_restores
from .labels import PART_OF
from .namespaces import add_namespace_layer, quota_for
from .network import declared_edges, edges_by_namespace, policies_for
from .workloads import (
    DATABASE_STORAGE_CLASS,
    PRIORITY_CUSTOMER,
    PRIORITY_DATABASE,
    PRIORITY_PLATFORM,
    STANDARD_STORAGE_CLASS,
    add_workloads,
    config_for,
)

from cdk8s import App, Chart  # noqa: E402

STORAGE_CLASSES = (
    # The spec's classes, exactly: databases on provisioned IOPS, the rest standard.
    StorageClassConfig(DATABASE_STORAGE_CLASS, "ebs.csi.aws.com",
                       {"type": "gp3", "iops": "3000", "throughput": "125", "encrypted": "true"},
                       retain=True),
    StorageClassConfig(STANDARD_STORAGE_CLASS, "ebs.csi.aws.com",
                       {"type": "gp3", "encrypted": "true"}),
)

PRIORITY_CLASSES = (
    PriorityClassConfig(PRIORITY_DATABASE, 1_000_000,
                        "Voyager databases: the last to be preempted"),
    PriorityClassConfig(PRIORITY_PLATFORM, 100_000,
                        "Voyager platform services: outrank customer workloads under pressure"),
    PriorityClassConfig(PRIORITY_CUSTOMER, 10_000, "Customer book deployments"),
)


# About how many objects shard 0 renders beyond the Applications (classes,
# CRDs, cluster services): a rendered production tree has about 100.
_CLUSTER_WIDE_OBJECTS = 100


@dataclass
class Plan:
    """What one environment renders, computed once before any construct."""

    loaded: LoadedEnvironment
    catalog: Catalog
    edges: list

    @classmethod
    def of(cls, loaded: LoadedEnvironment) -> "Plan":
        catalog = build_catalog(loaded.model)
        plan = cls(loaded, catalog, declared_edges(loaded.model, catalog))
        check_restores(loaded, catalog)
        plan.check_capacity()
        return plan

    @cached_property
    def edges_by_namespace(self) -> dict:
        return edges_by_namespace(self.edges)

    def shards(self, count: int) -> list[set[str]]:
        """The namespaces of each of ``count`` shards, about equal in objects.

        Each namespace goes, in catalog order, to the shard with the fewest
        objects so far, by an estimate (from rendered trees: about 6 objects
        per namespace and 10 per workload, its Namespace included); shard 0
        starts with the cluster-wide objects it alone renders, an Argo CD
        Application per namespace among them. Round robin left shard 0 about
        1,000 objects heavier at 1,000 customers. Only the speed depends on
        this: every object is rendered once whichever shard holds it."""
        load = [0] * count
        load[0] = len(self.catalog.namespaces) + _CLUSTER_WIDE_OBJECTS
        out: list[set[str]] = [set() for _ in range(count)]
        for namespace in self.catalog.namespaces:
            lightest = min(range(count), key=lambda i: (load[i], i))
            out[lightest].add(namespace.name)
            load[lightest] += 6 + 10 * len(self.catalog.in_namespace(namespace.name))
        return out

    def check_capacity(self) -> None:
        env = self.loaded.model
        for namespace in self.catalog.namespaces:
            configs = [config_for(self.loaded, self.catalog, namespace, w)
                       for w in self.catalog.in_namespace(namespace.name)]
            quota_name, quota = quota_for(env, namespace)
            if namespace.customer:
                index = namespace.customer_index
                loc = (("customers", index, "quota") if env.customers[index].quota
                       else ("quotas", "customer"))
            elif namespace.name in env.namespaces and env.namespaces[namespace.name].quota:
                loc = ("namespaces", namespace.name, "quota")
            else:
                loc = ("quotas", "service")
            capacity.check(self.loaded, namespace.name, loc, quota.hard(), configs)


def build(plan: Plan, shard: int = 0, shards: int = 1) -> list[Chart]:
    """The charts of this shard: every ``shards``-th namespace. Each shard has
    its own cluster chart (Namespaces, ClusterRoles of its namespaces); shard 0
    adds the cluster-wide objects. The output layer merges ``cluster/``."""
    app = App()
    cluster = ObjectChart(app, "cluster", disable_resource_name_hashes=True, labels=PART_OF)
    if shard == 0:
        StorageClasses(cluster, "storage", classes=STORAGE_CLASSES)
        PriorityClasses(cluster, "priorities", classes=PRIORITY_CLASSES)
        add_apis(cluster, plan.catalog.apis)
    charts = [cluster]
    if shard == 0:
        charts += add_cluster_services(app, plan.loaded, plan.catalog)
    mine = plan.shards(shards)[shard]
    for namespace in plan.catalog.namespaces:
        if namespace.name not in mine:
            continue
        chart = ObjectChart(app, namespace.name, namespace=namespace.name,
                      disable_resource_name_hashes=True, labels=PART_OF)
        add_namespace_layer(chart, cluster, plan.loaded.model, plan.catalog, namespace)
        add_workloads(chart, cluster, plan.loaded, plan.catalog, namespace)
        for name, spec in policies_for(namespace.name, plan.edges_by_namespace.get(namespace.name, [])):
            emit(chart, core("NetworkPolicy"), {"name": name}, spec=spec)
        charts.append(chart)
    # Only now do the charts, patterns and objects cross to cdk8s, in a few
    # calls (lib/k8s/objects.py); from here on the app is an ordinary cdk8s
    # app (app.synth(), app.charts, aspects all see everything).
    for chart in charts:
        chart.flush()
    materialize()
    return charts
