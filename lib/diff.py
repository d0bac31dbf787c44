"""What a merge would change in a rendered environment, object by object.

Pure Python on YAML trees (``dist/<env>/``): objects are matched by
(kind, namespace, name); for a changed object every changed field is listed
with its old and new value, like ``helm diff``. Lists whose items all carry
a ``name`` (containers, ports, env, volumes...) are matched by name, so
inserting one container does not show every later one as changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .validate.model import load_objects

ABSENT = object()
_MAX_VALUE = 160


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: object
    new: object

    def line(self) -> str:
        return f"{self.path}: {show(self.old)} → {show(self.new)}"


@dataclass
class ObjectChange:
    key: str  # Kind/namespace/name
    status: str  # added | removed | changed
    fields: list[FieldChange] = field(default_factory=list)
    file: str = ""


@dataclass
class EnvDiff:
    env: str
    changes: list[ObjectChange] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)


def show(value) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=False, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def object_key(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    kind = obj.get("kind", "?")
    return f"{kind}/{ns}/{meta.get('name')}" if ns else f"{kind}/{meta.get('name')}"


def objects_of(env_dir: Path) -> dict[str, tuple[dict, str]]:
    """key -> (object, file) for every object of a rendered environment."""
    out: dict[str, tuple[dict, str]] = {}
    if not Path(env_dir).is_dir():
        return out
    objects, _ = load_objects(env_dir)
    for obj in objects:
        out[object_key(obj.data)] = (obj.data, obj.file)
    return out


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = str(key)
    simple = key.replace("-", "").replace("_", "").isalnum()
    if not simple:
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _named(items: list) -> bool:
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return False
    names = [i["name"] for i in items]
    return len(set(names)) == len(names)


def field_changes(old, new, path: str = "") -> list[FieldChange]:
    """Every leaf-level difference between two values, with its path."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[FieldChange] = []
        for key in list(old) + [k for k in new if k not in old]:
            out += field_changes(old.get(key, ABSENT), new.get(key, ABSENT), _join(path, key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        if old == new:
            return []
        if _named(old) and _named(new):
            out = []
            olds = {i["name"]: i for i in old}
            news = {i["name"]: i for i in new}
            for name in list(olds) + [n for n in news if n not in olds]:
                out += field_changes(olds.get(name, ABSENT), news.get(name, ABSENT), f"{path}[name={name}]")
            if not out and [i["name"] for i in old] != [i["name"] for i in new]:
                out.append(FieldChange(f"{path} (order)", [i["name"] for i in old], [i["name"] for i in new]))
            return out
        if len(old) == len(new):
            out = []
            for i, (a, b) in enumerate(zip(old, new)):
                out += field_changes(a, b, _join(path, i))
            return out
        return [FieldChange(path, old, new)]
    if old is ABSENT and new is ABSENT:
        return []
    if type(old) is not type(new) or old != new:
        return [FieldChange(path, old, new)]
    return []


def diff_objects(old: dict[str, tuple[dict, str]], new: dict[str, tuple[dict, str]]) -> list[ObjectChange]:
    """Added, removed and changed objects between two keyed object maps."""
    out: list[ObjectChange] = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            out.append(ObjectChange(key, "added", file=new[key][1]))
        elif key not in new:
            out.append(ObjectChange(key, "removed", file=old[key][1]))
        else:
            changes = field_changes(old[key][0], new[key][0])
            if changes:
                out.append(ObjectChange(key, "changed", changes, file=new[key][1]))
    return out


def diff_trees(committed: Path, rendered: Path, env: str) -> EnvDiff:
    return EnvDiff(env, diff_objects(objects_of(Path(committed) / env), objects_of(Path(rendered) / env)))


_MARK = {"added": "+", "removed": "-", "changed": "~"}


def format_diff(diffs: list[EnvDiff], max_fields: int = 50) -> list[str]:
    lines: list[str] = []
    for d in diffs:
        for change in d.changes:
            lines.append(f"{d.env}: {_MARK[change.status]} {change.key}"
                         + (f"  ({change.status})" if change.status != "changed" else ""))
            for fc in change.fields[:max_fields]:
                lines.append(f"    {fc.line()}")
            if len(change.fields) > max_fields:
                lines.append(f"    ... {len(change.fields) - max_fields} more fields")
    return lines


def summary(diffs: list[EnvDiff]) -> str:
    added = sum(d.count("added") for d in diffs)
    removed = sum(d.count("removed") for d in diffs)
    changed = sum(d.count("changed") for d in diffs)
    return f"{added} added, {removed} removed, {changed} changed"
