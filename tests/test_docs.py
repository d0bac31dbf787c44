"""lib.docs: dist/<env>/docs/{inventory,network}.md, generated from the rendered
objects by every render. They exist for every environment, follow a planted
change in the tree, get the numbers right (checked against the values by
hand), draw a Mermaid graph whose edges join declared nodes, and are the same
bytes every time."""
from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from conftest import ENVS, KUSTOMIZATION, REPO, copy_tree, run_main
from lib.config.quantity import parse_quantity
from lib.docs import DOCS, DOCS_DIR, render_docs, write_docs
from lib.docs.load import read_tree
from lib.validate.model import load_objects

VALUES = REPO / "lib" / "values"


def docs_of(env_root: Path) -> dict[str, str]:
    return {name: (env_root / DOCS_DIR / name).read_text(encoding="utf-8") for name in DOCS}


def section(text: str, heading: str) -> str:
    """The Markdown under ``## heading`` up to the next ``## ``."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def rows(text: str) -> list[list[str]]:
    """Cells of every table row (separator rows aside) in ``text``."""
    out = []
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            out.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return out


def mermaid_block(text: str, start: int = 0) -> list[str]:
    start = text.index("```mermaid\n", start)
    end = text.index("\n```", start)
    return text[start:end].splitlines()[1:]


def mermaid_blocks(text: str) -> list[list[str]]:
    """Every block: the overview, then one per namespace (tests/test_network_map.py has more)."""
    return [mermaid_block(text, m.start()) for m in re.finditer("```mermaid\n", text)]


NODE = re.compile(r'^\s*([A-Za-z][A-Za-z0-9_]*)(\["[^"]*"\]|\(\["[^"]*"\]\)|\{\{"[^"]*"\}\})$')
SUBGRAPH = re.compile(r'^\s*subgraph ([A-Za-z][A-Za-z0-9_]*)\["[^"]*"\]$')
EDGE = re.compile(r'^\s*([A-Za-z][A-Za-z0-9_]*) -->(?:\|"[^"|]+"\|)? ([A-Za-z][A-Za-z0-9_]*)$')


def check_mermaid(lines: list[str]) -> tuple[set[str], set[str], list[tuple[str, str]]]:
    """(node ids, subgraph ids, edges); fails on any line that is not one of those."""
    if lines[0] == "---":  # front matter: the layout's spacing
        lines = lines[lines.index("---", 1) + 1:]
    assert lines[0] == "flowchart LR"
    nodes, subgraphs, edges, depth = set(), set(), [], 0
    for line in lines[1:]:
        if m := SUBGRAPH.match(line):
            assert m.group(1) not in subgraphs | nodes, line
            subgraphs.add(m.group(1))
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0, "an end without a subgraph"
        elif m := NODE.match(line):
            assert m.group(1) not in nodes | subgraphs, f"declared twice: {line}"
            nodes.add(m.group(1))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
        else:
            pytest.fail(f"not a node, subgraph, end or edge: {line!r}")
    assert depth == 0, "unbalanced subgraph/end"
    return nodes, subgraphs, edges


# --- the rendered tree --------------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_docs_exist_for_every_environment(rendered, env):
    docs = docs_of(rendered / env)
    assert docs["inventory.md"].startswith(f"# Inventory: {env}\n")
    assert docs["network.md"].startswith(f"# Network map: {env}\n")
    for heading in ("Namespaces", "Workloads", "Quota headroom at maximum scale", "Backups", "Public routes",
                    "Argo CD applications"):
        assert f"\n## {heading}\n" in docs["inventory.md"], heading
    assert "```mermaid\nflowchart LR\n" in docs["network.md"]
    assert "\n## Matrix\n" in docs["network.md"]
    assert sorted(p.name for p in (rendered / env / DOCS_DIR).iterdir()) == sorted(DOCS)


@pytest.mark.parametrize("env", ENVS)
def test_docs_are_in_no_kustomization(rendered, env):
    env_root = rendered / env
    assert DOCS_DIR not in yaml.safe_load((env_root / KUSTOMIZATION).read_text())["resources"]
    assert not (env_root / DOCS_DIR / KUSTOMIZATION).exists()
    assert not list((env_root / DOCS_DIR).glob("*.yaml"))


@pytest.mark.parametrize("env", ENVS)
def test_docs_are_deterministic(rendered, env, tmp_path):
    """The committed bytes again, from the same tree elsewhere (no path, no time in them)."""
    committed = docs_of(rendered / env)
    copy = copy_tree(rendered / env, tmp_path / "elsewhere" / env)
    shutil.rmtree(copy / DOCS_DIR)
    assert render_docs(copy) == committed
    assert render_docs(copy) == committed  # and again, with the loader's caches warm
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", "".join(committed.values())), "a date in the docs"


@pytest.mark.parametrize("env", ENVS)
def test_every_namespace_and_workload_is_in_the_inventory(rendered, objects, env):
    inventory = docs_of(rendered / env)["inventory.md"]
    customers = {o["metadata"]["name"] for _, o in objects(env)
                 if o["kind"] == "Namespace" and o["metadata"]["name"].startswith("customer-")}
    listed = {r[0] for r in rows(section(inventory, "Namespaces"))} - {"namespace"}
    for _, obj in objects(env):
        if obj["kind"] == "Namespace" and obj["metadata"]["name"] not in customers:
            assert obj["metadata"]["name"] in listed
    workloads = {(r[0], r[1]) for r in rows(section(inventory, "Workloads"))}
    for _, obj in objects(env):
        ns = obj["metadata"].get("namespace")
        if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet") and ns not in customers:
            assert (ns, f"{obj['kind']}/{obj['metadata']['name']}") in workloads
    if customers:
        assert f"{len(customers)} customer namespaces" in inventory
        assert any(r[0].startswith("customer-* ×") for r in rows(section(inventory, "Workloads")))


@pytest.mark.parametrize("env", ENVS)
def test_mermaid_edges_join_declared_nodes(rendered, env):
    network = docs_of(rendered / env)["network.md"]
    nodes = set()
    for block in mermaid_blocks(network):
        ids, subgraphs, edges = check_mermaid(block)
        assert edges, "no edge drawn"
        for src, dst in edges:
            assert src in ids | subgraphs, src
            assert dst in ids | subgraphs, dst
        nodes |= ids
    # Every rendered workload (customer namespaces drawn once) is a node.
    assert "n_jeeves_jeeves_run_manager" in nodes
    assert any(n.startswith("n_customers_A") for n in nodes)
    assert len([n for n in nodes if n.endswith("_book") and n.startswith("n_customers")]) == 1


def test_loader_reads_what_validate_reads(rendered):
    """The shape cache of lib/docs/load.py yields exactly lib.validate's objects."""
    for env in ENVS:
        ours = read_tree(rendered / env, every_kind=True)
        theirs, errors = load_objects(rendered / env)
        assert not errors
        assert [(o.file, o.data) for o in ours.objects] == [(o.file, o.data) for o in theirs]


