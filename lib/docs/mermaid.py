"""Mermaid flowcharts for the generated docs, in a small subset of the syntax.

Every line a :class:`Flowchart` writes is one of: ``flowchart <dir>``
(after a front-matter block setting the layout's node and rank spacing, when
asked), a subgraph ``subgraph <id>["<label>"]`` / ``end``, a node ``<id>["<label>"]``
(``(["…"])`` rounded, ``{{"…"}}`` hexagon), or an edge
``<a> -->|"<label>"| <b>`` (``<a> --> <b>`` without a label). Labels are always quoted (a ``"`` becomes
``#quot;``), ids are ``[A-Za-z][A-Za-z0-9_]*`` with a prefix, so no name can
collide with a keyword (``end``, ``subgraph``) or turn an edge into another
arrow type (``--o``, ``--x``). tests/test_network_map.py renders every block
with the real Mermaid CLI.

A drawn node that no edge touches (its own, or one of a box around it) says
nothing: :meth:`Flowchart.lines` refuses it (:class:`FlowchartError`), so a
generator lists such things as findings in text instead of drawing them.
"""
from __future__ import annotations

import re
from collections.abc import Hashable

SHAPES = {"box": ("[", "]"), "round": ("([", "])"), "hex": ("{{", "}}")}


class FlowchartError(ValueError):
    """A diagram that would mislead (a node on no edge) or not parse (an unknown id)."""


def quote(text: str) -> str:
    return '"' + str(text).replace('"', "#quot;") + '"'


class Flowchart:
    def __init__(self, direction: str = "LR", spacing: tuple[int, int] | None = None):
        self.direction = direction
        self.spacing = spacing  # (nodeSpacing, rankSpacing) in px; None: Mermaid's defaults (50, 50)
        self._ids: dict[Hashable, str] = {}
        self._used: set[str] = set()
        # key -> (label, parent group key or None); insertion order is drawing order
        self.groups: dict[Hashable, tuple[str, Hashable | None]] = {}
        self.nodes: dict[Hashable, tuple[str, str, Hashable | None]] = {}  # key -> (label, shape, group)
        self.edges: dict[tuple[Hashable, Hashable], str | None] = {}

    def _make_id(self, key: Hashable, prefix: str, hint: str) -> str:
        if key in self._ids:
            raise FlowchartError(f"declared twice: {key!r}")
        base = prefix + (re.sub(r"[^A-Za-z0-9]+", "_", hint).strip("_") or "x")
        candidate, n = base, 2
        while candidate in self._used:
            candidate, n = f"{base}_{n}", n + 1
        self._used.add(candidate)
        self._ids[key] = candidate
        return candidate

    def group(self, key: Hashable, label: str, hint: str, parent: Hashable | None = None) -> Hashable:
        if parent is not None and parent not in self.groups:
            raise FlowchartError(f"unknown parent box {parent!r}")
        self._make_id(key, "ns_", hint)
        self.groups[key] = (label, parent)
        return key

    def node(self, key: Hashable, label: str, hint: str, shape: str = "box",
             group: Hashable | None = None, prefix: str = "n_") -> Hashable:
        if shape not in SHAPES:
            raise FlowchartError(f"unknown shape {shape!r}")
        if group is not None and group not in self.groups:
            raise FlowchartError(f"unknown box {group!r}")
        self._make_id(key, prefix, hint)
        self.nodes[key] = (label, shape, group)
        return key

    def edge(self, src: Hashable, dst: Hashable, label: str | None) -> None:
        for end in (src, dst):
            if end not in self._ids:
                raise FlowchartError(f"edge to an undeclared node or box: {end!r}")
        self.edges[(src, dst)] = label

    def id_of(self, key: Hashable) -> str:
        return self._ids[key]

    def unconnected(self) -> list[Hashable]:
        """Nodes that no edge touches, neither their own nor one of a box they are in."""
        touched = {k for pair in self.edges for k in pair}
        out = []
        for key, (_, _, group) in self.nodes.items():
            chain = [key]
            while group is not None:
                chain.append(group)
                group = self.groups[group][1]
            if not touched.intersection(chain):
                out.append(key)
        return out

    def lines(self) -> list[str]:
        """The fenced block, edges sorted by their ids' text (stable)."""
        lonely = self.unconnected()
        if lonely:
            raise FlowchartError("nodes on no edge would be drawn: " + ", ".join(map(str, lonely)))
        out = ["```mermaid"]
        if self.spacing:
            out += ["---", "config:", "  flowchart:", f"    nodeSpacing: {self.spacing[0]}",
                    f"    rankSpacing: {self.spacing[1]}", "---"]
        out.append(f"flowchart {self.direction}")
        children: dict[Hashable | None, list[Hashable]] = {}
        for key, (_, parent) in self.groups.items():
            children.setdefault(parent, []).append(key)
        members: dict[Hashable | None, list[Hashable]] = {}
        for key, (_, _, group) in self.nodes.items():
            members.setdefault(group, []).append(key)
        for pair in self.edges:
            for end in pair:
                if end in self.groups and not self._has_content(end, children, members):
                    raise FlowchartError(f"edge to an empty box: {end!r}")

        def emit(group: Hashable | None, depth: int) -> None:
            indent = "  " * depth
            for key in members.get(group, []):
                label, shape, _ = self.nodes[key]
                left, right = SHAPES[shape]
                out.append(f"{indent}{self._ids[key]}{left}{quote(label)}{right}")
            for sub in children.get(group, []):
                if not self._has_content(sub, children, members):
                    continue
                out.append(f"{indent}subgraph {self._ids[sub]}[{quote(self.groups[sub][0])}]")
                emit(sub, depth + 1)
                out.append(f"{indent}end")

        emit(None, 1)
        for (src, dst), label in sorted(self.edges.items(), key=lambda e: (self._ids[e[0][0]], self._ids[e[0][1]])):
            arrow = "-->" if label is None else f"-->|{quote(label)}|"
            out.append(f"  {self._ids[src]} {arrow} {self._ids[dst]}")
        out.append("```")
        return out

    def _has_content(self, group, children, members) -> bool:
        return bool(members.get(group)) or any(self._has_content(c, children, members)
                                               for c in children.get(group, []))


__all__ = ["SHAPES", "Flowchart", "FlowchartError", "quote"]
