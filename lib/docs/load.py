"""Read a rendered environment back, fast enough for every render.

A render itself does not read its files back: it hands over the objects it
just wrote (:func:`tree_from_objects`, the same Tree; compared in
tests/test_performance_plumbing.py). :func:`read_tree` serves every other
tree: dist/ as committed, a hand-edited one, docs regenerated on their own.

The docs need a few kinds only (workloads, autoscalers, quotas, policies,
routes, backups, Argo CD), and file names say the kind (``<kind>-<name>.yaml``),
so files of other kinds are not parsed at all. Parsing YAML is the cost:
1,000 customers are ~15 MB, ~8 s for PyYAML's C loader. But customer
namespaces are the same files with another name in them, so each file is
parsed once per *shape*: the name it varies by (its namespace) is swapped for
a placeholder, the placeholder text is parsed once, and every member gets
its own copy with its own name back (a JSON round trip, ~50x cheaper than
YAML). That is exact, not a guess:

- replacing X by S and then S by X gives back the same strings, provided S
  does not occur in the file (checked);
- both names start with a letter and contain a hyphen and two letters, so no
  YAML scalar that contains one can resolve to anything but a string (no
  number, boolean, null or timestamp has a hyphen between two letters);
  the same holds for the bare id after the hyphen ("acme", as descriptions
  use it) replaced as a whole word, unless it is a YAML boolean or null;
- the template must survive ``json.loads(json.dumps(...))`` unchanged
  (checked once per template; otherwise the file is parsed directly).

tests/test_docs.py compares the result with lib.validate.model.load_objects.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable

import yaml

from ..validate.model import DOCS_DIR, KUSTOMIZATION, Obj, Tree, _Loader


# Kinds whose files the docs never read (lower-cased, as in file names).
# Anything else (including unknown prefixes) is parsed and filtered by kind.
SKIPPED_KINDS = frozenset({
    "serviceaccount", "servicemonitor", "podmonitor", "verticalpodautoscaler", "poddisruptionbudget",
    "externalsecret", "secretstore", "clustersecretstore", "role", "rolebinding", "clusterrole",
    "clusterrolebinding", "configmap", "secret", "priorityclass", "storageclass",
    "triggerauthentication", "clustertriggerauthentication", "securitypolicy", "gateway",
    "gatewayclass", "service", "endpoints", "customresourcedefinition", "prometheusrule",
})

_PLACEHOLDER = "zqxdocs-shape-placeholder-xqz"
_ID_PLACEHOLDER = "zqxdocsidplaceholderxqz"
# YAML 1.1 booleans and nulls (case-insensitively): words that are no strings.
_YAML_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})
_TEMPLATE_SAFE = re.compile(r"^[a-z][a-z0-9-]*-[a-z0-9-]*$")

# canonical bytes -> JSON text of the parsed template (or None: not templatable)
_TEMPLATES: dict[bytes, str | None] = {}
# raw bytes -> parsed documents (shared, read-only)
_PARSED: dict[bytes, list] = {}
_CACHE_LIMIT = 50_000


def _templatable(name: str) -> bool:
    return bool(_TEMPLATE_SAFE.match(name)) and sum(c.isalpha() for c in name) >= 2


def _parse(raw: bytes) -> list:
    docs = _PARSED.get(raw)
    if docs is None:
        docs = [d for d in yaml.load_all(raw, Loader=_Loader) if d is not None]
        if len(_PARSED) > _CACHE_LIMIT:
            _PARSED.clear()
        _PARSED[raw] = docs
    return docs


def _ident(name: str) -> bytes | None:
    """The part of a name after its first hyphen ("acme" of "customer-acme"),
    which free text such as a description uses; None when unsafe to replace
    (it must start with a letter and not be a YAML boolean or null)."""
    ident = name.partition("-")[2]
    if not ident or not ident[0].isalpha() or ident.lower() in _YAML_WORDS:
        return None
    return ident.encode()


def _replace_words(data: bytes, word: bytes, by: bytes) -> bytes:
    """``word`` replaced where it stands alone: never next to a letter, digit,
    "_", "." or "-". Such a word can only turn a scalar into something other
    than a string if it is a YAML boolean or null itself (excluded)."""
    start = data.find(word)
    if start < 0:
        return data
    out, last, size = [], 0, len(word)
    while start >= 0:
        before = data[start - 1:start]
        after = data[start + size:start + size + 1]
        if not (before and (before.isalnum() or before in b"_.-")) and \
                not (after and (after.isalnum() or after in b"_.-")):
            out.append(data[last:start])
            out.append(by)
            last = start + size
        start = data.find(word, start + size)
    out.append(data[last:])
    return b"".join(out)


def _via_template(raw: bytes, name: str) -> list | None:
    """The file's documents, parsed once per shape; None when that is not exact."""
    token = name.encode()
    if token not in raw or _PLACEHOLDER.encode() in raw or _ID_PLACEHOLDER.encode() in raw:
        return None
    canonical = raw.replace(token, _PLACEHOLDER.encode())
    ident = _ident(name)
    if ident is not None:
        canonical = _replace_words(canonical, ident, _ID_PLACEHOLDER.encode())
    text = _TEMPLATES.get(canonical, "")
    if text == "":
        docs = [d for d in yaml.load_all(canonical, Loader=_Loader) if d is not None]
        try:
            dumped = json.dumps(docs)
            text = dumped if json.loads(dumped) == docs else None
        except (TypeError, ValueError):
            text = None
        if len(_TEMPLATES) > _CACHE_LIMIT:
            _TEMPLATES.clear()
        _TEMPLATES[canonical] = text
    if text is None:
        return None
    if ident is not None:
        text = text.replace(_ID_PLACEHOLDER, ident.decode())
    return json.loads(text.replace(_PLACEHOLDER, name))


