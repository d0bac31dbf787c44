"""user: identity and authorization (helm-user-and-organization-manager)."""
from ..model import Workload
from .common import database_secret, database_talk

WORKLOADS = (
    Workload(
        name="user-and-organization-manager",
        namespace="user",
        pattern="grpc-service",
        component="identity",
        description="Users, organizations and their permissions",
        secrets=(database_secret("user"),),
        secret_env=(("DATABASE_URL", "user-db-secret", "database_url"),),
        talks_to=(database_talk("user"),),
        public=True,
    ),
    Workload(
        name="user-postgresql",
        namespace="user",
        pattern="postgresql",
        component="database",
        description="PostgreSQL for identities and organizations",
        database_of="user",
    ),
)
