"""Load an environment's values: resolve ``extends``, validate, freeze.

A values file may name a parent with ``extends: <name>``; mappings merge key by
key (the child wins), lists and scalars are replaced whole. Each key remembers
the file that set it, so an error names the file a user has to edit.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ValuesError, format_path
from .models import Environment

VALUES_DIR = Path(__file__).resolve().parent.parent / "values"

# Files that only exist to be inherited from; they are not environments.
_ABSTRACT = {"base"}


def available_environments(values_dir: Path = VALUES_DIR) -> list[str]:
    """Environments in a values directory, in name order (base files excluded)."""
    return sorted(
        p.stem for p in values_dir.glob("*.yaml") if p.stem not in _ABSTRACT
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (YAML keeps the last)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            # Every key of a values file is a name; 1, yes, ~, 2024-01-01 or [a]
            # would be an int, bool, None, date or (unhashable) list here.
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is not a string (quote it)", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _read(path: Path) -> dict[str, Any]:
    shown = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValuesError(shown, "", f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ValuesError(shown, "", f"not UTF-8 text: byte {exc.start}: {exc.reason}") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
        raise ValuesError(shown, "", f"malformed YAML: {where}{problem}") from None
    except RecursionError:
        raise ValuesError(shown, "", "malformed YAML: nested too deeply") from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors raise these for a bad explicit tag or scalar
        # (!!int 0b2, !!bool maybe, !!timestamp x, an integer of 5,000 digits).
        raise ValuesError(shown, "", f"malformed YAML: cannot read a value: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValuesError(shown, "", f"must be a mapping of keys, not {type(data).__name__}")
    return data


def _merge(base: Any, over: Any, origin: dict, file: str, loc: tuple) -> Any:
    """Deep-merge ``over`` onto ``base``, recording in ``origin`` who set each key."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base.get(key), value, origin, file, loc + (key,))
        return out
    origin[loc] = file
    return over


class LoadedEnvironment:
    """The validated model plus where each value came from (for later errors)."""

    def __init__(self, model: Environment, origin: dict[tuple, str], chain: list[str]):
        self.model = model
        self._origin = origin
        self.chain = chain

    def file_of(self, loc: tuple) -> str:
        """The last file (in inheritance order) that set ``loc`` or a key below it;
        else the file that set its nearest parent key."""
        loc = tuple(loc)
        below = [f for key, f in self._origin.items() if key[:len(loc)] == loc]
        if below:
            return max(below, key=self.chain.index)
        for end in range(len(loc), -1, -1):
            found = self._origin.get(tuple(loc[:end]))
            if found:
                return found
        return self.chain[-1]

    def error(self, loc: tuple, message: str) -> ValuesError:
        return ValuesError(self.file_of(loc), format_path(loc), message)


def _suggest(model: type[BaseModel] | None, key: str) -> str:
    if model is None:
        return ""
    close = difflib.get_close_matches(str(key), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``loc`` (for 'did you mean')."""
    model: Any = Environment
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            # A list index or dict key: _unwrap already stepped into the item model.
            continue
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / list[X] / dict[K, X] -> X, for walking the model tree."""
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    if args and not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return _unwrap(args[-1])
    return annotation


def _explain(error: dict) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}{_suggest(_model_at(loc[:-1]), loc[-1])}"
    if kind == "missing":
        return "required key is missing"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    got = error.get("input")
    if kind.endswith("_type") or kind in {"literal_error", "enum"}:
        return f"{message} (got {got!r})"
    return message


def load_environment(name: str, values_dir: Path = VALUES_DIR) -> LoadedEnvironment:
    """Load ``<values_dir>/<name>.yaml`` with its ``extends`` chain, validated."""
    values_dir = Path(values_dir)
    known = available_environments(values_dir)
    if name not in known:
        raise ValuesError(
            _display(values_dir),
            "",
            f"unknown environment {name!r} (known: {', '.join(known) or 'none'})",
        )
    chain: list[tuple[str, dict]] = []
    current: str | None = name
    while current is not None:
        path = values_dir / f"{current}.yaml"
        if any(p == str(path) for p, _ in chain):
            cycle = " -> ".join([Path(p).stem for p, _ in chain] + [current])
            raise ValuesError(_display(Path(chain[-1][0])), "extends", f"inheritance loops: {cycle}")
        try:
            exists = path.exists()
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte
            exists = False
        if not exists:
            child = chain[-1][0] if chain else _display(values_dir)
            raise ValuesError(_display(Path(child)), "extends", f"no values file {current!r}")
        data = _read(path)
        parent = data.pop("extends", None)
        if parent is not None and not isinstance(parent, str):
            raise ValuesError(_display(path), "extends", f"must be a file name, got {parent!r}")
        chain.append((str(path), data))
        current = parent

    origin: dict[tuple, str] = {}
    merged: dict = {}
    files = [_display(Path(p)) for p, _ in reversed(chain)]
    for (path, data), shown in zip(reversed(chain), files):
        merged = _merge(merged, data, origin, shown, ())
    merged.setdefault("name", name)
    origin.setdefault(("name",), files[-1])
    if merged["name"] != name:
        raise ValuesError(
            origin.get(("name",), files[-1]), "name",
            f"is {merged['name']!r} but the file is {name}.yaml; they must agree",
        )

    try:
        model = Environment.model_validate(merged)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt key also makes its right spelling "missing": name the typo.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        loaded = LoadedEnvironment(Environment.model_construct(), origin, files)
        raise loaded.error(loc, _explain(first)) from None
    return LoadedEnvironment(model, origin, files)
