"""The platform's inventory as data: what exists in one environment.

``build_catalog`` joins the fixed inventory (``namespaces.py`` and one module
per namespace under ``services/``) with the environment's customers.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

from ..config.loader import Inventory
from ..config.models import Environment
from . import services
from .apis import APIS, check_owners
from .checks import (
    CUSTOMERS_FILE,
    check_namespaces,
    check_registered,
    check_workloads,
    default_file,
    services_file,
)
from .customers import customer_book
from .model import Api, Namespace, Workload
from .namespaces import CUSTOMER_PREFIX, EDGE_NAMESPACE, SERVICE_NAMESPACES, customer_namespace
from .services import SERVICE_WORKLOADS


@dataclass(frozen=True)
class Catalog:
    namespaces: tuple[Namespace, ...]
    workloads: tuple[Workload, ...]
    apis: tuple[Api, ...] = ()
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
        apis=APIS,
    )


def _declared_in() -> dict[int, str]:
    """id(workload) -> the catalog file that declares it, for error messages."""
    return {id(w): services_file(m.__file__) for m in _service_modules()
            for w in getattr(m, "WORKLOADS", None) or () if isinstance(w, Workload)}


def _service_modules() -> list:
    return [importlib.import_module(f"{services.__name__}.{info.name}")
            for info in pkgutil.iter_modules(services.__path__)]


def check_catalog(namespaces: tuple[Namespace, ...] | None = None,
                  workloads: tuple[Workload, ...] | None = None) -> None:
    """Checks of the fixed inventory that need no environment: ValueError with
    one line naming the catalog file, the workload and the declaration.

    By default the catalog as declared; tests pass edited ``namespaces`` or
    ``workloads`` instead.
    """
    if workloads is None:
        check_registered(_service_modules(), SERVICE_WORKLOADS)
    namespaces = SERVICE_NAMESPACES if namespaces is None else namespaces
    workloads = SERVICE_WORKLOADS if workloads is None else workloads
    check_namespaces(namespaces, EDGE_NAMESPACE, CUSTOMER_PREFIX)
    # One customer's book stands for all of them: its edges must resolve too.
    sample = customer_namespace("example", 0)
    book = customer_book(sample.name)
    files = {**_declared_in(), id(book): CUSTOMERS_FILE}
    check_workloads(namespaces + (sample,), workloads + (book,),
                    lambda w: files.get(id(w)) or default_file(w), EDGE_NAMESPACE,
                    reserved={book.name: CUSTOMERS_FILE})
    check_owners(APIS, workloads)


def inventory() -> Inventory:
    """The names the values may refer to (``load_environment(..., inventory=)``)."""
    book = customer_book(customer_namespace("example", 0).name)
    return Inventory(workloads=tuple(w.name for w in SERVICE_WORKLOADS),
                     customer_workloads=(book.name,),
                     namespaces=tuple(ns.name for ns in SERVICE_NAMESPACES))


__all__ = ["Api", "Catalog", "check_catalog", "EDGE_NAMESPACE", "Namespace", "Workload", "build_catalog",
           "inventory"]
