"""Labels every Voyager object carries, and the ones that select pods.

Selectors use explicit labels only (``app``, ``component``), never a
construct path: a Deployment's selector is immutable in a running cluster.
"""
from __future__ import annotations

PART_OF = {"app.kubernetes.io/part-of": "voyager", "app.kubernetes.io/managed-by": "cdk8s"}


def workload_selector(app: str, component: str) -> dict[str, str]:
    """The spec's pod selector: ``app`` + ``component``."""
    return {"app": app, "component": component}


def workload_labels(app: str, component: str) -> dict[str, str]:
    return {
        **workload_selector(app, component),
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/component": component,
        **PART_OF,
    }
