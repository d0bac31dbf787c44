"""Label selectors as Kubernetes evaluates them."""
from __future__ import annotations


def matches(selector: dict | None, labels: dict) -> bool:
    """A LabelSelector (matchLabels/matchExpressions) against labels.

    ``{}`` selects everything; ``None`` selects nothing (as for a missing
    selector in the places where that is allowed).
    """
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key"), expr.get("operator")
        values = expr.get("values") or []
        if op == "In":
            if key not in labels or labels[key] not in values:
                return False
        elif op == "NotIn":
            if key in labels and labels[key] in values:
                return False
        elif op == "Exists":
            if key not in labels:
                return False
        elif op == "DoesNotExist":
            if key in labels:
                return False
        else:
            return False
    return True


def matches_map(selector: dict | None, labels: dict) -> bool:
    """A plain map selector (Service, ReplicationController): every pair present."""
    if not selector:
        return False
    return all(labels.get(k) == v for k, v in selector.items())


def describe(selector: dict | None) -> str:
    if selector is None:
        return "(none)"
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        vals = ",".join(str(v) for v in expr.get("values") or [])
        parts.append(f"{expr.get('key')} {expr.get('operator')} ({vals})" if vals
                     else f"{expr.get('key')} {expr.get('operator')}")
    return ", ".join(parts) if parts else "(everything)"


def describe_map(selector: dict | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (selector or {}).items()) or "(nothing)"
