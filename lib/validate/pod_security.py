"""Pod Security Standards, field by field as the v1.27 admission plugin judges.

``check_pod(spec, level, annotations)`` returns every violation of a pod spec
for ``baseline`` or ``restricted`` (restricted includes baseline);
``privileged`` allows everything. Rules and allowed values are those of
k8s.io/pod-security-admission/policy at v1.27.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Finding

LEVELS = ("privileged", "baseline", "restricted")
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"

BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
RESTRICTED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                      "persistentVolumeClaim", "projected", "secret")
SELINUX_TYPES = ("", "container_t", "container_init_t", "container_kvm_t")
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
})
APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


@dataclass(frozen=True)
class Violation:
    field: str  # relative to the pod spec ("containers[0].securityContext.privileged")
    message: str
    fix: str


def _containers(spec: dict):
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for i, c in enumerate(spec.get(key) or []):
            if isinstance(c, dict):
                yield f"{key}[{i}]", c


def _sc(obj: dict) -> dict:
    sc = obj.get("securityContext")
    return sc if isinstance(sc, dict) else {}


def check_pod(spec: dict, level: str = "restricted", annotations: dict | None = None) -> list[Violation]:
    """Violations of ``level`` by a pod spec (paths relative to the spec)."""
    if level not in LEVELS:
        raise ValueError(f"unknown Pod Security level {level!r}; one of {', '.join(LEVELS)}")
    if level == "privileged":
        return []
    out = _baseline(spec, annotations or {})
    if level == "restricted":
        out += _restricted(spec)
    return out


def _baseline(spec: dict, annotations: dict) -> list[Violation]:
    out: list[Violation] = []
    add = lambda f, m, x: out.append(Violation(f, m, x))  # noqa: E731
    pod_sc = _sc(spec)
    containers = list(_containers(spec))

    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key) is True:
            add(key, f"{key}: true shares the node's namespaces (forbidden from baseline)",
                f"remove {key}, or run it in a namespace labelled {ENFORCE_LABEL}=privileged")

    # Windows HostProcess
    if (pod_sc.get("windowsOptions") or {}).get("hostProcess") is True:
        add("securityContext.windowsOptions.hostProcess", "HostProcess pods are forbidden from baseline",
            "remove windowsOptions.hostProcess")
    for path, c in containers:
        if (_sc(c).get("windowsOptions") or {}).get("hostProcess") is True:
            add(f"{path}.securityContext.windowsOptions.hostProcess",
                "HostProcess containers are forbidden from baseline", "remove windowsOptions.hostProcess")

    for path, c in containers:
        sc = _sc(c)
        if sc.get("privileged") is True:
            add(f"{path}.securityContext.privileged", "privileged containers are forbidden from baseline",
                "set privileged: false (or remove it)")
        added = [cap for cap in ((sc.get("capabilities") or {}).get("add") or [])
                 if cap not in BASELINE_CAPABILITIES]
        if added:
            add(f"{path}.securityContext.capabilities.add",
                f"capabilities {', '.join(map(str, added))} are not in the baseline set",
                "remove them (restricted allows only NET_BIND_SERVICE)")
        for j, port in enumerate(c.get("ports") or []):
            if isinstance(port, dict) and port.get("hostPort") not in (None, 0):
                add(f"{path}.ports[{j}].hostPort", f"hostPort {port.get('hostPort')} is forbidden from baseline",
                    "remove hostPort and reach the pod through a Service")
        if sc.get("procMount") not in (None, "Default"):
            add(f"{path}.securityContext.procMount", f"procMount {sc.get('procMount')!r} is forbidden",
                "remove procMount (Default)")

    for i, vol in enumerate(spec.get("volumes") or []):
        if isinstance(vol, dict) and "hostPath" in vol:
            add(f"volumes[{i}].hostPath", f"hostPath volume {vol.get('name')!r} is forbidden from baseline",
                "use an emptyDir, a PVC or a projected volume, or run it in a namespace labelled "
                f"{ENFORCE_LABEL}=privileged")

    # AppArmor (annotations in v1.27; the fields from v1.30 are judged the same)
    for key, value in annotations.items():
        if key.startswith(APPARMOR_PREFIX) and value != "runtime/default" \
                and not str(value).startswith("localhost/"):
            add(f"metadata.annotations[{key}]", f"AppArmor profile {value!r} is forbidden from baseline",
                "use runtime/default or localhost/<profile>")
    for where, sc in [("securityContext", pod_sc)] + [(f"{p}.securityContext", _sc(c)) for p, c in containers]:
        profile = sc.get("appArmorProfile")
        if isinstance(profile, dict) and profile.get("type") not in (None, "RuntimeDefault", "Localhost"):
            add(f"{where}.appArmorProfile.type", f"AppArmor profile {profile.get('type')!r} is forbidden",
                "use RuntimeDefault or Localhost")

        se = sc.get("seLinuxOptions")
        if isinstance(se, dict):
            if se.get("type", "") not in SELINUX_TYPES:
                add(f"{where}.seLinuxOptions.type", f"SELinux type {se.get('type')!r} is forbidden",
                    f"use one of {', '.join(t for t in SELINUX_TYPES if t)} or remove it")
            for key in ("user", "role"):
                if se.get(key):
                    add(f"{where}.seLinuxOptions.{key}", f"setting the SELinux {key} is forbidden",
                        f"remove seLinuxOptions.{key}")

        seccomp = sc.get("seccompProfile")
        if isinstance(seccomp, dict) and seccomp.get("type") == "Unconfined":
            add(f"{where}.seccompProfile.type", "seccomp profile Unconfined is forbidden from baseline",
                "use RuntimeDefault")

    for i, sysctl in enumerate(pod_sc.get("sysctls") or []):
        name = (sysctl or {}).get("name")
        if name not in SAFE_SYSCTLS:
            add(f"securityContext.sysctls[{i}]", f"sysctl {name!r} is not in the safe set",
                f"use only {', '.join(sorted(SAFE_SYSCTLS))}")
    return out


def _restricted(spec: dict) -> list[Violation]:
    out: list[Violation] = []
    add = lambda f, m, x: out.append(Violation(f, m, x))  # noqa: E731
    pod_sc = _sc(spec)
    containers = list(_containers(spec))
    windows = ((spec.get("os") or {}).get("name") == "windows")

    for i, vol in enumerate(spec.get("volumes") or []):
        if not isinstance(vol, dict):
            continue
        kinds = [k for k in vol if k != "name"]
        bad = [k for k in kinds if k not in RESTRICTED_VOLUMES and k != "hostPath"]  # hostPath: baseline
        if bad:
            add(f"volumes[{i}].{bad[0]}", f"volume type {bad[0]} ({vol.get('name')!r}) is not allowed by restricted",
                f"use one of {', '.join(RESTRICTED_VOLUMES)}")

    if not windows:
        for path, c in containers:
            if _sc(c).get("allowPrivilegeEscalation") is not False:
                add(f"{path}.securityContext.allowPrivilegeEscalation",
                    "allowPrivilegeEscalation must be false under restricted",
                    "set securityContext.allowPrivilegeEscalation: false")

    # runAsNonRoot: pod true, or every container true; no container false.
    pod_nonroot = pod_sc.get("runAsNonRoot")
    if pod_nonroot is False:
        add("securityContext.runAsNonRoot", "runAsNonRoot: false is forbidden under restricted",
            "set securityContext.runAsNonRoot: true")
    for path, c in containers:
        value = _sc(c).get("runAsNonRoot")
        if value is False:
            add(f"{path}.securityContext.runAsNonRoot", "runAsNonRoot: false is forbidden under restricted",
                "set runAsNonRoot: true or remove it and set it on the pod")
        elif value is None and pod_nonroot is not True:
            add(f"{path}.securityContext.runAsNonRoot",
                "runAsNonRoot is set neither here nor on the pod (restricted requires true)",
                "set spec.securityContext.runAsNonRoot: true on the pod")

    if pod_sc.get("runAsUser") == 0:
        add("securityContext.runAsUser", "runAsUser: 0 (root) is forbidden under restricted",
            "run as a non-zero UID")
    for path, c in containers:
        if _sc(c).get("runAsUser") == 0:
            add(f"{path}.securityContext.runAsUser", "runAsUser: 0 (root) is forbidden under restricted",
                "run as a non-zero UID")

    if not windows:
        pod_type = (pod_sc.get("seccompProfile") or {}).get("type")
        for path, c in containers:
            ctype = (_sc(c).get("seccompProfile") or {}).get("type")
            if ctype is None and pod_type not in ("RuntimeDefault", "Localhost"):
                add(f"{path}.securityContext.seccompProfile.type",
                    "no seccomp profile here nor on the pod (restricted requires RuntimeDefault or Localhost)",
                    "set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod")
            elif ctype is not None and ctype not in ("RuntimeDefault", "Localhost", "Unconfined"):
                add(f"{path}.securityContext.seccompProfile.type", f"seccomp profile {ctype!r} is not allowed",
                    "use RuntimeDefault or Localhost")
        if pod_type not in (None, "RuntimeDefault", "Localhost", "Unconfined"):
            add("securityContext.seccompProfile.type", f"seccomp profile {pod_type!r} is not allowed",
                "use RuntimeDefault or Localhost")

        for path, c in containers:
            caps = _sc(c).get("capabilities") or {}
            if "ALL" not in (caps.get("drop") or []):
                add(f"{path}.securityContext.capabilities.drop", "capabilities must drop ALL under restricted",
                    "set securityContext.capabilities.drop: [ALL]")
            extra = [cap for cap in caps.get("add") or [] if cap != "NET_BIND_SERVICE"]
            if extra:
                add(f"{path}.securityContext.capabilities.add",
                    f"restricted allows adding only NET_BIND_SERVICE, not {', '.join(map(str, extra))}",
                    "remove them")
    return out


def namespace_level(tree, namespace: str) -> str:
    """The enforced level: the rendered Namespace's label; privileged when the
    namespace is not rendered (the cluster default) or carries no label."""
    ns = tree.namespaces.get(namespace)
    if ns is None:
        return "privileged"
    level = ns.labels.get(ENFORCE_LABEL, "privileged")
    return level if level in LEVELS else "restricted"


def check(ctx) -> list[Finding]:
    out: list[Finding] = []
    tree = ctx.tree
    for ns in tree.kind("Namespace"):
        level = ns.labels.get(ENFORCE_LABEL)
        if level is not None and level not in LEVELS:
            out.append(ns.finding("pod-security", f"metadata.labels[{ENFORCE_LABEL}]",
                                  f"{level!r} is not a Pod Security level", f"use one of {', '.join(LEVELS)}"))
    for pod in tree.pods:
        level = namespace_level(tree, pod.namespace)
        for v in check_pod(pod.spec, level, pod.annotations):
            field = (pod.meta_path + v.field[len("metadata"):]) if v.field.startswith("metadata.") \
                else f"{pod.path}.{v.field}"
            out.append(pod.owner.finding(
                "pod-security", field,
                f"{v.message} (namespace {pod.namespace} enforces {level})", v.fix))
    return out


__all__ = ["LEVELS", "Violation", "check", "check_pod", "namespace_level"]
