"""What the catalog is made of: plain, frozen data about Voyager.

The catalog says *what exists* (namespaces, workloads, the ports they serve,
the secrets they read, whom they talk to). Sizes and images come from the
values; Kubernetes shapes come from lib/patterns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Pattern = Literal["grpc-service", "postgresql", "event-worker", "controller", "tailscale", "vault"]


@dataclass(frozen=True)
class Namespace:
    """A namespace Voyager owns."""

    name: str
    layer: str  # the spec's grouping: execution, data, process, ...
    description: str
    customer: bool = False
    # Position of the customer in the environment's ``customers`` list (its
    # values and the key path an error names); -1 for platform namespaces.
    customer_index: int = -1


@dataclass(frozen=True)
class Rule:
    """One RBAC rule; never a wildcard (validate refuses ``*``)."""

    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    resource_names: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        out = {
            "apiGroups": list(self.api_groups),
            "resources": list(self.resources),
            "verbs": list(self.verbs),
        }
        if self.resource_names:
            out["resourceNames"] = list(self.resource_names)
        return out


@dataclass(frozen=True)
class SecretRef:
    """A Kubernetes Secret a workload reads, materialised from Vault.

    ``vault_key`` is the KV path under the namespace's Vault mount; ``keys``
    are the properties copied into the Secret.
    """

    name: str
    vault_key: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Talk:
    """A declared edge: this workload opens connections to ``target`` on ``port``.

    ``target`` is ``<namespace>/<app>`` for a Voyager workload; the port is the
    target's named port. NetworkPolicies on both ends are derived from these.
    """

    target: str
    port: str

    @property
    def namespace(self) -> str:
        return self.target.split("/", 1)[0]

    @property
    def app(self) -> str:
        return self.target.split("/", 1)[1]


@dataclass(frozen=True)
class ExternalTalk:
    """An edge to something outside Voyager's namespaces (Kafka, the API server)."""

    name: str  # "kafka", "kubernetes-api"


@dataclass(frozen=True)
class Workload:
    """One Voyager workload and how it runs.

    ``name`` doubles as the ``app`` label value and as the key of its sizing
    under ``workloads:`` in the values files.
    """

    name: str
    namespace: str
    pattern: Pattern
    component: str
    description: str
    service_account: str = ""
    api_rules: tuple[Rule, ...] = ()
    secrets: tuple[SecretRef, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    secret_env: tuple[tuple[str, str, str], ...] = ()  # (ENV, secret, key)
    talks_to: tuple[Talk, ...] = ()
    external: tuple[ExternalTalk, ...] = ()
    public: bool = False  # routed from the edge gateway to its HTTP port
    gpu: bool = False
    database_of: str = ""  # postgresql pattern: the service it belongs to
    kafka_topic: str = ""
    writable_paths: tuple[str, ...] = ("/tmp",)
    managed_resources: tuple[Rule, ...] = field(default=())
    # Controllers: watch every namespace (WATCH_NAMESPACE="", ClusterRole) or
    # only their own (Role).
    watch_all_namespaces: bool = False
    # The pods' ``app`` label when it is not the workload's name (the spec's
    # Jeeves pods are ``app: jeeves``; a selector is immutable once deployed).
    app: str = ""

    @property
    def sa_name(self) -> str:
        return self.service_account or self.name


@dataclass(frozen=True)
class Api:
    """A kind a Voyager controller reconciles (rendered as a CRD).

    ``schema`` holds the ``spec`` and ``status`` properties of the
    openAPIV3Schema (structural: every node typed); ``owner`` is the
    reconciling controller as ``<namespace>/<name>``.
    """

    group: str
    kind: str
    plural: str
    version: str
    owner: str
    description: str
    schema: dict
    short_names: tuple[str, ...] = ()
    printer_columns: tuple[dict, ...] = ()

    @property
    def singular(self) -> str:
        return self.kind.lower()
