"""journal: dynamic fact querying and time-series data.

The spec's backup list includes journal, so its facts live in their own
PostgreSQL with a persistent volume like the other databases.
"""
from ..model import Workload
from .common import database_secret, database_talk

WORKLOADS = (
    Workload(
        name="journal",
        namespace="journal",
        pattern="grpc-service",
        component="fact-query",
        description="Fact queries and time-series data API",
        secrets=(database_secret("journal"),),
        secret_env=(("DATABASE_URL", "journal-db-secret", "database_url"),),
        talks_to=(database_talk("journal"),),
        public=True,
    ),
    Workload(
        name="journal-postgresql",
        namespace="journal",
        pattern="postgresql",
        component="database",
        description="PostgreSQL for facts and time series",
        database_of="journal",
    ),
)
