"""triage: automated exception handling and retry logic."""
from ..model import Workload
from .common import JEEVES, KAFKA, kafka_credentials

WORKLOADS = (
    Workload(
        name="triage",
        namespace="triage",
        pattern="grpc-service",
        component="retry-handler",
        description="Consumes failed runs and retries them through Jeeves",
        secrets=(kafka_credentials("triage"),),
        secret_env=(("KAFKA_USERNAME", "triage-kafka-credentials", "username"),
                    ("KAFKA_PASSWORD", "triage-kafka-credentials", "password")),
        talks_to=(JEEVES,),
        external=(KAFKA,),
    ),
)
