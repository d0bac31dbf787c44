"""The platform's inventory as data: what exists in one environment.

``build_catalog`` joins the fixed inventory (``namespaces.py`` and one module
per namespace under ``services/``) with the environment's customers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config.models import Environment
from .customers import customer_book
from .model import Namespace, Workload
from .namespaces import EDGE_NAMESPACE, SERVICE_NAMESPACES, customer_namespace
from .services import SERVICE_WORKLOADS


@dataclass(frozen=True)
class Catalog:
    namespaces: tuple[Namespace, ...]
    workloads: tuple[Workload, ...]
    # Workloads by namespace, built once: every layer asks per namespace, and
    # a scan per question is quadratic with a thousand customers.
    _by_namespace: dict[str, tuple[Workload, ...]] = field(init=False, repr=False, compare=False)
    _by_target: dict[str, Workload] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Workload]] = {}
        for workload in self.workloads:
            index.setdefault(workload.namespace, []).append(workload)
        object.__setattr__(self, "_by_namespace", {k: tuple(v) for k, v in index.items()})
        object.__setattr__(self, "_by_target", {f"{w.namespace}/{w.name}": w for w in self.workloads})

    def in_namespace(self, namespace: str) -> tuple[Workload, ...]:
        return self._by_namespace.get(namespace, ())

    def target(self, target: str) -> Workload | None:
        """The workload a ``Talk`` names (``<namespace>/<name>``), if it exists."""
        return self._by_target.get(target)


def build_catalog(env: Environment) -> Catalog:
    customers = tuple(customer_namespace(c.id, i) for i, c in enumerate(env.customers))
    return Catalog(
        namespaces=SERVICE_NAMESPACES + customers,
        workloads=SERVICE_WORKLOADS + tuple(customer_book(ns.name) for ns in customers),
    )


__all__ = ["Catalog", "EDGE_NAMESPACE", "Namespace", "Workload", "build_catalog"]
