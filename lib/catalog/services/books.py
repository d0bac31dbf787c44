"""books: shared book implementations and the IdP book (helm-idp-book)."""
from ..model import Workload
from .common import AI_PROXY, JEEVES, JOURNAL

WORKLOADS = (
    Workload(
        name="shared-books",
        namespace="books",
        pattern="grpc-service",
        component="book",
        description="Shared book implementations and document processing",
        talks_to=(JEEVES, JOURNAL),
        public=True,
    ),
    Workload(
        name="idp-book",
        namespace="books",
        pattern="grpc-service",
        component="book",
        description="Intelligent Document Processing book",
        talks_to=(AI_PROXY, JOURNAL),
        public=True,
    ),
)