# --- numbers, by hand ---------------------------------------------------------------------------

def _values(name: str) -> dict:
    return yaml.safe_load((VALUES / name).read_text())


def _headroom(inventory: str, namespace: str) -> dict[str, tuple[Fraction, Fraction, Fraction]]:
    """{quota key: (used, hard, left)} from the inventory's headroom row."""
    table = rows(section(inventory, "Quota headroom at maximum scale"))
    header = table[0]
    (row,) = [r for r in table if r[0] == namespace]
    out = {}
    for key, value in zip(header[2:], row[2:]):
        m = re.fullmatch(r"(\S+) / (\S+) \((\S+) left\)", value)
        assert m, f"{key}: {value}"
        out[key] = tuple(parse_quantity(x) for x in m.groups())
    return out


def test_jeeves_headroom_in_production_by_hand(rendered):
    """lib/values/base.yaml, worked by hand: run-manager (+ transcoder sidecar) at
    the HPA's maximum plus 25 % surge, the database's CloudNativePG instances
    (postgres + the Barman plugin's sidecar each), and the primary's post-sync
    write check (the dr-verify Job: one 50m/64Mi, 200m/128Mi container,
    lib/patterns/dr_verify.py)."""
    base, production = _values("base.yaml"), _values("production.yaml")
    assert "jeeves" not in (production.get("namespaces") or {})
    assert not {"jeeves-run-manager", "jeeves-postgresql", "transcoder"} & set(production.get("workloads") or {})
    q = parse_quantity
    manager = base["workloads"]["jeeves-run-manager"]
    sidecar = base["transcoder"]["resources"]
    postgres = base["workloads"]["jeeves-postgresql"]
    quota = base["namespaces"]["jeeves"]["quota"]
    instances = base["databases"]["instances"]                         # 3
    db_sidecar = base["databases"]["sidecar_resources"]
    check = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}
    peak = manager["autoscaling"]["max_replicas"]                      # 10
    surge = -(-peak * int(base["rollout"]["max_surge"].rstrip("%")) // 100)  # ceil(10 * 25%) = 3
    pods = peak + surge                                                # 13 run-manager pods
    expected = {}
    for which in ("requests", "limits"):
        for res in ("cpu", "memory"):
            per_pod = q(manager["resources"][which][res]) + q(sidecar[which][res])
            instance = q(postgres["resources"][which][res]) + q(db_sidecar[which][res])
            expected[f"{which}.{res}"] = (pods * per_pod + instances * instance + q(check[which][res]),
                                          q(quota[f"{which}_{res}"]))
    expected["pods"] = (Fraction(pods + instances + 1), q(quota["pods"]))
    expected["requests.storage"] = (instances * q(postgres["storage"]), q(quota["requests_storage"]))
    # today: 8450m / 10, 24200m / 26, 16064Mi / 19Gi, 41088Mi / 43Gi, 17 / 20 pods, 60Gi / 100Gi
    assert expected["limits.cpu"][0] == Fraction(121, 5)
    got = _headroom(docs_of(rendered / "production")["inventory.md"], "jeeves")
    for key, (used, hard) in expected.items():
        assert got[key] == (used, hard, hard - used), key


def test_jeeves_workload_row(rendered):
    inventory = docs_of(rendered / "production")["inventory.md"]
    (row,) = [r for r in rows(section(inventory, "Workloads")) if r[:2] == ["jeeves", "Deployment/jeeves-run-manager"]]
    assert row[3] == "2–10 (HPA jeeves-run-manager-hpa)"
    assert row[4] == "10 + 3 surge"
    assert row[5] == "300m CPU, 640Mi" and row[6] == "1500m CPU, 2560Mi"
    assert "`voyager/jeeves:1.14.2`" in row[2] and "`voyager/envoy-transcoder:1.31.2`" in row[2]


def test_backups_and_routes_in_production(rendered):
    inventory = docs_of(rendered / "production")["inventory.md"]
    backups = section(inventory, "Backups")
    (schedule,) = [r for r in rows(backups) if r[0] == "velero/daily-backup"]
    # Vault's raft claims are Velero's; CloudNativePG archives the databases.
    assert "vault" in schedule[3].split(", ")
    volumes = {(r[0], r[1]): r[-1] for r in rows(backups) if r[1].startswith("StatefulSet/")}
    assert volumes[("vault", "StatefulSet/vault")] == "daily-backup (snapshot)"
    routes = {r[1]: r for r in rows(section(inventory, "Public routes"))}
    assert routes["jeeves-run-manager.voyager.example.com"][3] == "jeeves/jeeves-run-manager:8081"
    assert routes["customer-*.voyager.example.com"][0].startswith("customer-* ×")


# --- planted changes ----------------------------------------------------------------------------

@pytest.fixture
def production(rendered, tmp_path) -> Path:
    """A writable copy of production, without its docs."""
    copy = copy_tree(rendered / "production", tmp_path / "production")
    shutil.rmtree(copy / DOCS_DIR)
    return copy


def test_removed_workload_leaves_inventory_and_map(rendered, production):
    before = docs_of(rendered / "production")
    assert "Deployment/triage" in before["inventory.md"]
    assert "n_triage_triage" in before["network.md"]
    for name in ("deployment-triage.yaml", "horizontalpodautoscaler-triage-hpa.yaml"):
        (production / "triage" / name).unlink(missing_ok=True)
    write_docs(production)
    after = docs_of(production)
    assert "Deployment/triage" not in after["inventory.md"]
    assert "n_triage_triage" not in after["network.md"]
    assert "triage/triage |" not in after["network.md"]
    # triage's quota no longer holds its pods: the headroom grows by what it used.
    assert _headroom(after["inventory.md"], "triage")["pods"][0] == 0
    # Its policies now select nothing: listed, not drawn as a phantom pod.
    assert ("| triage | app=triage, component=retry-handler | jeeves/jeeves-run-manager-ingress, "
            "triage/triage-egress, triage/triage-ingress |") in after["network.md"]


def test_removed_network_policy_changes_the_map(rendered, production):
    """Without jarvis's egress policy, default-deny stops its calls to jeeves and Kafka."""
    edge = "| jarvis/jarvis-spy-interpreter | jeeves/jeeves-run-manager | grpc 8080 |"
    before = docs_of(rendered / "production")["network.md"]
    assert edge in before
    assert "n_jarvis_jarvis_spy_interpreter -->|\"grpc 8080\"| n_jeeves_jeeves_run_manager" in before
    (production / "jarvis" / "networkpolicy-jarvis-spy-interpreter-egress.yaml").unlink()
    write_docs(production)
    after = docs_of(production)["network.md"]
    assert edge not in after
    assert "n_jarvis_jarvis_spy_interpreter -->|\"grpc 8080\"| n_jeeves_jeeves_run_manager" not in after
    assert "| jarvis/jarvis-spy-interpreter | kafka/kafka-cluster |" not in after
    # DNS is still allowed (allow-dns), and jarvis still appears in the graph.
    assert "| jarvis/jarvis-spy-interpreter | kube-system/kube-dns | dns 53/TCP+UDP |" in after
    matrix = rows(section(after, "Matrix"))
    header = matrix[0]
    (jarvis,) = [r for r in matrix if r[0] == "jarvis/jarvis-spy-interpreter"]
    assert jarvis[header.index("jeeves/jeeves-run-manager")] == ""


def test_removed_default_deny_shows_an_unisolated_workload(production):
    for name in ("networkpolicy-default-deny-all.yaml", "networkpolicy-allow-dns.yaml",
                 "networkpolicy-bifrost-egress.yaml"):
        (production / "bifrost" / name).unlink()
    write_docs(production)
    network = docs_of(production)["network.md"]
    assert ("bifrost/bifrost", "egress") in {(r[0], r[1]) for r in rows(section(network, "Isolation"))}
    assert "| bifrost/bifrost | internet |" not in network  # ungoverned on both ends: not drawn


def test_a_customer_with_its_own_image_is_its_own_shape(production):
    path = production / "customer-hooli" / "deployment-book.yaml"
    path.write_text(path.read_text().replace("image: voyager/book:1.9.3", "image: voyager/book:2.0.0-rc1"))
    write_docs(production)
    docs = docs_of(production)
    shapes = rows(section(docs["inventory.md"], "Customer namespaces"))
    assert shapes[1:] == [["A", "4", "customer-acme, customer-globex, customer-initech, customer-umbrella"],
                          ["B", "1", "customer-hooli"]]
    workloads = [r for r in rows(section(docs["inventory.md"], "Workloads")) if r[0].startswith("customer-*")]
    assert [(r[0], "2.0.0-rc1" in r[2]) for r in workloads] == [("customer-* ×4 [A]", False),
                                                                 ("customer-* ×1 [B]", True)]
    # The network map did not change shape: same edges, one group.
    assert "customer-* (5)" in docs["network.md"]


def test_anywhere_and_ip_blocks(tmp_path):
    """A rule without peers opens a port to every source; ipBlocks are address nodes."""
    env = tmp_path / "lab"
    ns = "shop"

    def put(directory: str, obj: dict) -> None:
        (env / directory).mkdir(parents=True, exist_ok=True)
        (env / directory / f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml").write_text(yaml.safe_dump(obj))

    put("cluster", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": ns, "labels": {"kubernetes.io/metadata.name": ns, "pod-security.kubernetes.io/enforce": "baseline"}}})
    put(ns, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
                 "metadata": {"labels": {"app": "web"}},
                 "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                          "ports": [{"name": "http", "containerPort": 8080}],
                                          "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}}})
    put(ns, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
             "metadata": {"name": "web", "namespace": ns},
             "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"],
                      "ingress": [{"ports": [{"port": "http"}]}],
                      "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]},
                                 {"to": [{"ipBlock": {"cidr": "10.0.0.0/16"}}], "ports": [{"port": 6443}]},
                                 {"to": [{"ipBlock": {"cidr": "192.168.5.0/24"}}], "ports": [{"port": 5432}]}]}})
    write_docs(env)
    docs = docs_of(env)
    edges = {(r[0], r[1], r[2]) for r in rows(section(docs["network.md"], "Edges and the policies that allow them"))}
    assert ("anywhere", "shop/web", "http 8080") in edges
    assert ("shop/web", "internet", "https 443") in edges
    assert ("shop/web", "kubernetes-api (10.0.0.0/16)", "kubernetes-api 6443") in edges
    assert ("shop/web", "192.168.5.0/24", "postgresql 5432") in edges
    nodes, subgraphs, mermaid_edges = check_mermaid(mermaid_block(docs["network.md"]))
    assert all(s in nodes | subgraphs and d in nodes | subgraphs for s, d in mermaid_edges)
    inventory = docs["inventory.md"]
    assert "| shop | Deployment/web | `nginx:1.27` | 2 | 2 + 1 surge | 100m CPU, 64Mi | unset CPU, unset |" in inventory
    assert "baseline" in inventory and "No Velero Schedule is rendered" in inventory


