"""dist/<env>/docs/inventory.md: what runs where, how big it may get, what is
backed up, what is public and what Argo CD syncs, from the rendered objects.

Capacity follows ``lib/validate/capacity.py`` (the same helpers): a workload
at its maximum (HPA maxReplicas, KEDA maxReplicaCount, else spec.replicas),
each container's effective request/limit with the namespace's LimitRange
defaults, plus every Deployment's rolling-update surge at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from ..config.quantity import parse_quantity
from ..validate.capacity import (
    KEDA_DEFAULT_MAX, QUOTA_ALIASES, fmt_quantity, limit_range_defaults, max_replicas, pod_resources, surge,
)
from ..validate.cnpg import archiver_store, instances, is_cluster
from ..validate.model import Obj, PodTemplate, Tree
from .gcpause import gc_paused
from .markdown import code, join, table
from .shapes import Customers, Shapes

PSS_MODES = ("enforce", "audit", "warn")
HEADROOM_KEYS = ("requests.cpu", "limits.cpu", "requests.memory", "limits.memory", "pods", "requests.storage")
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
TENANT = "voyager.io/tenant"
VOLUME_KINDS = ("StatefulSet", "Cluster", "PersistentVolumeClaim")
ZERO = Fraction(0)


@lru_cache(maxsize=4096)
def _parse(value) -> Fraction | None:
    try:
        return parse_quantity(value)
    except (ValueError, TypeError):
        return None


def _q(value) -> Fraction | None:
    try:
        return _parse(value)
    except TypeError:  # unhashable: not a quantity
        return None


_POD_RESOURCES: dict[str, dict] = {}


def pod_resources_of(spec: dict, defaults: tuple[dict, dict]) -> dict[str, Fraction | None]:
    """capacity.pod_resources, remembered per distinct set of container resources
    (a thousand customer pods are one computation)."""
    key = repr((defaults, [[(c.get("resources") if isinstance(c, dict) else c) for c in spec.get(k) or []]
                           for k in ("containers", "initContainers")]))
    hit = _POD_RESOURCES.get(key)
    if hit is None:
        if len(_POD_RESOURCES) > 10_000:
            _POD_RESOURCES.clear()
        hit = _POD_RESOURCES[key] = pod_resources(spec, defaults)
    return hit


# --- facts ------------------------------------------------------------------------------------

def workload_pods(tree: Tree, namespace: str) -> list[PodTemplate]:
    """Pod templates of a namespace's workloads (ReplicaSets owned by a Deployment aside)."""
    return [p for p in tree.pods_by_namespace.get(namespace, [])
            if p.owner.kind != "ReplicaSet" or not p.owner.meta.get("ownerReferences")]


def scalers(autoscalers: list[Obj], obj: Obj) -> list[tuple[str, int, int, str]]:
    """(HPA|KEDA, min, max, name) of the autoscalers (of its namespace) targeting a workload."""
    out = []
    for other in autoscalers:
        ref = other.spec.get("scaleTargetRef") or {}
        if ref.get("name") != obj.name:
            continue
        if other.kind == "HorizontalPodAutoscaler" and ref.get("kind") == obj.kind:
            out.append(("HPA", int(other.spec.get("minReplicas") or 1), int(other.spec.get("maxReplicas") or 0),
                        other.name))
        elif other.kind == "ScaledObject" and (ref.get("kind") or "Deployment") == obj.kind:
            out.append(("KEDA", int(other.spec.get("minReplicaCount") or 0),
                        int(other.spec.get("maxReplicaCount") or KEDA_DEFAULT_MAX), other.name))
    return sorted(out)


def images(pod: PodTemplate) -> list[str]:
    seen: dict[str, None] = {}
    for _, container in pod.containers():
        if container.get("image"):
            seen[str(container["image"])] = None
    return list(seen)


class Scaled(NamedTuple):
    """A workload's pod at maximum scale: what both its row and the quota headroom need."""

    pod: PodTemplate
    replicas: int  # at maximum scale (capacity.max_replicas)
    extra: int  # rolling-update surge on top (Deployments)
    per_pod: dict[str, Fraction | None]  # capacity.pod_resources


