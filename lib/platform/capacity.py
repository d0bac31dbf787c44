"""Capacity is checked before Argo CD sees it.

At maximum scale (HPA/KEDA maximum, plus the rolling-update surge) the pods of
a namespace must fit its ResourceQuota, or the autoscaler would stall at the
quota in the middle of an incident. Rendering fails with the namespace, the
resource, what is needed and what the quota allows.
"""
from __future__ import annotations

from fractions import Fraction

from ..config.loader import LoadedEnvironment
from ..config.quantity import format_bytes, format_cpu, parse_quantity


def _pod(resources: list[dict]) -> dict[str, Fraction]:
    total = {"requests.cpu": Fraction(0), "requests.memory": Fraction(0),
             "limits.cpu": Fraction(0), "limits.memory": Fraction(0)}
    for r in resources:
        for kind in ("requests", "limits"):
            for name in ("cpu", "memory"):
                total[f"{kind}.{name}"] += parse_quantity(r[kind][name])
    return total


def demand(config) -> dict[str, Fraction]:
    """What one workload needs at maximum scale, by quota key."""
    containers = [config.resources]
    if hasattr(config, "transcoder_resources"):
        containers.append(config.transcoder_resources)
    # A CloudNativePG instance: postgres plus the Barman Cloud plugin's sidecar
    # (its bootstrap init container has postgres's resources, so the sum wins).
    if hasattr(config, "sidecar_resources"):
        containers.append(config.sidecar_resources)
    per_pod = _pod(containers)
    # A single-replica StatefulSet (a database) rolls without surge: one pod.
    # CloudNativePG replaces instances in place, one at a time: no surge either.
    pods = getattr(config, "max_pods", 1)
    out = {k: v * pods for k, v in per_pod.items()}
    out["pods"] = Fraction(pods)
    storage = getattr(config, "storage", None)
    claims = getattr(config, "replicas", 1) if storage else 0
    out["requests.storage"] = parse_quantity(storage) * claims if storage else Fraction(0)
    out["persistentvolumeclaims"] = Fraction(claims)
    return out


def check(loaded: LoadedEnvironment, namespace: str, quota_loc: tuple, hard: dict[str, str],
          configs: list) -> None:
    totals: dict[str, Fraction] = {}
    for config in configs:
        for key, value in demand(config).items():
            totals[key] = totals.get(key, Fraction(0)) + value
    for key, need in totals.items():
        if key not in hard:
            continue
        allowed = parse_quantity(hard[key])
        if need > allowed:
            fmt = format_cpu if key.endswith("cpu") else (
                format_bytes if key.endswith(("memory", "storage")) else lambda v: str(int(v)))
            raise loaded.error(
                quota_loc + (key.replace(".", "_"),),
                f"namespace {namespace} needs {fmt(need)} {key} at maximum scale "
                f"(autoscaler maximum plus rolling-update surge) but the quota allows "
                f"{fmt(allowed)}; raise the quota or lower the maximum",
            )
