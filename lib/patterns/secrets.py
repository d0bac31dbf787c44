"""Secrets come from Vault, never from Git.

Each namespace gets a ``vault`` SecretStore that logs in to Vault with the
namespace's own ``vault-auth`` ServiceAccount (Kubernetes auth, Vault role =
namespace name), so Vault's policy for that role decides what the namespace
can read, and one namespace cannot read another's secrets. Each Secret a
workload reads is an ExternalSecret; External Secrets creates the Secret in
the cluster. Passwords are written to Vault's KV store once (not produced by
a generator on every refresh), so a refresh never rotates a live password.
"""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import core, crd
from ..k8s.objects import Group, emit

STORE_NAME = "vault"
AUTH_SERVICE_ACCOUNT = "vault-auth"


@dataclass(frozen=True)
class VaultStoreConfig:
    namespace: str
    server: str
    kv_mount: str
    auth_mount: str
    labels: dict[str, str]


@dataclass(frozen=True)
class ExternalSecretConfig:
    name: str
    remote_key: str  # path under the KV mount
    properties: tuple[str, ...]
    refresh_interval: str
    labels: dict[str, str]
    secret_type: str = ""  # e.g. kubernetes.io/tls for the edge certificate

    def __post_init__(self) -> None:
        if not self.properties:
            raise ValueError(f"ExternalSecret {self.name}: no keys to copy")


class VaultSecretStore(Group):
    def __init__(self, scope: Construct, id: str, *, config: VaultStoreConfig):
        super().__init__(scope, id)
        c = config
        emit(self, core("ServiceAccount"), {"name": AUTH_SERVICE_ACCOUNT, "labels": c.labels},
             automountServiceAccountToken=False)
        emit(self, crd("SecretStore"), {"name": STORE_NAME, "labels": c.labels}, spec={
            "provider": {"vault": {
                "server": c.server,
                "path": c.kv_mount,
                "version": "v2",
                "auth": {"kubernetes": {
                    "mountPath": c.auth_mount,
                    "role": c.namespace,
                    "serviceAccountRef": {"name": AUTH_SERVICE_ACCOUNT},
                }},
            }},
        })


class VaultExternalSecret(Group):
    def __init__(self, scope: Construct, id: str, *, config: ExternalSecretConfig):
        super().__init__(scope, id)
        c = config
        emit(self, crd("ExternalSecret"), {"name": c.name, "labels": c.labels}, spec={
            "refreshInterval": c.refresh_interval,
            "secretStoreRef": {"name": STORE_NAME, "kind": "SecretStore"},
            "target": {"name": c.name, "creationPolicy": "Owner", "deletionPolicy": "Retain",
                       **({"template": {"type": c.secret_type}} if c.secret_type else {})},
            "data": [{"secretKey": key, "remoteRef": {"key": c.remote_key, "property": key}}
                     for key in c.properties],
        })
