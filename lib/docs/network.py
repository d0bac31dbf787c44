"""dist/<env>/docs/network.md: who may talk to whom, on which port.

Evaluated from the rendered NetworkPolicies with lib/validate/traffic.py's
model (a pod is isolated in a direction when a policy of that type selects
it; a connection needs the source's egress *and* the destination's ingress).
Besides rendered workloads, the graph has the peers the policies name:

- add-on pods, from a peer's namespaceSelector + podSelector (Prometheus in
  monitoring, Kafka, kube-dns, External Secrets) and from policies whose
  podSelector selects no rendered pod (the Envoy proxies Envoy Gateway
  creates in envoy-gateway-system). Add-ons in namespaces not rendered here
  are not isolated (their own policies are not ours); add-ons in a rendered
  namespace are governed by its policies, like any pod there;
- ipBlocks: ``0.0.0.0/0`` (whatever its exceptions) is ``internet``; a
  private CIDR reached only on 443/6443 is ``kubernetes-api``; any other
  CIDR is itself.

Edges between two peers that no rendered policy governs are not in the
tables; the diagrams draw a workload that no policy isolates as reached from /
reaching ``anywhere``.

The document: an overview (one node per namespace, add-on namespace and
address; what most namespaces share with one add-on, such as DNS and
Prometheus, as notes), one small diagram per namespace (its workloads, their
peers), then the matrix, every edge with the policies that allow it, and
isolation findings. lib/docs/mermaid.py writes the diagrams and refuses a node
on no edge; tests/test_network_map.py renders them with the real Mermaid CLI.
"""
from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from ..validate import DEFAULT_EXTERNAL_NAMESPACES, DEFAULT_EXTERNAL_PODS
from ..validate.model import Obj, Tree
from ..validate.traffic import LabelIndex, Network, Pod, Port
from .gcpause import gc_paused
from .markdown import join, table
from .mermaid import Flowchart
from .shapes import Customers, group, members_text, shape_name

# A CloudNativePG Cluster's instance pods: the labels the operator puts on them besides
# spec.inheritedMetadata, and the container ports it gives them (cloudnative-pg
# pkg/specs/pods.go: postgresql, metrics, status).
CNPG_GROUP = "postgresql.cnpg.io"
CNPG_PORTS = (Port("postgresql", 5432, "TCP"), Port("metrics", 9187, "TCP"), Port("status", 8000, "TCP"))
# Not "Cluster": the loop over CloudNativePG Clusters below adds their nodes
# (the validate tree also models their pods, lib/validate/cnpg.py).
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
ANY_PORT = Port("*", 0, "TCP")
API_PORTS = {443, 6443}
NAME_KEYS = ("control-plane", "app.kubernetes.io/name", "app", "k8s-app", "strimzi.io/cluster", "name")
COMPONENT_KEYS = ("app.kubernetes.io/component", "component")
SHAPE = {"workload": "box", "addon": "round", "ip": "hex", "any": "hex"}
FAN = 5  # an add-on or address that this many namespaces share an edge with: a note in the overview
NOT_ISOLATED = Port("not isolated", 0, "TCP")  # diagrams: a side no policy isolates
WELL_KNOWN = {53: "dns", 443: "https", 5432: "postgresql", 6443: "kubernetes-api", 8200: "vault",
              9092: "kafka", 9093: "kafka-tls"}


@dataclass(eq=False)
class Node(Pod):
    """A pod of a rendered workload, an add-on's pods, an address block, or 'anywhere'."""

    role: str = "workload"  # workload | addon | ip | any
    name: str = ""
    port_set: set = field(default_factory=set)
    description: set = field(default_factory=set)  # ip nodes: the ipBlocks they stand for

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)


def _addon_name(labels: dict) -> str:
    name = next((str(labels[k]) for k in NAME_KEYS if labels.get(k)), "")
    component = next((str(labels[k]) for k in COMPONENT_KEYS if labels.get(k)), "")
    if not name:
        name = "-".join(str(v) for _, v in sorted(labels.items())) or "all pods"
    return f"{name} {component}" if component and component not in name else name


def _cidr_kind(block: dict) -> tuple[str, str]:
    """(node name, description) of an ipBlock."""
    cidr = str(block.get("cidr") or "")
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return cidr, cidr
    if net.prefixlen == 0:
        return "internet", cidr + (f" except {', '.join(block.get('except') or [])}" if block.get("except") else "")
    return cidr, cidr


