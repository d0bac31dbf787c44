"""A workload's own identity: ServiceAccount, and only the API rights it uses.

The spec's jeeves-service-account / jeeves-role / jeeves-rolebinding is the
model. A workload that declares no API use gets a ServiceAccount with no
token mounted and no Role at all: the least privilege is none.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit


@dataclass(frozen=True)
class IdentityConfig:
    service_account: str
    namespace: str
    labels: dict[str, str]
    rules: tuple[dict, ...] = ()  # Role in the workload's namespace
    cluster_rules: tuple[dict, ...] = ()  # ClusterRole (only for all-namespace controllers)
    annotations: dict[str, str] = field(default_factory=dict)  # e.g. an IRSA role

    def __post_init__(self) -> None:
        for rule in self.rules + self.cluster_rules:
            for key in ("apiGroups", "resources", "verbs", "resourceNames"):
                if "*" in rule.get(key, ()):
                    raise ValueError(
                        f"{self.service_account}: RBAC rule {rule} uses a wildcard in {key}; "
                        "name the groups, resources and verbs it needs"
                    )

    @property
    def prefix(self) -> str:
        """``jeeves-service-account`` -> ``jeeves`` (so the Role is ``jeeves-role``)."""
        return self.service_account.removesuffix("-service-account")

    @property
    def uses_api(self) -> bool:
        return bool(self.rules or self.cluster_rules)


class WorkloadIdentity(Group):
    def __init__(self, scope: Construct, id: str, *, cluster: Construct, config: IdentityConfig):
        super().__init__(scope, id)
        sa = config.service_account
        emit(self, core("ServiceAccount"), {"name": sa, "labels": config.labels,
                                            "annotations": dict(config.annotations)},
             # No token in pods that never call the API server.
             automountServiceAccountToken=config.uses_api)
        subject = [{"kind": "ServiceAccount", "name": sa, "namespace": config.namespace}]
        if config.rules:
            role = f"{config.prefix}-role"
            emit(self, core("Role"), {"name": role, "labels": config.labels},
                 rules=list(config.rules))
            emit(self, core("RoleBinding"), {"name": f"{config.prefix}-rolebinding",
                                             "labels": config.labels},
                 subjects=subject,
                 roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role})
        if config.cluster_rules:
            # Cluster-scoped names must be unique cluster-wide: prefix the namespace.
            role = f"{config.namespace}-{config.prefix}"
            emit(cluster, core("ClusterRole"), {"name": role, "labels": config.labels},
                 rules=list(config.cluster_rules))
            emit(cluster, core("ClusterRoleBinding"), {"name": role, "labels": config.labels},
                 subjects=subject,
                 roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                          "name": role})
