"""The platform's own APIs (lib/catalog/apis/) as CustomResourceDefinitions,
rendered into the cluster directory with everything cluster-scoped."""
from __future__ import annotations

from constructs import Construct

from ..catalog.model import Api
from ..patterns.custom_resource_definition import ApiVersion, CrdConfig, CustomResourceDefinition
from .labels import PART_OF


def crd_config(api: Api) -> CrdConfig:
    schema = {"description": api.description, **api.schema}
    return CrdConfig(
        group=api.group, kind=api.kind, plural=api.plural, singular=api.singular,
        short_names=api.short_names, categories=("voyager",),
        versions=(ApiVersion(api.version, schema, printer_columns=api.printer_columns),),
        labels={**PART_OF, "voyager.io/owner": api.owner.replace("/", ".")},
    )


def add_apis(cluster: Construct, apis: tuple[Api, ...]) -> None:
    for api in apis:
        CustomResourceDefinition(cluster, f"api-{api.plural}.{api.group}", config=crd_config(api))
