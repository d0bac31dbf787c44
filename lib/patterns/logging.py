"""Fluent Bit on every node: tail container logs, add Kubernetes metadata,
ship to an OpenSearch sink declared in values, buffering on the node's disk.

It reads host log files (hostPath), so it cannot meet Pod Security
``restricted``; it runs in kube-system, which the cluster leaves privileged,
and nowhere else. It still drops every capability and keeps its root
filesystem read-only.

Every key below was checked against Fluent Bit's source at v3.1.9 (the pinned
image): ``src/flb_config.c`` (SERVICE, storage.*), ``src/flb_input.c``
(storage.type), ``src/flb_output.c`` (tls.*, retry_limit,
storage.total_limit_size), ``plugins/in_tail/tail.c``,
``plugins/filter_kubernetes/kubernetes.c`` and
``plugins/out_opensearch/opensearch.c`` (their config maps).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from constructs import Construct

from ..config.quantity import parse_quantity
from ..k8s.api import core
from ..k8s.objects import Group, emit

STATE_DIR = "/var/lib/fluent-bit"  # hostPath: survives the pod, one per node
BUFFER_DIR = f"{STATE_DIR}/buffer/"
TLS_DIR = "/fluent-bit/tls"
CA_KEY = "ca.crt"
# Env vars the output reads: Fluent Bit expands ${VAR} in plugin properties
# (flb_env_var_translate in flb_output_set_property, src/flb_output.c v3.1.9),
# so the credentials stay in the Secret, never in the ConfigMap.
USERNAME_ENV = "OPENSEARCH_USERNAME"
PASSWORD_ENV = "OPENSEARCH_PASSWORD"
# A filesystem chunk holds at most this many bytes
# (FLB_INPUT_CHUNK_FS_MAX_SIZE, include/fluent-bit/flb_input_chunk.h v3.1.9).
CHUNK_BYTES = 2_048_000
_FLB_SIZE = re.compile(r"^([1-9][0-9]*)([KMG])B?$")


def flb_size_bytes(size: str) -> int:
    """Bytes of a Fluent Bit size ("16M"): decimal units, as flb_utils_size_to_bytes."""
    match = _FLB_SIZE.fullmatch(size)
    if not match:
        raise ValueError(f"{size!r} is not a Fluent Bit size (examples: 512K, 16M, 2G)")
    return int(match[1]) * {"K": 10**3, "M": 10**6, "G": 10**9}[match[2]]


@dataclass(frozen=True)
class FluentBitConfig:
    namespace: str
    image: str
    resources: dict
    output_host: str
    output_port: int
    output_index: str
    output_tls: bool
    # A Secret in `namespace` with username, password and (with TLS) ca.crt.
    credentials_secret: str
    buffer_total_limit_size: str  # per output, on disk
    buffer_max_chunks_up: int  # in memory
    buffer_backlog_mem_limit: str
    labels: dict[str, str]
    name: str = "fluent-bit"

    def __post_init__(self) -> None:
        flb_size_bytes(self.buffer_total_limit_size)
        in_memory = (self.buffer_max_chunks_up * CHUNK_BYTES
                     + flb_size_bytes(self.buffer_backlog_mem_limit))
        limit = parse_quantity(self.resources["limits"]["memory"])
        # The rest of the limit is Fluent Bit itself: tail's read buffers, the
        # kubernetes filter's metadata cache, the HTTP client's payloads.
        if in_memory * 2 > limit:
            raise ValueError(
                f"{self.name}: max_chunks_up {self.buffer_max_chunks_up} x 2 MB + "
                f"backlog_mem_limit {self.buffer_backlog_mem_limit} = {in_memory} bytes is more "
                f"than half the memory limit {self.resources['limits']['memory']}; lower them "
                "or raise the limit")

    def output_section(self) -> str:
        lines = [
            ("Name", "opensearch"),
            ("Match", "kube.*"),
            ("Host", self.output_host),
            ("Port", str(self.output_port)),
            ("Index", self.output_index),
            ("HTTP_User", "${%s}" % USERNAME_ENV),
            ("HTTP_Passwd", "${%s}" % PASSWORD_ENV),
            ("Suppress_Type_Name", "On"),
            ("Replace_Dots", "On"),
            # Retry until the sink is back; what waits is bounded on disk by
            # storage.total_limit_size (the oldest chunks go first), not lost
            # after a retry count.
            ("Retry_Limit", "False"),
            ("storage.total_limit_size", self.buffer_total_limit_size),
        ]
        if self.output_tls:
            lines += [
                ("tls", "On"),
                ("tls.verify", "On"),
                # Off by default in 3.1 (flb_output.c): without it any
                # certificate the CA signed would be accepted for this host.
                # The name checked (and sent as SNI) is Host.
                ("tls.verify_hostname", "On"),
                ("tls.ca_file", f"{TLS_DIR}/{CA_KEY}"),
            ]
        else:
            lines.append(("tls", "Off"))
        return _section("OUTPUT", lines)

    def config_files(self) -> dict[str, str]:
        service = _section("SERVICE", [
            ("Flush", "5"),
            ("Log_Level", "info"),
            ("Daemon", "off"),
            ("Parsers_File", "parsers.conf"),
            ("HTTP_Server", "On"),
            ("HTTP_Listen", "0.0.0.0"),
            ("HTTP_Port", "2020"),
            ("Health_Check", "On"),
            # Chunks live as files on the node: a sink outage, backpressure or
            # a restarted pod no longer drops what was read; memory holds at
            # most max_chunks_up chunks (the rest stay on disk), and chunks a
            # previous pod left behind replay within backlog.mem_limit.
            ("storage.path", BUFFER_DIR),
            ("storage.sync", "normal"),
            ("storage.checksum", "off"),
            ("storage.max_chunks_up", str(self.buffer_max_chunks_up)),
            ("storage.backlog.mem_limit", self.buffer_backlog_mem_limit),
            # A chunk cut short by a node crash would otherwise be retried forever.
            ("storage.delete_irrecoverable_chunks", "On"),
            ("storage.metrics", "On"),
        ])
        tail = _section("INPUT", [
            ("Name", "tail"),
            ("Tag", "kube.*"),
            ("Path", "/var/log/containers/*.log"),
            ("multiline.parser", "cri, docker"),
            ("DB", f"{STATE_DIR}/tail.db"),
            # With filesystem storage Mem_Buf_Limit no longer pauses the input
            # (flb_input_chunk_protect, src/flb_input_chunk.c v3.1.9); the
            # bound is storage.max_chunks_up, and tail keeps reading into
            # chunks on disk instead of pausing while a rotated file goes away.
            ("storage.type", "filesystem"),
            ("Skip_Long_Lines", "On"),
            ("Refresh_Interval", "10"),
        ], width=18)  # the column this section always had: unchanged lines diff clean
        kubernetes = _section("FILTER", [
            ("Name", "kubernetes"),
            ("Match", "kube.*"),
            ("Kube_URL", "https://kubernetes.default.svc:443"),
            ("Kube_Tag_Prefix", "kube.var.log.containers."),
            ("Merge_Log", "On"),
            ("Keep_Log", "Off"),
            ("K8S-Logging.Parser", "On"),
            ("K8S-Logging.Exclude", "On"),
        ])
        return {
            "fluent-bit.conf": "\n".join([service, tail, kubernetes, self.output_section()]),
            "parsers.conf": _section("PARSER", [
                ("Name", "json"),
                ("Format", "json"),
                ("Time_Key", "time"),
                ("Time_Format", "%Y-%m-%dT%H:%M:%S.%L%z"),
            ]),
        }


def _section(name: str, entries: list[tuple[str, str]], width: int = 0) -> str:
    """A classic-format section: ``[NAME]`` then indented, aligned key/value lines."""
    width = max([width] + [len(k) + 1 for k, _ in entries])
    return f"[{name}]\n" + "".join(f"    {k.ljust(width)}{v}\n" for k, v in entries)


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
                      ("state", STATE_DIR, False, "DirectoryOrCreate")]
        mounts = [{"name": name, "mountPath": path, "readOnly": ro}
                  for name, path, ro, _ in host_paths]
        mounts.append({"name": "config", "mountPath": "/fluent-bit/etc/"})
        volumes = [{"name": name, "hostPath": {"path": path, "type": kind}}
                   for name, path, _, kind in host_paths]
        volumes.append({"name": "config", "configMap": {"name": f"{c.name}-config"}})
        if c.output_tls:
            mounts.append({"name": "sink-ca", "mountPath": TLS_DIR, "readOnly": True})
            volumes.append({"name": "sink-ca", "secret": {
                "secretName": c.credentials_secret,
                "items": [{"key": CA_KEY, "path": CA_KEY}]}})
        env = [{"name": var, "valueFrom": {"secretKeyRef": {
                    "name": c.credentials_secret, "key": key}}}
               for var, key in ((USERNAME_ENV, "username"), (PASSWORD_ENV, "password"))]
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
                        "env": env,
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
                        "volumeMounts": mounts,
                    }],
                    "volumes": volumes,
                },
            },
        })
