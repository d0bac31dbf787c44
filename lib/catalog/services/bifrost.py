"""bifrost: network management with Tailscale (a subnet router into the cluster).

Tailscale runs in userspace-networking mode, so it needs no NET_ADMIN and no
/dev/net/tun and can meet Pod Security ``restricted``. It keeps its node state
in one Secret it may read and update, and nothing else.
"""
from ..model import ExternalTalk, Rule, SecretRef, Workload
from .common import KUBERNETES_API

WORKLOADS = (
    Workload(
        name="bifrost",
        namespace="bifrost",
        pattern="tailscale",
        component="subnet-router",
        # No subnet routes are advertised yet (TS_ROUTES unset): adding one is
        # a value here plus the egress edges to what it routes to.
        description="Tailscale node joining the cluster to the tailnet (no subnet routes yet)",
        api_rules=(
            Rule(("",), ("secrets",), ("get", "update", "patch"), ("bifrost-tailscale-state",)),
            Rule(("",), ("events",), ("create", "patch")),
        ),
        secrets=(SecretRef("bifrost-tailscale-auth", "bifrost/tailscale", ("authkey",)),),
        secret_env=(("TS_AUTHKEY", "bifrost-tailscale-auth", "authkey"),),
        env=(("TS_KUBE_SECRET", "bifrost-tailscale-state"), ("TS_USERSPACE", "true"),
             ("TS_ACCEPT_DNS", "false")),
        external=(KUBERNETES_API, ExternalTalk("tailscale")),
    ),
)
