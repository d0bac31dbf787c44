"""Declarations several services share."""
from __future__ import annotations

from ..model import ExternalTalk, Rule, SecretRef, Talk

KAFKA = ExternalTalk("kafka")
KUBERNETES_API = ExternalTalk("kubernetes-api")
LLM_PROVIDERS = ExternalTalk("llm-providers")

AI_PROXY = Talk("llm/ai-proxy", "grpc")
JEEVES = Talk("jeeves/jeeves-run-manager", "grpc")
JOURNAL = Talk("journal/journal", "grpc")
GRIMOIRE = Talk("grimoire/grimoire", "grpc")
USER_MANAGER = Talk("user/user-and-organization-manager", "grpc")


def kafka_credentials(service: str) -> SecretRef:
    """SASL credentials of one service's Kafka user (one user per service);
    ``sasl`` is the mechanism (e.g. scram_sha512), which KEDA reads too."""
    return SecretRef(f"{service}-kafka-credentials", f"{service}/kafka",
                     ("username", "password", "sasl"))


def database_secret(service: str) -> SecretRef:
    """The spec's ``<service>-db-secret``: read by the app and by its PostgreSQL."""
    return SecretRef(
        f"{service}-db-secret", f"{service}/database", ("username", "password", "database_url")
    )


def database_talk(service: str) -> Talk:
    return Talk(f"{service}/{service}-postgresql", "postgresql")


def leader_election_rules() -> tuple[Rule, ...]:
    """What controller-runtime's leader election needs: its Lease, and events."""
    return (
        Rule(("coordination.k8s.io",), ("leases",), ("get", "list", "watch", "create", "update", "patch")),
        Rule(("",), ("events",), ("create", "patch")),
    )
