"""jarvis: the SPy program execution engine (helm-jarvis)."""
from ..model import Workload
from .common import JEEVES, JOURNAL, KAFKA, kafka_credentials

WORKLOADS = (
    Workload(
        name="jarvis-spy-interpreter",
        namespace="jarvis",
        pattern="event-worker",
        component="spy-interpreter",
        description="Runs SPy programs; scaled by KEDA on the spy_control consumer lag",
        kafka_topic="spy_control",
        secrets=(kafka_credentials("jarvis"),),
        env=(("KAFKA_TOPIC", "spy_control"), ("KAFKA_CONSUMER_GROUP", "jarvis-spy-interpreter")),
        secret_env=(("KAFKA_USERNAME", "jarvis-kafka-credentials", "username"),
                    ("KAFKA_PASSWORD", "jarvis-kafka-credentials", "password")),
        talks_to=(JEEVES, JOURNAL),
        external=(KAFKA,),
    ),
)
