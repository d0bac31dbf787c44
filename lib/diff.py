"""What a merge would change in a rendered environment, object by object.

Pure Python on YAML trees (``dist/<env>/``): objects are matched by
(kind, namespace, name); for a changed object every changed field is listed
with its old and new value, like ``helm diff``. Lists are compared item by
item: items that all carry a ``name`` (containers, ports, env, volumes...),
or another key unique in both lists (a destination's ``namespace``), are
matched by it, so inserting one container does not show every later one as
changed; other lists (NetworkPolicy rules, Velero's namespaces) are aligned
like ``diff`` aligns lines, and each added, removed or changed item is listed
with its index. A long value is cut around its first difference, so the old
and new text never read the same.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .validate.model import load_objects

ABSENT = object()
_MAX_VALUE = 160
_MAX_ITEM = 800


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: object
    new: object

    def line(self) -> str:
        old, new = show_pair(self.old, self.new)
        return f"{self.path}: {old} → {new}"


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


def _text(value) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, sort_keys=False, ensure_ascii=False, default=str)


def show(value, limit: int = _MAX_VALUE) -> str:
    text = _text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_pair(old, new) -> tuple[str, str]:
    """Both values as text; when long, both cut to the same window around their
    first difference (so two different values never show the same text)."""
    if old is ABSENT or new is ABSENT:
        # An added or removed item: the one side is all there is to read.
        return show(old, _MAX_ITEM), show(new, _MAX_ITEM)
    a, b = _text(old), _text(new)
    if (len(a) <= _MAX_VALUE and len(b) <= _MAX_VALUE) or a == b:
        return show(old), show(new)
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, first - _MAX_VALUE // 4)

    def cut(text: str) -> str:
        window = text[start:start + _MAX_VALUE]
        return ("…" if start else "") + window + ("…" if start + _MAX_VALUE < len(text) else "")

    return cut(a), cut(b)


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


# Keys that identify a list item when every item of both lists has a
# distinct one, in order of preference.
_ITEM_KEYS = ("name", "key", "namespace", "mountPath", "containerPort", "port", "path", "type")


def _item_key(old: list, new: list) -> str | None:
    items = old + new
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in _ITEM_KEYS:
        values_old = [i.get(key) for i in old]
        values_new = [i.get(key) for i in new]
        if all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values_old + values_new) \
                and len(set(values_old)) == len(old) and len(set(values_new)) == len(new) \
                and (not old or not new or set(values_old) & set(values_new)):
            return key  # (with no key in common there is nothing to match by)
    return None


def _list_changes(old: list, new: list, path: str) -> list[FieldChange]:
    """Item by item: by a natural key when the items have one, else aligned."""
    key = _item_key(old, new)
    if key is not None:
        out: list[FieldChange] = []
        olds = {i[key]: i for i in old}
        news = {i[key]: i for i in new}
        for k in list(olds) + [k for k in news if k not in olds]:
            out += field_changes(olds.get(k, ABSENT), news.get(k, ABSENT), f"{path}[{key}={k}]")
        if not out and [i[key] for i in old] != [i[key] for i in new]:
            out.append(FieldChange(f"{path} (order)", [i[key] for i in old], [i[key] for i in new]))
        return out
    # Align like diff(1) aligns lines; equal runs are skipped, a changed run of
    # the same length is compared position by position (a changed rule shows
    # its changed fields), anything else is removed and added items.
    canon = [json.dumps(i, sort_keys=True, default=str) for i in old], \
        [json.dumps(i, sort_keys=True, default=str) for i in new]
    out = []
    matcher = difflib.SequenceMatcher(a=canon[0], b=canon[1], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = _pair(canon[0][i1:i2], canon[1][j1:j2]) if op == "replace" else []
        paired_old = {i1 + a for a, _ in pairs}
        paired_new = {j1 + b for _, b in pairs}
        for a, b in pairs:
            i, j = i1 + a, j1 + b
            out += field_changes(old[i], new[j], f"{path}[{i}]" if i == j else f"{path}[{i}→{j}]")
        out += [FieldChange(f"{path}[{i}]", old[i], ABSENT) for i in range(i1, i2) if i not in paired_old]
        out += [FieldChange(f"{path}[{j}]", ABSENT, new[j]) for j in range(j1, j2) if j not in paired_new]
    return out


def _pair(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """Within a changed run, which old item became which new one: in order, each
    old item with the most similar later new item, if they are mostly alike."""
    if len(old) == len(new):
        return [(i, i) for i in range(len(old))]
    pairs: list[tuple[int, int]] = []
    after = 0
    for i, a in enumerate(old):
        scored = [(difflib.SequenceMatcher(a=a, b=new[j], autojunk=False).ratio(), j)
                  for j in range(after, len(new))]
        if scored:
            ratio, j = max(scored, key=lambda s: (s[0], -s[1]))
            if ratio >= 0.75:
                pairs.append((i, j))
                after = j + 1
    return pairs


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
        return _list_changes(old, new, path)
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