class PolicyGraph(Network):
    """traffic.Network over rendered workloads plus add-on, address and 'anywhere' nodes."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self.pods: list[Node] = []
        self.pod_index = LabelIndex()
        self.pods_in_ns: dict[str, set[int]] = {}
        self.ns_index = LabelIndex()
        self.ns_names: list[str] = []
        self._peer_cache: dict = {}
        self.policies = []
        self.ip_nodes: dict[str, Node] = {}
        self._egress_index: dict[int, tuple] = {}
        self._ingress_index: dict[int, tuple] = {}

        for pod in tree.pods:
            owner = pod.owner
            if owner.kind not in WORKLOADS or (owner.kind == "ReplicaSet" and owner.meta.get("ownerReferences")):
                continue
            ports = [Port(p.get("name"), int(p.get("containerPort") or 0), p.get("protocol") or "TCP")
                     for p in pod.ports() if isinstance(p.get("containerPort"), int)]
            self._add_node(Node(0, owner, pod.namespace, dict(pod.labels), ports, name=owner.name))
        for obj in tree.kind("Cluster"):  # CloudNativePG: we render the Cluster, its operator the pods
            if obj.group == CNPG_GROUP:
                inherited = ((obj.spec.get("inheritedMetadata") or {}).get("labels") or {})
                labels = {**inherited, "cnpg.io/cluster": obj.name, "cnpg.io/podRole": "instance"}
                self._add_node(Node(0, obj, obj.namespace, labels, list(CNPG_PORTS), name=obj.name))
        known = dict.fromkeys(list(tree.namespaces) + list(DEFAULT_EXTERNAL_NAMESPACES))
        # Each policy's (namespace, name), read once (thousands of policies: reading them
        # is a good part of the cost): their order, the add-on pods, the document's names.
        self.policy_names = {obj: (obj.namespace, obj.name) for obj in tree.kind("NetworkPolicy")}
        policies = sorted(self.policy_names, key=lambda obj: self.policy_names[obj])
        # One pass over the policies' selectors and peers: what the nodes below are made from.
        wanted: dict[tuple[str, tuple], set[str]] = {}  # add-on pods, see _add_addons
        blocks: list[dict] = []  # ipBlocks, in order
        for obj in policies:
            self._read_policy(obj, known, wanted, blocks)
        for name in known:
            labels = tree.namespace_labels(name) or {"kubernetes.io/metadata.name": name}
            self.ns_index.add(labels)
            self.ns_names.append(name)
        self._add_addons(wanted)
        for block in blocks:
            self._ip_node(block)
        self.any_node = self._add_node(Node(0, None, "", {}, [], role="any", name="anywhere"))
        for obj in policies:
            self._add_policy(obj)
        self._virtual_ports()
        self._name_ip_nodes()

    # --- nodes --------------------------------------------------------------------------------

    def _add_node(self, node: Node) -> Node:
        node.index = self.pod_index.add(dict(node.labels))
        self.pods.append(node)
        # Selectors pick pods per namespace (pods_in_ns); addresses and "anywhere"
        # are in none, so only ipBlock peers (and peer-less rules) reach them.
        if node.role in ("workload", "addon"):
            self.pods_in_ns.setdefault(node.namespace, set()).add(node.index)
        return node

    @staticmethod
    def _peers_of(obj: Obj):
        for direction, key in (("ingress", "from"), ("egress", "to")):
            for rule in obj.spec.get(direction) or []:
                for peer in (rule or {}).get(key) or []:
                    if isinstance(peer, dict):
                        yield peer

    @staticmethod
    def _named_namespaces(selector: dict) -> list[str]:
        labels = selector.get("matchLabels") or {}
        name = labels.get("kubernetes.io/metadata.name")
        return [str(name)] if name else []

    def _read_policy(self, obj: Obj, known: dict[str, None], wanted: dict[tuple[str, tuple], set[str]],
                     blocks: list[dict]) -> None:
        """What a policy adds to the graph: to ``known`` the namespaces its peers name, to
        ``wanted`` the pods its selectors pick ((namespace, labels) -> policies), to
        ``blocks`` its peers' ipBlocks."""
        own, policy_name = self.policy_names[obj]
        ref = f"{own}/{policy_name}"
        sel = obj.spec.get("podSelector") or {}
        if sel.get("matchLabels") and not sel.get("matchExpressions"):
            wanted.setdefault((own, tuple(sorted(sel["matchLabels"].items()))), set()).add(ref)
        for peer in self._peers_of(obj):
            if peer.get("ipBlock") is not None:
                blocks.append(peer["ipBlock"])
            ns_sel, pod_sel = peer.get("namespaceSelector"), peer.get("podSelector")
            if ns_sel is None and pod_sel is None:
                continue
            named = [] if ns_sel is None else self._named_namespaces(ns_sel)
            for name in named:
                known.setdefault(name)
            # Only where the peer says which namespace: a selector over namespace
            # labels does not tell where an add-on that is not rendered lives.
            namespaces = [own] if ns_sel is None else named
            if (pod_sel or {}).get("matchExpressions"):
                continue
            labels = tuple(sorted(((pod_sel or {}).get("matchLabels") or {}).items()))
            for ns in namespaces:
                if ns in self.tree.namespaces and not labels:
                    continue  # "every pod of a rendered namespace": its workloads
                wanted.setdefault((ns, labels), set()).add(ref)

    def _add_addons(self, wanted: dict[tuple[str, tuple], set[str]]) -> None:
        """Nodes for pods the policies select that are not rendered here (``wanted``:
        (namespace, labels) -> the policies selecting them, from _read_policy).

        In a namespace rendered here, only the add-on pods lib.validate knows run
        there (DEFAULT_EXTERNAL_PODS: the Envoy Gateway controller and proxies);
        any other selector that matches no rendered pod is dangling (listed as such).
        """
        seeds = {ns: [dict(p) for p in pods] for ns, pods in DEFAULT_EXTERNAL_PODS.items()}
        self.dangling: list[tuple[str, str, str]] = []  # (namespace, selector, policies)
        for (ns, labels), refs in sorted(wanted.items(), key=lambda w: (-len(w[0][1]), w[0])):
            selector = {"matchLabels": dict(labels)}
            if self.pod_index.select(selector, self.pods_in_ns.get(ns, set())):
                continue  # a rendered workload or an add-on node already there
            full = next((seed for seed in seeds.get(ns, []) if all(seed.get(k) == v for k, v in labels)), None)
            if full is None and ns in self.tree.namespaces:
                self.dangling.append((ns, ", ".join(f"{k}={v}" for k, v in labels), ", ".join(sorted(refs))))
                continue
            full = full or dict(labels)
            self._add_node(Node(0, None, ns, full, [], role="addon", name=_addon_name(full)))

    def _ip_node(self, block: dict) -> Node:
        name, description = _cidr_kind(block)
        node = self.ip_nodes.get(name)
        if node is None:
            node = self._add_node(Node(0, None, "", {}, [], role="ip", name=name))
            self.ip_nodes[name] = node
        node.description.add(description)
        return node

    def _name_ip_nodes(self) -> None:
        """A private block reached only on the API server's ports is the Kubernetes API."""
        for name, node in self.ip_nodes.items():
            if name == "internet":
                continue
            try:
                private = ipaddress.ip_network(name, strict=False).is_private
            except ValueError:
                private = False
            numbers = {p.number for p in node.ports}
            if private and numbers and numbers <= API_PORTS:
                node.name = f"kubernetes-api ({name})"

    def _peer(self, ns: str, peer: dict) -> frozenset:
        block = peer.get("ipBlock")
        if block is not None:
            return frozenset({self._ip_node(block).index})
        return super()._peer(ns, peer)

    def _virtual_ports(self) -> None:
        """Ports of nodes that are not rendered pods: those the policies open to them."""
        for policy in self.policies:
            for rule in policy.egress or []:
                for i in rule.peers or ():
                    node = self.pods[i]
                    if node.role in ("addon", "ip"):
                        node.port_set.update(self._rule_ports(rule.ports))
        for node in self.pods:
            if node.role == "addon":
                for policy in node.ingress:  # the policies selecting it, for ingress
                    for rule in policy.ingress:
                        node.port_set.update(self._rule_ports(rule.ports))
        for node in self.pods:
            if node.role in ("addon", "ip"):
                node.ports = sorted(node.port_set, key=lambda p: (p.number, p.protocol, p.name or ""))

    @staticmethod
    def _rule_ports(ports) -> list[Port]:
        if ports is None:
            return [ANY_PORT]
        out = []
        for entry in ports:
            entry = entry or {}
            protocol = entry.get("protocol") or "TCP"
            want = entry.get("port")
            if want is None:
                out.append(Port("*", 0, protocol))
            elif isinstance(want, int) or (isinstance(want, str) and want.isdigit()):
                low = int(want)
                high = int(entry.get("endPort") or low)
                out.append(Port(None if high == low else f"{low}-{high}", low, protocol))
            else:
                out.append(Port(str(want), 0, protocol))
        return out

    # --- evaluation, indexed -------------------------------------------------------------------
    # traffic.Network.ingress_allows/egress_allows scan every rule of every policy per
    # pair; a policy with one rule per customer makes that quadratic. The same
    # answer, from rules indexed by the peer they admit:

    def _egress_rules(self, src: Node) -> tuple[dict[int, list], list]:
        """The egress rules of the policies selecting ``src``, indexed as below."""
        index = self._egress_index.get(src.index)
        if index is None:
            index = self._egress_index[src.index] = self._rule_index(src.egress, "egress")
        return index

    def _rule_index(self, policies, direction: str) -> tuple[dict[int, list], list]:
        by_peer: dict[int, list] = {}
        everyone: list = []
        for policy in policies:
            for rule in getattr(policy, direction):
                if rule.peers is None:
                    everyone.append((policy, rule))
                else:
                    for i in rule.peers:
                        by_peer.setdefault(i, []).append((policy, rule))
        return by_peer, everyone

    def _allowing(self, cache: dict, node: Node, direction: str, other: int, port: Port):
        """True when ``node`` is not isolated in ``direction``; else the policies
        selecting it whose rules admit ``other`` on ``port`` (maybe none)."""
        policies = getattr(node, direction)
        if not policies:
            return True
        index = cache.get(node.index)
        if index is None:
            index = cache[node.index] = self._rule_index(policies, direction)
        by_peer, everyone = index
        out = []
        for policy, rule in by_peer.get(other, []) + everyone:
            if policy not in out and self.port_ok(rule.ports, port):
                out.append(policy)
        return out

    def _admitted(self, dst: Node, port: Port) -> dict[int, list] | None:
        """traffic.Network.ingress_sources (None: every source) with, for each source, the
        policies that admit it: what ingress_allows says for it, from the same pass."""
        out: dict[int, list] = {}
        for policy in dst.ingress:
            for rule in policy.ingress:
                if self.port_ok(rule.ports, port):
                    if rule.peers is None:
                        return None
                    for i in rule.peers:
                        admitting = out.setdefault(i, [])
                        if policy not in admitting:
                            admitting.append(policy)
        return out

    def egress_allows(self, src: Node, dst: Node, port: Port):
        return self._allowing(self._egress_index, src, "egress", dst.index, port)

    def ingress_allows(self, src: Node, dst: Node, port: Port):
        return self._allowing(self._ingress_index, dst, "ingress", src.index, port)

    # --- edges --------------------------------------------------------------------------------

    def edges(self) -> dict[tuple[int, int], dict[Port, tuple[list, list]]]:
        """(source, destination) -> port -> (egress policies, ingress policies) that allow it."""
        out: dict[tuple[int, int], dict[Port, tuple[list, list]]] = {}

        def record(src: Node, dst: Node, port: Port, eg, ig) -> None:
            out.setdefault((src.index, dst.index), {})[port] = (
                [] if eg is True else eg, [] if ig is True else ig)

        egress_governed = [n for n in self.pods if n.egress]
        # A destination no policy isolates for ingress is reached by the sources whose
        # egress rules name it or admit everyone: only those are asked below (in index
        # order, as if going through every egress-governed node), not all of them.
        named_by: dict[int, set[int]] = {}
        to_anyone: set[int] = set()
        for src in egress_governed:
            by_peer, everyone = self._egress_rules(src)
            if everyone:
                to_anyone.add(src.index)
            for i in by_peer:
                named_by.setdefault(i, set()).add(src.index)
        for dst in self.pods:
            if dst.role == "any":
                continue
            candidates = [] if dst.ingress else \
                [self.pods[i] for i in sorted(named_by.get(dst.index, set()) | to_anyone)]
            for port in dst.ports:
                if dst.ingress:
                    admitted = self._admitted(dst, port)
                    if admitted is None:
                        record(self.any_node, dst, port, True, self.ingress_allows(self.any_node, dst, port))
                        continue
                    for i in sorted(admitted):
                        src = self.pods[i]
                        eg = self.egress_allows(src, dst, port)
                        if eg:  # admitted[i]: the ingress policies that allow it
                            record(src, dst, port, eg, admitted[i])
                else:
                    for src in candidates:
                        if src is dst:
                            continue
                        eg = self.egress_allows(src, dst, port)
                        if eg:
                            record(src, dst, port, eg, True)
        for src in egress_governed:  # rules that open every destination
            for policy in src.egress:
                for rule in policy.egress:
                    if rule.peers is None:
                        for port in self._rule_ports(rule.ports):
                            record(src, self.any_node, port, [policy], True)
        return out


