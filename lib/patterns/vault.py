"""HashiCorp Vault with integrated (raft) storage, auto-unsealed by KMS.

``disable_mlock`` lets it run without IPC_LOCK under Pod Security
``restricted`` (safe here: the nodes run without swap). Vault's Kubernetes
auth calls the TokenReview API, hence the binding to the built-in
``system:auth-delegator`` ClusterRole.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit
from .pod import (
    Scheduling,
    WorkloadConfig,
    container_security_context,
    pod_security_context,
    scratch,
    service_for,
)

# Not the image's 100: a UID >= 10000 never collides with a host user; the
# data volume is writable through fsGroup.
VAULT_UID = 10100


@dataclass(frozen=True)
class VaultConfig(WorkloadConfig):
    namespace: str
    replicas: int
    storage: str
    storage_class: str
    kms_key_id: str
    region: str
    port: int = 8200
    cluster_port: int = 8201
    scheduling: Scheduling = field(default_factory=Scheduling)
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.replicas not in (1, 3, 5):
            raise ValueError(f"{self.name}: raft needs 1, 3 or 5 voters, not {self.replicas}")

    @property
    def max_pods(self) -> int:
        return self.replicas

    def hcl(self) -> str:
        joins = "".join(
            f'  retry_join {{\n    leader_api_addr = "http://{self.name}-{i}.{self.name}-internal:{self.port}"\n  }}\n'
            for i in range(self.replicas) if self.replicas > 1
        )
        return (
            "ui = false\n"
            "disable_mlock = true\n"
            f'listener "tcp" {{\n  address = "0.0.0.0:{self.port}"\n'
            f'  cluster_address = "0.0.0.0:{self.cluster_port}"\n'
            # Traffic to Vault is confined to External Secrets' pods by
            # NetworkPolicy; TLS is for the mesh (Istio) or a cert add-on.
            "  tls_disable = 1\n}\n"
            f'storage "raft" {{\n  path = "/vault/data"\n{joins}}}\n'
            f'seal "awskms" {{\n  region = "{self.region}"\n  kms_key_id = "{self.kms_key_id}"\n}}\n'
            'service_registration "kubernetes" {}\n'
        )


class VaultServer(Group):
    def __init__(self, scope: Construct, id: str, *, cluster: Construct, config: VaultConfig):
        super().__init__(scope, id)
        c = config
        # A raft snapshot restore is unpacked under /tmp on the active node,
        # and a snapshot can be as large as the data volume (the snapshot
        # job's limit too): a 256Mi emptyDir would get the pod evicted
        # mid-restore.
        volumes, mounts = scratch(("/tmp",), size_limit=c.storage)
        config_map = f"{c.name}-config"
        emit(self, core("ConfigMap"), {"name": config_map, "labels": dict(c.labels)},
             data={"vault.hcl": c.hcl()})
        # Ready only when unsealed (a sealed pod answers 503), so External
        # Secrets is never routed to it; alive while sealed or uninitialised, so
        # the kubelet does not restart a pod that is waiting to be unsealed.
        ready = {"httpGet": {"path": "/v1/sys/health?standbyok=true",
                             "port": c.port, "scheme": "HTTP"}}
        alive = {"httpGet": {"path": "/v1/sys/health?standbyok=true&sealedcode=204&uninitcode=204",
                             "port": c.port, "scheme": "HTTP"}}
        container = {
            "name": "vault",
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["vault", "server", "-config=/vault/config/vault.hcl"],
            "env": [
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "HOSTNAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "VAULT_ADDR", "value": f"http://127.0.0.1:{c.port}"},
                {"name": "VAULT_API_ADDR", "value": f"http://$(POD_IP):{c.port}"},
                {"name": "VAULT_CLUSTER_ADDR",
                 "value": f"http://$(HOSTNAME).{c.name}-internal:{c.cluster_port}"},
                {"name": "SKIP_SETCAP", "value": "true"},
                # Needed by service_registration "kubernetes".
                {"name": "VAULT_K8S_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "VAULT_K8S_NAMESPACE", "valueFrom": {"fieldRef": {
                    "fieldPath": "metadata.namespace"}}},
            ],
            "ports": [{"name": "vault", "containerPort": c.port, "protocol": "TCP"},
                      {"name": "vault-cluster", "containerPort": c.cluster_port, "protocol": "TCP"}],
            "resources": c.resources,
            "readinessProbe": {**ready, "periodSeconds": 5},
            "livenessProbe": {**alive, "initialDelaySeconds": 60, "periodSeconds": 10},
            "securityContext": container_security_context(),
            "volumeMounts": [{"name": "vault-data", "mountPath": "/vault/data"},
                             {"name": "config", "mountPath": "/vault/config", "readOnly": True}]
            + mounts,
        }
        emit(self, core("StatefulSet"),
             {"name": c.name, "labels": dict(c.labels), "annotations": dict(c.annotations)},
             spec={
                 "serviceName": f"{c.name}-internal",
                 "replicas": c.replicas,
                 "podManagementPolicy": "Parallel",
                 "selector": {"matchLabels": dict(c.selector)},
                 # OnDelete: a new image rolls only when an operator deletes the
                 # pods one by one (standbys first, then the leader after a
                 # step-down), as Vault's upgrade procedure requires; an Argo CD
                 # sync alone does not restart Vault.
                 "updateStrategy": {"type": "OnDelete"},
                 # A bad render that drops the StatefulSet must not take the
                 # raft data with it.
                 "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain",
                                                          "whenScaled": "Retain"},
                 "template": {"metadata": {"labels": dict(c.labels)},
                              "spec": self._pod_spec(c, container, config_map, volumes)},
                 "volumeClaimTemplates": [{
                     "metadata": {"name": "vault-data", "labels": dict(c.selector)},
                     "spec": {"accessModes": ["ReadWriteOnce"],
                              "storageClassName": c.storage_class,
                              "resources": {"requests": {"storage": c.storage}}},
                 }],
             })
        emit(self, core("Service"), {"name": c.name, "labels": dict(c.labels)},
             spec=service_for([{"ports": [container["ports"][0]]}], c.selector))
        emit(self, core("Service"), {"name": f"{c.name}-internal", "labels": dict(c.labels)},
             spec=service_for([container], c.selector, headless=True))
        if c.replicas > 1:
            # A drain may take one raft voter at a time; quorum survives.
            emit(self, core("PodDisruptionBudget"), {"name": f"{c.name}-pdb", "labels": dict(c.labels)},
                 spec={"maxUnavailable": 1, "selector": {"matchLabels": dict(c.selector)}})
        emit(cluster, core("ClusterRoleBinding"),
             {"name": f"{c.namespace}-{c.name}-auth-delegator", "labels": dict(c.labels)},
             subjects=[{"kind": "ServiceAccount", "name": c.service_account,
                        "namespace": c.namespace}],
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                      "name": "system:auth-delegator"})

    @staticmethod
    def _pod_spec(c: VaultConfig, container: dict, config_map: str, volumes: list[dict]) -> dict:
        spec = c.scheduling.apply({
            "serviceAccountName": c.service_account,
            "automountServiceAccountToken": True,
            "terminationGracePeriodSeconds": 30,
            "securityContext": pod_security_context(VAULT_UID),
            "containers": [container],
            "volumes": [{"name": "config", "configMap": {"name": config_map}}] + volumes,
        }, c.selector)
        if c.replicas > 1:
            # Two raft voters on one node would lose quorum with that node (2
            # of 3 gone). Required, not preferred: a voter that cannot be
            # placed apart stays Pending, which the PDB and alerts surface,
            # instead of silently doubling up.
            spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
                "labelSelector": {"matchLabels": dict(c.selector)},
                "topologyKey": "kubernetes.io/hostname",
            }]}}
        return spec
