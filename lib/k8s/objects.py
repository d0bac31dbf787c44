"""Hand plain bodies to cdk8s with as few jsii calls as possible.

Every jsii call is a synchronous round trip to Node (~0.3-0.5 ms). Typed L1
structs cost one call per nested ``Quantity``/``IntOrString`` plus Python-side
type checks, so a typed pod template costs dozens of calls. Here constructs
collect each object's body (ordinary Kubernetes-shaped dicts, camelCase as in
the API reference and the spec) in their Chart; ``flush`` then creates each
as a cdk8s ApiObject with one JSON patch per top-level field: three calls
for a typical object. (``cdk8s.Include`` would be one call per chart, but it
loads its file by spawning a Node child process, ~100 ms per chart: slower
for charts of a few dozen objects, which all of ours are.) Nothing filters
unknown fields, so a typo reaches the strict schema validation in the tests
instead of vanishing.
"""
from __future__ import annotations

from typing import Any, Mapping

from cdk8s import ApiObject, Chart, JsonPatch
from constructs import Construct

from ..errors import VoyagerError
from .api import Kind


class ObjectChart(Chart):
    """A Chart that collects its objects' bodies and includes them in one call."""

    def __init__(self, scope: Construct, id: str, **props: Any):
        super().__init__(scope, id, **props)
        self.voyager_bodies: list[dict] = []
        self.voyager_chart = self

    def flush(self) -> None:
        """Create every collected object (once, after all constructs ran)."""
        seen: set[tuple[str, str]] = set()
        for body in self.voyager_bodies:
            key = (body["kind"], body["metadata"]["name"])
            if key in seen:
                raise VoyagerError(f"two {key[0]} objects named {key[1]!r} in chart {self.node.id}")
            seen.add(key)
        for body in self.voyager_bodies:
            obj = ApiObject(self, f"{body['kind']}-{body['metadata']['name']}",
                            api_version=body["apiVersion"], kind=body["kind"],
                            metadata=body["metadata"])
            fields = [JsonPatch.add(f"/{key}", value) for key, value in body.items()
                      if key not in ("apiVersion", "kind", "metadata")]
            if fields:
                obj.add_json_patch(*fields)
        self.voyager_bodies = []


class Group(Construct):
    """Base of every pattern: a construct that knows the chart it renders into."""

    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        self.voyager_chart = scope.voyager_chart


def emit(scope: Construct, kind: Kind, metadata: Mapping[str, Any], **fields: Any) -> None:
    """Add one object of ``kind`` to the chart of ``scope``; ``fields`` are its
    top-level keys (``spec``, ``data``, ``rules``...). None values are left out."""
    body = {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": dict(metadata)}
    body.update((k, v) for k, v in fields.items() if v is not None)
    scope.voyager_chart.voyager_bodies.append(body)
