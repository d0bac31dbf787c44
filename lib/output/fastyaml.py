"""Block-style YAML for plain JSON-like data, fast.

PyYAML's C emitter still builds a Python node tree for every value, which
cost more than all the cdk8s work together on large renders. Kubernetes
objects are only mappings, lists, strings, numbers, booleans and nulls, and
the same strings repeat thousands of times, so this writer walks the data
once and asks PyYAML how to spell each distinct scalar only once (cached).
The style is PyYAML's default block style (lists not indented under their
key); multi-line strings become literal blocks. tests/test_fastyaml.py
proves every output loads back to exactly the input.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@lru_cache(maxsize=65536)
def _quoted(text: str) -> str:
    """How PyYAML writes ``text`` as one scalar on one line (plain if safe).

    Line breaks and unprintable characters: a JSON string, which is a valid
    YAML double-quoted scalar with the same escapes, always on one line.
    """
    if not text.isprintable():
        return _double_quoted(text)
    out = yaml.dump(text, Dumper=_Dumper, width=1 << 30, allow_unicode=True)
    if out.endswith("\n...\n"):
        out = out[:-5]
    return out.rstrip("\n")


_ESCAPES = {"\n": "\\n", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


def _double_quoted(text: str) -> str:
    """A YAML double-quoted scalar; each unprintable code point escaped alone."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _literal_ok(text: str) -> bool:
    lines = text.split("\n")
    return (
        not text.startswith((" ", "\n"))
        and all(line == line.rstrip() for line in lines)
        and all(line.replace("\t", "").isprintable() for line in lines)
    )


def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quoted(value)
    return _quoted_other(value)


def _quoted_other(value) -> str:
    return yaml.dump(value, Dumper=_Dumper).rstrip("\n").removesuffix("\n...")


def _block(text: str, indent: str) -> list[str]:
    """A literal block scalar: ``|`` keeps one final newline, ``|-`` none, ``|+`` more."""
    if text.endswith("\n\n"):
        head, body = "|+", text[:-1]
    elif text.endswith("\n"):
        head, body = "|", text[:-1]
    else:
        head, body = "|-", text
    return [head] + [f"{indent}{line}" if line else "" for line in body.split("\n")]


def _value(key_prefix: str, value, indent: str, out: list[str], list_indent: str) -> None:
    """Write ``<key_prefix><value>``; nested blocks go below."""
    if isinstance(value, dict):
        if not value:
            out.append(f"{key_prefix}{{}}")
        else:
            out.append(key_prefix.rstrip())
            _mapping(value, indent, out)
    elif isinstance(value, list):
        if not value:
            out.append(f"{key_prefix}[]")
        else:
            out.append(key_prefix.rstrip())
            _sequence(value, list_indent, out)
    elif isinstance(value, str) and "\n" in value and _literal_ok(value):
        head, *rest = _block(value, indent)
        out.append(f"{key_prefix}{head}")
        out.extend(rest)
    else:
        out.append(f"{key_prefix}{_scalar(value)}")


def _mapping(data: dict, indent: str, out: list[str]) -> None:
    # The common cases (a plain str, dict or list value) are spelled out here:
    # this loop runs half a million times at 1,000 customers. Anything else
    # (numbers, booleans, None, subclasses) takes the general path, _value.
    inner = indent + "  "
    for key, value in data.items():
        prefix = f"{indent}{_quoted(key) if type(key) is str else _scalar(key)}: "
        kind = type(value)
        if kind is str and "\n" not in value:
            out.append(prefix + _quoted(value))
        elif kind is dict and value:
            out.append(prefix.rstrip())
            _mapping(value, inner, out)
        elif kind is list and value:
            out.append(prefix.rstrip())
            # Lists sit at the key's own indentation (PyYAML's default style).
            _sequence(value, indent, out)
        else:
            _value(prefix, value, inner, out, indent)


def _sequence(items: list, indent: str, out: list[str]) -> None:
    inner = indent + "  "
    for item in items:
        kind = type(item)
        if kind is str and "\n" not in item:
            out.append(f"{indent}- {_quoted(item)}")
        elif isinstance(item, dict) and item:
            first = len(out)
            _mapping(item, inner, out)
            out[first] = f"{indent}- {out[first][len(inner):]}"
        elif isinstance(item, list) and item:
            first = len(out)
            _sequence(item, inner, out)
            out[first] = f"{indent}- {out[first][len(inner):]}"
        else:
            _value(f"{indent}- ", item, inner, out, inner)


def dump(data: dict) -> str:
    """One YAML document for a mapping (a Kubernetes object)."""
    if not isinstance(data, dict):
        raise TypeError("dump() writes a mapping")
    out: list[str] = []
    if not data:
        return "{}\n"
    _mapping(data, "", out)
    return "\n".join(out) + "\n"
