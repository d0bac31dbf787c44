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

Edges between two peers that no rendered policy governs are not shown.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from ..validate import DEFAULT_EXTERNAL_NAMESPACES, DEFAULT_EXTERNAL_PODS
from ..validate.model import Obj, Tree
from ..validate.traffic import LabelIndex, Network, Pod, Port
from .markdown import join, table
from .shapes import Customers, group, members_text, shape_name

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
ANY_PORT = Port("*", 0, "TCP")
API_PORTS = {443, 6443}
NAME_KEYS = ("control-plane", "app.kubernetes.io/name", "app", "k8s-app", "strimzi.io/cluster", "name")
COMPONENT_KEYS = ("app.kubernetes.io/component", "component")
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
        known = dict.fromkeys(list(tree.namespaces) + list(DEFAULT_EXTERNAL_NAMESPACES))
        policies = sorted(tree.kind("NetworkPolicy"), key=lambda o: (o.namespace, o.name))
        for obj in policies:
            for peer in self._peers_of(obj):
                ns_sel = peer.get("namespaceSelector")
                if ns_sel is not None:
                    for name in self._named_namespaces(ns_sel):
                        known.setdefault(name)
        for name in known:
            labels = tree.namespace_labels(name) or {"kubernetes.io/metadata.name": name}
            self.ns_index.add(labels)
            self.ns_names.append(name)
        self._add_addons(policies)
        for obj in policies:
            for peer in self._peers_of(obj):
                if peer.get("ipBlock") is not None:
                    self._ip_node(peer["ipBlock"])
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

    def _add_addons(self, policies: list[Obj]) -> None:
        """Nodes for pods the policies select that are not rendered here.

        In a namespace rendered here, only the add-on pods lib.validate knows run
        there (DEFAULT_EXTERNAL_PODS: the Envoy Gateway controller and proxies);
        any other selector that matches no rendered pod is dangling (listed as such).
        """
        wanted: dict[tuple[str, tuple], set[str]] = {}
        for obj in policies:
            sel = obj.spec.get("podSelector") or {}
            if sel.get("matchLabels") and not sel.get("matchExpressions"):
                wanted.setdefault((obj.namespace, tuple(sorted(sel["matchLabels"].items()))), set()).add(
                    f"{obj.namespace}/{obj.name}")
            for peer in self._peers_of(obj):
                ns_sel, pod_sel = peer.get("namespaceSelector"), peer.get("podSelector")
                if ns_sel is None and pod_sel is None:
                    continue
                # Only where the peer says which namespace: a selector over namespace
                # labels does not tell where an add-on that is not rendered lives.
                namespaces = [obj.namespace] if ns_sel is None else self._named_namespaces(ns_sel)
                if (pod_sel or {}).get("matchExpressions"):
                    continue
                labels = tuple(sorted(((pod_sel or {}).get("matchLabels") or {}).items()))
                for ns in namespaces:
                    if ns in self.tree.namespaces and not labels:
                        continue  # "every pod of a rendered namespace": its workloads
                    wanted.setdefault((ns, labels), set()).add(f"{obj.namespace}/{obj.name}")
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
            ns = policy.obj.namespace
            selected = self.pod_index.select(policy.obj.spec.get("podSelector") or {}, self.pods_in_ns.get(ns, set()))
            for i in selected:
                node = self.pods[i]
                if node.role == "addon" and policy.ingress is not None:
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
        for dst in self.pods:
            if dst.role == "any":
                continue
            for port in dst.ports:
                if dst.ingress:
                    sources = self.ingress_sources(dst, port)
                    if sources is None:
                        record(self.any_node, dst, port, True, self.ingress_allows(self.any_node, dst, port))
                        continue
                    for i in sorted(sources):
                        src = self.pods[i]
                        eg = self.egress_allows(src, dst, port)
                        if eg:
                            record(src, dst, port, eg, self.ingress_allows(src, dst, port))
                else:
                    for src in egress_governed:
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


