"""The namespace layer: baseline isolation and per-workload identities."""
from __future__ import annotations

from constructs import Construct

from ..catalog import Catalog
from ..catalog.model import Namespace, Workload
from ..config.models import Environment, Quota
from ..patterns.edge import EDGE_ROUTES_LABEL
from ..patterns.identity import IdentityConfig, WorkloadIdentity
from ..patterns.namespace_baseline import DnsEndpoint, NamespaceBaseline, NamespaceBaselineConfig
from .labels import PART_OF, labels_for


def quota_for(env: Environment, namespace: Namespace) -> tuple[str, Quota]:
    """The spec's quota names; the values decide the numbers (and overrides)."""
    if namespace.customer:
        customer = env.customers[namespace.customer_index]
        return "customer-quota", customer.quota or env.quotas["customer"]
    override = env.namespaces.get(namespace.name)
    return "compute-quota", (override.quota if override and override.quota else env.quotas["service"])


def baseline_config(env: Environment, namespace: Namespace,
                    public: bool = False) -> NamespaceBaselineConfig:
    quota_name, quota = quota_for(env, namespace)
    extra = {EDGE_ROUTES_LABEL: "true"} if public else {}
    return NamespaceBaselineConfig(
        name=namespace.name,
        quota_name=quota_name,
        quota_hard=quota.hard(),
        default_request=env.limit_range.default_request.as_dict(),
        default_limit=env.limit_range.default_limit.as_dict(),
        dns=DnsEndpoint(env.cluster.dns.namespace, dict(env.cluster.dns.pod_labels),
                        env.cluster.dns.port),
        labels={**PART_OF, "voyager.io/layer": namespace.layer,
                "voyager.io/tenant": "customer" if namespace.customer else "platform", **extra},
        annotations={"voyager.io/description": namespace.description},
        pod_security_version=f"v{env.cluster.kubernetes_version}",
    )


def identity_config(workload: Workload, cluster_wide: bool,
                    annotations: dict[str, str] | None = None) -> IdentityConfig:
    rules = tuple(r.as_dict() for r in workload.api_rules)
    managed = tuple(r.as_dict() for r in workload.managed_resources)
    return IdentityConfig(
        service_account=workload.sa_name,
        namespace=workload.namespace,
        labels=labels_for(workload),
        rules=rules + (() if cluster_wide else managed),
        cluster_rules=managed if cluster_wide else (),
        annotations=annotations or {},
    )


def add_namespace_layer(chart: Construct, cluster: Construct, env: Environment,
                        catalog: Catalog, namespace: Namespace) -> None:
    public = any(w.public for w in catalog.in_namespace(namespace.name))
    NamespaceBaseline(chart, "baseline", cluster=cluster,
                      config=baseline_config(env, namespace, public))
    seen: set[str] = set()
    for workload in catalog.in_namespace(namespace.name):
        if workload.sa_name in seen:
            continue
        if workload.pattern == "postgresql" and env.databases.engine == "cloudnative-pg":
            # CloudNativePG creates the Cluster's ServiceAccount (named after
            # it, IRSA from spec.serviceAccountTemplate), Role and RoleBinding
            # itself; a rendered one would be patched by the operator and
            # has no token for the instance manager, which calls the API.
            continue
        seen.add(workload.sa_name)
        # Vault unseals with AWS KMS through its IAM role (IRSA).
        annotations = ({"eks.amazonaws.com/role-arn": env.vault.iam_role_arn}
                       if workload.pattern == "vault" else None)
        WorkloadIdentity(chart, f"identity-{workload.sa_name}", cluster=cluster,
                         config=identity_config(workload, cluster_wide=is_cluster_wide(workload),
                                                annotations=annotations))


def is_cluster_wide(workload: Workload) -> bool:
    """A controller whose WATCH_NAMESPACE is empty watches every namespace."""
    return workload.pattern == "controller" and workload.watch_all_namespaces