def scaled_pods(tree: Tree, pods: list[PodTemplate], defaults: tuple[dict, dict]) -> list[Scaled]:
    """``pods`` (of one namespace, whose LimitRange ``defaults`` apply) at maximum scale."""
    out = []
    for pod in pods:
        owner = pod.owner
        replicas, _ = max_replicas(tree, owner)
        extra = surge(replicas, owner.spec.get("strategy") or {}) if owner.kind == "Deployment" else 0
        out.append(Scaled(pod, replicas, extra, pod_resources_of(pod.spec, defaults)))
    return out


def _res(per_pod: dict, which: str) -> str:
    cpu, mem = per_pod.get(f"{which}.cpu"), per_pod.get(f"{which}.memory")
    cpu_text = "unset" if cpu is None else _fmt("cpu", cpu)
    mem_text = "unset" if mem is None else _fmt("memory", mem)
    return f"{cpu_text} CPU, {mem_text}"


@dataclass
class Usage:
    """A namespace at maximum scale per quota key: steady use plus rollout surge
    (only their sum is shown, so only the sum is kept: exact either way)."""

    totals: dict[str, Fraction] = field(default_factory=dict)
    unset: set[str] = field(default_factory=set)  # keys some pod leaves unset

    def add(self, key: str, value: Fraction | None) -> None:
        if value is None:
            self.unset.add(key)
            return
        self.totals[key] = self.totals.get(key, ZERO) + value

    def total(self, key: str) -> Fraction:
        return self.totals.get(key, ZERO)


def usage(scaled: list[Scaled], pvcs: list[Obj]) -> Usage:
    """A namespace at maximum scale: its workloads' pods (``scaled_pods``), each
    Deployment's surge on top, and its PersistentVolumeClaims."""
    out = Usage()
    for pod, replicas, extra, per_pod in scaled:
        owner = pod.owner
        out.add("pods", Fraction(replicas + extra))
        for key, value in per_pod.items():
            out.add(key, None if value is None else value * (replicas + extra))
        if owner.kind == "StatefulSet":
            for vct in owner.spec.get("volumeClaimTemplates") or []:
                storage = _q((((vct or {}).get("spec") or {}).get("resources") or {}).get("requests", {})
                             .get("storage"))
                out.add("persistentvolumeclaims", Fraction(replicas))
                if storage is not None:
                    out.add("requests.storage", storage * replicas)
        if is_cluster(owner):  # CloudNativePG: a claim per instance, from spec.storage
            storage = _q((owner.spec.get("storage") or {}).get("size"))
            out.add("persistentvolumeclaims", Fraction(replicas))
            if storage is not None:
                out.add("requests.storage", storage * replicas)
    for pvc in pvcs:
        out.add("persistentvolumeclaims", Fraction(1))
        storage = _q(((pvc.spec.get("resources") or {}).get("requests") or {}).get("storage"))
        if storage is not None:
            out.add("requests.storage", storage)
    return out


def quotas(resource_quotas: list[Obj]) -> list[tuple[Obj, dict[str, Fraction]]]:
    """The unscoped ones of a namespace's ResourceQuotas with their hard limits as numbers."""
    out = []
    for quota in resource_quotas:
        if quota.spec.get("scopes") or quota.spec.get("scopeSelector"):
            continue
        hard = {}
        for key, value in (quota.spec.get("hard") or {}).items():
            number = _q(value)
            if number is not None:
                hard[QUOTA_ALIASES.get(key, key)] = number
        out.append((quota, hard))
    return sorted(out, key=lambda q: q[0].name)


@lru_cache(maxsize=4096, typed=True)
def _fmt(key: str, value: Fraction) -> str:
    """fmt_quantity, remembered: a thousand customer namespaces print the same few numbers."""
    return fmt_quantity(key, value)


def headroom_cell(key: str, use: Usage, hard: dict[str, Fraction]) -> str:
    return _headroom(key, None if key in use.unset else use.total(key), hard.get(key))