@dataclass(frozen=True, order=True)
class Display:
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

    # customer namespaces with the same nodes and edges (own name aside) become one group
    def _collapse(self) -> None:
        g, customers = self.graph, self.customers
        per_ns: dict[str, list] = {ns: [] for ns in customers.names}
        for node in g.pods:
            if node.namespace in per_ns:
                per_ns[node.namespace].append(("node", node.name, node.role))
        for (s, d), ports in self.raw.items():
            src, dst = g.pods[s], g.pods[d]
            entry = (src.namespace, src.name, dst.namespace, dst.name, port_label(ports))
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
        ns = node.namespace
        if ns in self.group_of:
            return Display(self.group_of[ns], self.customers.canon(ns, node.name), node.role)
        return Display(ns, node.name, node.role)

    def display_policy(self, policy) -> str:
        ns = policy.obj.namespace
        text = f"{ns}/{policy.obj.name}"
        return self.customers.canon(ns, text) if ns in self.customers else text

    def display_edges(self) -> dict[tuple[Display, Display], dict[Port, tuple[set, set]]]:
        out: dict[tuple[Display, Display], dict[Port, tuple[set, set]]] = {}
        for (s, d), ports in self.raw.items():
            key = (self.display(self.graph.pods[s]), self.display(self.graph.pods[d]))
            slot = out.setdefault(key, {})
            for port, (eg, ig) in ports.items():
                egs, igs = slot.setdefault(port, (set(), set()))
                egs.update(self.display_policy(p) for p in eg)
                igs.update(self.display_policy(p) for p in ig)
        return out

    # --- mermaid -------------------------------------------------------------------------------

    def mermaid(self, nodes: list[Display], edges: dict) -> list[str]:
        ids: dict[Display, str] = {}
        used: set[str] = set()

        def make_id(prefix: str, text: str) -> str:
            base = prefix + re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}_{n}", n + 1
            used.add(candidate)
            return candidate

        def quote(text: str) -> str:
            return '"' + text.replace('"', "#quot;") + '"'

        shapes = {"workload": ("[", "]"), "addon": ("([", "])"), "ip": ("{{", "}}"), "any": ("{{", "}}")}
        by_group: dict[str, list[Display]] = {}
        for node in nodes:
            by_group.setdefault(node.group, []).append(node)
        rendered = set(self.tree.namespaces)
        voyager_groups = sorted(g for g in by_group if g and (g in rendered or g in set(self.group_of.values())))
        other_groups = sorted(g for g in by_group if g and g not in voyager_groups)
        group_ids: dict[str, str] = {}

        def declare(node: Display, indent: str) -> str:
            ids[node] = make_id("n_", f"{self.group_ids.get(node.group, node.group)}__{node.name}")
            left, right = shapes[node.role]
            return f"{indent}{ids[node]}{left}{quote(node.name)}{right}"

        lines = ["```mermaid", "flowchart LR"]
        if voyager_groups:
            lines.append(f"  subgraph voyager[{quote('Voyager namespaces')}]")
            for grp in voyager_groups:
                group_ids[grp] = make_id("ns_", self.group_ids.get(grp, grp))
                lines.append(f"    subgraph {group_ids[grp]}[{quote(grp)}]")
                lines += [declare(n, "      ") for n in sorted(by_group[grp])]
                lines.append("    end")
            lines.append("  end")
        for grp in other_groups:
            group_ids[grp] = make_id("ns_", grp)
            lines.append(f"  subgraph {group_ids[grp]}[{quote(grp + ' (not rendered here)')}]")
            lines += [declare(n, "    ") for n in sorted(by_group[grp])]
            lines.append("  end")
        lines += [declare(n, "  ") for n in sorted(by_group.get("", []))]

        # Collapse edges that every node of a subgraph (or of all Voyager namespaces) shares.
        triples: set[tuple[str, str, Port]] = set()
        for (src, dst), ports in edges.items():
            for port in ports:
                triples.add((ids[src], ids[dst], port))
        members = {group_ids[g]: {ids[n] for n in by_group[g]} for g in group_ids}
        members_voyager = set().union(*(members[group_ids[g]] for g in voyager_groups)) if voyager_groups else set()
        collapsed: set[tuple[str, str, Port]] = set()

        def collapse(block: str, inside: set[str]) -> None:
            if len(inside) < 2:
                return
            outgoing: dict[tuple[str, Port], set[str]] = {}
            incoming: dict[tuple[str, Port], set[str]] = {}
            for s, d, label in triples:
                if s in inside and d not in inside:
                    outgoing.setdefault((d, label), set()).add(s)
                if d in inside and s not in inside:
                    incoming.setdefault((s, label), set()).add(d)
            for (d, label), sources in outgoing.items():
                if sources == inside:
                    for s in sources:
                        triples.discard((s, d, label))
                    collapsed.add((block, d, label))
            for (s, label), targets in incoming.items():
                if targets == inside:
                    for d in targets:
                        triples.discard((s, d, label))
                    collapsed.add((s, block, label))

        if members_voyager:
            collapse("voyager", members_voyager)
        for grp in voyager_groups + other_groups:
            collapse(group_ids[grp], members[group_ids[grp]])
        merged: dict[tuple[str, str], list[Port]] = {}
        for s, d, port in triples | collapsed:
            merged.setdefault((s, d), []).append(port)
        for (s, d), ports in sorted(merged.items()):
            lines.append(f"  {s} -->|{quote(port_label(ports))}| {d}")
        lines.append("```")
        return lines

    # --- markdown --------------------------------------------------------------------------------

    def markdown(self) -> str:
        env = self.env
        g = self.graph
        edges = self.display_edges()
        nodes = sorted({self.display(n) for n in g.pods if n.role == "workload"}
                       | {d for pair in edges for d in pair})
        lines = [f"# Network map: {env}", "",
                 f"Generated from the rendered NetworkPolicies in `dist/{env}/` by `lib/docs` on every render "
                 "(`python main.py`); do not edit. `python main.py --check` fails when it is stale.", "",
                 "A connection is allowed when the source's egress **and** the destination's ingress allow it "
                 "(the model of `python main.py validate`, lib/validate/traffic.py). Rectangles are rendered "
                 "workloads; rounded nodes are add-on pods the policies name (not rendered here); hexagons are "
                 "address blocks. An edge from or to a box stands for every node in it.", ""]
        if self.customers:
            lines += [f"Customer namespaces with the same workloads and edges (own name written "
                      f"`{self.customers.placeholder}`) are drawn once:", "",
                      table(("group", "namespaces", "members"),
                            [(f"{self.customers.placeholder} ({len(m)})" + (f" [{shape_name(i)}]"
                                                                           if len(self.groups) > 1 else ""),
                              len(m), members_text(m, rest=i == 0 and len(self.groups) > 1))
                             for i, (_, m) in enumerate(self.groups)])]
        lines += self.mermaid(nodes, edges)
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
                      "everything in that direction; edges between two ungoverned ends are not drawn):", "",
                      table(("workload", "not isolated for"), sorted({(_node_text(n), m) for n, m in loose}))]
        else:
            lines.append("Every rendered workload is isolated for ingress and egress.\n")
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
    return NetworkDoc(tree).markdown()


__all__ = ["NetworkDoc", "PolicyGraph", "network", "port_label"]
