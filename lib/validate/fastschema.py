"""A fast yes/no JSON Schema check for the subset Kubernetes schemas use.

jsonschema explains errors well but costs ~1 ms per object and version.
Nearly every object is valid, so each schema is also compiled here into
plain Python closures that only answer "valid?": when they say yes, the
object is valid; when they say no (or meet a keyword they do not model),
jsonschema runs and says why. The fast path may only err towards "no".
"""
from __future__ import annotations

import re
from typing import Callable

Check = Callable[[object], bool]

# Keywords jsonschema would act on that are not modelled: a schema using any
# of them always defers to jsonschema.
_UNMODELLED = frozenset({
    "const", "contains", "dependentRequired", "dependentSchemas", "dependencies", "if", "then", "else",
    "prefixItems", "unevaluatedProperties", "unevaluatedItems", "patternProperties", "propertyNames",
    "multipleOf", "minContains", "maxContains", "$dynamicRef", "$recursiveRef", "additionalItems",
})
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _never(_value) -> bool:
    return False


def _always(_value) -> bool:
    return True


def _equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class Compiler:
    """Compile schemas whose ``$ref`` point into one ``$defs``/``definitions`` map."""

    def __init__(self, defs: dict | None = None, draft4: bool = False):
        self.defs = defs or {}
        self.draft4 = draft4
        self._refs: dict[str, Check] = {}

    def ref(self, ref: str) -> tuple[Check, bool]:
        hit = self._refs.get(ref)
        if hit is not None:
            return hit
        name = ref.rpartition("/")[2] if "#/$defs/" in ref or "#/definitions/" in ref else None
        target = self.defs.get(name) if name else None
        if target is None:
            return _never, False
        cell: list[Check] = []
        self._refs[ref] = (lambda v: cell[0](v)), True  # recursion-safe placeholder
        fn, exact = self._compile(target)
        cell.append(fn)
        self._refs[ref] = fn, exact
        return fn, exact

    def compile(self, schema) -> Check:
        """A function that says True only when ``schema`` accepts the value."""
        return self._compile(schema)[0]

    def _compile(self, schema) -> tuple[Check, bool]:  # noqa: C901 - one branch per keyword
        """(check, exact): exact when a False from check is never a conservative one."""
        if schema is True or schema == {}:
            return _always, True
        if schema is False:
            return _never, True
        if not isinstance(schema, dict) or _UNMODELLED & schema.keys():
            return _never, False
        checks: list[Check] = []
        exact = True

        def sub(s) -> Check:
            nonlocal exact
            fn, ok = self._compile(s)
            exact = exact and ok
            return fn

        if "$ref" in schema:
            fn, ok = self.ref(schema["$ref"])
            exact = exact and ok
            checks.append(fn)
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            preds = [_TYPES[t] for t in types if t in _TYPES]
            if len(preds) != len(types):
                return _never, False
            if "integer" in types and not self.draft4:
                preds.append(lambda v: isinstance(v, float) and v.is_integer())
            checks.append(preds[0] if len(preds) == 1 else (lambda v, ps=tuple(preds): any(p(v) for p in ps)))
        if "enum" in schema:
            members = list(schema["enum"])
            checks.append(lambda v, m=members: any(_equal(e, v) for e in m))
        props = schema.get("properties")
        additional = schema.get("additionalProperties", True)
        required = schema.get("required")
        if props is not None or additional is not True or required or \
                "minProperties" in schema or "maxProperties" in schema:
            compiled = {k: sub(s) for k, s in (props or {}).items()}
            extra = None if additional is True else (_never if additional is False else sub(additional))
            req = tuple(required or ())
            min_p, max_p = schema.get("minProperties"), schema.get("maxProperties")

            def obj(v, compiled=compiled, extra=extra, req=req, min_p=min_p, max_p=max_p):
                if not isinstance(v, dict):
                    return True
                for key in req:
                    if key not in v:
                        return False
                if min_p is not None and len(v) < min_p or max_p is not None and len(v) > max_p:
                    return False
                for key, value in v.items():
                    check = compiled.get(key)
                    if check is not None:
                        if not check(value):
                            return False
                    elif extra is not None and not extra(value):
                        return False
                return True
            checks.append(obj)
        if "items" in schema or "minItems" in schema or "maxItems" in schema or schema.get("uniqueItems"):
            items = schema.get("items", True)
            if isinstance(items, list):
                return _never, False
            item = sub(items)
            min_i, max_i, unique = schema.get("minItems"), schema.get("maxItems"), schema.get("uniqueItems")

            def arr(v, item=item, min_i=min_i, max_i=max_i, unique=unique):
                if not isinstance(v, list):
                    return True
                if min_i is not None and len(v) < min_i or max_i is not None and len(v) > max_i:
                    return False
                if unique and len({repr(x) for x in v}) != len(v):
                    return False  # conservative: jsonschema decides
                return all(item(x) for x in v)
            checks.append(arr)
            if unique:
                exact = False
        if "pattern" in schema or "minLength" in schema or "maxLength" in schema:
            try:
                pattern = re.compile(schema["pattern"]) if "pattern" in schema else None
            except (re.error, TypeError):
                return _never, False
            min_l, max_l = schema.get("minLength"), schema.get("maxLength")

            def string(v, pattern=pattern, min_l=min_l, max_l=max_l):
                if not isinstance(v, str):
                    return True
                if min_l is not None and len(v) < min_l or max_l is not None and len(v) > max_l:
                    return False
                return pattern is None or pattern.search(v) is not None
            checks.append(string)
        if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
            lo, hi = schema.get("minimum"), schema.get("maximum")
            ex_lo, ex_hi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
            if not self.draft4 and (ex_lo is not None or ex_hi is not None):
                return _never, False

            def number(v, lo=lo, hi=hi, ex_lo=ex_lo is True, ex_hi=ex_hi is True):
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    return True
                if lo is not None and (v < lo or ex_lo and v == lo):
                    return False
                if hi is not None and (v > hi or ex_hi and v == hi):
                    return False
                return True
            checks.append(number)
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                pairs = [self._compile(s) for s in schema[key]]
                subs = [fn for fn, _ in pairs]
                if key == "oneOf" and not all(ok for _, ok in pairs):
                    return _never, False  # a conservative "no" could hide a second match
                exact = exact and all(ok for _, ok in pairs)
                if key == "allOf":
                    checks.append(lambda v, subs=subs: all(s(v) for s in subs))
                elif key == "anyOf":
                    checks.append(lambda v, subs=subs: any(s(v) for s in subs))
                else:
                    checks.append(lambda v, subs=subs: sum(1 for s in subs if s(v)) == 1)
        if "not" in schema:
            fn, ok = self._compile(schema["not"])
            if not ok:
                return _never, False  # "not" would turn a conservative "no" into a wrong "yes"
            checks.append(lambda v, fn=fn: not fn(v))
        if not checks:
            return _always, exact
        if len(checks) == 1:
            return checks[0], exact
        return (lambda v, cs=tuple(checks): all(c(v) for c in cs)), exact