@lru_cache(maxsize=4096, typed=True)
def _headroom(key: str, used: Fraction | None, limit: Fraction | None) -> str:
    """A headroom cell (``used`` None: unset in a pod; ``limit`` None: no limit),
    remembered: a thousand customer namespaces have the same few."""
    if limit is None:
        return "no limit"
    if used is None:
        return f"unset in a pod / {_fmt(key, limit)}"
    if used > limit:
        return f"**{_fmt(key, used)} / {_fmt(key, limit)} (over by {_fmt(key, used - limit)})**"
    return f"{_fmt(key, used)} / {_fmt(key, limit)} ({_fmt(key, limit - used)} left)"


def pod_security(labels: dict) -> str:
    modes = [(m, labels.get(f"pod-security.kubernetes.io/{m}"), labels.get(f"pod-security.kubernetes.io/{m}-version"))
             for m in PSS_MODES]
    levels = {(lvl, ver) for _, lvl, ver in modes}
    if len(levels) == 1:
        level, version = next(iter(levels))
        if level is None:
            return "privileged (no label)"
        return f"{level} (enforce, audit, warn{'; ' + version if version else ''})"
    return "; ".join(f"{m}: {lvl or '–'}{' ' + ver if ver else ''}" for m, lvl, ver in modes)


def quota_text(found: list[tuple[Obj, dict[str, Fraction]]]) -> str:
    """The namespace table's quota cell, from ``quotas``."""
    if not found:
        return "none"
    parts = []
    for quota, hard in found:
        def f(key: str, hard: dict = hard) -> str:
            return _fmt(key, hard[key]) if key in hard else "–"
        parts.append(f"{quota.name}: requests {f('requests.cpu')} CPU / {f('requests.memory')}, "
                     f"limits {f('limits.cpu')} CPU / {f('limits.memory')}, {f('pods')} pods")
    return "; ".join(parts)


# --- sections (rows per namespace, so customer namespaces can be grouped) ---------------------

