"""Fluent Bit on every node: tail container logs, add Kubernetes metadata,
ship to the configured output.

It reads host log files (hostPath), so it cannot meet Pod Security
``restricted``; it runs in kube-system, which the cluster leaves privileged,
and nowhere else. It still drops every capability and keeps its root
filesystem read-only.
"""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit


@dataclass(frozen=True)
class FluentBitConfig:
    namespace: str
    image: str
    resources: dict
    output_host: str
    output_port: int
    output_index: str
    output_tls: bool
    labels: dict[str, str]
    name: str = "fluent-bit"

    def config_files(self) -> dict[str, str]:
        tls = "On" if self.output_tls else "Off"
        return {
            "fluent-bit.conf": (
                "[SERVICE]\n"
                "    Flush         5\n"
                "    Log_Level     info\n"
                "    Daemon        off\n"
                "    Parsers_File  parsers.conf\n"
                "    HTTP_Server   On\n"
                "    HTTP_Listen   0.0.0.0\n"
                "    HTTP_Port     2020\n"
                "    Health_Check  On\n\n"
                "[INPUT]\n"
                "    Name              tail\n"
                "    Tag               kube.*\n"
                "    Path              /var/log/containers/*.log\n"
                "    multiline.parser  cri, docker\n"
                "    DB                /var/lib/fluent-bit/tail.db\n"
                "    Mem_Buf_Limit     50MB\n"
                "    Skip_Long_Lines   On\n"
                "    Refresh_Interval  10\n\n"
                "[FILTER]\n"
                "    Name                kubernetes\n"
                "    Match               kube.*\n"
                "    Kube_URL            https://kubernetes.default.svc:443\n"
                "    Kube_Tag_Prefix     kube.var.log.containers.\n"
                "    Merge_Log           On\n"
                "    Keep_Log            Off\n"
                "    K8S-Logging.Parser  On\n"
                "    K8S-Logging.Exclude On\n\n"
                "[OUTPUT]\n"
                "    Name            opensearch\n"
                "    Match           kube.*\n"
                f"    Host            {self.output_host}\n"
                f"    Port            {self.output_port}\n"
                f"    Index           {self.output_index}\n"
                "    Suppress_Type_Name On\n"
                "    Replace_Dots    On\n"
                "    Retry_Limit     False\n"
                f"    tls             {tls}\n"
            ),
            "parsers.conf": (
                "[PARSER]\n"
                "    Name        json\n"
                "    Format      json\n"
                "    Time_Key    time\n"
                "    Time_Format %Y-%m-%dT%H:%M:%S.%L%z\n"
            ),
        }


class FluentBit(Group):
    def __init__(self, scope: Construct, id: str, *, cluster: Construct, config: FluentBitConfig):
        super().__init__(scope, id)
        c = config
        selector = {"app.kubernetes.io/name": c.name}
        labels = {**c.labels, **selector}
        emit(self, core("ServiceAccount"), {"name": c.name, "labels": labels},
             automountServiceAccountToken=True)
        # The kubernetes filter reads pod and namespace metadata; nothing else.
        emit(cluster, core("ClusterRole"), {"name": c.name, "labels": labels},
             rules=[{"apiGroups": [""], "resources": ["namespaces", "pods"],
                     "verbs": ["get", "list", "watch"]}])
        emit(cluster, core("ClusterRoleBinding"), {"name": c.name, "labels": labels},
             subjects=[{"kind": "ServiceAccount", "name": c.name, "namespace": c.namespace}],
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                      "name": c.name})
        emit(self, core("ConfigMap"), {"name": f"{c.name}-config", "labels": labels},
             data=c.config_files())
        # (name, path, read-only, hostPath type). The spec's Docker directory
        # does not exist on containerd nodes (logs live under /var/log/pods):
        # no type check, so the mount never blocks the pod there.
        host_paths = [("varlog", "/var/log", True, "Directory"),
                      ("varlibdockercontainers", "/var/lib/docker/containers", True, ""),
                      ("state", "/var/lib/fluent-bit", False, "DirectoryOrCreate")]
        emit(self, core("DaemonSet"), {"name": c.name, "labels": labels}, spec={
            "selector": {"matchLabels": selector},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": c.name,
                    "priorityClassName": "system-node-critical",
                    # Every node, whatever its taints (database, GPU, control plane).
                    "tolerations": [{"operator": "Exists"}],
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": c.name,
                        "image": c.image,
                        "imagePullPolicy": "IfNotPresent",
                        "ports": [{"name": "http", "containerPort": 2020, "protocol": "TCP"}],
                        "resources": c.resources,
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                        "readinessProbe": {"httpGet": {"path": "/api/v1/health", "port": "http"}},
                        "securityContext": {
                            # Root only to read root-owned log files; no capability.
                            "runAsUser": 0,
                            "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "volumeMounts": [
                            {"name": name, "mountPath": path, "readOnly": ro}
                            for name, path, ro, _ in host_paths
                        ] + [{"name": "config", "mountPath": "/fluent-bit/etc/"}],
                    }],
                    "volumes": [
                        {"name": name, "hostPath": {"path": path, "type": kind}}
                        for name, path, _, kind in host_paths
                    ] + [{"name": "config", "configMap": {"name": f"{c.name}-config"}}],
                },
            },
        })
