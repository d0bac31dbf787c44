"""Labels every Voyager object carries, and the ones that select pods.

Selectors use explicit labels only (``app``, ``component``), never a
construct path: a Deployment's selector is immutable in a running cluster.
"""
from __future__ import annotations

from ..catalog.model import Workload

PART_OF = {"app.kubernetes.io/part-of": "voyager", "app.kubernetes.io/managed-by": "cdk8s"}


def selector_for(workload: Workload) -> dict[str, str]:
    """The pod selector, as the spec writes it: ``app`` + ``component`` for a
    service, ``app`` alone for a controller, ``app: postgresql, service:
    <owner>`` for a database."""
    if workload.pattern == "postgresql":
        return {"app": "postgresql", "service": workload.database_of}
    app = workload.app or workload.name
    if workload.pattern == "controller":
        return {"app": app}  # the spec's book-controller selects on app alone
    return {"app": app, "component": workload.component}


def labels_for(workload: Workload) -> dict[str, str]:
    selector = selector_for(workload)
    return {
        **selector,
        "component": workload.component,
        "app.kubernetes.io/name": selector["app"],
        "app.kubernetes.io/instance": workload.name,
        "app.kubernetes.io/component": workload.component,
        **PART_OF,
    }

