"""jeeves: run orchestration and execution metadata (helm-jeeves).

The spec's reference service: its Deployment, HPA, RBAC, ServiceMonitor and
NetworkPolicy examples are all Jeeves.
"""
from ..model import Rule, Workload
from .common import KAFKA, KUBERNETES_API, database_secret, database_talk, kafka_credentials

WORKLOADS = (
    Workload(
        name="jeeves-run-manager",
        namespace="jeeves",
        app="jeeves",
        pattern="grpc-service",
        component="run-manager",
        description="Run orchestration and execution metadata API",
        service_account="jeeves-service-account",
        # The spec's jeeves-role: Jeeves reads its config and secrets and follows
        # its pods; narrowed to reads, with secrets limited to its own.
        api_rules=(
            Rule(("",), ("configmaps",), ("get", "list", "watch")),
            Rule(("",), ("secrets",), ("get", "watch"), ("jeeves-db-secret", "jeeves-kafka-credentials")),
            Rule(("",), ("pods",), ("get", "list", "watch")),
        ),
        secrets=(database_secret("jeeves"), kafka_credentials("jeeves")),
        env=(("KAFKA_TOPIC", "spy_control"),),
        secret_env=(("DATABASE_URL", "jeeves-db-secret", "database_url"),
                    ("KAFKA_USERNAME", "jeeves-kafka-credentials", "username"),
                    ("KAFKA_PASSWORD", "jeeves-kafka-credentials", "password")),
        talks_to=(database_talk("jeeves"),),
        external=(KAFKA, KUBERNETES_API),
        public=True,
    ),
    Workload(
        name="jeeves-postgresql",
        namespace="jeeves",
        pattern="postgresql",
        component="database",
        description="PostgreSQL for run metadata",
        database_of="jeeves",
        secrets=(),  # reads jeeves-db-secret, which the run manager declares
    ),
)
