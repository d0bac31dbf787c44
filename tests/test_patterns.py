"""Field-level checks of each deployment pattern on the rendered YAML.

Snapshots catch any change; these say which values matter and why.
"""
from __future__ import annotations

import json

import pytest


def find(objs, kind, name, namespace=None):
    for _, obj in objs:
        meta = obj["metadata"]
        if obj["kind"] == kind and meta["name"] == name and (
                namespace is None or meta.get("namespace") == namespace):
            return obj
    raise AssertionError(f"no {kind} {namespace}/{name}")


@pytest.fixture(scope="module")
def prod(objects):
    return objects("production")


@pytest.fixture(scope="module")
def staging(objects):
    return objects("staging")


def test_jeeves_matches_the_spec_field_by_field(prod):
    dep = find(prod, "Deployment", "jeeves-run-manager", "jeeves")
    spec = dep["spec"]
    # The spec's selector, exactly: a selector is immutable once deployed.
    assert spec["selector"]["matchLabels"] == {"app": "jeeves", "component": "run-manager"}
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert "replicas" not in spec, "an HPA owns the replica count"
    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "jeeves-service-account"
    assert pod["terminationGracePeriodSeconds"] == 30
    main, envoy = pod["containers"]
    assert main["image"] == "voyager/jeeves:1.14.2"
    assert {"name": "grpc", "containerPort": 8080, "protocol": "TCP"} in main["ports"]
    assert main["resources"] == {"requests": {"cpu": "200m", "memory": "512Mi"},
                                 "limits": {"cpu": "1000m", "memory": "2Gi"}}
    assert main["livenessProbe"] == {"grpc": {"port": 8080}, "initialDelaySeconds": 30, "periodSeconds": 10}
    assert main["readinessProbe"] == {"grpc": {"port": 8080}, "initialDelaySeconds": 5, "periodSeconds": 5}
    assert main["lifecycle"]["preStop"]["exec"]["command"] == ["/bin/sh", "-c", "sleep 15"]
    assert {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {
        "name": "jeeves-db-secret", "key": "database_url"}}} in main["env"]
    assert envoy["name"] == "grpc-transcoder"
    assert envoy["ports"] == [{"name": "http", "containerPort": 8081, "protocol": "TCP"}]
    assert {"name": "UPSTREAM_GRPC_SERVICE", "value": "localhost:8080"} in envoy["env"]
    assert envoy["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"},
                                  "limits": {"cpu": "500m", "memory": "512Mi"}}
    zones = [c["topologyKey"] for c in pod["topologySpreadConstraints"]]
    assert "topology.kubernetes.io/zone" in zones


