"""Copy production's network overview into README.md (GitHub draws it there).

    python main.py                      # render, which writes dist/production/docs/network.md
    .venv/bin/python -m lib.docs.readme # replace the block between the README's markers

Only the Mermaid block between ``<!-- network-overview:begin ... -->`` and
``<!-- network-overview:end -->`` changes. tests/test_network_map.py fails when
the README's copy differs from a fresh render. The picture stays text: no
image of it is committed.
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BEGIN = "<!-- network-overview:begin"
END = "<!-- network-overview:end -->"


def overview_block(network_md: str) -> str:
    """The fenced Mermaid block under ``## Overview``."""
    start = network_md.index("\n```mermaid\n", network_md.index("\n## Overview\n")) + 1
    end = network_md.index("\n```\n", start) + len("\n```")
    return network_md[start:end]


def update(readme: Path, network_md: Path) -> bool:
    """Replace the README's copy; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme}: no {BEGIN} ... {END} markers")
    head, rest = text.split(BEGIN, 1)
    marker, _, _ = rest.partition("\n")
    _, tail = rest.split(END, 1)
    block = overview_block(network_md.read_text(encoding="utf-8"))
    new = f"{head}{BEGIN}{marker}\n{block}\n{END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str]) -> int:
    dist = Path(argv[0]) if argv else REPO / "dist"
    changed = update(REPO / "README.md", dist / "production" / "docs" / "network.md")
    print("README.md: overview updated" if changed else "README.md: overview already current")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