# --- display ----------------------------------------------------------------------------------

def port_label(ports) -> str:
    """'grpc 8080, dns 53/TCP+UDP' for a set of ports."""
    merged: dict[tuple, set[str]] = {}
    for p in ports:
        name = p.name if p.name not in (None, "*") else None
        if p.name == "*":
            key = ("any port", 0)
        elif p.number:
            key = (f"{name or WELL_KNOWN.get(p.number, '')} {p.number}".strip(), p.number)
        else:
            key = (str(name), 0)
        merged.setdefault(key, set()).add(p.protocol)
    parts = []
    for (text, _), protocols in sorted(merged.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if protocols != {"TCP"}:
            text += "/" + "+".join(sorted(protocols))
        parts.append(text)
    return ", ".join(parts)


class Display(NamedTuple):
    """A node as the document shows it. A named tuple (compared, ordered and hashed as
    (group, name, role), in C): the tables and diagrams key everything by these."""

    group: str  # subgraph: namespace, customer shape, or "" (addresses)
    name: str
    role: str


class NetworkDoc:
    def __init__(self, tree: Tree):
        self.tree = tree
        self.env = tree.env_dir.name
        self.graph = PolicyGraph(tree)
        self.customers = Customers(tree)
        self.raw = self.graph.edges()
        self._collapse()
        # Every node's and policy's name as the document shows it, worked out once:
        # the edges name each of them many times.
        self._displays = [self._display(node) for node in self.graph.pods]
        self._policy_names = {policy: self._policy_name(policy) for policy in self.graph.policies}
        rendered = self._rendered_namespaces()
        self._governed_addons = {self.display(n) for n in self.graph.pods
                                 if n.role == "addon" and n.namespace in rendered and (n.ingress or n.egress)}

    # customer namespaces with the same nodes and edges (own name aside) become one group
    def _collapse(self) -> None:
        g, customers = self.graph, self.customers
        per_ns: dict[str, list] = {ns: [] for ns in customers.names}
        for node in g.pods:
            if node.namespace in per_ns:
                per_ns[node.namespace].append(("node", node.name, node.role))
        port_labels: dict[tuple, str] = {}  # the same few sets of ports, labelled once
        for (s, d), ports in self.raw.items():
            src, dst = g.pods[s], g.pods[d]
            key = tuple(ports)
            ports_text = port_labels.get(key)
            if ports_text is None:
                ports_text = port_labels[key] = port_label(ports)
            entry = (src.namespace, src.name, dst.namespace, dst.name, ports_text)
            for ns in {src.namespace, dst.namespace} & per_ns.keys():
                per_ns[ns].append(customers.canon(ns, entry))
        signatures = {ns: tuple(sorted(items)) for ns, items in per_ns.items()}
        self.groups = group(signatures)
        self.group_of: dict[str, str] = {}
        self.group_ids: dict[str, str] = {}  # label -> a Mermaid id that does not change with the count
        many = len(self.groups) > 1
        for i, (_, members) in enumerate(self.groups):
            label = f"{customers.placeholder} ({len(members)})" + (f" [{shape_name(i)}]" if many else "")
            self.group_ids[label] = f"customers {shape_name(i)}"
            for m in members:
                self.group_of[m] = label

    def display(self, node: Node) -> Display:
        return self._displays[node.index]

    def _display(self, node: Node) -> Display:
        ns = node.namespace
        if ns in self.group_of:
            return Display(self.group_of[ns], self.customers.canon(ns, node.name), node.role)
        return Display(ns, node.name, node.role)

    def display_policy(self, policy) -> str:
        return self._policy_names[policy]

    def _policy_name(self, policy) -> str:
        ns, name = self.graph.policy_names[policy.obj]
        text = f"{ns}/{name}"
        return self.customers.canon(ns, text) if ns in self.customers else text

    def display_edges(self) -> dict[tuple[Display, Display], dict[Port, tuple[set, set]]]:
        out: dict[tuple[Display, Display], dict[Port, tuple[set, set]]] = {}
        name_of = self._policy_names.__getitem__  # display_policy, minus a Python call per policy
        for (s, d), ports in self.raw.items():
            key = (self._displays[s], self._displays[d])
            slot = out.setdefault(key, {})
            for port, (eg, ig) in ports.items():
                egs, igs = slot.setdefault(port, (set(), set()))
                egs.update(map(name_of, eg))
                igs.update(map(name_of, ig))
        return out

    # --- diagrams ------------------------------------------------------------------------------

    def loose_edges(self) -> dict[tuple[Display, Display], set[Port]]:
        """A workload no policy isolates in a direction may be reached by / reach
        anything that way: drawn as an edge from / to "anywhere" (the tables leave
        these out and list the workload under Isolation)."""
        out: dict[tuple[Display, Display], set[Port]] = {}
        anywhere = self.display(self.graph.any_node)
        for node in self.graph.pods:
            if node.role != "workload":
                continue
            me = self.display(node)
            if not node.ingress:
                out.setdefault((anywhere, me), set()).add(NOT_ISOLATED)
            if not node.egress:
                out.setdefault((me, anywhere), set()).add(NOT_ISOLATED)
        return out

    def diagram_edges(self, edges: dict | None = None) -> dict[tuple[Display, Display], set[Port]]:
        """Edges to draw: ``display_edges()`` (if not given) with their ports only, and the
        loose ones."""
        if edges is None:
            edges = self.display_edges()
        edges = {pair: set(ports) for pair, ports in edges.items()}
        for pair, ports in self.loose_edges().items():
            edges.setdefault(pair, set()).update(ports)
        return edges

    def _rendered_namespaces(self) -> set[str]:
        """Namespaces we render objects into (kube-system's Fluent Bit counts), not only
        those whose Namespace object is ours."""
        return set(self.tree.namespaces) | {ns for ns in self.tree.by_namespace if ns}

    def member(self, node: Display) -> bool:
        """Drawn as part of its namespace: a rendered workload, or an add-on pod in a
        rendered namespace that the rendered policies govern (Envoy Gateway's)."""
        if node.role == "workload":
            return True
        return node.role == "addon" and node in self._governed_addons

    def overview_key(self, node: Display) -> tuple[str, str]:
        if self.member(node):
            return ("ns", node.group)
        if node.role == "addon":
            return ("addon", node.group)
        if node.role == "ip" and node.name.startswith("kubernetes-api"):
            return ("ip", "kubernetes-api")
        return (node.role, node.name)

    def overview(self, edges: dict[tuple[Display, Display], set[Port]]) -> tuple[Flowchart, list[str], str]:
        """(chart, notes under it, legend above it). One node per namespace (customer
        namespaces by group), one per add-on namespace and address; one edge per
        pair with every port between them.

        What many namespaces (FAN, or more than half of them) share with one add-on
        or address (DNS, Prometheus's scrapes, the API server) is a note under the
        diagram, not a fan of edges. The most common label between two namespaces
        is left off those arrows and said once above. Laid out left to right: nodes are declared so that Mermaid's layout (dagre,
        which breaks cycles where its depth-first search from the first declared node
        meets them) takes add-ons and addresses as destinations, so the few edges
        they open (the internet to the proxies, the API server's webhook call) are
        the ones drawn backwards."""
        pairs: dict[tuple, set[Port]] = {}
        addon_names: dict[str, set[str]] = {}
        for (src, dst), ports in edges.items():
            a, b = self.overview_key(src), self.overview_key(dst)
            for end, key in ((src, a), (dst, b)):
                if key[0] == "addon":
                    addon_names.setdefault(key[1], set()).add(end.name)
            if a != b:
                pairs.setdefault((a, b), set()).update(ports)
        namespaces = sorted({k for pair in pairs for k in pair if k[0] == "ns"}, key=self._ns_order)
        # Fans: (peer, outward) -> the namespaces sharing an edge with that add-on or address.
        fans: dict[tuple, set] = {}
        if len(namespaces) >= 4:
            for outward in (True, False):
                by_peer: dict[tuple, set] = {}
                for (a, b) in pairs:
                    ns, peer = (a, b) if outward else (b, a)
                    if ns[0] == "ns" and peer[0] != "ns":
                        by_peer.setdefault(peer, set()).add(ns)
                for peer, members in by_peer.items():
                    if len(members) >= min(FAN, len(namespaces) // 2 + 1):
                        fans[(peer, outward)] = members
        notes: list[str] = []
        for (peer, outward), members in sorted(fans.items(), key=lambda f: (not f[0][1], f[0][0])):
            detail: dict[str, list[str]] = {}
            for ns in sorted(members, key=self._ns_order):
                pair = (ns, peer) if outward else (peer, ns)
                got = pairs.pop(pair)
                detail.setdefault(port_label(got), []).append(ns[1])
            label = self._endpoint_label(peer, addon_names)
            where = "; ".join(f"{join(names)} ({ports})" for ports, names in
                              sorted(detail.items(), key=lambda d: -len(d[1])))
            missing = [ns[1] for ns in namespaces if ns not in members]
            note = (f"- **→ {label}** from {len(members)} of {len(namespaces)} namespaces: {where}." if outward
                    else f"- **{label} →** {len(members)} of {len(namespaces)} namespaces: {where}.")
            if missing and len(missing) < len(members):
                note += f" Not: {join(missing)}."
            notes.append(note)
        left_out = [ns[1] for ns in namespaces if not any(ns in pair for pair in pairs)]
        if left_out:
            notes.append(f"- Not in the picture, as every edge of theirs is above: {join(left_out)}.")
        inner = Counter(port_label(p) for (a, b), p in pairs.items() if a[0] == b[0] == "ns")
        common = next((text for text, n in inner.most_common(1) if n >= 4), None)

        out: dict[tuple, set] = {}
        for a, b in pairs:
            if a[0] == "ns":
                out.setdefault(a, set()).add(b)

        def reach(key: tuple) -> int:
            seen, todo = set(), [key]
            while todo:
                for nxt in out.get(todo.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            return len(seen)

        drawn = {k for pair in pairs for k in pair}
        chart = Flowchart("LR", spacing=(30, 20))
        for key in sorted((k for k in drawn if k[0] == "ns"), key=lambda k: (-reach(k), self._ns_order(k))):
            chart.node(key, key[1], self.group_ids.get(key[1], key[1]), "box", prefix="o_")
        for key in sorted(k for k in drawn if k[0] != "ns"):
            shape = "round" if key[0] == "addon" else "hex"
            chart.node(key, self._endpoint_label(key, addon_names), f"{key[0]}_{key[1]}", shape, prefix="o_")
        for (a, b), ports in pairs.items():
            label = port_label(ports)
            chart.edge(a, b, None if label == common and a[0] == b[0] == "ns" else label)
        legend = f"Arrows between two namespaces without a label: {common}." if common else ""
        return chart, notes, legend

    def _ns_order(self, key: tuple[str, str]):
        return (key[1] in self.group_ids, key[1])

    @staticmethod
    def _endpoint_label(key: tuple[str, str], addon_names: dict[str, set[str]]) -> str:
        if key[0] == "addon":
            names = sorted(addon_names.get(key[1], ()))
            return key[1] if names == [key[1]] else f"{key[1]}: {', '.join(names)}"
        return key[1]

    def details(self, edges: dict[tuple[Display, Display], set[Port]]) -> list[tuple[str, Flowchart, str, list[str]]]:
        """Per namespace (customer namespaces by group): its workloads (and the add-on
        pods its policies govern) in a box, one node per peer they may reach or be
        reached by. What every one of them (two or more) has with the same peer on the
        same ports, when that peer is an add-on no rendered policy governs (DNS,
        Prometheus), is a line under the diagram; the most common label,
        when it is on four arrows or more, is said once instead of on each."""
        members: dict[str, set[Display]] = {}
        for pair in edges:
            for end in pair:
                if self.member(end):
                    members.setdefault(end.group, set()).add(end)
        out = []
        for ns in sorted(members, key=lambda g: self._ns_order(("ns", g))):
            inside = members[ns]
            peers: dict[tuple, Display] = {}
            local: dict[tuple, set[Port]] = {}
            for (src, dst), ports in edges.items():
                if src not in inside and dst not in inside:
                    continue
                a = src if src in inside else self._peer_key(src)
                b = dst if dst in inside else self._peer_key(dst)
                for end, key in ((src, a), (dst, b)):
                    if end not in inside:
                        peers[key] = end
                local.setdefault((a, b), set()).update(ports)
            notes = self._shared(local, inside, peers)
            # Mermaid draws a loop inside a box badly (it stretches the box and bends
            # other arrows into it): pods of one workload calling each other are a line.
            for (a, b), ports in sorted(local.items(), key=lambda e: str(e[0])):
                if a == b and any(a in pair and pair[0] != pair[1] for pair in local):
                    del local[(a, b)]
                    notes.append(f"{a.name} → {a.name} (its pods with each other): {port_label(ports)}.")
            drawn = {k for pair in local for k in pair}
            counts = Counter(port_label(p) for p in local.values())
            common = next((text for text, n in counts.most_common(1) if n >= 4), None)
            chart = Flowchart("LR")
            box = ("box", ns)
            hint = self.group_ids.get(ns, ns)
            chart.group(box, ns, hint)
            for node in sorted(inside):
                chart.node(node, node.name, f"{hint}__{node.name}", SHAPE[node.role], box)
            for key in sorted((k for k in peers if k in drawn), key=str):
                label = key[1] if key[0] in ("ip", "any") else _node_text(peers[key])
                chart.node(key, label, label, SHAPE[peers[key].role])
            for (a, b), ports in local.items():
                label = port_label(ports)
                chart.edge(a, b, None if label == common else label)
            legend = f"Arrows without a label: {common}." if common else ""
            out.append((ns, chart, legend, notes))
        return out

    @staticmethod
    def _peer_key(node: Display) -> tuple:
        """Peers of a namespace's diagram: workloads and add-ons by name; every API
        server address is one ``kubernetes-api`` node, like in the overview."""
        if node.role == "ip" and node.name.startswith("kubernetes-api"):
            return ("ip", "kubernetes-api")
        if node.role in ("ip", "any"):
            return (node.role, node.name)
        return ("peer", _node_text(node))

    def _shared(self, local: dict[tuple, set[Port]], inside: set[Display], peers: dict) -> list[str]:
        """Take out of ``local`` what every node inside has with one ungoverned add-on
        (2+ nodes, and only when each keeps an edge of its own); sentences saying it."""
        if len(inside) < 2:
            return []
        found: dict[tuple, set[Port]] = {}
        for outward in (True, False):
            by_peer: dict[tuple, dict] = {}
            for (a, b), ports in local.items():
                mine, other = (a, b) if outward else (b, a)
                if mine in inside and other not in inside:
                    by_peer.setdefault(other, {})[mine] = ports
            for other, got in by_peer.items():
                # only add-ons no rendered policy governs (DNS, Prometheus): calls
                # between workloads and the proxies stay arrows
                if other[0] != "peer" or peers[other].role != "addon" or peers[other] in self._governed_addons:
                    continue
                if set(got) == inside:
                    common = set.intersection(*map(set, got.values()))
                    if common:
                        found[(outward, other)] = common
        if not found:
            return []
        rest = {pair: set(ports) for pair, ports in local.items()}
        for (outward, other), ports in found.items():
            for node in inside:
                pair = (node, other) if outward else (other, node)
                rest[pair] -= ports
        rest = {pair: ports for pair, ports in rest.items() if ports}
        if any(not any(node in pair for pair in rest) for node in inside):
            return []  # a node would be left with no edge of its own: draw them all
        local.clear()
        local.update(rest)
        notes = []
        for (outward, other), ports in sorted(found.items(), key=lambda f: (not f[0][0], str(f[0][1]))):
            name = other[1] if other[0] in ("ip", "any") else _node_text(peers[other])
            notes.append(f"All of the box → {name}: {port_label(ports)}." if outward
                         else f"{name} → all of the box: {port_label(ports)}.")
        return notes

    # --- markdown --------------------------------------------------------------------------------

    def markdown(self) -> str:
        env = self.env
        g = self.graph
        edges = self.display_edges()
        lines = [f"# Network map: {env}", "",
                 f"Generated from the rendered NetworkPolicies in `dist/{env}/` by `lib/docs` on every render "
                 "(`python main.py`); do not edit. `python main.py --check` fails when it is stale.", "",
                 "A connection is allowed when the source's egress **and** the destination's ingress allow it "
                 "(the model of `python main.py validate`, lib/validate/traffic.py). An arrow points from "
                 "the side that opens the connection. Rectangles are rendered workloads (in the overview: "
                 "namespaces); rounded nodes are add-on pods the policies name, which the add-ons' own charts "
                 "install (in the overview: the add-on's namespace, unless our policies govern them); hexagons "
                 "are address blocks (`kubernetes-api` stands for every API server address) and `anywhere`; a "
                 "box is a namespace. \"not isolated\": no NetworkPolicy isolates that side, so it may reach "
                 "or be reached by anything (see Isolation).", ""]
        if self.customers:
            lines += [f"Customer namespaces with the same workloads and edges (own name written "
                      f"`{self.customers.placeholder}`) are drawn once:", "",
                      table(("group", "namespaces", "members"),
                            [(f"{self.customers.placeholder} ({len(m)})" + (f" [{shape_name(i)}]"
                                                                           if len(self.groups) > 1 else ""),
                              len(m), members_text(m, rest=i == 0 and len(self.groups) > 1))
                             for i, (_, m) in enumerate(self.groups)])]
        drawn = self.diagram_edges(edges)
        chart, notes, legend = self.overview(drawn)
        lines += ["## Overview", "",
                  "One node per namespace; an arrow carries every port allowed between the two namespaces "
                  "(calls inside a namespace are in its own diagram below). " + legend, ""]
        lines += chart.lines()
        if notes:
            lines += ["", f"Listed here instead of drawn: what {FAN} namespaces or more (or more than half of "
                      "them) share with one add-on or address (each namespace's section below shows them "
                      "too):", ""] + notes
        lines += ["", "## By namespace", ""]
        for ns, detail, legend, below in self.details(drawn):
            lines += [f"### {ns}", ""] + ([legend, ""] if legend else []) + detail.lines() + [""]
            if below:
                lines += [" ".join(below), ""]
        ends = {end for pair in drawn for end in pair}
        lonely = sorted({_node_text(self.display(n)) for n in g.pods
                         if n.role == "workload" and self.display(n) not in ends})
        lines += ["", "## Matrix", "",
                  "Rows: source; columns: destination; cells: ports.", ""]
        sources = sorted({s for s, _ in edges})
        targets = sorted({d for _, d in edges})
        rows = []
        for s in sources:
            rows.append((_node_text(s), *(port_label(edges[(s, d)]) if (s, d) in edges else "" for d in targets)))
        lines.append(table(("source \\ destination", *(_node_text(d) for d in targets)), rows, blank=""))
        lines += ["## Edges and the policies that allow them", ""]
        rows = []
        for (s, d), ports in sorted(edges.items()):
            by_policies: dict[tuple, list[Port]] = {}
            for port, (egs, igs) in ports.items():
                by_policies.setdefault((tuple(sorted(egs)), tuple(sorted(igs))), []).append(port)
            for (egs, igs), plist in sorted(by_policies.items()):
                rows.append((_node_text(s), _node_text(d), port_label(plist),
                             join(egs) or "not isolated", join(igs) or "not isolated"))
        lines.append(table(("source", "destination", "ports", "egress allowed by", "ingress allowed by"), rows))
        lines += ["## Isolation", ""]
        loose = []
        for node in g.pods:
            if node.role != "workload":
                continue
            missing = [d for d, pols in (("ingress", node.ingress), ("egress", node.egress)) if not pols]
            if missing:
                loose.append((self.display(node), " and ".join(missing)))
        if loose:
            lines += ["Workloads no NetworkPolicy isolates (everything may reach them / they may reach "
                      "everything in that direction; the diagrams draw that side as an edge from / to "
                      "`anywhere`, the tables above leave out edges between two ungoverned ends):", "",
                      table(("workload", "not isolated for"), sorted({(_node_text(n), m) for n, m in loose}))]
        else:
            lines.append("Every rendered workload is isolated for ingress and egress.\n")
        if lonely:
            lines += ["**Finding:** workloads that may neither reach nor be reached by anything (not even DNS); "
                      "they are in no diagram:", "", table(("workload",), [(n,) for n in lonely])]
        if g.dangling:
            lines += ["Selectors in NetworkPolicies that match no pod (neither rendered nor a known add-on's):",
                      "", table(("namespace", "pod selector", "policies"),
                                sorted({(self.customers.canon(ns, ns) if ns in self.customers else ns,
                                         sel, self.customers.canon(ns, refs) if ns in self.customers else refs)
                                        for ns, sel, refs in g.dangling}))]
        blocks = sorted((n.name, join(sorted(n.description))) for n in g.ip_nodes.values())
        if blocks:
            lines += ["Address blocks:", "", table(("node", "ipBlock"), blocks)]
        return "\n".join(lines).rstrip("\n") + "\n"


def _node_text(node: Display) -> str:
    return f"{node.group}/{node.name}" if node.group else node.name


def network(tree: Tree) -> str:
    with gc_paused():
        return NetworkDoc(tree).markdown()


__all__ = ["NetworkDoc", "PolicyGraph", "network", "port_label"]
