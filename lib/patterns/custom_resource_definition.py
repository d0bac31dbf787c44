"""A CustomResourceDefinition for an API a platform controller owns.

The controller's kinds must exist before it starts: a controller-runtime
manager whose watched kind has no CRD fails its informer sync and exits. So
the API is rendered beside the platform, in the cluster directory, with a
structural ``openAPIV3Schema`` (the API server prunes and validates by it),
the status subresource (so a spec writer cannot overwrite status and the
controller's status updates do not bump ``metadata.generation``), printer
columns, and CEL rules (``x-kubernetes-validations``) for what a schema
cannot say alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit


@dataclass(frozen=True)
class ApiVersion:
    name: str  # "v1alpha1"
    schema: dict  # the openAPIV3Schema of spec and status (root is added here)
    printer_columns: tuple[dict, ...] = ()
    served: bool = True
    storage: bool = True


@dataclass(frozen=True)
class CrdConfig:
    group: str
    kind: str
    plural: str
    singular: str
    versions: tuple[ApiVersion, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    namespaced: bool = True
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        storage = [v.name for v in self.versions if v.storage]
        if len(storage) != 1:
            # The API server refuses a CRD without exactly one storage version.
            raise ValueError(f"CRD {self.name}: exactly one storage version, not {storage}")
        if self.plural != self.plural.lower() or self.singular != self.singular.lower():
            raise ValueError(f"CRD {self.name}: plural and singular names are lowercase")

    @property
    def name(self) -> str:
        return f"{self.plural}.{self.group}"


def _root(schema: dict) -> dict:
    """The object's root: apiVersion/kind/metadata are the API server's; spec
    and status are ours. Status is the controller's, so it stays optional."""
    return {
        "type": "object",
        "description": schema.get("description", ""),
        "required": ["spec"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            **schema["properties"],
        },
    }


class CustomResourceDefinition(Group):
    def __init__(self, scope: Construct, id: str, *, config: CrdConfig):
        super().__init__(scope, id)
        c = config
        names = {"kind": c.kind, "listKind": f"{c.kind}List", "plural": c.plural,
                 "singular": c.singular}
        if c.short_names:
            names["shortNames"] = list(c.short_names)
        if c.categories:
            names["categories"] = list(c.categories)
        versions = []
        for v in c.versions:
            version = {
                "name": v.name,
                "served": v.served,
                "storage": v.storage,
                "schema": {"openAPIV3Schema": _root(v.schema)},
                "subresources": {"status": {}},
            }
            if v.printer_columns:
                version["additionalPrinterColumns"] = [dict(col) for col in v.printer_columns]
            versions.append(version)
        emit(self, core("CustomResourceDefinition"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "group": c.group,
                 "names": names,
                 "scope": "Namespaced" if c.namespaced else "Cluster",
                 "versions": versions,
             })
