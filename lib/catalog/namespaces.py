"""Every namespace the spec names, in the spec's order and grouping."""
from __future__ import annotations

from .model import Namespace

SERVICE_NAMESPACES: tuple[Namespace, ...] = (
    Namespace("jarvis", "execution", "SPy program execution engine with KEDA autoscaling"),
    Namespace("jeeves", "execution", "Run orchestration and execution metadata management"),
    Namespace("journal", "data", "Dynamic fact querying and time-series data management"),
    Namespace("grimoire", "process", "Process document storage and management"),
    Namespace("books", "book", "Shared book implementations and document processing"),
    Namespace("threads", "chat", "AI-powered chat orchestration and agent management"),
    Namespace("herald", "integration", "External event ingestion and trigger routing"),
    Namespace("triage", "integration", "Automated exception handling and retry logic"),
    Namespace("envoy-gateway-system", "platform", "Public edge with authentication and routing"),
    Namespace("user", "platform", "Identity and authorization management"),
    Namespace("bdk", "platform", "Book Development Kit"),
    Namespace("llm", "platform", "Model and prompt management with LLM services"),
    Namespace("bifrost", "platform", "Network management with Tailscale integration"),
    Namespace("vault", "platform", "Secret management and synchronization"),
)

CUSTOMER_PREFIX = "customer-"

# The namespace whose gateway is the only way in from outside the cluster.
EDGE_NAMESPACE = "envoy-gateway-system"


def customer_namespace(customer_id: str, index: int) -> Namespace:
    return Namespace(
        CUSTOMER_PREFIX + customer_id,
        "customer",
        f"Book deployment of customer {customer_id}",
        customer=True,
        customer_index=index,
    )
