"""Port numbers by name, the same in every service (the spec's Jeeves numbers)."""
from __future__ import annotations

GRPC = 8080  # the service's own gRPC API
HTTP = 8081  # the Envoy gRPC-JSON transcoder sidecar: what the edge routes to
METRICS = 9090  # Prometheus metrics, scraped from the monitoring namespace
HEALTH = 8082  # controllers' health probes
POSTGRESQL = 5432
VAULT = 8200
VAULT_CLUSTER = 8201

BY_NAME = {
    "grpc": GRPC,
    "http": HTTP,
    "metrics": METRICS,
    "postgresql": POSTGRESQL,
    "vault": VAULT,
    "vault-cluster": VAULT_CLUSTER,
}

# Ports of each pattern's pods, by name (what a Talk may point at).
BY_PATTERN = {
    "grpc-service": ("grpc", "http", "metrics"),
    "event-worker": ("metrics",),
    "controller": ("metrics",),
    "tailscale": ("metrics",),
    "postgresql": ("postgresql",),
    "vault": ("vault", "vault-cluster"),
}
