"""vault: the secret source. HashiCorp Vault with integrated (raft) storage.

External Secrets, running in its own add-on namespace, reads from here into
each namespace's Secrets; no workload talks to Vault directly.
"""
from ..model import ExternalTalk, Rule, Workload

WORKLOADS = (
    Workload(
        name="vault",
        namespace="vault",
        pattern="vault",
        component="server",
        description="HashiCorp Vault: the source of every Voyager secret",
        env=(("VAULT_ADDR", "http://127.0.0.1:8200"),),
        # service_registration "kubernetes" labels its own pod (active/sealed).
        api_rules=(Rule(("",), ("pods",), ("get", "update", "patch")),),
        # Auto-unseal: AWS KMS (and STS for the IRSA role) over HTTPS.
        external=(ExternalTalk("aws-kms"),),
    ),
)
