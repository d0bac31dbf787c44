"""Load an environment's values: resolve ``extends``, validate, freeze.

A values file may name a parent with ``extends: <name>``; mappings merge key by
key (the child wins), lists and scalars are replaced whole. A partial override
(a customer's ``quota``) merges over its default the same way. Each key
remembers the file that set it, so an error names the file a user has to edit:
the one holding the offending key, not the environment that happened to load
it. Given the catalog's names, keys under ``workloads:`` and ``namespaces:``
must name something the catalog declares.
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ValuesError, format_path
from .models import Environment

VALUES_DIR = Path(__file__).resolve().parent.parent / "values"

# Files that only exist to be inherited from; they are not environments.
_ABSTRACT = {"base"}

# Partial overrides that merge over a default elsewhere in the values, as the
# inheritance does: (where the override sits, where its default is). ``*``
# matches any list index or mapping key.
_DEFAULTS = (
    (("customers", "*", "quota"), ("quotas", "customer")),
    (("namespaces", "*", "quota"), ("quotas", "service")),
)


@dataclass(frozen=True)
class Inventory:
    """The names the catalog declares, as far as values refer to them.

    Config never imports the catalog (the arrows run values -> config ->
    catalog); whoever loads for a render passes this in (lib/catalog's
    ``inventory()``), so a key naming nothing in the catalog fails at load.
    """

    workloads: tuple[str, ...]  # sized in every environment
    customer_workloads: tuple[str, ...]  # sized when the environment has customers
    namespaces: tuple[str, ...]  # may carry a ``namespaces.<name>`` override
    workloads_file: str = "lib/catalog/services/"
    namespaces_file: str = "lib/catalog/namespaces.py"


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


def _at(doc: Any, loc: tuple) -> Any:
    """The value at ``loc`` (mapping keys and list indexes), or ``_MISSING``."""
    for part in loc:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and isinstance(part, int) and 0 <= part < len(doc):
            doc = doc[part]
        else:
            return _MISSING
    return doc


_MISSING = object()


def _with_defaults(merged: dict) -> dict:
    """Merge each partial override over its default (``_DEFAULTS``), in place."""
    for where, default_loc in _DEFAULTS:
        default = _at(merged, default_loc)
        if not isinstance(default, dict):
            continue
        for parent in _expand(merged, where[:-1]):
            node = _at(merged, parent)
            key = where[-1]
            if isinstance(node, dict) and isinstance(node.get(key), dict):
                node[key] = _merge(default, node[key], {}, "", ())
    return merged


def _expand(doc: Any, pattern: tuple) -> list[tuple]:
    """Every concrete location matching ``pattern`` (``*``: any key or index)."""
    found: list[tuple] = [()]
    for part in pattern:
        nxt = []
        for loc in found:
            node = _at(doc, loc)
            if part != "*":
                nxt.append(loc + (part,))
            elif isinstance(node, dict):
                nxt += [loc + (k,) for k in node]
            elif isinstance(node, list):
                nxt += [loc + (i,) for i in range(len(node))]
        found = nxt
    return found


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


def _chain(name: str, values_dir: Path) -> list[tuple[str, dict]]:
    """``name``'s file and its ``extends`` ancestors, child first: (path, data)."""
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
    return chain


def ancestors(name: str, values_dir: Path = VALUES_DIR) -> list[str]:
    """The environments ``name`` inherits from, nearest first (``base`` included)."""
    return [Path(p).stem for p, _ in _chain(name, Path(values_dir))[1:]]


def _holds(data: Any, loc: tuple) -> bool:
    """Whether one file's data sets ``loc`` (or a list above it, replaced whole)."""
    for part in loc:
        if isinstance(data, list):
            return True
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


class _Layers:
    """The files of one environment, parent first, to say which one holds a key."""

    def __init__(self, name: str, layers: list[tuple[str, dict]]):
        self.name = name
        self.layers = layers  # (displayed file, data without ``extends``)

    def merged(self, upto: int | None = None) -> tuple[dict, dict]:
        origin: dict[tuple, str] = {}
        merged: dict = {}
        for shown, data in self.layers[:upto]:
            merged = _merge(merged, data, origin, shown, ())
        merged.setdefault("name", self.name)
        return merged, origin

    def introduced(self, loc: tuple) -> str | None:
        """The first file (parent first) that sets ``loc``."""
        return next((shown for shown, data in self.layers if _holds(data, loc)), None)

    def culprit(self, loc: tuple, message: str) -> str | None:
        """For a check of the mapping at ``loc`` (limits below requests, both
        scalers set, ...): the last file touching ``loc`` in the shortest
        prefix of the chain that already fails with ``message``. A mistake in
        base.yaml stays base.yaml's, whichever environment loads it."""
        model = _model_at(loc)
        if model is None:
            return None
        for upto in range(1, len(self.layers) + 1):
            merged, _ = self.merged(upto)
            value = _at(_with_defaults(copy.deepcopy(merged)), loc)
            if not isinstance(value, dict):
                continue
            try:
                model.model_validate(value)
            except ValidationError as exc:
                if any(not e["loc"] and e["msg"] == message for e in exc.errors(include_url=False)):
                    touching = [shown for shown, data in self.layers[:upto] if _holds(data, loc)]
                    return touching[-1] if touching else None
        return None


