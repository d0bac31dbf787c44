"""Customer namespaces, told apart by shape rather than listed one by one.

A customer namespace is a rendered Namespace labelled
``voyager.io/tenant: customer`` (or named ``customer-...``). Two of them have
the same shape when everything a document shows about them is the same once
each one's own name is replaced by a placeholder (``customer-*``): the
documents print one row per shape, with the number of namespaces it stands
for, instead of a thousand identical rows.
"""
from __future__ import annotations

import os
import re
from typing import Hashable, Iterable

from ..validate.model import Tree
from .markdown import join

TENANT_LABEL = "voyager.io/tenant"
MEMBERS_SHOWN = 20
_WORD = re.compile(r"[\w-]+")  # a word as canon_words sees one


class Customers:
    def __init__(self, tree: Tree):
        names = sorted(ns for ns, obj in tree.namespaces.items()
                       if obj.labels.get(TENANT_LABEL) == "customer" or ns.startswith("customer-"))
        self.names: list[str] = names
        self._set = frozenset(names)
        prefix = os.path.commonprefix(names) if names else ""
        prefix = prefix[: prefix.rindex("-") + 1] if "-" in prefix else ""
        self.placeholder = f"{prefix}*"
        self._by_length = sorted(names, key=len, reverse=True)

    def __contains__(self, namespace: str) -> bool:
        return namespace in self._set

    def __bool__(self) -> bool:
        return bool(self.names)

    def canon(self, namespace: str, value):
        """``value`` (str, or nested tuples/lists of them) with ``namespace`` replaced."""
        if isinstance(value, str):
            return value.replace(namespace, self.placeholder) if namespace in value else value
        if isinstance(value, (tuple, list)):
            return type(value)([self.canon(namespace, v) for v in value])
        return value

    def canon_words(self, namespace: str, text: str) -> str:
        """Free text (a description): the namespace and the bare customer id
        (the name without the common prefix) as whole words, replaced."""
        text = self.canon(namespace, text)
        prefix = self.placeholder[:-1]
        ident = namespace[len(prefix):] if prefix and namespace.startswith(prefix) else ""
        if not ident:
            return text
        if _WORD.fullmatch(ident):
            # One compiled pattern for every namespace (not one per namespace, which
            # a thousand customers would compile a thousand times): the id as a
            # whole word is a maximal run of word characters and hyphens equal to it.
            return _WORD.sub(lambda m: "*" if m.group() == ident else m.group(), text)
        return re.sub(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", "*", text)


def group(signatures: dict[str, Hashable]) -> list[tuple[Hashable, list[str]]]:
    """[(signature, sorted members)], largest group first, then by first member."""
    groups: dict[Hashable, list[str]] = {}
    for name in sorted(signatures):
        groups.setdefault(signatures[name], []).append(name)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))


def shape_name(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"S{index + 1}"


def members_text(members: list[str], rest: bool = False) -> str:
    """The members of a shape; the largest of many is 'every other one'."""
    if rest and len(members) > MEMBERS_SHOWN:
        return f"every customer namespace not listed below ({join(members, 3)})"
    return join(members, MEMBERS_SHOWN if len(members) > MEMBERS_SHOWN else None)


class Shapes:
    """A global shape per customer namespace (from signatures), with labels."""

    def __init__(self, customers: Customers, signatures: dict[str, Hashable]):
        self.customers = customers
        self.groups = group(signatures)
        self.of: dict[str, int] = {}
        for i, (_, members) in enumerate(self.groups):
            for m in members:
                self.of[m] = i

    def label(self, namespace: str) -> str:
        i = self.of[namespace]
        count = len(self.groups[i][1])
        ph = self.customers.placeholder
        return f"{ph} ×{count}" if len(self.groups) == 1 else f"{ph} ×{count} [{shape_name(i)}]"

    def representatives(self) -> list[str]:
        return [members[0] for _, members in self.groups]

    def rows(self) -> Iterable[tuple[str, int, str]]:
        for i, (_, members) in enumerate(self.groups):
            yield shape_name(i), len(members), members_text(members, rest=i == 0 and len(self.groups) > 1)
