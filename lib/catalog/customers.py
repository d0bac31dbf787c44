"""A customer's namespace holds its own book deployment (helm-idp-book per customer)."""
from __future__ import annotations

from .model import Workload
from .services.common import AI_PROXY, JOURNAL


def customer_book(namespace: str) -> Workload:
    return Workload(
        name="book",
        namespace=namespace,
        pattern="grpc-service",
        component="customer-book",
        description="The customer's book deployment",
        talks_to=(AI_PROXY, JOURNAL),
        public=True,
    )
