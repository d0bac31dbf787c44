"""threads: chat orchestration and its AI agents.

helm-process-designer, helm-spy-mapper and helm-spy-writer deploy into this
namespace; the orchestrator calls them, they call the AI proxy.
"""
from ..model import Talk, Workload
from .common import AI_PROXY, GRIMOIRE, JEEVES, database_secret, database_talk

_AGENTS = (
    ("process-designer", "Process Designer agent and tools", (AI_PROXY, GRIMOIRE)),
    ("spy-mapper", "SPy Mapper agent and mapping tools", (AI_PROXY, GRIMOIRE)),
    ("spy-writer", "SPy Writer agent and code generation tools", (AI_PROXY, JEEVES)),
)

WORKLOADS = (
    Workload(
        name="threads",
        namespace="threads",
        pattern="grpc-service",
        component="chat-orchestrator",
        description="AI-powered chat orchestration and agent management",
        secrets=(database_secret("threads"),),
        secret_env=(("DATABASE_URL", "threads-db-secret", "database_url"),),
        talks_to=(database_talk("threads"), AI_PROXY)
        + tuple(Talk(f"threads/{name}", "grpc") for name, _, _ in _AGENTS),
        public=True,
    ),
    Workload(
        name="threads-postgresql",
        namespace="threads",
        pattern="postgresql",
        component="database",
        description="PostgreSQL for chat threads",
        database_of="threads",
    ),
) + tuple(
    Workload(
        name=name,
        namespace="threads",
        pattern="grpc-service",
        component="agent",
        description=description,
        talks_to=talks,
    )
    for name, description, talks in _AGENTS
)
