"""bdk: the Book Development Kit's book controller (helm-bdk)."""
from ..model import Rule, Workload
from .common import KUBERNETES_API, leader_election_rules

WORKLOADS = (
    Workload(
        name="book-controller",
        namespace="bdk",
        pattern="controller",
        component="controller",
        description="Reconciles Book resources into customer book deployments",
        service_account="book-controller",
        # WATCH_NAMESPACE is empty (all namespaces), so these are cluster-wide.
        managed_resources=(
            Rule(("bdk.voyager.io",), ("books",), ("get", "list", "watch", "update", "patch")),
            Rule(("bdk.voyager.io",), ("books/status",), ("get", "update", "patch")),
            Rule(("apps",), ("deployments",), ("get", "list", "watch")),
        ),
        api_rules=leader_election_rules(),
        watch_all_namespaces=True,
        external=(KUBERNETES_API,),
    ),
)
