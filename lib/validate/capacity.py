"""Does everything fit its ResourceQuota at maximum scale, and during a rollout?

Pods per workload at maximum scale: an HPA's maxReplicas, a KEDA
ScaledObject's maxReplicaCount (KEDA's default 100), else spec.replicas.
Per pod: the effective request/limit (max of the sum of containers and of
each init container), with the namespace's LimitRange defaults filling in
missing values as the LimitRanger admission plugin does. A rolling update
adds each Deployment's maxSurge (default 25%, rounded up) on top — all of
them at once, as when one Argo CD sync rolls every Deployment.
"""
from __future__ import annotations

import math
from fractions import Fraction

from ..config.quantity import format_bytes, format_cpu, parse_quantity
from .model import Finding, Obj, PodTemplate
from .cnpg import instances, is_cluster
from .edge import proxy_pods

RESOURCES = ("cpu", "memory")
KEDA_DEFAULT_MAX = 100
QUOTA_ALIASES = {"cpu": "requests.cpu", "memory": "requests.memory", "storage": "requests.storage"}


def _q(value) -> Fraction | None:
    try:
        return parse_quantity(value)
    except (ValueError, TypeError):
        return None


def fmt_quantity(key: str, value: Fraction) -> str:
    if "cpu" in key:
        return format_cpu(value)
    if "memory" in key or "storage" in key:
        return format_bytes(Fraction(math.ceil(value)))
    return str(int(value)) if value.denominator == 1 else str(float(value))


def limit_range_defaults(limit_ranges: list[Obj]) -> tuple[dict, dict]:
    """(default requests, default limits) for containers, as LimitRanger applies them."""
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    for lr in limit_ranges:
        for item in lr.spec.get("limits") or []:
            if (item or {}).get("type") != "Container":
                continue
            default = item.get("default") or {}
            maximum = item.get("max") or {}
            default_limit = {**maximum, **default}  # default defaults to max
            default_request = {**default_limit, **(item.get("defaultRequest") or {})}
            for k, v in default_limit.items():
                limits.setdefault(k, v)
            for k, v in default_request.items():
                requests.setdefault(k, v)
    return requests, limits


def container_resources(container: dict, defaults: tuple[dict, dict]) -> tuple[dict, dict]:
    """(requests, limits) of a container once defaulted and LimitRange-filled."""
    res = container.get("resources") or {}
    requests = {k: _q(v) for k, v in (res.get("requests") or {}).items()}
    limits = {k: _q(v) for k, v in (res.get("limits") or {}).items()}
    for k, v in list(limits.items()):  # API defaulting: request := limit
        requests.setdefault(k, v)
    for k, v in defaults[1].items():
        limits.setdefault(k, _q(v))
    for k, v in defaults[0].items():
        requests.setdefault(k, _q(v))
    return requests, limits