class Inventory:
    def __init__(self, tree: Tree):
        self.tree = tree
        self.env = tree.env_dir.name
        self.customers = Customers(tree)
        self.rendered_ns = sorted(tree.namespaces)
        self.other_ns = sorted({ns for ns in tree.by_namespace if ns} - set(tree.namespaces))
        self.all_ns = sorted(set(self.rendered_ns) | set(self.other_ns))
        # namespace -> kind -> objects (tree order), built once: each namespace's
        # sections then pick their kinds instead of filtering all its objects per kind
        self.kinds_in: dict[str, dict[str, list[Obj]]] = {}
        for ns, objects in tree.by_namespace.items():
            kinds = self.kinds_in[ns] = {}
            for obj in objects:
                kinds.setdefault(obj.kind, []).append(obj)
        self.schedules = sorted((o for o in tree.kind("Schedule") if o.group == "velero.io"), key=lambda o: o.ref)
        self.backed_up = self._backup_scope()
        # how each schedule backs up a volume, for every volume row
        templates = {s.name: s.spec.get("template") or {} for s in self.schedules}
        self.backup_how = {name: "snapshot" if t.get("snapshotVolumes", True)
                           else "file system" if t.get("defaultVolumesToFsBackup") else "objects only"
                           for name, t in templates.items()}
        self.apps: dict[str, list[Obj]] = {}  # by destination namespace
        for app in tree.kind("Application"):
            if app.group == "argoproj.io":
                self.apps.setdefault((app.spec.get("destination") or {}).get("namespace") or "", []).append(app)
        # namespace -> section -> rows (customer rows canonical)
        self.rows: dict[str, dict[str, list[tuple]]] = {ns: {} for ns in self.all_ns}
        for ns in self.all_ns:
            self._collect(ns)
        self.other_apps = sorted(  # apps whose destination has no objects here
            self._app_row(a) for ns, apps in self.apps.items() if ns not in self.rows for a in apps)
        signatures = {ns: tuple(tuple(self.rows[ns].get(s, ())) for s in sorted(self.rows[ns]))
                      for ns in self.customers.names}
        self.shapes = Shapes(self.customers, signatures)

    # scope of each Velero schedule: namespace -> [schedule names]
    def _backup_scope(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for sched in self.schedules:
            tmpl = sched.spec.get("template") or {}
            included = tmpl.get("includedNamespaces") or ["*"]
            excluded = set(tmpl.get("excludedNamespaces") or [])
            names = self.all_ns if "*" in included else [n for n in included if n in self.all_ns]
            for ns in names:
                if ns not in excluded:
                    out.setdefault(ns, []).append(sched.name)
        return out

    def _canon(self, ns: str, rows: list[tuple]) -> list[tuple]:
        if ns in self.customers:
            return [self.customers.canon(ns, r) for r in rows]
        return rows

    def _collect(self, ns: str) -> None:
        tree = self.tree
        kinds = self.kinds_in.get(ns, {})
        rows = self.rows[ns]
        ns_obj = tree.namespaces.get(ns)
        pods = workload_pods(tree, ns)
        found_quotas = quotas(kinds.get("ResourceQuota", []))
        if ns_obj is not None:
            labels = ns_obj.labels
            description = ns_obj.annotations.get("voyager.io/description", "")
            if ns in self.customers:
                description = self.customers.canon_words(ns, description)
            rows["namespace"] = self._canon(ns, [(
                labels.get("voyager.io/layer") or labels.get(TENANT) or "–",
                pod_security(labels), quota_text(found_quotas), str(len(pods)), description,
            )])
        else:
            rows["namespace"] = [("add-on's (no Namespace object here)", "not set here", quota_text(found_quotas),
                                  str(len(pods)), "")]
        # each pod's maximum scale, once for its workload row and the quota headroom
        scaled = scaled_pods(tree, pods, limit_range_defaults(kinds.get("LimitRange", [])))
        autoscalers = kinds.get("HorizontalPodAutoscaler", []) + kinds.get("ScaledObject", [])
        workload_rows = []
        for pod, peak, extra, per_pod in scaled:
            owner = pod.owner
            found = scalers(autoscalers, owner)
            if found:
                replicas = "; ".join(f"{lo}–{hi} ({kind} {name})" for kind, lo, hi, name in found)
            elif owner.kind == "DaemonSet":
                replicas = "1 per node"
            elif owner.kind in ("Job", "CronJob"):
                replicas = f"parallelism {peak}"
            else:
                replicas = str(peak)
            at_max = f"{peak} + {extra} surge" if extra else str(peak)
            if owner.kind == "DaemonSet":
                at_max = "1 per node (counted once)"
            workload_rows.append((f"{owner.kind}/{owner.name}", join(code(i) for i in images(pod)), replicas,
                                  at_max, _res(per_pod, "requests"), _res(per_pod, "limits")))
        rows["workloads"] = self._canon(ns, sorted(workload_rows))
        if found_quotas:
            use = usage(scaled, kinds.get("PersistentVolumeClaim", []))
            rows["headroom"] = self._canon(ns, [
                (quota.name, *(headroom_cell(k, use, hard) for k in HEADROOM_KEYS)) for quota, hard in found_quotas])
        volumes = []
        schedules = self.backed_up.get(ns, [])
        # Only these kinds have volumes; sorting them alone keeps their order.
        owners = [o for kind in VOLUME_KINDS for o in kinds.get(kind, [])]
        for obj in sorted(owners, key=lambda o: (o.kind, o.name)):
            claims = []
            if obj.kind == "StatefulSet":
                replicas, _ = max_replicas(tree, obj)
                for vct in obj.spec.get("volumeClaimTemplates") or []:
                    vspec = (vct or {}).get("spec") or {}
                    claims.append((f"StatefulSet/{obj.name}", ((vct or {}).get("metadata") or {}).get("name", ""),
                                   ((vspec.get("resources") or {}).get("requests") or {}).get("storage", "–"),
                                   str(replicas), vspec.get("storageClassName") or "(default)"))
            elif is_cluster(obj):
                conf = obj.spec.get("storage") or {}
                claims.append((f"Cluster/{obj.name}", "pgdata", conf.get("size", "–"), str(instances(obj)),
                               conf.get("storageClass") or "(default)"))
            elif obj.kind == "PersistentVolumeClaim":
                claims.append((f"PersistentVolumeClaim/{obj.name}", obj.name,
                               ((obj.spec.get("resources") or {}).get("requests") or {}).get("storage", "–"), "1",
                               obj.spec.get("storageClassName") or "(default)"))
            for claim in claims:
                how = [f"{s} ({self.backup_how[s]})" for s in schedules]
                if is_cluster(obj):  # Velero leaves CloudNativePG's claims to Barman
                    store = archiver_store(obj.spec)
                    how = [f"CloudNativePG WAL archive + base backups ({store})" if store
                           else "CloudNativePG replica (archives nothing)"]
                volumes.append((*claim, join(how) if how else "**not backed up**"))
        rows["volumes"] = self._canon(ns, volumes)
        rows["backup"] = [(join(schedules),)] if schedules else []
        routes = []
        for route in (o for kind in ROUTE_KINDS for o in kinds.get(kind, [])):  # rows sorted below
            parents = join(sorted(f"{p.get('namespace') or ns}/{p.get('name')}"
                                  + (f" ({p['sectionName']})" if p.get("sectionName") else "")
                                  for p in route.spec.get("parentRefs") or []))
            backends = []
            for rule in route.spec.get("rules") or []:
                paths = sorted({(m.get("path") or {}).get("value", "") for m in rule.get("matches") or []} - {""})
                for ref in rule.get("backendRefs") or []:
                    target = f"{ref.get('namespace') or ns}/{ref.get('name')}:{ref.get('port', '?')}"
                    if (ref.get("kind") or "Service") != "Service":
                        target = f"{ref.get('kind')} {target}"
                    backends.append(f"{target}{' ' + join(paths) if paths else ''}")
            hostnames = route.spec.get("hostnames") or ["(any, from the listener)"]
            for host in sorted(hostnames):
                routes.append((host, f"{route.kind}/{route.name}", join(sorted(set(backends))), parents))
        rows["routes"] = self._canon(ns, sorted(routes))
        rows["apps"] = self._canon(ns, sorted(self._app_row(app) for app in self.apps.get(ns, [])))

    @staticmethod
    def _app_row(app: Obj) -> tuple:
        source = app.spec.get("source") or {}
        if not source and app.spec.get("sources"):
            source = (app.spec.get("sources") or [{}])[0]
        policy = app.spec.get("syncPolicy") or {}
        auto = policy.get("automated")
        if auto is None:
            sync = "manual"
        else:
            flags = [f for f in ("prune", "selfHeal") if (auto or {}).get(f)]
            sync = "automated" + (f" ({', '.join(flags)})" if flags else "")
        dest = app.spec.get("destination") or {}
        return (app.name, app.spec.get("project", ""), source.get("path") or source.get("chart") or "",
                source.get("targetRevision", ""), dest.get("namespace") or "(cluster-scoped)",
                app.annotations.get("argocd.argoproj.io/sync-wave", "0"), sync)

    # --- rendering ----------------------------------------------------------------------------

    def _section(self, name: str) -> list[tuple]:
        """Rows of a section: per namespace, and once per customer shape."""
        out = []
        for ns in self.all_ns:
            if ns in self.customers:
                continue
            out += [(ns, *r) for r in self.rows[ns].get(name, [])]
        for rep in self.shapes.representatives():
            out += [(self.shapes.label(rep), *r) for r in self.rows[rep].get(name, [])]
        return out

    def markdown(self) -> str:
        tree = self.tree
        env = self.env
        lines = [f"# Inventory: {env}", "",
                 f"Generated from the rendered objects in `dist/{env}/` by `lib/docs` on every render "
                 "(`python main.py`); do not edit. `python main.py --check` fails when it is stale.", ""]
        workloads = sum(len(workload_pods(tree, ns)) for ns in self.all_ns)
        customers = self.customers
        lines += ["| what | count |", "|---|---|",
                  f"| Voyager namespaces (rendered Namespace objects) | {len(self.rendered_ns)} |",
                  f"| of which customer namespaces | {len(customers.names)} |",
                  f"| add-on namespaces with objects here | {len(self.other_ns)}"
                  f"{' (' + join(self.other_ns) + ')' if self.other_ns else ''} |",
                  f"| workloads | {workloads} |",
                  f"| public hostnames | {sum(len(self.rows[ns].get('routes', [])) for ns in self.all_ns)} |",
                  f"| Argo CD applications | {sum(len(apps) for apps in self.apps.values())} |",
                  ""]
        if customers:
            lines += ["## Customer namespaces", "",
                      f"{len(customers.names)} customer namespaces. The tables below show one row per "
                      f"*shape*: namespaces whose rows are identical once their own name is written "
                      f"`{customers.placeholder}`.", ""]
            lines.append(table(("shape", "namespaces", "members"), self.shapes.rows()))
        lines += ["## Namespaces", "",
                  table(("namespace", "layer", "Pod Security", "quota", "workloads", "description"),
                        self._section("namespace")),
                  "## Workloads", "",
                  "Replicas: the autoscaler's bounds, else `spec.replicas`. At maximum scale: what the "
                  "quota must hold, including a Deployment's rolling-update surge (maxSurge). Per pod: the "
                  "sum of the containers (init containers if larger) with the namespace's LimitRange "
                  "defaults filled in.", "",
                  table(("namespace", "workload", "images", "replicas", "at maximum scale", "requests per pod",
                         "limits per pod"), self._section("workloads")),
                  "## Quota headroom at maximum scale", "",
                  "Used / hard (left) per ResourceQuota: every workload at its maximum replicas **plus** "
                  "every Deployment's surge at once (as when one sync rolls them all); the same model as "
                  "`python main.py validate` (capacity). **Bold**: does not fit.", "",
                  table(("namespace", "quota", *HEADROOM_KEYS), self._section("headroom")),
                  "## Backups", "",
                  ]
        if self.schedules:
            rows = []
            for sched in self.schedules:
                tmpl = sched.spec.get("template") or {}
                included = tmpl.get("includedNamespaces") or ["*"]
                plain = sorted(n for n in included if n not in customers)
                in_customers = [n for n in included if n in customers]
                names = plain + ([f"{customers.placeholder} ×{len(in_customers)}"] if in_customers else [])
                rows.append((f"{sched.namespace}/{sched.name}", code(str(sched.spec.get("schedule", ""))),
                             tmpl.get("ttl", ""), join(names),
                             join(tmpl.get("excludedNamespaces") or []), join(tmpl.get("excludedResources") or []),
                             "yes" if tmpl.get("snapshotVolumes", True) else "no"))
            lines.append(table(("schedule", "cron", "ttl", "namespaces", "excluded namespaces",
                                "excluded resources", "volume snapshots"), rows))
        else:
            lines.append("No Velero Schedule is rendered: **nothing is backed up**.\n")
        lines += ["Volumes (StatefulSet volume claim templates and PersistentVolumeClaims) and the schedules "
                  "that cover their namespace:", "",
                  table(("namespace", "owner", "volume", "size per replica", "replicas", "storage class",
                         "backed up by"), self._section("volumes"), empty="_no volumes_"),
                  "## Public routes", "",
                  table(("namespace", "hostname", "route", "backend (namespace/service:port)", "gateway"),
                        self._section("routes")),
                  "## Argo CD applications", "",
                  "By destination namespace.", "",
                  table(("namespace", "application", "project", "path", "revision", "destination", "sync wave",
                         "sync"), self._section("apps") + [("–", *r) for r in self.other_apps]),
                  ]
        projects = [p for p in tree.kind("AppProject") if p.group == "argoproj.io"]
        if projects:
            rows = []
            for p in sorted(projects, key=lambda o: o.name):
                dests = p.spec.get("destinations") or []
                # A name-limited entry (Argo CD v3's `name`) names the object too.
                kinds = [f"{k.get('group') or 'core'}/{k.get('kind')}"
                         + (f" {k['name']}" if k.get("name") else "")
                         for k in p.spec.get("clusterResourceWhitelist") or []]
                rows.append((p.name, join(p.spec.get("sourceRepos") or []), str(len(dests)),
                             join(sorted(kinds))))
            lines += ["Projects:", "",
                      table(("project", "source repos", "destinations", "cluster-scoped kinds allowed"), rows)]
        return "\n".join(lines).rstrip("\n") + "\n"


def inventory(tree: Tree) -> str:
    with gc_paused():
        return Inventory(tree).markdown()
