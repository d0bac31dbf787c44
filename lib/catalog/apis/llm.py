"""llm.voyager.io: the models the platform may call and the prompts it uses.

A Model is either a provider's hosted model (reached through the ai-proxy)
or one the platform serves itself on GPU nodes; a Prompt is a versioned
template bound to one Model. The llm-services-controller
(lib/catalog/services/llm.py) reconciles both inside the llm namespace.
"""
from ..model import Api
from .schema import (
    AGE_COLUMN,
    conditions,
    integer,
    local_ref,
    obj,
    observed_generation,
    pinned_image,
    string,
)

MODEL = Api(
    group="llm.voyager.io",
    kind="Model",
    plural="models",
    version="v1alpha1",
    owner="llm/llm-services-controller",
    description="A large language model the platform may use.",
    short_names=("mdl",),
    schema={"properties": {
        "spec": obj("The model and how to reach it.", {
            "provider": string("Who serves it.", enum=["openai", "anthropic", "self-hosted"]),
            "modelId": string("The provider's model name, or the served weights' id.",
                              minLength=1, maxLength=256),
            "parameters": obj("Defaults for every request to this model.", {
                "maxOutputTokens": integer("Upper bound of generated tokens.", minimum=1,
                                           maximum=1_000_000),
                "temperature": {"type": "number", "minimum": 0, "maximum": 2,
                                "description": "Sampling temperature."},
                "topP": {"type": "number", "minimum": 0, "maximum": 1,
                         "description": "Nucleus sampling mass."},
            }),
            "limits": obj("Quota the ai-proxy enforces for this model.", {
                "requestsPerMinute": integer("Requests per minute.", minimum=1),
                "tokensPerMinute": integer("Tokens per minute.", minimum=1),
            }),
            "serving": obj("How a self-hosted model runs.", {
                "image": pinned_image("model server"),
                "gpus": integer("GPUs per replica.", minimum=0, maximum=8),
                "replicas": integer("Serving replicas.", minimum=0, maximum=10),
            }, required=("image",)),
        }, required=("provider", "modelId"), **{"x-kubernetes-validations": [{
            # Serving settings are meaningless for a provider's hosted model
            # and required for one the platform runs.
            "rule": "self.provider == 'self-hosted' ? has(self.serving) : !has(self.serving)",
            "message": "serving is required for self-hosted models and only for them",
        }]}),
        "status": obj("What the llm-services-controller last observed.", {
            "observedGeneration": observed_generation(),
            "phase": string("Summary of the conditions.",
                            enum=["Pending", "Available", "Degraded"]),
            "endpoint": string("Where the ai-proxy reaches the model.", maxLength=2048),
            "conditions": conditions(),
        }),
    }},
    printer_columns=(
        {"name": "Provider", "type": "string", "jsonPath": ".spec.provider"},
        {"name": "Model", "type": "string", "jsonPath": ".spec.modelId"},
        {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
        AGE_COLUMN,
    ),
)

PROMPT = Api(
    group="llm.voyager.io",
    kind="Prompt",
    plural="prompts",
    version="v1alpha1",
    owner="llm/llm-services-controller",
    description="A prompt template bound to a Model.",
    short_names=("prm",),
    schema={"properties": {
        "spec": obj("The template and what fills it.", {
            "modelRef": local_ref("Model"),
            # The bounds keep the CEL rule below within the API server's cost
            # budget (checked against kube-apiserver 1.36 in
            # tests/test_apiserver.py: 64 variables x 64 KiB is 4.4x over).
            "template": string("The prompt text; variables as {{name}}.", minLength=1,
                               maxLength=32768),
            "variables": {
                "type": "array",
                "description": "The variables the template uses.",
                "maxItems": 16,
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": obj("One variable.", {
                    "name": string("Its name in the template.", maxLength=63,
                                   pattern=r"^[a-z_][a-z0-9_]*$"),
                    "description": string("What the caller passes.", maxLength=1024),
                    "required": {"type": "boolean",
                                 "description": "Whether a call must pass it."},
                }, required=("name",)),
            },
        }, required=("modelRef", "template"), **{"x-kubernetes-validations": [{
            # A declared variable the template never uses is a typo in one of them.
            "rule": "!has(self.variables) || self.variables.all(v, "
                    "self.template.contains('{{' + v.name + '}}'))",
            "message": "every variable must appear in the template as {{name}}",
        }]}),
        "status": obj("What the llm-services-controller last observed.", {
            "observedGeneration": observed_generation(),
            "conditions": conditions(),
        }),
    }},
    printer_columns=(
        {"name": "Model", "type": "string", "jsonPath": ".spec.modelRef.name"},
        AGE_COLUMN,
    ),
)

APIS = (MODEL, PROMPT)
