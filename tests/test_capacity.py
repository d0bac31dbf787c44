"""The render-time capacity check (lib/platform/capacity.py), at its exact boundary.

At maximum scale (HPA maximum plus the rolling-update surge, rounded up) a
namespace's pods must fit its ResourceQuota. The numbers here are computed by
hand from base.yaml, not by lib/: for jeeves,

    run-manager pod = server + grpc-transcoder sidecar
        requests 200m + 100m = 300m CPU,  512Mi + 128Mi = 640Mi
        limits   1000m + 500m = 1.5 CPU,  2Gi + 512Mi  = 2.5Gi
    jeeves-postgresql = a CloudNativePG Cluster, staging's 2 instances, each
        postgres 1 CPU / 2Gi + the Barman plugin's sidecar 500m / 512Mi
        (requests == limits): 3 CPU / 5Gi, 2 pods, no surge
    pods(N) = N + ceil(N * 25%)            (the surge rounds up)

    quota: requests 10 CPU / 19Gi, limits 26 CPU / 43Gi, 20 pods
    limits.cpu: 1.5 * pods + 3 <= 26  ->  pods <= 15
    N = 12 -> 12 + 3 = 15 pods: fits;  N = 13 -> 13 + 4 = 17 pods: does not
    (17 pods need 8.1 CPU of requests, 28.5 of limits, 47.5Gi of limit memory).

For a customer namespace (the book, with the sidecar, alone in it): 1 CPU of
limits per pod against the customer quota's 4: N = 3 -> 3 + 1 = 4 pods fits
exactly, N = 4 -> 4 + 1 = 5 pods needs 5.

One render that succeeds covers both "fits" cases (jeeves at its largest N,
the book at 3); each "does not fit" case is a render that fails fast (the
check runs before any construct is built).
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from conftest import copy_values, run_main, tree_bytes

ENV = "staging"
UNITS = {"": 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9,
         "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
QUOTA_KEYS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "pods")


def qty(value) -> Fraction:
    """A quantity as written in base.yaml ("250m", "2Gi", "6", 10), by hand."""
    number, unit = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value)).groups()
    return Fraction(number) * UNITS[unit]


def base() -> dict:
    return yaml.safe_load((Path(__file__).resolve().parent.parent / "lib" / "values" / "base.yaml").read_text())


def per_pod(*resources: dict) -> dict[str, Fraction]:
    out = {key: Fraction(0) for key in QUOTA_KEYS}
    for r in resources:
        for kind in ("requests", "limits"):
            for name in ("cpu", "memory"):
                out[f"{kind}.{name}"] += qty(r[kind][name])
    out["pods"] = Fraction(1)
    return out


def surge_pods(replicas: int, surge: str) -> int:
    return replicas + math.ceil(replicas * int(surge.rstrip("%")) / 100)


def need(pod: dict, pods: int, fixed: dict | None = None) -> dict[str, Fraction]:
    return {key: pod[key] * pods + (fixed or {}).get(key, 0) for key in QUOTA_KEYS}


def exceeded(needed: dict, quota: dict) -> dict[str, tuple[Fraction, Fraction]]:
    """quota key -> (needed, allowed) for every key over its quota."""
    out = {}
    for key in QUOTA_KEYS:
        allowed = qty(quota[key.replace(".", "_")])
        if needed[key] > allowed:
            out[key] = (needed[key], allowed)
    return out


def database_instances(values: dict) -> int:
    """CloudNativePG instances in ENV (its values file may override base's)."""
    env = yaml.safe_load((Path(__file__).resolve().parent.parent / "lib" / "values" / f"{ENV}.yaml").read_text())
    return (env.get("databases") or {}).get("instances") or values["databases"]["instances"]


def jeeves_need(values: dict, max_replicas: int) -> dict[str, Fraction]:
    w = values["workloads"]
    pod = per_pod(w["jeeves-run-manager"]["resources"], values["transcoder"]["resources"])
    # Every instance: postgres plus the plugin's sidecar; replaced in place, no surge.
    instance = per_pod(w["jeeves-postgresql"]["resources"], values["databases"]["sidecar_resources"])
    database = {key: value * database_instances(values) for key, value in instance.items()}
    return need(pod, surge_pods(max_replicas, values["rollout"]["max_surge"]), database)


def book_need(values: dict, max_replicas: int) -> dict[str, Fraction]:
    pod = per_pod(values["workloads"]["book"]["resources"], values["transcoder"]["resources"])
    return need(pod, surge_pods(max_replicas, values["rollout"]["max_surge"]))


def largest_fit(need_of, quota: dict) -> int:
    fits = [n for n in range(1, 200) if not exceeded(need_of(n), quota)]
    assert fits and fits[-1] < 199, "no boundary below 200 replicas"
    # Fitting is monotonic in N, so the largest fit is the boundary.
    assert fits == list(range(1, fits[-1] + 1)), fits
    return fits[-1]


def shown_number(key: str, value: Fraction) -> str:
    """How the capacity message writes a number: whole cores or millicores, bytes with
    the largest binary suffix that divides them, counts as integers."""
    if key.endswith("cpu"):
        return str(value.numerator) if value.denominator == 1 else f"{round(value * 1000)}m"
    if key.endswith("memory"):
        for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
            if int(value) % UNITS[suffix] == 0:
                return f"{int(value) // UNITS[suffix]}{suffix}"
        return str(int(value))
    return str(int(value))


# --- the CLI --------------------------------------------------------------------------------

def set_max_replicas(values: Path, workload: str, n: int) -> None:
    path = values / f"{ENV}.yaml"
    data = yaml.safe_load(path.read_text())
    data.setdefault("workloads", {}).setdefault(workload, {}).setdefault("autoscaling", {})["max_replicas"] = n
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def set_quota(values: Path, namespace: str, **changes) -> None:
    path = values / f"{ENV}.yaml"
    data = yaml.safe_load(path.read_text())
    quota = data.setdefault("namespaces", {}).setdefault(namespace, {}).setdefault("quota", {})
    quota.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def render_fails(tmp_path: Path, values: Path) -> str:
    """Render; assert exit 2, one ``error:`` line, the outdir untouched. Returns the line."""
    out = tmp_path / "dist"
    (out / ENV).mkdir(parents=True)
    (out / ENV / "sentinel.yaml").write_text("# an earlier render\n")
    before = tree_bytes(out)
    proc = run_main("--env", ENV, "--values", values, "--outdir", out, "--jobs", "1")
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert tree_bytes(out) == before
    assert {p.name for p in tmp_path.iterdir()} - {".dist.lock"} == {"dist", "values"}
    return lines[0]


def assert_names(line: str, file: Path, quota_loc: str, namespace: str,
                 over: dict[str, tuple[Fraction, Fraction]]) -> str:
    """The line is ``error: <file>: <quota_loc>.<key>: namespace <ns> needs <n> <key> ... allows <m>``
    for one of the keys that are over (the check reports the first it finds)."""
    prefix = f"error: {file.resolve()}: {quota_loc}."
    assert line.startswith(prefix), line
    key = line[len(prefix):].split(":", 1)[0].replace("_", ".", 1)
    assert key in over, f"{line!r} names {key}, but by hand only {sorted(over)} are over"
    needed, allowed = over[key]
    assert f"namespace {namespace} needs {shown_number(key, needed)} {key} at maximum scale" in line, line
    assert f"the quota allows {shown_number(key, allowed)};" in line, line
    return key


@pytest.fixture(scope="module")
def numbers():
    values = base()
    jeeves_quota = values["namespaces"]["jeeves"]["quota"]
    customer_quota = values["quotas"]["customer"]
    return {
        "values": values,
        "jeeves_quota": jeeves_quota,
        "customer_quota": customer_quota,
        "jeeves_max": largest_fit(lambda n: jeeves_need(values, n), jeeves_quota),
        "book_max": largest_fit(lambda n: book_need(values, n), customer_quota),
    }


def test_hand_computation_matches_the_comments_in_base_yaml(numbers):
    """base.yaml says the jeeves quota holds 10 + 3 surge pods plus postgres, and the
    customer quota holds the book at 3 replicas (3 + 1 surge pods at 1 CPU)."""
    values = numbers["values"]
    assert not exceeded(jeeves_need(values, 10), numbers["jeeves_quota"])
    assert numbers["jeeves_max"] >= values["workloads"]["jeeves-run-manager"]["autoscaling"]["max_replicas"]
    assert numbers["book_max"] == values["workloads"]["book"]["autoscaling"]["max_replicas"] == 3
    assert book_need(values, 3)["limits.cpu"] == qty(numbers["customer_quota"]["limits_cpu"])


def test_largest_max_replicas_renders(numbers, tmp_path):
    """jeeves-run-manager at the largest N that fits, and the book at 3: both render."""
    n = numbers["jeeves_max"]
    values = copy_values(tmp_path / "values")
    set_max_replicas(values, "jeeves-run-manager", n)
    out = tmp_path / "dist"
    proc = run_main("--env", ENV, "--values", values, "--outdir", out)
    assert proc.returncode == 0, proc.stderr
    hpa = yaml.safe_load((out / ENV / "jeeves" / "horizontalpodautoscaler-jeeves-run-manager-hpa.yaml").read_text())
    assert hpa["spec"]["maxReplicas"] == n
    quota = yaml.safe_load((out / ENV / "jeeves" / "resourcequota-compute-quota.yaml").read_text())
    needed = jeeves_need(numbers["values"], n)
    for key in QUOTA_KEYS:
        assert needed[key] <= qty(quota["spec"]["hard"][key]), key
    book = yaml.safe_load((out / ENV / "customer-acme" / "horizontalpodautoscaler-book-hpa.yaml").read_text())
    assert book["spec"]["maxReplicas"] == numbers["book_max"] == 3


def test_one_more_jeeves_replica_fails(numbers, tmp_path):
    n = numbers["jeeves_max"] + 1
    values = copy_values(tmp_path / "values")
    set_max_replicas(values, "jeeves-run-manager", n)
    over = exceeded(jeeves_need(numbers["values"], n), numbers["jeeves_quota"])
    assert over
    line = render_fails(tmp_path, values)
    assert_names(line, values / "base.yaml", "namespaces.jeeves.quota", "jeeves", over)


def test_limits_cpu_alone_over_is_named(numbers, tmp_path):
    """With every other jeeves quota key raised out of the way, limits.cpu is the
    one that binds: the message names namespaces.jeeves.quota.limits_cpu."""
    n = numbers["jeeves_max"] + 1
    values = copy_values(tmp_path / "values")
    set_max_replicas(values, "jeeves-run-manager", n)
    roomy = {"requests_cpu": "24", "requests_memory": "1Ti", "limits_memory": "1Ti", "pods": 1000}
    set_quota(values, "jeeves", **roomy)
    quota = {**numbers["jeeves_quota"], **roomy}
    over = exceeded(jeeves_need(numbers["values"], n), quota)
    assert list(over) == ["limits.cpu"]
    line = render_fails(tmp_path, values)
    # limits_cpu is still base.yaml's; staging.yaml only set the others.
    assert assert_names(line, values / "base.yaml", "namespaces.jeeves.quota", "jeeves", over) == "limits.cpu"


def test_pods_count_over_is_named(numbers, tmp_path):
    """The pods key: staging's jeeves (HPA max 4 -> 5 pods, + postgres = 6) against pods: 5."""
    values = copy_values(tmp_path / "values")
    staging_max = yaml.safe_load((values / f"{ENV}.yaml").read_text())[
        "workloads"]["jeeves-run-manager"]["autoscaling"]["max_replicas"]
    needed = jeeves_need(numbers["values"], staging_max)
    pods = int(needed["pods"]) - 1
    set_quota(values, "jeeves", pods=pods)
    over = exceeded(needed, {**numbers["jeeves_quota"], "pods": pods})
    assert list(over) == ["pods"]
    line = render_fails(tmp_path, values)
    assert assert_names(line, values / f"{ENV}.yaml", "namespaces.jeeves.quota", "jeeves", over) == "pods"
    assert f"needs {int(needed['pods'])} pods" in line and f"allows {pods};" in line


def test_book_at_four_replicas_does_not_fit_a_customer_quota(numbers, tmp_path):
    values = copy_values(tmp_path / "values")
    set_max_replicas(values, "book", numbers["book_max"] + 1)
    over = exceeded(book_need(numbers["values"], 4), numbers["customer_quota"])
    assert set(over) == {"limits.cpu"}  # 5 pods x 1 CPU against 4
    line = render_fails(tmp_path, values)
    customers = [c["id"] for c in yaml.safe_load((values / f"{ENV}.yaml").read_text())["customers"]]
    namespace = re.search(r"namespace (customer-[a-z0-9-]+) needs", line)
    assert namespace and namespace.group(1) in [f"customer-{c}" for c in customers], line
    assert_names(line, values / "base.yaml", "quotas.customer", namespace.group(1), over)
    assert "needs 5 limits.cpu" in line and "allows 4;" in line
