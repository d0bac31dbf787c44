"""bdk.voyager.io: a Book, the Book Development Kit's unit of delivery.

A Book says which book implementation a customer runs, at which pinned
release and size; the book-controller (lib/catalog/services/bdk.py)
reconciles it and reports what it found in ``status``.
"""
from ..model import Api
from .schema import (
    AGE_COLUMN,
    DNS_LABEL,
    conditions,
    integer,
    local_ref,
    obj,
    observed_generation,
    pinned_image,
    quantity_map,
    string,
)

BOOK = Api(
    group="bdk.voyager.io",
    kind="Book",
    plural="books",
    version="v1alpha1",
    owner="bdk/book-controller",
    description="A book implementation deployed for a customer.",
    short_names=("bk",),
    schema={"properties": {
        "spec": obj("The book the customer should run.", {
            "implementation": string(
                "Which book implementation, e.g. idp or shared.", maxLength=63, pattern=DNS_LABEL),
            "image": pinned_image("book"),
            "replicas": integer("Pods of this book; 0 parks it.", minimum=0, maximum=10),
            "resources": obj("Per-pod resources, as a container's.", {
                "requests": quantity_map("Requested resources."),
                "limits": quantity_map("Resource limits."),
            }),
            "configRef": local_ref("ConfigMap"),
            "suspend": {"type": "boolean",
                        "description": "Stop reconciling (the deployment stays as it is)."},
        }, required=("implementation", "image")),
        "status": obj("What the book-controller last observed.", {
            "observedGeneration": observed_generation(),
            "readyReplicas": integer("Ready pods.", minimum=0),
            "phase": string("Summary of the conditions.",
                            enum=["Pending", "Ready", "Degraded", "Suspended"]),
            "conditions": conditions(),
        }),
    }},
    printer_columns=(
        {"name": "Implementation", "type": "string", "jsonPath": ".spec.implementation"},
        {"name": "Tag", "type": "string", "jsonPath": ".spec.image.tag"},
        {"name": "Ready", "type": "integer", "jsonPath": ".status.readyReplicas"},
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        AGE_COLUMN,
    ),
)

APIS = (BOOK,)
