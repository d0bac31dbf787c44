"""The whole catalog, checked before anything is built.

A catalog mistake (a workload in a namespace nobody declared, an edge to a
port the target does not serve, a secret nobody reads from Vault, a field its
pattern ignores) would otherwise surface as a ``KeyError`` deep in a render
worker, or not at all: a silently dropped workload. Each check raises
``ValueError`` with one line, ``<catalog file>: <namespace>/<workload>:
<declaration>: <what is wrong>``; the render turns it into exit 2.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from pathlib import Path
from typing import Callable, Iterable

from . import model as M
from . import ports as P
from .model import Namespace, Workload

_LIB = Path(__file__).resolve().parent.parent
NAMESPACES_FILE = "lib/catalog/namespaces.py"
CUSTOMERS_FILE = "lib/catalog/customers.py"
SERVICES_DIR = "lib/catalog/services/"

# What ``external`` may name (lib/platform/network.py turns each into edges).
EXTERNALS = ("kafka", "kubernetes-api", "llm-providers", "aws-kms", "tailscale")

# Fields every pattern takes, and the ones only some patterns use; a field a
# pattern does not use would be dropped without a word, so it is refused.
COMMON_FIELDS = frozenset({"name", "namespace", "pattern", "component", "description",
                           "service_account", "api_rules", "secrets", "talks_to", "external", "app"})
PATTERN_FIELDS: dict[str, frozenset[str]] = {
    "grpc-service": frozenset({"env", "secret_env", "public", "gpu", "writable_paths"}),
    "event-worker": frozenset({"env", "secret_env", "gpu", "writable_paths", "kafka_topic"}),
    "controller": frozenset({"managed_resources", "watch_all_namespaces", "gpu"}),
    "postgresql": frozenset({"database_of"}),
    "tailscale": frozenset({"env", "secret_env"}),
    # The vault pattern sets VAULT_ADDR itself; lib/catalog/services/vault.py
    # repeats it in ``env``, which is therefore accepted (and not rendered).
    "vault": frozenset({"env"}),
}
# Keys a pattern reads from a Secret it is handed (not declared by secret_env).
_DATABASE_KEYS = ("username", "password")
_KAFKA_KEYS = ("sasl", "username", "password")

_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_RBAC_WORD = re.compile(r"^[-a-z0-9./]+$")


class _Mistake(ValueError):
    pass


def services_file(module_file: str) -> str:
    """``lib/catalog/services/<module>.py`` as a user finds it from the repository root."""
    path = Path(module_file).resolve()
    try:
        return str(Path("lib") / path.relative_to(_LIB))
    except ValueError:
        return str(path)


def default_file(workload: Workload) -> str:
    namespace = workload.namespace if isinstance(workload.namespace, str) else "?"
    return f"{SERVICES_DIR}{namespace.replace('-', '_')}.py"


# --- types -----------------------------------------------------------------------------

_HINTS: dict[type, dict[str, object]] = {}


def _hints(cls: type) -> dict[str, object]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(M))
    return _HINTS[cls]


def _type_name(hint) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a tuple of {_type_name(args[0])}"
        return "(" + ", ".join(_type_name(a) for a in args) + ")"
    if dataclasses.is_dataclass(hint):
        return f"{hint.__name__}(...)"
    return getattr(hint, "__name__", str(hint))


def _conforms(value, hint) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(value) == len(args) and all(_conforms(v, a) for v, a in zip(value, args))
    if dataclasses.is_dataclass(hint):
        return isinstance(value, hint) and all(
            _conforms(getattr(value, f.name), _hints(hint)[f.name]) for f in dataclasses.fields(hint))
    if hint is bool:
        return type(value) is bool
    if hint is int:
        return type(value) is int
    if hint is dict:
        return isinstance(value, dict)
    return isinstance(value, hint)  # str


def _check_types(obj, say: Callable[[str, str], _Mistake]) -> None:
    for f in dataclasses.fields(obj):
        hint = _hints(type(obj))[f.name]
        value = getattr(obj, f.name)
        if not _conforms(value, hint):
            raise say(f.name, f"must be {_type_name(hint)}, got {value!r}")


# --- the checks ------------------------------------------------------------------------

def check_namespaces(namespaces: Iterable[Namespace], edge_namespace: str,
                     customer_prefix: str) -> None:
    seen: set[str] = set()
    for ns in namespaces:
        def say(field: str, message: str, ns=ns) -> _Mistake:
            return _Mistake(f"{NAMESPACES_FILE}: namespace {getattr(ns, 'name', ns)!r}: {field}: {message}")

        if not isinstance(ns, Namespace):
            raise _Mistake(f"{NAMESPACES_FILE}: {ns!r} is not a Namespace(...)")
        _check_types(ns, say)
        if not _DNS_1123.match(ns.name):
            raise say("name", "not a DNS label (lower-case letters, digits and '-', at most 63 "
                              "characters, starting and ending with a letter or digit)")
        if not ns.customer and ns.name.startswith(customer_prefix):
            raise say("name", f"'{customer_prefix}*' names are the customers' namespaces "
                              "(lib/values: customers)")
        if not _LABEL_VALUE.match(ns.layer) or not ns.layer:
            raise say("layer", f"{ns.layer!r} is not a label value")
        if ns.name in seen:
            raise say("name", "declared twice")
        seen.add(ns.name)
    if edge_namespace not in seen:
        raise _Mistake(f"{NAMESPACES_FILE}: the edge namespace {edge_namespace!r} (its gateway is "
                       "the only way in) is not declared")


def check_workloads(namespaces: tuple[Namespace, ...], workloads: tuple[Workload, ...],
                    file_of: Callable[[Workload], str], edge_namespace: str,
                    reserved: dict[str, str] | None = None) -> None:
    """Every declaration of every workload, then what they say about each other.

    ``reserved``: names taken by generated workloads (the customers' ``book``)
    -> the file that declares them.
    """
    declared = {ns.name: ns for ns in namespaces}
    for w in workloads:
        _check_one(w, declared, file_of)
    by_name: dict[str, Workload] = {}
    for w in workloads:
        say = _sayer(w, file_of)
        if w.name in (reserved or {}) and not declared[w.namespace].customer:
            raise say("name", f"{w.name!r} is the customers' workload ({reserved[w.name]}); choose another name")
        first = by_name.get(w.name)
        if first is not None and not declared[w.namespace].customer:
            raise say("name", f"{w.name!r} is declared twice (also {first.namespace}/{first.name} in "
                              f"{file_of(first)}); the name is also its key under workloads: in the values")
        by_name.setdefault(w.name, w)
    targets = {f"{w.namespace}/{w.name}": w for w in workloads}
    in_namespace: dict[str, list[Workload]] = {}
    for w in workloads:
        in_namespace.setdefault(w.namespace, []).append(w)
    for w in workloads:
        _check_relations(w, targets, in_namespace[w.namespace], file_of)
    for name, members in in_namespace.items():
        _check_namespace(name, members, file_of)
    edge = in_namespace.get(edge_namespace, [])
    if not any(w.pattern == "grpc-service" for w in edge):
        raise _Mistake(f"{SERVICES_DIR}{edge_namespace.replace('-', '_')}.py: {edge_namespace}: "
                       "needs a grpc-service workload: the gateway asks it to authorise every request")


def _sayer(w: Workload, file_of: Callable[[Workload], str]) -> Callable[[str, str], _Mistake]:
    ns = w.namespace if isinstance(w.namespace, str) else repr(w.namespace)
    name = w.name if isinstance(w.name, str) else repr(w.name)

    def say(declaration: str, message: str) -> _Mistake:
        return _Mistake(f"{file_of(w)}: {ns}/{name}: {declaration}: {message}")

    return say


def _check_one(w: Workload, declared: dict[str, Namespace], file_of) -> None:
    if not isinstance(w, Workload):
        raise _Mistake(f"{SERVICES_DIR}: {w!r} is not a Workload(...)")
    say = _sayer(w, file_of)
    _check_types(w, say)
    if not _DNS_1035.match(w.name):
        raise say("name", "not a DNS label starting with a letter (lower-case letters, digits and "
                          "'-', at most 63 characters): it names the workload's Service")
    if w.namespace not in declared:
        close = difflib.get_close_matches(w.namespace, list(declared), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise say("namespace", f"namespace {w.namespace!r} is not declared{hint} (add "
                               f"Namespace({w.namespace!r}, ...) to {NAMESPACES_FILE})")
    extra = sorted(f.name for f in dataclasses.fields(w)
                   if f.name not in COMMON_FIELDS | PATTERN_FIELDS[w.pattern]
                   and getattr(w, f.name) != _default(f))
    if extra:
        takes = ", ".join(sorted(PATTERN_FIELDS[w.pattern])) or "none"
        raise say(extra[0], f"a {w.pattern} does not take {extra[0]} (it would not be rendered; "
                            f"its own fields: {takes})")
    for field, value in (("service_account", w.service_account), ("app", w.app)):
        if value and not _DNS_1123.match(value):
            raise say(field, f"{value!r} is not a DNS label")
    if not w.component or not _LABEL_VALUE.match(w.component):
        raise say("component", f"{w.component!r} is not a label value (letters, digits, '-', '_', "
                               "'.', at most 63 characters)")
    for i, talk in enumerate(w.talks_to):
        if talk.target.count("/") != 1 or not all(talk.target.split("/")):
            raise say(f"talks_to[{i}]", f"{talk!r}: target must be '<namespace>/<workload>'")
    for i, ext in enumerate(w.external):
        if ext.name not in EXTERNALS:
            close = difflib.get_close_matches(ext.name, EXTERNALS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise say(f"external[{i}]", f"{ext!r}: unknown external ({hint}known: {', '.join(EXTERNALS)})")
    for i, rule in enumerate(w.api_rules + w.managed_resources):
        where = f"api_rules[{i}]" if i < len(w.api_rules) else f"managed_resources[{i - len(w.api_rules)}]"
        if not rule.verbs or not rule.resources or not rule.api_groups:
            raise say(where, f"{rule!r}: api_groups, resources and verbs may not be empty")
        words = rule.verbs + rule.resources + tuple(g for g in rule.api_groups if g)
        bad = next((x for x in words if not _RBAC_WORD.match(x)), None)
        if bad is not None:
            wildcard = " (no wildcards: name what it needs)" if "*" in bad else ""
            raise say(where, f"{rule!r}: {bad!r} is not a resource, verb or API group{wildcard}")
    for i, secret in enumerate(w.secrets):
        if not _DNS_1123.match(secret.name):
            raise say(f"secrets[{i}]", f"{secret!r}: {secret.name!r} is not a DNS label")
        if not secret.vault_key.strip("/") or any(c.isspace() for c in secret.vault_key):
            raise say(f"secrets[{i}]", f"{secret!r}: vault_key must be a Vault path under the namespace")
        if not secret.keys or any(not _SECRET_KEY.match(k) for k in secret.keys) \
                or len(set(secret.keys)) != len(secret.keys):
            raise say(f"secrets[{i}]", f"{secret!r}: keys must be distinct Secret keys (letters, digits, "
                                       "'-', '_', '.')")
    names = [k for k, _ in w.env] + [k for k, _, _ in w.secret_env]
    for field, entries in (("env", w.env), ("secret_env", w.secret_env)):
        for i, entry in enumerate(entries):
            if not _ENV_NAME.match(entry[0]):
                raise say(f"{field}[{i}]", f"{entry!r}: {entry[0]!r} is not an environment variable name")
            if names.count(entry[0]) > 1:
                raise say(f"{field}[{i}]", f"{entry!r}: {entry[0]} is set twice")
    paths = list(w.writable_paths)
    for i, path in enumerate(paths):
        if not path.startswith("/") or paths.count(path) > 1 or path.rstrip("/") == "":
            raise say(f"writable_paths[{i}]", f"{path!r}: must be distinct absolute paths below /")
    if w.pattern == "postgresql" and not _DNS_1123.match(w.database_of):
        raise say("database_of", f"{w.database_of!r}: a postgresql names the service it belongs to "
                                 "(its Secret is <service>-db-secret)")
    if w.pattern == "event-worker":
        if not w.kafka_topic:
            raise say("kafka_topic", "an event-worker needs the Kafka topic it consumes")
        if not w.secrets:
            raise say("secrets", "an event-worker needs its Kafka credentials as its first secret "
                                 f"(keys {', '.join(_KAFKA_KEYS)})")
    if w.pattern == "tailscale" and "TS_KUBE_SECRET" not in dict(w.env):
        raise say("env", "a tailscale node needs TS_KUBE_SECRET: the Secret holding its node state")


def _default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return dataclasses.MISSING


def _check_relations(w: Workload, targets: dict[str, Workload], neighbours: list[Workload],
                     file_of) -> None:
    say = _sayer(w, file_of)
    for i, talk in enumerate(w.talks_to):
        target = targets.get(talk.target)
        if target is None:
            close = difflib.get_close_matches(talk.target, list(targets), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise say(f"talks_to[{i}]", f"{talk!r}: no workload {talk.target} ({hint}targets are "
                                        "'<namespace>/<workload name>')")
        served = P.BY_PATTERN[target.pattern]
        if talk.port not in served:
            raise say(f"talks_to[{i}]", f"{talk!r}: {talk.target} (a {target.pattern}) has no port "
                                        f"{talk.port!r}; its ports: {', '.join(served)}")
    secrets = {s.name: s for n in neighbours for s in n.secrets}

    def needs(declaration: str, name: str, keys: Iterable[str]) -> None:
        secret = secrets.get(name)
        if secret is None:
            known = ", ".join(sorted(secrets)) or "none"
            raise say(declaration, f"no secret {name!r} in namespace {w.namespace} (declared in its "
                                   f"workloads' secrets: {known})")
        missing = [k for k in keys if k not in secret.keys]
        if missing:
            raise say(declaration, f"secret {name!r} has no key {missing[0]!r} (its keys: "
                                   f"{', '.join(secret.keys)})")

    for i, (env, secret, key) in enumerate(w.secret_env):
        needs(f"secret_env[{i}] {(env, secret, key)!r}", secret, (key,))
    if w.pattern == "postgresql":
        needs("database_of", f"{w.database_of}-db-secret", _DATABASE_KEYS)
    if w.pattern == "event-worker":
        needs("secrets[0]", w.secrets[0].name, _KAFKA_KEYS)


def _check_namespace(namespace: str, members: list[Workload], file_of) -> None:
    secrets: dict[str, tuple[Workload, M.SecretRef]] = {}
    accounts: dict[str, Workload] = {}
    pods: dict[tuple, Workload] = {}
    for w in members:
        say = _sayer(w, file_of)
        for i, secret in enumerate(w.secrets):
            first = secrets.setdefault(secret.name, (w, secret))
            if first[1] != secret:
                raise say(f"secrets[{i}]", f"{secret!r} differs from {first[1]!r} of "
                                           f"{namespace}/{first[0].name}: one Secret, one declaration")
        other = accounts.setdefault(w.sa_name, w)
        if (other.api_rules, other.managed_resources, other.watch_all_namespaces) != \
                (w.api_rules, w.managed_resources, w.watch_all_namespaces):
            raise say("service_account", f"{w.sa_name!r} is also {namespace}/{other.name}'s, with other "
                                         "RBAC rules: a service account has one set of rules")
        # The pods a workload's selector matches (lib/platform/labels.py).
        key = (("postgresql", w.database_of) if w.pattern == "postgresql"
               else (w.app or w.name,) if w.pattern == "controller" else (w.app or w.name, w.component))
        clash = next((o for k, o in pods.items() if k[:len(key)] == key or key[:len(k)] == k), None)
        if clash is not None:
            raise say("app" if w.app else "name", f"selects the same pods as {namespace}/{clash.name} "
                                                  "(same app label and component)")
        pods[key] = w


def check_registered(modules: Iterable, registered: tuple[Workload, ...]) -> None:
    """A module under services/ whose WORKLOADS nothing renders (not in _MODULES)."""
    ids = {id(w) for w in registered}
    for module in modules:
        workloads = getattr(module, "WORKLOADS", None)
        if not isinstance(workloads, tuple):
            if workloads is not None:
                raise _Mistake(f"{services_file(module.__file__)}: WORKLOADS must be a tuple of "
                               f"Workload(...), got {type(workloads).__name__}")
            continue
        if workloads and not any(id(w) in ids for w in workloads if isinstance(w, Workload)):
            raise _Mistake(f"{services_file(module.__file__)}: declares WORKLOADS but is not listed "
                           f"in _MODULES in {SERVICES_DIR}__init__.py, so nothing renders it")


__all__ = ["EXTERNALS", "PATTERN_FIELDS", "check_namespaces", "check_registered", "check_workloads",
           "default_file", "services_file"]
