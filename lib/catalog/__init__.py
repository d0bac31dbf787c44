"""The platform's inventory as data: what exists in one environment.

``build_catalog`` joins the fixed inventory (``namespaces.py`` and one module
per namespace under ``services/``) with the environment's customers.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config.models import Environment
from .customers import customer_book
from .model import Namespace, Workload
from .namespaces import EDGE_NAMESPACE, SERVICE_NAMESPACES, customer_namespace
from .services import SERVICE_WORKLOADS


@dataclass(frozen=True)
class Catalog:
    namespaces: tuple[Namespace, ...]
    workloads: tuple[Workload, ...]

    def in_namespace(self, namespace: str) -> tuple[Workload, ...]:
        return tuple(w for w in self.workloads if w.namespace == namespace)


def build_catalog(env: Environment) -> Catalog:
    customers = tuple(customer_namespace(c.id) for c in env.customers)
    return Catalog(
        namespaces=SERVICE_NAMESPACES + customers,
        workloads=SERVICE_WORKLOADS + tuple(customer_book(ns.name) for ns in customers),
    )


__all__ = ["Catalog", "EDGE_NAMESPACE", "Namespace", "Workload", "build_catalog"]
