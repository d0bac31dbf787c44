"""vault: the secret source. HashiCorp Vault with integrated (raft) storage.

External Secrets, running in its own add-on namespace, reads from here into
each namespace's Secrets; no workload talks to Vault directly.
"""
from ..model import Workload

WORKLOADS = (
    Workload(
        name="vault",
        namespace="vault",
        pattern="vault",
        component="server",
        description="HashiCorp Vault: the source of every Voyager secret",
        env=(("VAULT_ADDR", "http://127.0.0.1:8200"),),
    ),
)