def test_restricted_security_on_every_voyager_pod(prod):
    for _, obj in prod:
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = obj["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for c in pod["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, c["name"]
            assert sc["capabilities"] == {"drop": ["ALL"]}, c["name"]
            assert sc["readOnlyRootFilesystem"] is True, c["name"]
            assert ":" in c["image"] and not c["image"].endswith(":latest")
            assert c["resources"]["requests"] and c["resources"]["limits"]


def test_service_is_derived_from_ports_and_monitored(prod):
    svc = find(prod, "Service", "jeeves-run-manager", "jeeves")
    assert [(p["name"], p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [
        ("grpc", 8080, "grpc"), ("metrics", 9090, "metrics"), ("http", 8081, "http")]
    mon = find(prod, "ServiceMonitor", "jeeves-run-manager-monitor", "jeeves")
    assert mon["spec"]["endpoints"] == [{"port": "metrics", "interval": "30s", "path": "/metrics"}]
    assert mon["spec"]["selector"]["matchLabels"] == svc["spec"]["selector"]


def test_hpa_has_the_spec_targets_and_behaviour(prod, staging):
    hpa = find(prod, "HorizontalPodAutoscaler", "jeeves-run-manager-hpa", "jeeves")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "jeeves-run-manager"}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}
    assert hpa["behavior"]["scaleDown"] == {"stabilizationWindowSeconds": 300, "policies": [
        {"type": "Percent", "value": 10, "periodSeconds": 60}]}
    assert hpa["behavior"]["scaleUp"] == {"stabilizationWindowSeconds": 60, "policies": [
        {"type": "Percent", "value": 50, "periodSeconds": 60}]}
    # staging overrides only the ceiling
    assert find(staging, "HorizontalPodAutoscaler", "jeeves-run-manager-hpa")["spec"]["maxReplicas"] == 4
    pdb = find(prod, "PodDisruptionBudget", "jeeves-run-manager-pdb", "jeeves")["spec"]
    assert pdb["maxUnavailable"] == 1


@pytest.mark.parametrize("service", ["jeeves", "grimoire", "threads", "user", "journal"])
def test_postgres_databases(statefulset_objects, service):
    prod = statefulset_objects  # databases.engine: statefulset (the seed's pod)
    sts = find(prod, "StatefulSet", f"{service}-postgresql", service)
    spec = sts["spec"]
    assert spec["selector"]["matchLabels"] == {"app": "postgresql", "service": service}
    assert spec["serviceName"] == f"{service}-postgresql"
    pod = spec["template"]["spec"]
    (c,) = pod["containers"]
    assert c["image"].startswith("postgres:15.")
    env = {e["name"]: e for e in c["env"]}
    assert env["POSTGRES_DB"]["value"] == service
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": f"{service}-db-secret", "key": "password"}
    assert c["readinessProbe"]["exec"]["command"][0] == "pg_isready"
    assert c["resources"]["requests"] == c["resources"]["limits"], "Guaranteed QoS"
    assert pod["nodeSelector"] == {"voyager.io/node-pool": "database"}
    assert pod["priorityClassName"] == "voyager-database"
    (claim,) = spec["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "gp3-high-iops"
    hook = json.loads(spec["template"]["metadata"]["annotations"]["pre.hook.backup.velero.io/command"])
    assert "CHECKPOINT" in hook[-1]
    headless = find(prod, "Service", f"{service}-postgresql", service)
    assert headless["spec"]["clusterIP"] == "None"


def test_keda_worker_has_no_hpa_and_authenticated_trigger(prod):
    so = find(prod, "ScaledObject", "jarvis-spy-interpreter-scaler", "jarvis")["spec"]
    assert so["scaleTargetRef"] == {"name": "jarvis-spy-interpreter"}
    assert (so["minReplicaCount"], so["maxReplicaCount"]) == (1, 20)
    (trigger,) = so["triggers"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"] == {
        "bootstrapServers": "kafka-cluster-kafka-bootstrap.kafka.svc.cluster.local:9092",
        "consumerGroup": "jarvis-spy-interpreter", "topic": "spy_control",
        "lagThreshold": "5", "offsetResetPolicy": "latest"}
    auth = find(prod, "TriggerAuthentication", trigger["authenticationRef"]["name"], "jarvis")
    assert {r["name"] for r in auth["spec"]["secretTargetRef"]} == {"jarvis-kafka-credentials"}
    assert not [o for _, o in prod if o["kind"] == "HorizontalPodAutoscaler"
                and o["metadata"]["namespace"] == "jarvis"]
    assert "replicas" not in find(prod, "Deployment", "jarvis-spy-interpreter")["spec"]


def test_controllers_leader_elect_with_least_rbac(prod):
    dep = find(prod, "Deployment", "book-controller", "bdk")
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    assert c["command"] == ["/manager"] and "--leader-elect" in c["args"]
    env = {e["name"]: e for e in c["env"]}
    assert env["WATCH_NAMESPACE"]["value"] == ""
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["OPERATOR_NAME"]["value"] == "book-controller"
    role = find(prod, "Role", "book-controller-role", "bdk")
    assert {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
            "verbs": ["get", "list", "watch", "create", "update", "patch"]} in role["rules"]
    cluster_role = find(prod, "ClusterRole", "bdk-book-controller")
    assert all("*" not in v for r in cluster_role["rules"] for v in r.values())
    llm = find(prod, "Deployment", "llm-services-controller", "llm")
    (c,) = llm["spec"]["template"]["spec"]["containers"]
    watch = next(e for e in c["env"] if e["name"] == "WATCH_NAMESPACE")
    assert watch["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"


def test_no_secret_carries_data(all_objects):
    for env, rel, obj in all_objects:
        if obj["kind"] == "Secret":
            assert not obj.get("data") and not obj.get("stringData"), f"{env}/{rel}"


def test_every_read_secret_comes_from_vault(all_objects):
    produced = {(env, o["metadata"]["namespace"], o["spec"]["target"]["name"])
                for env, _, o in all_objects if o["kind"] == "ExternalSecret"}
    produced |= {(env, o["metadata"]["namespace"], o["metadata"]["name"])
                 for env, _, o in all_objects if o["kind"] == "Secret"}
    stores = {(env, o["metadata"]["namespace"]) for env, _, o in all_objects
              if o["kind"] == "SecretStore"}
    for env, rel, obj in all_objects:
        if obj["kind"] not in ("Deployment", "StatefulSet"):
            continue
        ns = obj["metadata"]["namespace"]
        for c in obj["spec"]["template"]["spec"]["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert (env, ns, ref["name"]) in produced, f"{env}/{rel}: {ref['name']}"
    for env, rel, obj in all_objects:
        if obj["kind"] == "ExternalSecret":
            assert (env, obj["metadata"]["namespace"]) in stores
            assert obj["spec"]["secretStoreRef"] == {"name": "vault", "kind": "SecretStore"}
        if obj["kind"] == "SecretStore":
            auth = obj["spec"]["provider"]["vault"]["auth"]["kubernetes"]
            # Each namespace logs in as itself: role and account are its own.
            assert auth["role"] == obj["metadata"]["namespace"]
            assert auth["serviceAccountRef"] == {"name": "vault-auth"}


def test_velero_backs_up_every_namespace_with_state(prod):
    schedule = find(prod, "Schedule", "daily-backup", "velero")["spec"]
    assert schedule["schedule"] == "0 2 * * *"
    assert schedule["template"]["ttl"] == "720h0m0s"
    with_volumes = {o["metadata"]["namespace"] for _, o in prod
                    if o["kind"] == "StatefulSet" and o["spec"].get("volumeClaimTemplates")}
    assert set(schedule["template"]["includedNamespaces"]) == with_volumes
    # Vault's raft claims; databases on CloudNativePG are archived by it, not
    # by Velero (tests/test_disaster_recovery.py).
    assert "vault" in with_volumes


def test_storage_classes_exactly_as_specified(prod):
    high = find(prod, "StorageClass", "gp3-high-iops")
    assert high["provisioner"] == "ebs.csi.aws.com"
    assert high["parameters"] == {"type": "gp3", "iops": "3000", "throughput": "125", "encrypted": "true"}
    assert high["allowVolumeExpansion"] is True and high["volumeBindingMode"] == "WaitForFirstConsumer"
    std = find(prod, "StorageClass", "gp3-standard")
    assert std["parameters"] == {"type": "gp3", "encrypted": "true"}


def test_edge_routes_every_public_service_through_authz(prod):
    gw = find(prod, "Gateway", "voyager", "envoy-gateway-system")
    policy = find(prod, "SecurityPolicy", "voyager-ext-authz", "envoy-gateway-system")["spec"]
    assert policy["targetRefs"][0]["name"] == gw["metadata"]["name"]
    assert policy["extAuth"]["grpc"]["backendRefs"] == [
        {"name": "authentication-and-authorization", "port": 8080}]
    routes = [o for _, o in prod if o["kind"] == "HTTPRoute"]
    assert routes
    for route in routes:
        (rule,) = route["spec"]["rules"]
        (backend,) = rule["backendRefs"]
        assert backend["port"] == 8081, "routes go to the transcoder's HTTP port"
        svc = find(prod, "Service", backend["name"], route["metadata"]["namespace"])
        assert any(p["port"] == 8081 for p in svc["spec"]["ports"])


def test_fluent_bit_is_pinned_and_tolerates_every_node(prod):
    ds = find(prod, "DaemonSet", "fluent-bit", "kube-system")
    pod = ds["spec"]["template"]["spec"]
    assert pod["tolerations"] == [{"operator": "Exists"}]
    assert not pod["containers"][0]["image"].endswith(":latest")
    cm = find(prod, "ConfigMap", "fluent-bit-config", "kube-system")
    conf = cm["data"]["fluent-bit.conf"]
    assert "Name              tail" in conf and "Name                kubernetes" in conf
    assert "opensearch.logging.svc.cluster.local" in conf


def test_argocd_apps_point_at_rendered_paths(rendered, all_objects):
    repo_root = rendered.parent
    # The add-ons' Applications are charts or other repositories (tests/test_addons.py).
    apps = [(env, o) for env, _, o in all_objects if o["kind"] == "Application"
            and o["spec"]["source"]["repoURL"] == "https://github.com/voyager/platform-config"
            and "chart" not in o["spec"]["source"]]
    assert apps
    for env, app in apps:
        path = app["spec"]["source"]["path"]
        assert path.startswith(f"dist/{env}/")
        assert (repo_root / path).is_dir(), path
        options = app["spec"]["syncPolicy"]["syncOptions"]
        assert "ServerSideApply=true" in options
    root = [o for env, o in apps if o["metadata"]["name"] == "voyager-platform"]
    assert all(o["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True} for o in root)


def test_sync_waves_order_the_sync(prod):
    wave = lambda o: int(o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])  # noqa: E731
    assert wave(find(prod, "Namespace", "jeeves")) == 0
    assert wave(find(prod, "Role", "jeeves-role", "jeeves")) == 1
    assert wave(find(prod, "Cluster", "jeeves-postgresql", "jeeves")) == 2  # CloudNativePG
    assert wave(find(prod, "Deployment", "jeeves-run-manager", "jeeves")) == 3
    so = find(prod, "ScaledObject", "jarvis-spy-interpreter-scaler", "jarvis")
    assert so["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == \
        "SkipDryRunOnMissingResource=true"


def test_secondary_region_inherits_production(objects):
    dr = objects("production-dr")
    hpa = find(dr, "HorizontalPodAutoscaler", "jeeves-run-manager-hpa", "jeeves")["spec"]
    assert hpa["minReplicas"] == 1 and hpa["maxReplicas"] == 10
    assert {o["metadata"]["name"] for _, o in dr if o["kind"] == "Namespace"} == \
        {o["metadata"]["name"] for _, o in objects("production") if o["kind"] == "Namespace"}


def test_api_token_only_where_the_api_is_used(prod):
    jeeves = find(prod, "Deployment", "jeeves-run-manager", "jeeves")["spec"]["template"]["spec"]
    assert jeeves["automountServiceAccountToken"] is True  # the spec's jeeves-role is used
    journal = find(prod, "Deployment", "journal", "journal")["spec"]["template"]["spec"]
    assert journal["automountServiceAccountToken"] is False
    assert find(prod, "Deployment", "book-controller", "bdk")["spec"]["selector"] == {
        "matchLabels": {"app": "book-controller"}}, "the spec's controller selector"


def test_vault_is_ready_only_when_unsealed_and_can_unseal(prod):
    sts = find(prod, "StatefulSet", "vault", "vault")["spec"]
    (c,) = sts["template"]["spec"]["containers"]
    assert "sealedcode" not in c["readinessProbe"]["httpGet"]["path"]
    assert "sealedcode=204" in c["livenessProbe"]["httpGet"]["path"]
    names = {e["name"] for e in c["env"]}
    assert {"VAULT_K8S_POD_NAME", "VAULT_K8S_NAMESPACE"} <= names
    sa = find(prod, "ServiceAccount", "vault", "vault")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    role = find(prod, "Role", "vault-role", "vault")
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "update", "patch"]}]
    assert find(prod, "PodDisruptionBudget", "vault-pdb", "vault")["spec"]["maxUnavailable"] == 1
    egress = find(prod, "NetworkPolicy", "vault-egress", "vault")["spec"]["egress"]
    assert any(p["port"] == 443 for rule in egress for p in rule["ports"]
               if any(peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for peer in rule["to"]))


def test_velero_keeps_pods_so_the_database_hooks_run(prod):
    template = find(prod, "Schedule", "daily-backup", "velero")["spec"]["template"]
    assert "pods" not in template["excludedResources"]


def test_only_the_database_class_retains_volumes(prod):
    assert find(prod, "StorageClass", "gp3-high-iops")["reclaimPolicy"] == "Retain"
    standard = find(prod, "StorageClass", "gp3-standard")
    assert "reclaimPolicy" not in standard
    assert not standard["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class")


def test_gpu_workload_requests_a_gpu_on_gpu_nodes_only(prod, staging):
    pod = find(prod, "Deployment", "model-manager", "llm")["spec"]["template"]["spec"]
    assert pod["nodeSelector"]["voyager.io/node-pool"] == "gpu"
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    pod = find(staging, "Deployment", "model-manager", "llm")["spec"]["template"]["spec"]
    assert pod["nodeSelector"]["voyager.io/node-pool"] == "compute"  # staging has no GPU pool
    assert "nvidia.com/gpu" not in pod["containers"][0]["resources"]["limits"]


def test_tenants_are_fenced_into_their_own_project(prod):
    tenants = find(prod, "AppProject", "voyager-production-customers", "argocd")["spec"]
    assert {d["namespace"] for d in tenants["destinations"]} == {
        o["metadata"]["name"] for _, o in prod
        if o["kind"] == "Namespace" and o["metadata"]["name"].startswith("customer-")}
    assert tenants["clusterResourceWhitelist"] == []
    assert {"group": "argoproj.io", "kind": "*"} in tenants["namespaceResourceBlacklist"]
    app = find(prod, "Application", "production-customer-acme", "argocd")
    assert app["spec"]["project"] == "voyager-production-customers"
    platform = find(prod, "AppProject", "voyager-production", "argocd")["spec"]
    assert not any(d["namespace"].startswith("customer-") for d in platform["destinations"])


def test_secondary_region_takes_no_backups_of_its_own(objects):
    dr = objects("production-dr")
    assert not [o for _, o in dr if o["kind"] == "Schedule"]
    # It only reads production's backups (tests/test_disaster_recovery.py).
    assert {o["spec"]["accessMode"] for _, o in dr if o["kind"] == "BackupStorageLocation"} == {"ReadOnly"}