def _check_inventory(merged: dict, layers: _Layers, inventory: Inventory) -> None:
    """Keys that name a workload or namespace the catalog does not declare, and
    catalog workloads the values do not size (before the models judge shapes:
    the sizing of a misspelt workload is 'missing' only because of the typo)."""
    sections = (
        ("workloads", inventory.workloads + inventory.customer_workloads, "workload",
         inventory.workloads_file),
        ("namespaces", inventory.namespaces, "namespace", inventory.namespaces_file),
    )
    for section, known, what, where in sections:
        keys = merged.get(section)
        if not isinstance(keys, dict):
            continue
        for key in keys:
            if isinstance(key, str) and key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                loc = (section, key)
                raise ValuesError(layers.introduced(loc) or layers.layers[-1][0], format_path(loc),
                                  f"unknown {what} {key!r}{hint} ({what}s are declared in {where})")
    sized = merged.get("workloads")
    if not isinstance(sized, dict):
        return
    needed = inventory.workloads + (inventory.customer_workloads if merged.get("customers") else ())
    root = layers.layers[0]
    for workload in needed:
        entry = sized.get(workload, _MISSING)
        # Sized nowhere, or only partly by an overlay (production-dr lowering an
        # HPA minimum) while the file every environment inherits has nothing.
        if entry is _MISSING or (isinstance(entry, dict) and "image" not in entry
                                 and not _holds(root[1], ("workloads", workload))):
            raise ValuesError(layers.introduced(("workloads",)) or root[0],
                              format_path(("workloads", workload)),
                              "missing: every workload of the catalog needs its image and sizing here")


def _check_references(loaded: "LoadedEnvironment") -> None:
    """Values that name other values: a workload's node pool must exist."""
    env = loaded.model
    if not env.cluster.dedicated_node_pools:
        return
    for name, workload in env.workloads.items():
        if workload.node_pool and workload.node_pool not in env.node_pools:
            raise loaded.error(("workloads", name, "node_pool"),
                               f"node pool {workload.node_pool!r} is not defined under node_pools "
                               f"(defined: {', '.join(sorted(env.node_pools)) or 'none'})")
    for pool in ("compute", "database"):
        if pool not in env.node_pools:
            raise loaded.error(("node_pools",), f"needs the {pool!r} pool (or set "
                               "cluster.dedicated_node_pools: false)")


def load_environment(name: str, values_dir: Path = VALUES_DIR,
                     inventory: Inventory | None = None) -> LoadedEnvironment:
    """Load ``<values_dir>/<name>.yaml`` with its ``extends`` chain, validated.

    With ``inventory`` (what the catalog declares), keys under ``workloads:``
    and ``namespaces:`` must name something the catalog declares, and every
    catalog workload must be sized.
    """
    values_dir = Path(values_dir)
    known = available_environments(values_dir)
    if name not in known:
        raise ValuesError(
            _display(values_dir),
            "",
            f"unknown environment {name!r} (known: {', '.join(known) or 'none'})",
        )
    chain = _chain(name, values_dir)
    layers = _Layers(name, [(_display(Path(p)), data) for p, data in reversed(chain)])
    files = [shown for shown, _ in layers.layers]
    merged, origin = layers.merged()
    origin.setdefault(("name",), files[-1])
    if merged["name"] != name:
        raise ValuesError(
            origin.get(("name",), files[-1]), "name",
            f"is {merged['name']!r} but the file is {name}.yaml; they must agree",
        )
    if inventory is not None:
        _check_inventory(merged, layers, inventory)

    resolved = _with_defaults(copy.deepcopy(merged))
    try:
        model = Environment.model_validate(resolved)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt key also makes its right spelling "missing": name the typo.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        loaded = LoadedEnvironment(Environment.model_construct(), origin, files)
        file = None
        if first["type"] == "missing":
            # The file that brought in the mapping lacking the key.
            file = layers.introduced(loc[:-1])
        elif isinstance(_at(resolved, loc), dict):
            file = layers.culprit(loc, first["msg"])
        if file is None:
            raise loaded.error(loc, _explain(first)) from None
        raise ValuesError(file, format_path(loc), _explain(first)) from None
    loaded = LoadedEnvironment(model, origin, files)
    _check_references(loaded)
    return loaded