def _varying_name(env: str, directory: str, file_name: str, namespaces: set[str]) -> str | None:
    """The name a file varies by across shapes: its namespace directory, or the
    namespace a cluster-scoped / Argo CD object is named after."""
    if directory in namespaces and _templatable(directory) and directory != "argocd":
        return directory
    stem = file_name[:-5] if file_name.endswith(".yaml") else file_name
    _, _, name = stem.partition("-")
    for candidate in (name, name[len(env) + 1:] if name.startswith(f"{env}-") else ""):
        if candidate and candidate in namespaces and _templatable(candidate):
            return candidate
    return None


def wanted(file_name: str) -> bool:
    """Whether the docs read a rendered file of this name (kinds by file-name prefix)."""
    return (file_name.endswith(".yaml") and file_name != KUSTOMIZATION
            and file_name.partition("-")[0] not in SKIPPED_KINDS)


def tree_from_objects(env_root: Path, objects: Iterable[tuple[str, dict]]) -> Tree:
    """The :class:`Tree` :func:`read_tree` would read from ``env_root`` once
    ``objects`` (``<directory>/<file>``, object) are written there: the same
    files, the same order, without writing and parsing the YAML again. A render
    has its objects in memory; the YAML it writes loads back to exactly them
    (tests/test_fastyaml.py), and tests/test_performance_plumbing.py compares
    the docs both ways."""
    split = [(rel.split("/", 1), obj) for rel, obj in objects]
    return Tree(Path(env_root), [
        Obj(obj, f"{directory}/{name}")
        for (directory, name), obj in sorted(split, key=lambda item: item[0])
        if directory != DOCS_DIR and wanted(name) and isinstance(obj, dict) and "kind" in obj
    ])


def read_tree(env_root: Path, every_kind: bool = False) -> Tree:
    """The rendered objects of ``env_root`` as a :class:`Tree` (docs/ and
    kustomizations aside; kinds the docs never read are skipped unless
    ``every_kind``). Unparseable files are left out: validate reports them."""
    env_root = Path(env_root)
    env = env_root.name
    root = str(env_root)
    dirs = sorted(e.name for e in os.scandir(root) if e.is_dir() and e.name != DOCS_DIR) \
        if env_root.is_dir() else []
    namespaces = set(dirs)
    objects: list[Obj] = []
    for directory in dirs:
        for name in sorted(os.listdir(os.path.join(root, directory))):
            if not name.endswith(".yaml") or name == KUSTOMIZATION:
                continue
            if not every_kind and name.partition("-")[0] in SKIPPED_KINDS:
                continue
            with open(os.path.join(root, directory, name), "rb") as handle:
                raw = handle.read()
            docs = None
            varying = _varying_name(env, directory, name, namespaces)
            if varying is not None:
                docs = _via_template(raw, varying)
            if docs is None:
                try:
                    docs = _parse(raw)
                except yaml.YAMLError:
                    continue
            rel = f"{directory}/{name}"
            for doc in docs:
                if isinstance(doc, dict) and "kind" in doc:
                    objects.append(Obj(doc, rel))
    return Tree(env_root, objects)
