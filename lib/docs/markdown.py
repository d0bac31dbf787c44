"""Markdown pieces: tables, escaping, short lists."""
from __future__ import annotations

from typing import Iterable, Sequence


def cell(value, blank: str = "–") -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text if text else blank


def table(headers: Sequence[str], rows: Iterable[Sequence], empty: str = "_none_", blank: str = "–") -> str:
    """A Markdown table; ``empty`` when there are no rows, ``blank`` for empty cells."""
    rows = [list(r) for r in rows]
    if not rows:
        return empty + "\n"
    out = ["| " + " | ".join(cell(h) for h in headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(cell(c, blank) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def code(text: str) -> str:
    return f"`{text}`" if text else ""


def join(items: Iterable[str], limit: int | None = None, sep: str = ", ") -> str:
    items = list(items)
    if limit is not None and len(items) > limit:
        return sep.join(items[:limit]) + f"{sep}… ({len(items) - limit} more)"
    return sep.join(items)
