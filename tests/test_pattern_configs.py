"""Impossible combinations raise in the pattern's config, naming both values."""
from __future__ import annotations

import pytest

from lib.patterns.grpc_service import GrpcServiceConfig
from lib.patterns.identity import IdentityConfig
from lib.patterns.postgresql import PostgresConfig
from lib.patterns.vault import VaultConfig

RES = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
BASE = dict(name="x", labels={"app": "x", "component": "y"}, selector={"app": "x"},
            service_account="x", image="voyager/x:1.0.0", resources=RES)


def grpc(**over):
    return GrpcServiceConfig(**{**BASE, "transcoder_image": "envoy:1.0", "transcoder_resources": RES,
                                "replicas": 2, **over})


def test_pre_stop_must_fit_in_the_grace_period():
    with pytest.raises(ValueError, match=r"preStop sleep \(30s\).*terminationGracePeriodSeconds \(30s\)"):
        grpc(pre_stop_sleep_seconds=30, termination_grace_period_seconds=30)


def test_ports_must_differ():
    with pytest.raises(ValueError, match="ports must differ"):
        grpc(http_port=8080)


def test_selector_must_be_among_the_labels():
    with pytest.raises(ValueError, match="not a subset"):
        grpc(selector={"app": "other"})


def test_max_pods_counts_the_surge():
    from lib.patterns.grpc_service import Hpa
    hpa = Hpa(2, 10, 70, 80, behavior={})
    assert grpc(hpa=hpa).max_pods == 13  # 10 + ceil(25% of 10)


def pg(**over):
    return PostgresConfig(**{**BASE, "image": "postgres:15.10", "database": "x", "storage": "1Gi",
                             "storage_class": "gp3-high-iops", "credentials_secret": "x-db", **over})


def test_postgres_needs_guaranteed_qos():
    with pytest.raises(ValueError, match="Guaranteed QoS"):
        pg(resources={"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "1Gi"}})


@pytest.mark.parametrize("image", ["postgres:latest", "postgres:16.1", "mysql:15.1"])
def test_postgres_image_is_a_pinned_15(image):
    with pytest.raises(ValueError, match="postgres:15.x"):
        pg(image=image)


def test_vault_raft_needs_an_odd_quorum():
    with pytest.raises(ValueError, match="1, 3 or 5"):
        VaultConfig(**{**BASE, "namespace": "vault", "replicas": 2, "storage": "1Gi",
                       "storage_class": "gp3-standard", "kms_key_id": "k", "region": "r"})


def test_rbac_wildcards_are_refused():
    with pytest.raises(ValueError, match="wildcard"):
        IdentityConfig("x", "ns", {}, rules=({"apiGroups": [""], "resources": ["*"], "verbs": ["get"]},))