def pod_resources(spec: dict, defaults: tuple[dict, dict]) -> dict[str, Fraction | None]:
    """Effective ``requests.cpu``... of one pod; None when some container leaves it unset
    (such a pod is rejected by a quota that tracks the resource).

    A restartable init container (``restartPolicy: Always``, a native sidecar
    such as the Barman Cloud plugin's) runs beside the containers: it counts
    in their sum and under every init container that starts after it, as
    the API server's quota evaluation does (k8s.io/component-helpers
    resource.PodRequests)."""
    out: dict[str, Fraction | None] = {}
    containers = [container_resources(c, defaults) for c in spec.get("containers") or [] if isinstance(c, dict)]
    inits = [(container_resources(c, defaults), c.get("restartPolicy") == "Always")
             for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    for which, index in (("requests", 0), ("limits", 1)):
        for res in RESOURCES:
            values = [c[index].get(res) for c in containers]
            init_values = [c[index].get(res) for c, _ in inits]
            key = f"{which}.{res}"
            if any(v is None for v in values + init_values):
                out[key] = None
                continue
            sidecars, init_peak = Fraction(0), Fraction(0)
            for (c, restartable), value in zip(inits, init_values):
                if restartable:
                    sidecars += value
                    init_peak = max(init_peak, sidecars)
                else:
                    init_peak = max(init_peak, value + sidecars)
            out[key] = max(sum(values, Fraction(0)) + sidecars, init_peak)
    return out


def surge(replicas: int, strategy: dict) -> int:
    """Extra pods a Deployment's rolling update creates at ``replicas``."""
    if (strategy or {}).get("type") == "Recreate":
        return 0
    value = ((strategy or {}).get("rollingUpdate") or {}).get("maxSurge", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return math.ceil(replicas * int(value[:-1]) / 100)
    return int(value)


def max_replicas(tree, obj: Obj) -> tuple[int, str]:
    """(pods at maximum scale, why) for one workload."""
    ns = obj.namespace
    best: tuple[int, str] | None = None
    for hpa in tree.by_namespace.get(ns, []):
        ref = hpa.spec.get("scaleTargetRef") or {}
        if hpa.kind == "HorizontalPodAutoscaler" and ref.get("name") == obj.name and ref.get("kind") == obj.kind:
            value = int(hpa.spec.get("maxReplicas") or 0)
            best = max(best or (0, ""), (value, f"{hpa.ref} maxReplicas"))
        elif hpa.kind == "ScaledObject" and ref.get("name") == obj.name \
                and (ref.get("kind") or "Deployment") == obj.kind:
            value = int(hpa.spec.get("maxReplicaCount") or KEDA_DEFAULT_MAX)
            best = max(best or (0, ""), (value, f"{hpa.ref} maxReplicaCount"))
    if best is not None:
        return best
    if obj.kind in ("Job",):
        return int(obj.spec.get("parallelism", 1) or 1), "parallelism"
    if obj.kind == "CronJob":
        job = (obj.spec.get("jobTemplate") or {}).get("spec") or {}
        return int(job.get("parallelism", 1) or 1), "parallelism"
    if obj.kind in ("Pod", "DaemonSet"):
        return 1, "one pod" if obj.kind == "Pod" else "one pod per node (counted once)"
    if is_cluster(obj):
        # CloudNativePG replaces instances in place, one at a time: no surge.
        return instances(obj), "spec.instances"
    return int(obj.spec.get("replicas", 1) if obj.spec.get("replicas") is not None else 1), "spec.replicas"


def _plural(tree, ctx, obj: Obj) -> str:
    plural = ctx.crds.plural(obj.group, obj.kind)
    if plural:
        return plural
    kind = obj.kind.lower()
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    if kind.endswith("s"):
        return kind + "es"
    return kind + "s"


def check(ctx) -> list[Finding]:
    out: list[Finding] = []
    tree = ctx.tree
    for quota in tree.kind("ResourceQuota"):
        if quota.spec.get("scopes") or quota.spec.get("scopeSelector"):
            continue  # scoped quotas count a subset of pods; not modelled
        out += _check_quota(ctx, quota)
    return out


def _check_quota(ctx, quota: Obj) -> list[Finding]:
    tree = ctx.tree
    ns = quota.namespace
    hard = {QUOTA_ALIASES.get(k, k): v for k, v in (quota.spec.get("hard") or {}).items()}
    defaults = limit_range_defaults([o for o in tree.by_namespace.get(ns, []) if o.kind == "LimitRange"])
    steady: dict[str, Fraction] = {}
    rollout: dict[str, Fraction] = {}
    contributors: dict[str, list[tuple[Fraction, str]]] = {}
    out: list[Finding] = []

    def add(key: str, value: Fraction, extra: Fraction, who: str) -> None:
        steady[key] = steady.get(key, Fraction(0)) + value
        rollout[key] = rollout.get(key, Fraction(0)) + extra
        if value:
            contributors.setdefault(key, []).append((value, who))

    pods: list[PodTemplate] = [p for p in tree.pods_by_namespace.get(ns, []) if p.owner.kind != "ReplicaSet"
                               or not p.owner.meta.get("ownerReferences")]
    for pod in pods:
        owner = pod.owner
        replicas, why = max_replicas(tree, owner)
        extra = surge(replicas, owner.spec.get("strategy") or {}) if owner.kind == "Deployment" else 0
        per_pod = pod_resources(pod.spec, defaults)
        who = f"{owner.ref} x{replicas} ({why})"
        add("pods", Fraction(replicas), Fraction(extra), who)
        for key, value in per_pod.items():
            if key not in hard:
                continue
            if value is None:
                out.append(owner.finding(
                    "capacity", f"{pod.path}.containers",
                    f"a container has no {key.replace('.', ' ')} and no LimitRange default in {ns}; "
                    f"{quota.ref} tracks {key}, so its pods are rejected", f"set resources.{key}"))
                continue
            add(key, value * replicas, value * extra, who)
        if is_cluster(owner):
            # One claim per instance (spec.storage; spec.walStorage a second).
            for key in ("storage", "walStorage"):
                conf = owner.spec.get(key) or {}
                if not conf:
                    continue
                storage = _q(conf.get("size"))
                add("persistentvolumeclaims", Fraction(replicas), Fraction(0), who)
                if storage is not None:
                    add("requests.storage", storage * replicas, Fraction(0), who)
                    if conf.get("storageClass"):
                        add(f"{conf['storageClass']}.storageclass.storage.k8s.io/requests.storage",
                            storage * replicas, Fraction(0), who)
        if owner.kind == "StatefulSet":
            for vct in owner.spec.get("volumeClaimTemplates") or []:
                vspec = (vct or {}).get("spec") or {}
                storage = _q(((vspec.get("resources") or {}).get("requests") or {}).get("storage"))
                add("persistentvolumeclaims", Fraction(replicas), Fraction(0), who)
                if storage is not None:
                    add("requests.storage", storage * replicas, Fraction(0), who)
                    sc = ((vct or {}).get("spec") or {}).get("storageClassName")
                    if sc:
                        add(f"{sc}.storageclass.storage.k8s.io/requests.storage", storage * replicas, Fraction(0), who)
    # Envoy Gateway's proxies are not rendered pods, but they run here under
    # this quota, sized by the rendered EnvoyProxy (lib/validate/edge.py).
    for proxy in proxy_pods(tree, ns):
        who = f"proxies of {proxy.gateway.ref} x{proxy.replicas} ({proxy.why})"
        add("pods", Fraction(proxy.replicas), Fraction(proxy.surge), who)
        for key, value in pod_resources(proxy.spec, defaults).items():
            if key not in hard:
                continue
            if value is None:
                out.append(proxy.gateway.finding(
                    "capacity", "spec.infrastructure.parametersRef",
                    f"its proxies have no {key.replace('.', ' ')} and {ns} no LimitRange default; "
                    f"{quota.ref} tracks {key}, so Envoy Gateway's proxy pods are rejected",
                    f"set {key} in the EnvoyProxy's container resources"))
                continue
            add(key, value * proxy.replicas, value * proxy.surge, who)
    for pvc in tree.by_namespace.get(ns, []):
        if pvc.kind == "PersistentVolumeClaim":
            storage = _q(((pvc.spec.get("resources") or {}).get("requests") or {}).get("storage"))
            add("persistentvolumeclaims", Fraction(1), Fraction(0), pvc.ref)
            if storage is not None:
                add("requests.storage", storage, Fraction(0), pvc.ref)

    # Object counts.
    objs = tree.by_namespace.get(ns, [])
    counts: dict[str, int] = {}
    for obj in objs:
        counts[f"count/{_plural(tree, ctx, obj)}{'.' + obj.group if obj.group else ''}"] = \
            counts.get(f"count/{_plural(tree, ctx, obj)}{'.' + obj.group if obj.group else ''}", 0) + 1
    secret_names = {o.name for o in objs if o.kind == "Secret"} | {n for (sns, n) in _eso_targets(tree) if sns == ns}
    object_counts = {
        "services": sum(1 for o in objs if o.kind == "Service"),
        "services.loadbalancers": sum(1 for o in objs if o.kind == "Service" and o.spec.get("type") == "LoadBalancer"),
        "services.nodeports": sum(1 for o in objs if o.kind == "Service"
                                  and o.spec.get("type") in ("NodePort", "LoadBalancer")),
        "secrets": len(secret_names),
        "configmaps": sum(1 for o in objs if o.kind == "ConfigMap") + 1,  # + kube-root-ca.crt
        "resourcequotas": sum(1 for o in objs if o.kind == "ResourceQuota"),
        "replicationcontrollers": sum(1 for o in objs if o.kind == "ReplicationController"),
    }
    for key, value in hard.items():
        limit = _q(value)
        if limit is None:
            out.append(quota.finding("capacity", f"spec.hard[{key}]", f"{value!r} is not a quantity",
                                     "use a Kubernetes quantity"))
            continue
        if key in object_counts or key.startswith("count/"):
            used = object_counts.get(key, counts.get(key, 0))
            if used > limit:
                out.append(quota.finding("capacity", f"spec.hard[{key}]",
                                         f"{used} objects rendered in {ns}, quota allows {fmt_quantity(key, limit)} "
                                         f"(over by {used - limit})", f"raise {key} to at least {used}"))
            continue
        if key not in steady:
            continue
        used = steady[key]
        worst = sorted(contributors.get(key, []), key=lambda c: -c[0])[:3]
        top = "; largest: " + ", ".join(f"{w} = {fmt_quantity(key, v)}" for v, w in worst) if worst else ""
        if used > limit:
            out.append(quota.finding(
                "capacity", f"spec.hard[{key}]",
                f"{key} at maximum scale is {fmt_quantity(key, used)} > {fmt_quantity(key, limit)} "
                f"(over by {fmt_quantity(key, used - limit)}){top}",
                f"raise {key} to at least {fmt_quantity(key, used)}, or lower replicas/requests"))
        elif rollout.get(key) and used + rollout[key] > limit:
            total = used + rollout[key]
            out.append(quota.finding(
                "capacity", f"spec.hard[{key}]",
                f"{key} during a rolling update at maximum scale (maxSurge of every Deployment) is "
                f"{fmt_quantity(key, total)} > {fmt_quantity(key, limit)} (over by {fmt_quantity(key, total - limit)})",
                f"raise {key} to at least {fmt_quantity(key, total)}, or lower maxSurge"))
    return out


def _eso_targets(tree) -> set[tuple[str, str]]:
    cached = getattr(tree, "_eso_targets", None)
    if cached is None:
        cached = {(es.namespace, (es.spec.get("target") or {}).get("name") or es.name)
                  for es in tree.kind("ExternalSecret")}
        tree._eso_targets = cached
    return cached
