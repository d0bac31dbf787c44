"""grimoire: process document storage and management (helm-grimoire)."""
from ..model import Workload
from .common import AI_PROXY, database_secret, database_talk

WORKLOADS = (
    Workload(
        name="grimoire",
        namespace="grimoire",
        pattern="grpc-service",
        component="process-store",
        description="Process documents and their AI-assisted management",
        secrets=(database_secret("grimoire"),),
        secret_env=(("DATABASE_URL", "grimoire-db-secret", "database_url"),),
        talks_to=(database_talk("grimoire"), AI_PROXY),
        public=True,
    ),
    Workload(
        name="grimoire-postgresql",
        namespace="grimoire",
        pattern="postgresql",
        component="database",
        description="PostgreSQL for process documents",
        database_of="grimoire",
    ),
)
