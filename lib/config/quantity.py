"""Kubernetes resource quantities as exact numbers.

The config layer compares requests with limits and sums them against quotas,
so it needs the numeric value of "500m" or "2Gi" without asking cdk8s (whose
Quantity lives on the Node side of jsii and costs a round trip per call).
"""
from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

_SUFFIXES = {
    "": Fraction(1),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}
_PATTERN = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


def parse_quantity(text: str | int | float) -> Fraction:
    """Return the exact value of a quantity ("250m" -> 1/4, "1Gi" -> 2**30).

    Raises ValueError with the accepted forms when the text is not a quantity.
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a quantity")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError(f"{text!r} is negative")
        return Fraction(str(text))
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a Kubernetes quantity (examples: 250m, 2, 512Mi, 4Gi)")
    return _parse_text(text)


# A thousand customers repeat a handful of quantities tens of thousands of
# times (every capacity check sums them); Fractions are immutable, so each
# text is parsed once.
@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Fraction:
    match = _PATTERN.fullmatch(text)
    if not match:
        raise ValueError(
            f"{text!r} is not a Kubernetes quantity (examples: 250m, 2, 512Mi, 4Gi)"
        )
    number, suffix = match.groups()
    return Fraction(number) * _SUFFIXES[suffix or ""]


def format_cpu(value: Fraction) -> str:
    """Millicores when fractional, whole cores otherwise ("1500m", "4")."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{round(value * 1000)}m"


def format_bytes(value: Fraction) -> str:
    """The largest binary suffix that divides the value exactly ("3Gi", "640Mi")."""
    whole = int(value)
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = int(_SUFFIXES[suffix])
        if whole and whole % unit == 0:
            return f"{whole // unit}{suffix}"
    return str(whole)