def test_loader_shape_cache_is_exact_with_awkward_names(tmp_path):
    """Names whose bare id is a YAML word, a number-ish word, or a prefix of another."""
    env = tmp_path / "lab"
    names = ["customer-on", "customer-yes", "customer-a", "customer-ab", "customer-e5", "customer-x1"]
    for name in names:
        ident = name.partition("-")[2]
        (env / name).mkdir(parents=True)
        body = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: {name}\n"
                f"data:\n  a: {ident}\n  b: {name}\n  c: 1{ident}\n  d: '{ident}'\n  e: {ident}.{ident}\n"
                f"  f: customer {ident} here\n  g: [{ident}, {name}-x, x-{ident}]\n")
        (env / name / "configmap-c.yaml").write_text(body)
        (env / name / "resourcequota-q.yaml").write_text(
            f"apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n  namespace: {name}\n"
            f"spec:\n  hard:\n    pods: {len(name)}\n    requests.cpu: {ident if ident[0].isdigit() else '1'}\n")
    ours = read_tree(env, every_kind=True)
    theirs, errors = load_objects(env)
    assert not errors
    assert [(o.file, o.data) for o in ours.objects] == [(o.file, o.data) for o in theirs]


# --- scale and the render itself -----------------------------------------------------------------

def test_a_thousand_customers_are_summarised_fast(rendered, tmp_path):
    """1,000 copies of customer-acme (names changed) added to production: the docs
    stay one row per shape (how long they take is scripts/benchmark.py's to measure)."""
    env = copy_tree(rendered / "production", tmp_path / "production")
    shutil.rmtree(env / DOCS_DIR)
    template = {p.name: p.read_text() for p in (env / "customer-acme").glob("*.yaml")}
    namespace = (env / "cluster" / "namespace-customer-acme.yaml").read_text()
    app = (env / "argocd" / "application-production-customer-acme.yaml").read_text()
    for i in range(1, 1001):
        name = f"customer-c{i:04d}"

        def rename(text: str, name: str = name) -> str:
            return text.replace("customer-acme", name).replace("customer acme", name.replace("-", " "))

        (env / name).mkdir()
        for file, text in template.items():
            (env / name / file).write_text(rename(text))
        (env / "cluster" / f"namespace-{name}.yaml").write_text(rename(namespace))
        (env / "argocd" / f"application-production-{name}.yaml").write_text(rename(app))
    docs = render_docs(env)
    inventory = docs["inventory.md"]
    assert "1005 customer namespaces" in inventory
    assert len([r for r in rows(section(inventory, "Workloads")) if r[0].startswith("customer-*")]) == 1
    # Platform policies name each customer they admit, so the copies (not named
    # there) have fewer edges than acme and its peers: two groups in the map.
    assert "customer-* (1000) [A]" in docs["network.md"] and "customer-* (5) [B]" in docs["network.md"]
    assert len(inventory) + len(docs["network.md"]) < 200_000


def test_check_fails_on_stale_docs(rendered, tmp_path):
    out = copy_tree(rendered, tmp_path / "dist")
    stale = out / "staging" / DOCS_DIR / "network.md"
    stale.write_text(stale.read_text() + "\nhand edit\n")
    (out / "production" / DOCS_DIR / "inventory.md").unlink()
    proc = run_main("--outdir", out, "--check")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "changed: staging/docs/network.md" in proc.stderr
    assert "added: production/docs/inventory.md" in proc.stderr


def test_a_namespace_named_docs_is_refused(tmp_path):
    env = tmp_path / "lab"
    (env / DOCS_DIR).mkdir(parents=True)
    (env / DOCS_DIR / "configmap-x.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    from lib.errors import VoyagerError
    with pytest.raises(VoyagerError, match="namespace named 'docs'"):
        write_docs(env)
