"""Declared traffic against what the NetworkPolicies actually allow.

Workloads declare whom they call in the annotation ``voyager.io/talks-to``:
``<namespace>/<app>:<port-name>[, ...]`` (the callee's pod label ``app`` and a
named container port). The rendered NetworkPolicies are evaluated as
Kubernetes does: a pod is isolated for ingress (egress) when some policy that
selects it has that policy type, and then a connection is allowed only if
some such policy has a rule whose peers and ports admit it (named ports
resolve on the destination pod). Findings:

- a declared edge that the caller's egress or the callee's ingress denies;
- two rendered workload pods that the policies let talk on one of the
  callee's container ports although the caller does not declare it.

Peers that are not rendered workloads (Prometheus, ipBlocks, add-ons) are
ignored. Work is proportional to the allowed (pod, pod, port) triples, found
from the callee's ingress rules, so default-deny namespaces cost little.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .model import Finding, Obj
from .selectors import matches

ANNOTATION = "voyager.io/talks-to"
# A CloudNativePG Cluster is a workload here too: its instance pods are
# modelled from it (lib/validate/cnpg.py) and it declares its own edges.
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Cluster")


@dataclass(frozen=True)
class Port:
    name: str | None
    number: int
    protocol: str

    def __str__(self) -> str:
        return f"{self.name} ({self.number}/{self.protocol})" if self.name else f"{self.number}/{self.protocol}"


@dataclass(eq=False)
class Pod:
    index: int
    owner: Obj
    namespace: str
    labels: dict
    ports: list[Port]
    ingress: list = field(default_factory=list)  # policies selecting it with Ingress
    egress: list = field(default_factory=list)

    @property
    def app(self) -> str | None:
        return self.labels.get("app")


@dataclass(eq=False)
class Rule:
    peers: frozenset | None  # None: every source/destination
    ports: list | None  # None: every port


@dataclass(eq=False)
class Policy:
    obj: Obj
    ingress: list[Rule] | None  # None: policy does not govern ingress
    egress: list[Rule] | None


class LabelIndex:
    """Items with labels, selectable by LabelSelector without a full scan."""

    def __init__(self):
        self.labels: list[dict] = []
        self.by_pair: dict[tuple[str, str], set[int]] = {}
        self.everything: set[int] = set()

    def add(self, labels: dict) -> int:
        i = len(self.labels)
        self.labels.append(labels)
        self.everything.add(i)
        for pair in labels.items():
            self.by_pair.setdefault(pair, set()).add(i)
        return i

    def select(self, selector: dict | None, within: set[int] | None = None) -> set[int]:
        if selector is None:
            return set()
        pool = self.everything if within is None else within
        for pair in (selector.get("matchLabels") or {}).items():
            pool = pool & self.by_pair.get(pair, set())
            if not pool:
                return set()
        if selector.get("matchExpressions"):
            pool = {i for i in pool if matches({"matchExpressions": selector["matchExpressions"]}, self.labels[i])}
        return set(pool)


class Network:
    def __init__(self, ctx):
        tree = ctx.tree
        self.tree = tree
        self.pods: list[Pod] = []
        self.pod_index = LabelIndex()
        self.pods_in_ns: dict[str, set[int]] = {}
        for pod in tree.pods:
            if pod.owner.kind not in WORKLOADS or pod.namespace not in tree.namespaces:
                continue
            ports = [Port(p.get("name"), int(p.get("containerPort") or 0), p.get("protocol") or "TCP")
                     for p in pod.ports() if isinstance(p.get("containerPort"), int)]
            i = self.pod_index.add(dict(pod.labels))
            self.pods.append(Pod(i, pod.owner, pod.namespace, dict(pod.labels), ports))
            self.pods_in_ns.setdefault(pod.namespace, set()).add(i)
        self.ns_index = LabelIndex()
        self.ns_names: list[str] = []
        for name in tree.namespaces:
            self.ns_index.add(tree.namespace_labels(name))
            self.ns_names.append(name)
        self._peer_cache: dict[tuple[str, str], frozenset] = {}
        self.policies: list[Policy] = []
        for obj in tree.kind("NetworkPolicy"):
            self._add_policy(obj)

    def _peer(self, ns: str, peer: dict) -> frozenset:
        ns_sel = peer.get("namespaceSelector")
        pod_sel = peer.get("podSelector")
        if ns_sel is None and pod_sel is None:
            return frozenset()  # ipBlock: addresses, not workload pods
        key = ("" if ns_sel is not None else ns, json.dumps(peer, sort_keys=True))
        hit = self._peer_cache.get(key)
        if hit is not None:
            return hit
        if ns_sel is None:
            namespaces = [ns]
        else:
            namespaces = [self.ns_names[i] for i in self.ns_index.select(ns_sel)]
        result: set[int] = set()
        for name in namespaces:
            within = self.pods_in_ns.get(name, set())
            result |= within if pod_sel is None else self.pod_index.select(pod_sel, within)
        out = frozenset(result)
        self._peer_cache[key] = out
        return out

    def _rules(self, ns: str, rules, key: str) -> list[Rule]:
        out = []
        for rule in rules or []:
            rule = rule or {}
            peers = rule.get(key)
            peer_set = None if not peers else frozenset().union(*(self._peer(ns, p or {}) for p in peers))
            out.append(Rule(peer_set, rule.get("ports") or None))
        return out

    def _add_policy(self, obj: Obj) -> None:
        spec, ns = obj.spec, obj.namespace
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
        policy = Policy(
            obj,
            self._rules(ns, spec.get("ingress"), "from") if "Ingress" in types else None,
            self._rules(ns, spec.get("egress"), "to") if "Egress" in types else None,
        )
        self.policies.append(policy)
        selected = self.pod_index.select(spec.get("podSelector") or {}, self.pods_in_ns.get(ns, set()))
        for i in selected:
            if policy.ingress is not None:
                self.pods[i].ingress.append(policy)
            if policy.egress is not None:
                self.pods[i].egress.append(policy)

    # --- evaluation -------------------------------------------------------------

    @staticmethod
    def port_ok(ports, port: Port) -> bool:
        if ports is None:
            return True
        for entry in ports:
            entry = entry or {}
            if (entry.get("protocol") or "TCP") != port.protocol:
                continue
            want = entry.get("port")
            if want is None:
                return True
            if isinstance(want, int) or (isinstance(want, str) and want.isdigit()):
                low = int(want)
                high = int(entry.get("endPort") or low)
                if low <= port.number <= high:
                    return True
            elif want == port.name:
                return True
        return False

    def ingress_allows(self, src: Pod, dst: Pod, port: Port) -> list[Policy] | bool:
        """True when dst is not isolated; else the policies that allow it (maybe none)."""
        if not dst.ingress:
            return True
        return [p for p in dst.ingress
                if any((r.peers is None or src.index in r.peers) and self.port_ok(r.ports, port) for r in p.ingress)]

    def egress_allows(self, src: Pod, dst: Pod, port: Port) -> list[Policy] | bool:
        if not src.egress:
            return True
        return [p for p in src.egress
                if any((r.peers is None or dst.index in r.peers) and self.port_ok(r.ports, port) for r in p.egress)]

    def ingress_sources(self, dst: Pod, port: Port) -> set[int] | None:
        """Indices of pods dst's ingress admits on port; None for every pod."""
        if not dst.ingress:
            return None
        out: set[int] = set()
        for policy in dst.ingress:
            for rule in policy.ingress:
                if self.port_ok(rule.ports, port):
                    if rule.peers is None:
                        return None
                    out |= rule.peers
        return out


