"""Small builders for structural OpenAPI v3 schemas (every node typed, as
the API server requires of a CRD), shared by the API modules."""
from __future__ import annotations

# A DNS-1123 label: what a Kubernetes object name in these references is.
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


def string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def integer(description: str, minimum: int | None = None, maximum: int | None = None,
            **extra) -> dict:
    out: dict = {"type": "integer", "format": "int32", "description": description, **extra}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    return out


def obj(description: str, properties: dict, required: tuple[str, ...] = (), **extra) -> dict:
    out: dict = {"type": "object", "description": description, "properties": properties, **extra}
    if required:
        out["required"] = list(required)
    return out


def local_ref(kind: str) -> dict:
    return obj(f"A {kind} in the same namespace.",
               {"name": string(f"The {kind}'s name.", maxLength=63, pattern=DNS_LABEL)},
               required=("name",))


def pinned_image(what: str) -> dict:
    """An image as repository + tag; ``latest`` (or no tag) is refused, as
    the platform refuses it everywhere else."""
    return obj(
        f"The {what} image, pinned to a release.",
        {
            "repository": string("Image repository, e.g. voyager/idp-book.", minLength=1,
                                 maxLength=255),
            "tag": string("A release tag; never latest.", minLength=1, maxLength=128,
                          pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"),
        },
        required=("repository", "tag"),
        **{"x-kubernetes-validations": [{
            "rule": "self.tag != 'latest'",
            "message": "pin a release tag; latest is refused",
        }]},
    )


def quantity_map(description: str) -> dict:
    return obj(description, {
        "cpu": {"description": "CPU, e.g. 250m.", "x-kubernetes-int-or-string": True,
                "anyOf": [{"type": "integer"}, {"type": "string"}],
                "pattern": r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"},
        "memory": {"description": "Memory, e.g. 512Mi.", "x-kubernetes-int-or-string": True,
                   "anyOf": [{"type": "integer"}, {"type": "string"}],
                   "pattern": r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"},
    })


def conditions() -> dict:
    """metav1.Condition, as the API machinery defines it (k8s.io/apimachinery
    pkg/apis/meta/v1/types.go), keyed by type."""
    return {
        "type": "array",
        "description": "The latest observations of the object's state.",
        "maxItems": 16,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
        "items": obj("One condition.", {
            "type": string("Condition type, e.g. Ready.", maxLength=316,
                           pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"),
            "status": string("True, False or Unknown.", enum=["True", "False", "Unknown"]),
            "observedGeneration": {"type": "integer", "format": "int64", "minimum": 0,
                                   "description": "The generation the condition was set for."},
            "lastTransitionTime": string("When the status last changed.", format="date-time"),
            "reason": string("CamelCase reason.", minLength=1, maxLength=1024,
                             pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"),
            "message": string("Human-readable details.", maxLength=32768),
        }, required=("type", "status", "lastTransitionTime", "reason", "message")),
    }


def observed_generation() -> dict:
    return {"type": "integer", "format": "int64", "minimum": 0,
            "description": "The metadata.generation the controller last acted on."}


AGE_COLUMN = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
