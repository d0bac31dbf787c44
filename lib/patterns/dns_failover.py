"""Route 53 failover routing for a public hostname, through ExternalDNS.

ExternalDNS v0.22.0 (github.com/kubernetes-sigs/external-dns, tag v0.22.0):

- the annotation prefix is ``external-dns.kubernetes.io/`` (DefaultAnnotationPrefix,
  source/annotations/annotations.go; no longer ``external-dns.alpha.``);
- ``set-identifier`` and every ``aws-*`` annotation become the endpoint's set
  identifier and ``aws/*`` provider-specific properties
  (ProviderSpecificAnnotations, source/annotations/provider_specific.go), which
  the AWS provider writes as the record's Failover and HealthCheckId
  (provider/aws/aws.go, providerSpecificFailover / providerSpecificHealthCheckID);
- the gateway-httproute source reads them from the HTTPRoute, not from the
  Gateway (source/gateway.go: ProviderSpecificAnnotations(route annotations);
  the Gateway contributes only ``target``; docs/annotations/annotations.md,
  "Gateway API Annotation Placement"), so they go on each route;
- the TXT ownership record copies the set identifier and the provider-specific
  properties (generateTXTRecordWithFilter, registry/txt/registry.go), so a
  region's records (A and TXT) carry its failover role together.
"""
from __future__ import annotations

from typing import Literal

PREFIX = "external-dns.kubernetes.io/"
SET_IDENTIFIER = PREFIX + "set-identifier"
AWS_FAILOVER = PREFIX + "aws-failover"
AWS_HEALTH_CHECK_ID = PREFIX + "aws-health-check-id"


def set_identifier(region: str) -> str:
    """One per region; prefixed, so a runbook can select Voyager's records in a
    hosted zone other teams share."""
    return f"voyager-{region}"


def failover_annotations(region: str, role: Literal["primary", "standby"],
                         health_check_id: str) -> dict[str, str]:
    """The primary region's records answer while its health check passes;
    Route 53 answers with the standby's when it fails (Route 53 API,
    ResourceRecordSet.Failover)."""
    return {
        SET_IDENTIFIER: set_identifier(region),
        AWS_FAILOVER: "PRIMARY" if role == "primary" else "SECONDARY",
        AWS_HEALTH_CHECK_ID: health_check_id,
    }
