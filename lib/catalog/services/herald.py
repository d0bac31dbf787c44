"""herald: external event ingestion and trigger routing."""
from ..model import Workload
from .common import KAFKA, kafka_credentials

WORKLOADS = (
    Workload(
        name="herald",
        namespace="herald",
        pattern="grpc-service",
        component="event-ingestion",
        description="Receives external events (webhooks) and routes triggers to Kafka",
        secrets=(kafka_credentials("herald"),),
        secret_env=(("KAFKA_USERNAME", "herald-kafka-credentials", "username"),
                    ("KAFKA_PASSWORD", "herald-kafka-credentials", "password")),
        external=(KAFKA,),
        public=True,
    ),
)
