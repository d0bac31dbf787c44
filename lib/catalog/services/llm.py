"""llm: model and prompt management, the AI proxy and the LLM services controller."""
from ..model import Rule, SecretRef, Workload
from .common import KUBERNETES_API, LLM_PROVIDERS, leader_election_rules

WORKLOADS = (
    Workload(
        name="model-manager",
        namespace="llm",
        pattern="grpc-service",
        component="model-management",
        description="Model and prompt management",
        gpu=True,
        public=True,
    ),
    Workload(
        name="ai-proxy",
        namespace="llm",
        pattern="grpc-service",
        component="ai-proxy",
        description="The one way out to LLM providers: keys, quotas and auditing",
        secrets=(
            SecretRef("ai-proxy-provider-keys", "ai-proxy/providers",
                      ("openai_api_key", "anthropic_api_key")),
        ),
        secret_env=(("OPENAI_API_KEY", "ai-proxy-provider-keys", "openai_api_key"),
                    ("ANTHROPIC_API_KEY", "ai-proxy-provider-keys", "anthropic_api_key")),
        external=(LLM_PROVIDERS,),
    ),
    Workload(
        name="llm-services-controller",
        namespace="llm",
        pattern="controller",
        component="controller",
        description="Reconciles model deployments inside the llm namespace",
        # Watches only its own namespace, so a Role (not a ClusterRole) suffices.
        managed_resources=(
            Rule(("llm.voyager.io",), ("models", "prompts"), ("get", "list", "watch", "update", "patch")),
            Rule(("llm.voyager.io",), ("models/status", "prompts/status"), ("get", "update", "patch")),
            Rule(("",), ("configmaps",), ("get", "list", "watch")),
        ),
        api_rules=leader_election_rules(),
        external=(KUBERNETES_API,),
    ),
)
