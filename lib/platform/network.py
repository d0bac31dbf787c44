"""Where network policies come from: the edges the catalog declares.

Every workload says whom it talks to (``talks_to``, ``external``); public
workloads are reached by the edge proxies; Prometheus scrapes every metrics
port. Each edge becomes an egress allow on the caller's pods and an ingress
allow on the callee's pods, on that port only, inside whichever of the two
namespaces Voyager renders. Everything else stays denied by the namespace's
default-deny-all (lib/patterns/namespace_baseline.py).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..catalog import Catalog, EDGE_NAMESPACE
from ..catalog import ports as P
from ..catalog.model import Workload
from ..config.models import Environment
from ..patterns.postgres_cluster import METRICS_PORT as CNPG_METRICS_PORT
from ..patterns.postgres_cluster import STATUS_PORT as CNPG_STATUS_PORT
from .labels import selector_for
from .workloads import dr_verify_labels, vault_snapshot_labels


@dataclass(frozen=True)
class Peer:
    """One end of an edge: pods (namespace + labels) or addresses (CIDRs)."""

    name: str
    namespace: str = ""
    pod_labels: tuple[tuple[str, str], ...] = ()
    cidrs: tuple[str, ...] = ()
    except_cidrs: tuple[str, ...] = ()

    def as_peer(self) -> dict:
        if self.cidrs:
            # One ipBlock per CIDR; "except" only applies inside the block.
            raise AssertionError("use ip_blocks() for CIDR peers")
        return {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": self.namespace}},
            "podSelector": {"matchLabels": dict(self.pod_labels)},
        }

    def peers(self) -> list[dict]:
        if self.cidrs:
            out = []
            for cidr in self.cidrs:
                block: dict = {"cidr": cidr}
                inside = [c for c in self.except_cidrs if cidr == "0.0.0.0/0"]
                if inside:
                    block["except"] = inside
                out.append({"ipBlock": block})
            return out
        return [self.as_peer()]


@dataclass(frozen=True)
class Edge:
    source: Peer
    dest: Peer
    port: int
    protocol: str = "TCP"
    purpose: str = ""


def workload_peer(workload: Workload) -> Peer:
    return Peer(workload.name, workload.namespace, tuple(sorted(selector_for(workload).items())))


def _pods(name: str, pods) -> Peer:
    return Peer(name, pods.namespace, tuple(sorted(pods.pod_labels.items())))


def declared_edges(env: Environment, catalog: Catalog) -> list[Edge]:
    """Every connection the platform needs, derived from the catalog once."""
    cluster = env.cluster
    api = Peer("kubernetes-api", cidrs=tuple(cluster.api_server_cidrs))
    internet = Peer("internet", cidrs=("0.0.0.0/0",), except_cidrs=tuple(cluster.private_cidrs))
    kafka = _pods("kafka", cluster.kafka)
    prometheus = _pods("prometheus", cluster.prometheus)
    proxy = _pods("envoy-proxy", cluster.edge_proxy)
    controller = _pods("envoy-gateway", cluster.edge_controller)
    eso = _pods("external-secrets", cluster.external_secrets)

    edges: list[Edge] = []
    for w in catalog.workloads:
        me = workload_peer(w)
        for talk in w.talks_to:
            target = catalog.target(talk.target)
            if target is None:
                raise ValueError(f"{w.namespace}/{w.name} talks to unknown workload {talk.target}")
            edges.append(Edge(me, workload_peer(target), P.BY_NAME[talk.port], purpose=talk.port))
        for ext in w.external:
            if ext.name == "kafka":
                edges.append(Edge(me, kafka, cluster.kafka.port, purpose="kafka"))
            elif ext.name == "kubernetes-api":
                edges.append(Edge(me, api, cluster.api_server_port, purpose="kubernetes-api"))
            elif ext.name == "llm-providers":
                edges.append(Edge(me, internet, 443, purpose="llm-providers"))
            elif ext.name == "aws-kms":
                edges.append(Edge(me, internet, 443, purpose="aws-kms"))
            elif ext.name == "tailscale":
                edges.append(Edge(me, internet, 443, purpose="tailscale-control"))
                edges.append(Edge(me, internet, 41641, "UDP", purpose="tailscale-wireguard"))
            else:
                raise ValueError(f"{w.name}: unknown external {ext.name!r}")
        if "metrics" in P.BY_PATTERN[w.pattern]:
            edges.append(Edge(prometheus, me, P.METRICS, purpose="metrics"))
        if w.public:
            edges.append(Edge(proxy, me, P.HTTP, purpose="public-http"))
        if w.pattern == "vault":
            edges.append(Edge(eso, me, P.VAULT, purpose="secret-sync"))
            # Raft peers: request forwarding and replication between replicas.
            edges.append(Edge(me, me, P.VAULT, purpose="vault-peers"))
            edges.append(Edge(me, me, P.VAULT_CLUSTER, purpose="vault-cluster"))
            # Vault's Kubernetes auth checks each caller's token (TokenReview).
            edges.append(Edge(me, api, cluster.api_server_port, purpose="kubernetes-api"))
            if env.backup.vault_snapshot:
                # The raft snapshot job (lib/patterns/vault_snapshot.py): Vault's
                # API, then S3 and STS (IRSA) over HTTPS; no API server (Vault
                # itself reviews the job's token).
                snap = _labelled(vault_snapshot_labels(w), w.namespace)
                edges.append(Edge(snap, me, P.VAULT, purpose="vault-raft-snapshot"))
                edges.append(Edge(snap, internet, 443, purpose="s3"))
        if w.pattern == "postgresql" and env.databases.engine == "cloudnative-pg":
            # A CloudNativePG Cluster (v1.30.0): every pod and job of it
            # carries the database's selector (inheritedMetadata). The
            # operator calls each instance's status port and PostgreSQL
            # (docs/src/security.md, "Exposed Ports"); instances stream WAL
            # from each other (a joining one runs pg_basebackup) and call each
            # other's status port; the instance manager watches its Cluster
            # through the API; the Barman Cloud sidecar reaches S3 and STS
            # (IRSA) over HTTPS; Prometheus scrapes the metrics port.
            operator = _pods("cnpg-operator", cluster.cnpg_operator)
            edges.append(Edge(operator, me, CNPG_STATUS_PORT, purpose="cnpg-status"))
            edges.append(Edge(operator, me, P.POSTGRESQL, purpose="cnpg-postgresql"))
            edges.append(Edge(me, me, P.POSTGRESQL, purpose="replication"))
            edges.append(Edge(me, me, CNPG_STATUS_PORT, purpose="instance-status"))
            edges.append(Edge(me, api, cluster.api_server_port, purpose="kubernetes-api"))
            edges.append(Edge(me, internet, 443, purpose="object-storage"))
            edges.append(Edge(prometheus, me, CNPG_METRICS_PORT, purpose="metrics"))
        if w.namespace == EDGE_NAMESPACE and w.pattern == "grpc-service":
            # Every request is authorised here before it is routed (ext_authz).
            edges.append(Edge(proxy, me, P.GRPC, purpose="ext-authz"))

    if env.region_role == "primary":
        # The post-sync write check (lib/patterns/dr_verify.py) reaches each
        # database exactly as its application does: the same destination and
        # port as the application's declared edge.
        seen = set()
        for edge in list(edges):
            if edge.purpose == "postgresql" and (edge.dest, edge.port) not in seen:
                seen.add((edge.dest, edge.port))
                edges.append(Edge(_labelled(dr_verify_labels(), edge.dest.namespace), edge.dest,
                                  edge.port, purpose="dr-verify"))

    # The Envoy Gateway add-on itself, so default-deny in its namespace does not
    # cut the edge off: clients reach the proxies' listeners, the proxies get
    # their configuration (xDS) from the controller, which watches the API.
    # Ports as in envoyproxy/gateway v1.9.0. The proxies' container port for
    # a Gateway listener below 1024 is the listener port + 10000
    # (internal/gatewayapi/listener.go, translator.go wellKnownPortShift): our
    # only listener, 443, is 10443; there is no port-80 listener to admit.
    edges.append(Edge(internet_any(), proxy, 10443, purpose="public-listener-https"))
    edges.append(Edge(proxy, controller, 18000, purpose="xds"))
    edges.append(Edge(controller, api, cluster.api_server_port, purpose="kubernetes-api"))
    # The chart's topology injector (topologyInjector.enabled, on by default)
    # is a MutatingWebhookConfiguration on every pods/binding in this
    # namespace, served by the controller on 9443 (Service envoy-gateway,
    # charts/gateway-helm/templates/envoy-proxy-topology-injector-webhook.yaml;
    # internal/provider/kubernetes/kubernetes.go webhookTLSPort). It is
    # failurePolicy Ignore, so a blocked call does not fail the binding, but
    # the API server waits out the webhook timeout (the chart sets none: 10 s)
    # for each pod scheduled here, ours included, and the proxies never get
    # their zone annotation (zone-aware routing). Turning it off is not one
    # chart value in v1.9.0: topologyInjector.enabled=false writes
    # proxyTopologyInjector at the top level of the EnvoyGateway config
    # (templates/_helpers.tpl), where the type has no such field (it lives
    # under provider.kubernetes: api/v1alpha1/envoygateway_types.go) and the
    # lenient decoder drops it, so the controller still serves 9443 and
    # renders the zone-aware bootstrap. Admitting the API server is the fix.
    edges.append(Edge(api, controller, 9443, purpose="topology-injector-webhook"))
    # Not admitted: 18001 (xDS for the rate limit service, which exists only
    # with global rate limiting configured) and 18002 (Wasm module cache for
    # EnvoyExtensionPolicies) are unused here; 8081 (health) and the
    # proxies' 19003 (readiness) are probed by the kubelet, not from pods.
    edges.append(Edge(_pods("envoy-gateway-certgen", cluster.edge_certgen), api,
                      cluster.api_server_port, purpose="kubernetes-api"))
    edges.append(Edge(prometheus, controller, 19001, purpose="metrics"))
    edges.append(Edge(prometheus, proxy, 19001, purpose="metrics"))
    return edges


def _labelled(labels: dict[str, str], namespace: str) -> Peer:
    """Pods that are not catalog workloads (jobs), by their app/component."""
    return Peer(labels["app"], namespace, tuple(sorted((k, labels[k]) for k in ("app", "component"))))


def internet_any() -> Peer:
    return Peer("internet", cidrs=("0.0.0.0/0",))


def _port(edge: Edge) -> dict:
    return {"protocol": edge.protocol, "port": edge.port}


def edges_by_namespace(edges: list[Edge]) -> dict[str, list[Edge]]:
    """Each namespace's edges (those whose source or destination pods are in
    it), in the order of ``edges``: what :func:`policies_for` reads, found
    once rather than by scanning every edge for each of a thousand namespaces."""
    out: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        for namespace in {edge.source.namespace, edge.dest.namespace}:
            out[namespace].append(edge)
    return out


def policies_for(namespace: str, edges: list[Edge]) -> list[tuple[str, dict]]:
    """The (name, spec) of every allow policy in ``namespace``.

    Per pod group: ``<name>-egress`` for what it calls, ``<name>-ingress`` for
    who calls it. Rules keep the edges' order, so the output is stable.
    """
    egress: dict[Peer, list[Edge]] = defaultdict(list)
    ingress: dict[Peer, list[Edge]] = defaultdict(list)
    for edge in edges:
        if edge.source.namespace == namespace and not edge.source.cidrs:
            egress[edge.source].append(edge)
        if edge.dest.namespace == namespace and not edge.dest.cidrs:
            ingress[edge.dest].append(edge)

    out: list[tuple[str, dict]] = []
    for pods in sorted(set(egress) | set(ingress), key=lambda p: p.name):
        selector = {"matchLabels": dict(pods.pod_labels)}
        if pods in egress:
            out.append((f"{pods.name}-egress", {
                "podSelector": selector,
                "policyTypes": ["Egress"],
                "egress": _rules(egress[pods], "to", lambda e: e.dest),
            }))
        if pods in ingress:
            out.append((f"{pods.name}-ingress", {
                "podSelector": selector,
                "policyTypes": ["Ingress"],
                "ingress": _rules(ingress[pods], "from", lambda e: e.source),
            }))
    return out


def _rules(edges: list[Edge], direction: str, other) -> list[dict]:
    """One rule per peer, listing every port this side uses with it."""
    grouped: dict[Peer, list[dict]] = {}
    for edge in edges:
        port = _port(edge)
        bucket = grouped.setdefault(other(edge), [])
        if port not in bucket:
            bucket.append(port)
    return [{direction: peer.peers(), "ports": ports_} for peer, ports_ in grouped.items()]
