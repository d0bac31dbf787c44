"""Traffic is least privilege: the rendered NetworkPolicies open exactly the
edges the catalog declares. Declarations come from the catalog
(lib/platform/network.py); the verdicts come from evaluating the rendered
YAML the way Kubernetes does."""
from __future__ import annotations

import pytest

from lib.catalog import build_catalog
from lib.catalog import ports as P
from lib.config.loader import load_environment
from lib.platform.labels import selector_for
from lib.platform.network import declared_edges


def _matches(selector: dict, labels: dict) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


class Policies:
    def __init__(self, objs):
        self.ns_labels = {o["metadata"]["name"]: o["metadata"].get("labels", {})
                          for _, o in objs if o["kind"] == "Namespace"}
        self.by_ns: dict[str, list[dict]] = {}
        for _, o in objs:
            if o["kind"] == "NetworkPolicy":
                self.by_ns.setdefault(o["metadata"]["namespace"], []).append(o["spec"])

    def _peer_ok(self, peer: dict, ns: str, labels: dict, policy_ns: str) -> bool:
        if "ipBlock" in peer:
            return False  # pod-to-pod only here
        if "namespaceSelector" in peer:
            ns_labels = self.ns_labels.get(ns, {"kubernetes.io/metadata.name": ns})
            if not _matches(peer["namespaceSelector"], ns_labels):
                return False
        elif ns != policy_ns:
            return False
        return _matches(peer.get("podSelector", {}), labels)

    def allows(self, direction: str, here_ns: str, here: dict, other_ns: str, other: dict,
               port: int) -> bool:
        selecting = [p for p in self.by_ns.get(here_ns, [])
                     if direction in p["policyTypes"] and _matches(p["podSelector"], here)]
        if not selecting:
            return True  # not isolated (no Voyager namespace is like that)
        key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
        for policy in selecting:
            for rule in policy.get(key, []):
                if rule.get("ports") and not any(p.get("port") == port and p.get("protocol", "TCP") == "TCP"
                                                 for p in rule["ports"]):
                    continue
                if any(self._peer_ok(peer, other_ns, other, here_ns) for peer in rule.get(peers_key, [])):
                    return True
        return False

    def open(self, src_ns, src, dst_ns, dst, port) -> bool:
        return (self.allows("Egress", src_ns, src, dst_ns, dst, port)
                and self.allows("Ingress", dst_ns, dst, src_ns, src, port))


@pytest.mark.parametrize("env", ["staging", "production"])
def test_declared_edges_open_and_nothing_else(env, objects):
    loaded = load_environment(env)
    catalog = build_catalog(loaded.model)
    policies = Policies(objects(env))
    ours = {w.namespace for w in catalog.workloads}
    declared = set()
    for edge in declared_edges(loaded.model, catalog):
        if edge.source.cidrs or edge.dest.cidrs or edge.protocol != "TCP":
            continue
        src, dst = dict(edge.source.pod_labels), dict(edge.dest.pod_labels)
        declared.add((edge.source.namespace, tuple(sorted(src.items())),
                      edge.dest.namespace, tuple(sorted(dst.items())), edge.port))
        if edge.source.namespace in ours or edge.dest.namespace in ours:
            assert policies.open(edge.source.namespace, src, edge.dest.namespace, dst, edge.port), \
                f"declared edge is closed: {edge.source.name} -> {edge.dest.name}:{edge.port}"

    # Every pair of Voyager workloads on every port the destination serves:
    # open only if declared.
    pods = [(w.namespace, selector_for(w), w) for w in catalog.workloads]
    undeclared = []
    for src_ns, src, _ in pods:
        for dst_ns, dst, w in pods:
            for port_name in P.BY_PATTERN[w.pattern]:
                port = P.BY_NAME[port_name]
                key = (src_ns, tuple(sorted(src.items())), dst_ns, tuple(sorted(dst.items())), port)
                if key not in declared and policies.open(src_ns, src, dst_ns, dst, port):
                    undeclared.append(key)
    assert not undeclared, f"undeclared edges are open: {undeclared[:5]}"


def test_an_undeclared_edge_is_closed(objects):
    """The checker itself can fail: jarvis never talks to a database."""
    policies = Policies(objects("production"))
    assert not policies.open("jarvis", {"app": "jarvis-spy-interpreter", "component": "spy-interpreter"},
                             "jeeves", {"app": "postgresql", "service": "jeeves"}, 5432)
    assert policies.open("jeeves", {"app": "jeeves", "component": "run-manager"},
                         "jeeves", {"app": "postgresql", "service": "jeeves"}, 5432)