def parse_talks_to(value) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``"ns/app:port, ..."`` -> ([(ns, app, port)], [malformed entries])."""
    edges, bad = [], []
    if not isinstance(value, str):
        return edges, [repr(value)]
    for entry in value.split(","):
        entry = entry.strip()
        if not entry:
            continue
        target, sep, port = entry.rpartition(":")
        ns, slash, app = target.partition("/")
        if not sep or not slash or not ns or not app or not port:
            bad.append(entry)
        else:
            edges.append((ns, app, port))
    return edges, bad


def _names(policies) -> str:
    return ", ".join(sorted(p.obj.name for p in policies))


def check(ctx) -> list[Finding]:
    tree = ctx.tree
    net = Network(ctx)
    out: list[Finding] = []
    field_name = f"metadata.annotations[{ANNOTATION}]"

    declared: dict[Obj, set[tuple[str, str, str]]] = {}
    for kind in WORKLOADS:
        for obj in tree.kind(kind):
            value = obj.annotations.get(ANNOTATION)
            if value is None:
                continue
            edges, bad = parse_talks_to(value)
            for entry in bad:
                out.append(obj.finding("traffic", field_name, f"malformed entry {entry!r}",
                                       "write <namespace>/<app>:<port-name>, comma-separated"))
            declared[obj] = set(edges)

    by_owner: dict[Obj, list[Pod]] = {}
    by_app: dict[tuple[str, str], list[Pod]] = {}
    for pod in net.pods:
        by_owner.setdefault(pod.owner, []).append(pod)
        if pod.app is not None:
            by_app.setdefault((pod.namespace, pod.app), []).append(pod)

    # (a) every declared edge is allowed at both ends.
    for owner, edges in declared.items():
        sources = by_owner.get(owner, [])
        for ns, app, port_name in sorted(edges):
            entry = f"{ns}/{app}:{port_name}"
            if ns not in tree.namespaces:
                if ns not in ctx.external_namespaces:
                    out.append(owner.finding("traffic", field_name, f"{entry}: namespace {ns!r} is not rendered",
                                             "fix the namespace"))
                continue
            targets = by_app.get((ns, app), [])
            if not targets:
                out.append(owner.finding("traffic", field_name,
                                         f"{entry}: no rendered workload in {ns} has pod label app={app}",
                                         "fix the app name"))
                continue
            for dst in targets:
                ports = [p for p in dst.ports if p.name == port_name]
                if not ports:
                    out.append(owner.finding("traffic", field_name,
                                             f"{entry}: {dst.owner.ref} has no container port named {port_name!r}",
                                             "use one of: " + ", ".join(
                                                 sorted(str(p.name) for p in dst.ports if p.name))))
                    continue
                for src in sources:
                    for port in ports:
                        if not net.egress_allows(src, dst, port):
                            out.append(owner.finding(
                                "traffic", field_name,
                                f"{entry}: egress to {dst.owner.ref} on {port} is denied "
                                f"(policies selecting its pods: {_names(src.egress)})",
                                f"allow egress to namespace {ns} pods app={app} on {port.number}/{port.protocol} "
                                f"in the policy for app={src.app or '?'}"))
                        if not net.ingress_allows(src, dst, port):
                            out.append(owner.finding(
                                "traffic", field_name,
                                f"{entry}: {dst.owner.ref} does not admit it on {port} at ingress "
                                f"(policies selecting it: {_names(dst.ingress)})",
                                f"allow ingress from namespace {src.namespace} pods app={src.app or '?'} "
                                f"on {port.number}/{port.protocol} in {ns}"))

    # (b) every allowed pair of workload pods is declared.
    reported: set[tuple[Obj, Obj, Port]] = set()
    for dst in net.pods:
        for port in dst.ports:
            sources = net.ingress_sources(dst, port)
            candidates = net.pods if sources is None else [net.pods[i] for i in sorted(sources)]
            for src in candidates:
                if src.egress and not net.egress_allows(src, dst, port):
                    continue
                if (dst.namespace, dst.app, port.name) in declared.get(src.owner, ()) and port.name:
                    continue
                key = (src.owner, dst.owner, port)
                if key in reported:
                    continue
                reported.add(key)
                ing = net.ingress_allows(src, dst, port)
                eg = net.egress_allows(src, dst, port)
                why = []
                why.append(f"{dst.owner.ref} is not isolated for ingress" if ing is True
                           else f"ingress allowed by {dst.namespace}/{_names(ing)}")
                why.append("its pods are not isolated for egress" if eg is True
                           else f"egress allowed by {src.namespace}/{_names(eg)}")
                target = f"{dst.namespace}/{dst.app}:{port.name}" if dst.app and port.name else None
                out.append(src.owner.finding(
                    "traffic", field_name,
                    f"NetworkPolicies let its pods reach {dst.owner.ref} on {port}, undeclared ({'; '.join(why)})",
                    (f"declare {target} in {ANNOTATION}, or narrow those policies" if target else
                     "name the port and declare it, or narrow those policies")))
    return out
