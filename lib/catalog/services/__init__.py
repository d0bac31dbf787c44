"""The Voyager services, one module per namespace.

Each module exports ``WORKLOADS``: what runs in that namespace. Customer
namespaces get their book from ``customers.py``.
"""
from __future__ import annotations

from ..model import Workload
from . import (
    bdk,
    bifrost,
    books,
    envoy_gateway_system,
    grimoire,
    herald,
    jarvis,
    jeeves,
    journal,
    llm,
    threads,
    triage,
    user,
    vault,
)

_MODULES = (
    jarvis, jeeves, journal, grimoire, books, threads, herald, triage,
    envoy_gateway_system, user, bdk, llm, bifrost, vault,
)

SERVICE_WORKLOADS: tuple[Workload, ...] = tuple(w for m in _MODULES for w in m.WORKLOADS)
