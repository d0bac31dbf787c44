"""Build cdk8s API objects from plain bodies, crossing the jsii bridge rarely.

Every jsii call is a synchronous round trip to Node (~0.3-0.5 ms). Typed L1
structs cost one call per nested ``Quantity``/``IntOrString`` plus Python-side
type checks, so a pod template costs dozens of calls. Here an object is three:
create the ApiObject with its metadata, make one JSON patch per top-level
field, apply them. Bodies are ordinary Kubernetes-shaped dicts (camelCase, as
in the API reference and the spec), and nothing filters unknown fields, so a
typo reaches the schema validation in the tests instead of vanishing.
"""
from __future__ import annotations

from typing import Any, Mapping

from cdk8s import ApiObject, JsonPatch
from constructs import Construct

from .api import Kind


def emit(scope: Construct, kind: Kind, metadata: Mapping[str, Any], **fields: Any) -> ApiObject:
    """Add one object of ``kind`` to ``scope``; ``fields`` are its top-level keys.

    The construct id is ``<Kind>-<name>``, unique per chart because output
    file names are too; the object's name is ``metadata['name']``, explicit.
    """
    obj = ApiObject(
        scope,
        f"{kind.kind}-{metadata['name']}",
        api_version=kind.api_version,
        kind=kind.kind,
        metadata=dict(metadata),
    )
    patches = [JsonPatch.add(f"/{key}", value) for key, value in fields.items() if value is not None]
    if patches:
        obj.add_json_patch(*patches)
    return obj
