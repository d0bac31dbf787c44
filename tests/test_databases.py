"""The databases on CloudNativePG (issue #9, database half): one Cluster per
catalog database with the Barman Cloud plugin archiving to S3, a replica
cluster per database in the standby region, promotion as one value,
point-in-time restore as a new Cluster, the StatefulSet kept as a choice,
and what ``validate`` knows about the new kinds.

Upstream: CloudNativePG v1.30.0, plugin-barman-cloud v0.14.0 (comments in
lib/patterns/postgres_cluster.py, lib/platform/databases.py and
lib/validate/cnpg.py cite the files)."""
from __future__ import annotations

import copy
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ENVS, REPO, copy_values, load_objects, render_into, run_main
from lib.catalog import build_catalog, inventory
from lib.config.loader import load_environment
from lib.errors import ValuesError
from lib.platform import capacity
from lib.platform.environment import Plan
from lib.platform.workloads import config_for
from lib.validate import validate_tree
from lib.validate.cnpg import POD_PATH, instance_pod
from lib.validate.model import load_tree
from lib.validate.pod_security import check_pod
from test_validate import write_env

PLUGIN = "barman-cloud.cloudnative-pg.io"
DATABASES = {  # catalog workload -> (namespace, database/service)
    "jeeves-postgresql": ("jeeves", "jeeves"),
    "grimoire-postgresql": ("grimoire", "grimoire"),
    "threads-postgresql": ("threads", "threads"),
    "user-postgresql": ("user", "user"),
    "journal-postgresql": ("journal", "journal"),
}
DB_KINDS = ("Cluster", "ScheduledBackup", "ObjectStore", "PodMonitor")
PITR_TIME = "2025-06-01T09:59:00Z"
PITR_NAME = "jeeves-postgresql-pitr-20250601-095900"


def index(objs):
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for _, o in objs}


def get(objs, kind, ns, name):
    hits = [o for _, o in objs if o["kind"] == kind and o["metadata"]["name"] == name
            and o["metadata"].get("namespace", "") == ns]
    assert len(hits) == 1, f"{kind} {ns}/{name}: {len(hits)} rendered"
    return hits[0]


def db_objects(objs):
    return {k: o for k, o in index(objs).items() if k[0] in DB_KINDS}


def about_databases(findings):
    """Findings on the databases' objects or in their namespaces (the rest of
    the tree is other tests' business)."""
    namespaces = {ns for ns, _ in DATABASES.values()}
    return [f for f in findings if f.object.split("/")[0] in DB_KINDS
            or (f.object.count("/") == 2 and f.object.split("/")[1] in namespaces)]


def values_of(env):
    return load_environment(env, inventory=inventory()).model


# --- every database is a Cluster ---------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_every_catalog_database_is_a_cluster_with_the_seeds_intent(objects, env):
    objs = objects(env)
    model = values_of(env)
    assert model.databases.engine == "cloudnative-pg"
    for name, (ns, service) in DATABASES.items():
        spec = get(objs, "Cluster", ns, name)["spec"]
        sizing = model.workloads[name]
        # PostgreSQL 15.x, pinned, a CloudNativePG operand image from the values.
        assert spec["imageName"] == model.databases.image.ref
        assert re.fullmatch(r"[a-z0-9./-]+:15\.[0-9]+[-a-z0-9.]*", spec["imageName"]), spec["imageName"]
        # The seed's resources, Guaranteed QoS; the values' storage on the high-IOPS class.
        assert spec["resources"] == sizing.resources.as_dict()
        assert spec["resources"]["requests"] == spec["resources"]["limits"]
        assert spec["storage"] == {"size": sizing.storage, "storageClass": "gp3-high-iops"}
        assert spec["instances"] == model.databases.instances
        # Named after its service, owned by the user its Vault secret names.
        boot = spec["bootstrap"].get("initdb") or spec["bootstrap"]["recovery"]
        assert (boot["database"], boot["owner"], boot["secret"]) == (service, service,
                                                                     {"name": f"{service}-db-secret"})
        # No seed StatefulSet or its Service beside it.
        assert not [o for _, o in objs if o["kind"] in ("StatefulSet", "Service")
                    and o["metadata"]["name"] == name]
    assert get(objs, "Cluster", "journal", "journal-postgresql")["spec"]["storage"]["size"] == "50Gi"


def test_instances_come_from_the_values():
    assert values_of("production").databases.instances == 3
    assert values_of("production-dr").databases.instances == 3
    assert values_of("staging").databases.instances == 2


def test_both_regions_run_the_same_databases(objects):
    prod, dr = objects("production"), objects("production-dr")
    for name, (ns, service) in DATABASES.items():
        a, b = get(prod, "Cluster", ns, name)["spec"], get(dr, "Cluster", ns, name)["spec"]
        for key in ("imageName", "instances", "resources", "storage", "affinity", "inheritedMetadata",
                    "topologySpreadConstraints", "priorityClassName"):
            assert a[key] == b[key], (name, key)
        boot_a = a["bootstrap"]["initdb"]
        boot_b = b["bootstrap"]["recovery"]
        assert {k: boot_a[k] for k in ("database", "owner", "secret")} == \
               {k: boot_b[k] for k in ("database", "owner", "secret")}
        # The same Vault path in both regions.
        es_a = get(prod, "ExternalSecret", ns, f"{service}-db-secret")["spec"]
        es_b = get(dr, "ExternalSecret", ns, f"{service}-db-secret")["spec"]
        assert es_a == es_b


def test_production_spreads_instances_over_zones_and_nodes_on_database_nodes(objects):
    spec = get(objects("production"), "Cluster", "jeeves", "jeeves-postgresql")["spec"]
    affinity = spec["affinity"]
    assert affinity["enablePodAntiAffinity"] is True
    assert affinity["podAntiAffinityType"] == "required"  # upstream default: preferred
    assert affinity["topologyKey"] == "kubernetes.io/hostname"
    assert affinity["nodeSelector"] == {"voyager.io/node-pool": "database"}
    assert affinity["tolerations"] == [{"key": "voyager.io/node-pool", "operator": "Equal",
                                        "value": "database", "effect": "NoSchedule"}]
    [spread] = spec["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone" and spread["maxSkew"] == 1
    assert spread["labelSelector"]["matchLabels"] == {"cnpg.io/cluster": "jeeves-postgresql",
                                                      "cnpg.io/podRole": "instance"}
    assert spec["priorityClassName"] == "voyager-database"
    # Automated failover is the operator's: nothing here delays or supervises it.
    assert "failoverDelay" not in spec and spec["primaryUpdateStrategy"] == "unsupervised"


def test_no_dedicated_node_pools_means_no_pool_on_the_instances(values_dir):
    path = values_dir / "staging.yaml"
    data = yaml.safe_load(path.read_text())
    data.setdefault("cluster", {})["dedicated_node_pools"] = False
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    loaded = load_environment("staging", values_dir, inventory=inventory())
    catalog = build_catalog(loaded.model)
    ns = next(n for n in catalog.namespaces if n.name == "jeeves")
    db = next(w for w in catalog.in_namespace("jeeves") if w.pattern == "postgresql")
    cluster = config_for(loaded, catalog, ns, db).clusters[0]
    assert cluster.scheduling.node_labels == {} and cluster.scheduling.tolerations == ()
    assert cluster.scheduling.priority_class == "voyager-database"


def test_irsa_on_the_operators_service_account_and_no_rendered_one(objects):
    for env in ENVS:
        objs = objects(env)
        role = values_of(env).databases.iam_role_arn
        for name, (ns, _) in DATABASES.items():
            spec = get(objs, "Cluster", ns, name)["spec"]
            assert spec["serviceAccountTemplate"] == {
                "metadata": {"annotations": {"eks.amazonaws.com/role-arn": role}}}
            # CloudNativePG names the account after the Cluster and binds its Role.
            assert not [o for _, o in objs if o["kind"] in ("ServiceAccount", "Role", "RoleBinding")
                        and o["metadata"].get("namespace") == ns and o["metadata"]["name"].startswith(name)]
    assert values_of("staging").databases.iam_role_arn.split(":")[4] == "444455556666"


def test_pods_carry_the_databases_selector_through_inherited_metadata(objects):
    spec = get(objects("production"), "Cluster", "threads", "threads-postgresql")["spec"]
    assert spec["inheritedMetadata"]["labels"] == {"app": "postgresql", "service": "threads",
                                                   "app.kubernetes.io/part-of": "voyager"}


# --- archiving, backups, monitoring ------------------------------------------------------------

@pytest.mark.parametrize("env", ["production", "staging"])
def test_the_primary_archives_wal_and_backs_up_daily_through_the_plugin(objects, env):
    objs = objects(env)
    model = values_of(env)
    for name, (ns, _) in DATABASES.items():
        spec = get(objs, "Cluster", ns, name)["spec"]
        assert "barmanObjectStore" not in spec.get("backup", {})  # in-tree: removed in 1.31
        assert spec["plugins"] == [{"name": PLUGIN, "isWALArchiver": True, "parameters": {
            "barmanObjectName": f"{name}-archive", "serverName": name}}]
        assert "replica" not in spec and "externalClusters" not in spec
        store = get(objs, "ObjectStore", ns, f"{name}-archive")["spec"]
        assert store["configuration"]["destinationPath"] == \
            f"s3://{model.databases.archive.bucket}/databases/"
        assert store["configuration"]["s3Credentials"] == {"inheritFromIAMRole": True}
        assert "serverName" not in store["configuration"]  # the CRD's CEL rule forbids it
        assert store["retentionPolicy"] == "30d"
        sidecar = store["instanceSidecarConfiguration"]
        assert sidecar["resources"] == model.databases.sidecar_resources.as_dict()
        assert sidecar["resources"]["requests"] == sidecar["resources"]["limits"]
        assert sidecar["env"] == [{"name": "AWS_DEFAULT_REGION", "value": model.databases.archive.region}]
        backup = get(objs, "ScheduledBackup", ns, f"{name}-daily")["spec"]
        assert backup == {"schedule": "0 0 2 * * *", "cluster": {"name": name}, "method": "plugin",
                          "pluginConfiguration": {"name": PLUGIN}, "immediate": True,
                          "backupOwnerReference": "self"}


def test_the_schedule_is_the_seeds_0200_with_a_seconds_field():
    # robfig/cron v1.2.0 (CloudNativePG's parser) reads seconds first: the
    # seed's five-field "0 2 * * *" would mean minute 2 of every hour.
    model = values_of("production")
    seconds, minute, hour, *rest = model.databases.backup_schedule.split()
    assert (seconds, minute, hour, rest) == ("0", "0", "2", ["*", "*", "*"])
    assert model.backup.schedule.split()[:2] == [minute, hour]  # Velero's 02:00
    assert model.databases.retention == "30d" and model.backup.ttl == "720h0m0s"


def test_five_field_cron_is_refused(values_dir):
    path = values_dir / "base.yaml"
    path.write_text(path.read_text().replace('backup_schedule: "0 0 2 * * *"', 'backup_schedule: "0 2 * * *"'))
    with pytest.raises(ValuesError, match="databases.backup_schedule"):
        load_environment("staging", values_dir)


def test_sidecar_without_guaranteed_qos_is_refused(values_dir):
    path = values_dir / "base.yaml"
    text = path.read_text()
    old = "sidecar_resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {cpu: 500m, memory: 512Mi}}"
    assert old in text
    path.write_text(text.replace(old, old.replace("requests: {cpu: 500m", "requests: {cpu: 100m")))
    with pytest.raises(ValuesError, match="Guaranteed QoS"):
        load_environment("staging", values_dir)


def test_pod_monitor_scrapes_the_instances_metrics_port(objects):
    objs = objects("production")
    for name, (ns, _) in DATABASES.items():
        pm = get(objs, "PodMonitor", ns, name)
        assert pm["apiVersion"] == "monitoring.coreos.com/v1"
        assert pm["spec"]["selector"] == {"matchLabels": {"cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}}
        assert pm["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "interval": "30s"}]


def test_the_cluster_is_a_state_holder_for_argo_cd(objects):
    objs = objects("production")
    cluster = get(objs, "Cluster", "jeeves", "jeeves-postgresql")["metadata"]["annotations"]
    assert cluster["argocd.argoproj.io/sync-wave"] == "2"
    assert {"Prune=false", "Delete=false"} <= set(cluster["argocd.argoproj.io/sync-options"].split(","))
    store = get(objs, "ObjectStore", "jeeves", "jeeves-postgresql-archive")["metadata"]["annotations"]
    assert store["argocd.argoproj.io/sync-wave"] == "1"  # before the Cluster that names it


# --- network ----------------------------------------------------------------------------------

def _rules(policy, direction):
    key = "from" if direction == "ingress" else "to"
    out = []
    for rule in policy["spec"][direction]:
        ports = {(p["port"], p["protocol"]) for p in rule["ports"]}
        for peer in rule[key]:
            out.append((yaml.safe_dump(peer, sort_keys=True), ports))
    return out


def _has(rules, peer: dict, port: int) -> bool:
    text = yaml.safe_dump(peer, sort_keys=True)
    return any(p == text and (port, "TCP") in ports for p, ports in rules)


def test_network_policies_follow_the_declared_edges(objects):
    objs = objects("production")
    model = values_of("production")
    me = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "jeeves"}},
          "podSelector": {"matchLabels": {"app": "postgresql", "service": "jeeves"}}}
    operator = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "cloudnative-pg"}}}
    app = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "jeeves"}},
           "podSelector": {"matchLabels": {"app": "jeeves", "component": "run-manager"}}}
    prometheus = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                  "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}
    ingress = _rules(get(objs, "NetworkPolicy", "jeeves", "jeeves-postgresql-ingress"), "ingress")
    egress = _rules(get(objs, "NetworkPolicy", "jeeves", "jeeves-postgresql-egress"), "egress")
    assert model.cluster.cnpg_operator.namespace == "cnpg-system"
    assert _has(ingress, operator, 8000) and _has(ingress, operator, 5432)
    assert _has(ingress, me, 5432) and _has(ingress, me, 8000)
    assert _has(egress, me, 5432) and _has(egress, me, 8000)
    assert _has(ingress, app, 5432)
    assert _has(ingress, prometheus, 9187)
    for cidr in model.cluster.api_server_cidrs:
        assert _has(egress, {"ipBlock": {"cidr": cidr}}, model.cluster.api_server_port)
    internet = {"ipBlock": {"cidr": "0.0.0.0/0", "except": list(model.cluster.private_cidrs)}}
    assert _has(egress, internet, 443)  # S3 and STS (IRSA)
    ports = {(p, proto) for _, ps in ingress for p, proto in ps}
    assert ports <= {(5432, "TCP"), (8000, "TCP"), (9187, "TCP")}


def test_the_instances_declare_their_own_edges_and_traffic_agrees(rendered, objects):
    cluster = get(objects("production"), "Cluster", "jeeves", "jeeves-postgresql")
    assert cluster["metadata"]["annotations"]["voyager.io/talks-to"] == \
        "jeeves/postgresql:postgresql,jeeves/postgresql:status"
    app = get(objects("production"), "Deployment", "jeeves", "jeeves-run-manager")
    assert "jeeves/postgresql:postgresql" in app["metadata"]["annotations"]["voyager.io/talks-to"]
    for env in ENVS:
        assert validate_tree(rendered / env, checks=["traffic"]) == []


def test_traffic_catches_an_instance_edge_the_policies_do_not_open(rendered, tmp_path):
    objs = [o for _, o in load_objects(rendered / "staging")]
    for obj in objs:
        if obj["kind"] == "NetworkPolicy" and obj["metadata"]["name"] == "jeeves-postgresql-ingress":
            for rule in obj["spec"]["ingress"]:
                rule["ports"] = [p for p in rule["ports"] if p["port"] != 8000]
    findings = validate_tree(write_env(tmp_path, objs, "staging"), checks=["traffic"])
    assert any(f.object == "Cluster/jeeves/jeeves-postgresql" and "jeeves/postgresql:status" in f.message
               and "ingress" in f.message for f in findings), findings


# --- the standby and its promotion -----------------------------------------------------------

def test_the_standby_follows_the_primarys_replicated_archive_and_backs_up_nothing(objects):
    objs = objects("production-dr")
    model = values_of("production-dr")
    peer = model.backup.peer_location
    assert model.region_role == "standby" and peer.environment == "production"
    for name, (ns, _) in DATABASES.items():
        spec = get(objs, "Cluster", ns, name)["spec"]
        assert spec["replica"] == {"enabled": True, "source": "production"}
        assert spec["bootstrap"]["recovery"]["source"] == "production"
        assert spec["externalClusters"] == [{"name": "production", "plugin": {"name": PLUGIN, "parameters": {
            "barmanObjectName": f"{name}-archive-production", "serverName": name}}}]
        assert "plugins" not in spec
        store = get(objs, "ObjectStore", ns, f"{name}-archive-production")["spec"]
        assert store["configuration"]["destinationPath"] == f"s3://{peer.bucket}/databases/"
        assert peer.bucket == "voyager-backups-eu-west-1-replica" and peer.region == "eu-central-1"
        assert "retentionPolicy" not in store  # only the primary prunes its archive
    assert not [o for _, o in objs if o["kind"] == "ScheduledBackup"]


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """production-dr promoted and a point-in-time restore in production, rendered once."""
    root = tmp_path_factory.mktemp("databases")
    values = copy_values(root / "values")
    dr = values / "production-dr.yaml"
    dr.write_text(dr.read_text().replace("\nregion_role: standby\n", "\nregion_role: primary\n"))
    _apply_readme_values(_section("Point-in-time restore of one database"), values)
    render_into(root / "dist", "--values", values, "--env", "production", "--env", "production-dr")
    return root / "dist"


def test_promotion_changes_exactly_replica_off_and_backups_on(objects, changed):
    before = db_objects(objects("production-dr"))
    after = db_objects(load_objects(changed / "production-dr"))
    model = values_of("production-dr")
    assert set(before) <= set(after)
    added = set(after) - set(before)
    assert added == {("ScheduledBackup", ns, f"{name}-daily") for name, (ns, _) in DATABASES.items()}
    for name, (ns, _) in DATABASES.items():
        key = ("Cluster", ns, name)
        a, b = copy.deepcopy(after[key]), before[key]
        assert (b["spec"]["replica"]["enabled"], a["spec"]["replica"]["enabled"]) == (True, False)
        # Archiving to this region's own store, under its name, never the primary's.
        assert a["spec"].pop("plugins") == [{"name": PLUGIN, "isWALArchiver": True, "parameters": {
            "barmanObjectName": f"{name}-archive", "serverName": name}}]
        own = after[("ObjectStore", ns, f"{name}-archive")]["spec"]["configuration"]["destinationPath"]
        peer = after[("ObjectStore", ns, f"{name}-archive-production")]["spec"]["configuration"]["destinationPath"]
        assert own == f"s3://{model.databases.archive.bucket}/databases/" != peer
        a["spec"]["replica"]["enabled"] = True
        assert a == b, name  # nothing else in the Cluster
        backup = after[("ScheduledBackup", ns, f"{name}-daily")]["spec"]
        assert backup["cluster"] == {"name": name} and backup["method"] == "plugin"
    for key in set(before) - {k for k in before if k[0] == "Cluster"}:
        assert after[key] == before[key], key  # ObjectStores, PodMonitors untouched


def test_a_standby_needs_the_other_regions_bucket_and_cloudnative_pg(values_dir):
    path = values_dir / "staging.yaml"
    path.write_text("region_role: standby\n" + path.read_text())
    with pytest.raises(ValuesError, match="backup.peer_location is missing"):
        load_environment("staging", values_dir)
    dr = values_dir / "production-dr.yaml"
    dr.write_text(dr.read_text().replace("databases:\n  origin: peer-archive\n",
                                         "databases:\n  engine: statefulset\n  origin: peer-archive\n"))
    with pytest.raises(ValuesError, match="cannot follow the primary"):
        load_environment("production-dr", values_dir)


# --- point-in-time restore --------------------------------------------------------------------

def _section(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    assert "### Databases" in readme
    body = readme.split("### Databases", 1)[1].split("\n## ", 1)[0]
    part = body.split(f"#### {title}", 1)[1].split("\n#### ", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", part, re.S))


def _apply_readme_values(commands: str, values: Path) -> None:
    """Run the runbook's heredoc that appends to a values file, on a copy."""
    heredocs = re.findall(r"^(cat >> lib/values/[a-z-]+\.yaml <<'EOF'\n.*?\nEOF)$", commands, re.S | re.M)
    assert heredocs, "the runbook changes no values"
    for block in heredocs:
        subprocess.run(["bash", "-c", block.replace("lib/values/", f"{values}/")], check=True, timeout=30)


def test_restore_renders_a_new_cluster_from_the_archive(objects, changed):
    before = db_objects(objects("production"))
    after = db_objects(load_objects(changed / "production"))
    assert set(after) - set(before) == {("Cluster", "jeeves", PITR_NAME), ("PodMonitor", "jeeves", PITR_NAME),
                                        ("ScheduledBackup", "jeeves", f"{PITR_NAME}-daily")}
    assert all(after[k] == before[k] for k in before)  # the original is untouched
    spec = after[("Cluster", "jeeves", PITR_NAME)]["spec"]
    assert spec["bootstrap"] == {"recovery": {
        "source": "jeeves-postgresql", "database": "jeeves", "owner": "jeeves",
        "secret": {"name": "jeeves-db-secret"}, "recoveryTarget": {"targetTime": PITR_TIME}}}
    assert spec["externalClusters"] == [{"name": "jeeves-postgresql", "plugin": {"name": PLUGIN, "parameters": {
        "barmanObjectName": "jeeves-postgresql-archive", "serverName": "jeeves-postgresql"}}}]
    # It archives under its own name, never into the archive it came from.
    assert spec["plugins"][0]["parameters"] == {"barmanObjectName": "jeeves-postgresql-archive",
                                                "serverName": PITR_NAME}
    assert spec["instances"] == 1 and "replica" not in spec
    # production's restore is production's: the standby inherits none.
    assert not [k for k in load_objects(changed / "production-dr")
                if k[1]["metadata"]["name"].startswith("jeeves-postgresql-pitr")]


def test_restored_cluster_passes_validate(changed):
    assert about_databases(validate_tree(changed / "production", checks=[
        "reference", "capacity", "pod-security", "traffic", "schema"])) == []


def test_restore_values_are_checked(values_dir):
    path = values_dir / "production.yaml"
    original = path.read_text()
    path.write_text(original + "\ndatabases:\n  restores:\n"
                               "    - {database: jeeves-postgresql, target_time: '2025-06-01 09:59'}\n")
    with pytest.raises(ValuesError, match="target_time"):
        load_environment("production", values_dir)
    path.write_text(original + "\ndatabases:\n  restores:\n"
                               "    - {database: jeeves, target_time: '2025-06-01T09:59:00Z'}\n")
    loaded = load_environment("production", values_dir, inventory=inventory())
    with pytest.raises(ValuesError, match="'jeeves' is not a database"):
        Plan.of(loaded)


# --- the seed's StatefulSet stays a choice ----------------------------------------------------

def test_statefulset_engine_renders_the_seed(tmp_path):
    values = copy_values(tmp_path / "values")
    path = values / "staging.yaml"
    path.write_text(path.read_text().replace("databases:\n  instances: 2\n",
                                             "databases:\n  engine: statefulset\n  instances: 2\n"))
    render_into(tmp_path / "dist", "--values", values, "--env", "staging")
    objs = load_objects(tmp_path / "dist" / "staging")
    assert not [o for _, o in objs if o["kind"] in DB_KINDS]
    for name, (ns, _) in DATABASES.items():
        sts = get(objs, "StatefulSet", ns, name)
        assert sts["spec"]["replicas"] == 1
    assert about_databases(validate_tree(tmp_path / "dist" / "staging",
                                         checks=["reference", "traffic", "capacity"])) == []


# --- capacity: the render-time check and validate's ----------------------------------------

def test_render_time_capacity_counts_every_instance_with_its_sidecar():
    loaded = load_environment("production", inventory=inventory())
    catalog = build_catalog(loaded.model)
    ns = next(n for n in catalog.namespaces if n.name == "journal")
    db = next(w for w in catalog.in_namespace("journal") if w.pattern == "postgresql")
    need = capacity.demand(config_for(loaded, catalog, ns, db))
    # 3 x (postgres 1 CPU/2Gi + sidecar 500m/512Mi), 3 claims of 50Gi.
    assert need["requests.cpu"] == need["limits.cpu"] == 3 * 1.5
    assert need["requests.memory"] == need["limits.memory"] == 3 * (2 + 0.5) * 2**30
    assert need["pods"] == need["persistentvolumeclaims"] == 3
    assert need["requests.storage"] == 3 * 50 * 2**30


def test_render_fails_when_a_restore_does_not_fit_the_quota(values_dir, tmp_path):
    path = values_dir / "production.yaml"
    path.write_text(path.read_text() + "\ndatabases:\n  restores:\n"
                    "    - {database: journal-postgresql, target_time: '2025-06-01T09:59:00Z', instances: 3}\n")
    proc = run_main("--values", values_dir, "--env", "production", "--outdir", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    assert "namespace journal needs" in proc.stderr and "quota" in proc.stderr


def test_validate_counts_the_instances_and_the_sidecar(rendered, tmp_path):
    tree = load_tree(rendered / "production")
    [pod] = [p for p in tree.pods if p.owner.kind == "Cluster" and p.owner.name == "jeeves-postgresql"]
    from lib.validate.capacity import max_replicas, pod_resources
    assert max_replicas(tree, pod.owner) == (3, "spec.instances")
    per_pod = pod_resources(pod.spec, ({}, {}))
    assert per_pod["limits.cpu"] == 1.5 and per_pod["requests.memory"] == 2.5 * 2**30
    # A quota one instance too small is reported, naming the Cluster.
    objs = [o for _, o in load_objects(rendered / "production")]
    for obj in objs:
        if obj["kind"] == "ResourceQuota" and obj["metadata"]["namespace"] == "journal":
            obj["spec"]["hard"]["persistentvolumeclaims"] = "2"
            obj["spec"]["hard"]["requests.storage"] = "100Gi"
    findings = validate_tree(write_env(tmp_path, objs, "production"), checks=["capacity"])
    assert any("persistentvolumeclaims" in f.field and "Cluster/journal/journal-postgresql x3" in f.message
               for f in findings), findings
    assert any("requests.storage" in f.field for f in findings), findings


# --- validate knows the new kinds ----------------------------------------------------------------

def test_modelled_instance_pod_is_restricted_as_cloudnative_pg_builds_it(rendered):
    tree = load_tree(rendered / "production")
    pod = instance_pod(tree, tree.get("Cluster", "jeeves", "jeeves-postgresql"))
    assert pod.path == POD_PATH
    assert check_pod(pod.spec, "restricted") == []
    names = [c["name"] for _, c in pod.containers()]
    assert names == ["bootstrap-controller", "plugin-barman-cloud", "postgres"]
    assert {p["name"]: p["containerPort"] for p in pod.ports()} == {"postgresql": 5432, "metrics": 9187,
                                                                     "status": 8000}
    assert pod.labels["app"] == "postgresql" and pod.labels["cnpg.io/cluster"] == "jeeves-postgresql"


def _planted(rendered, tmp_path, edit):
    objs = [o for _, o in load_objects(rendered / "staging")]
    for obj in objs:
        edit(obj)
    return validate_tree(write_env(tmp_path, objs, "staging"), checks=["reference", "pod-security"])


def _expect(findings, obj, field, text):
    assert any(f.object == obj and f.field == field and text in f.message for f in findings), \
        "\n".join(map(str, findings))


def test_validate_reports_a_missing_object_store(rendered, tmp_path):
    def edit(obj):
        if obj["kind"] == "Cluster" and obj["metadata"]["name"] == "jeeves-postgresql":
            obj["spec"]["plugins"][0]["parameters"]["barmanObjectName"] = "nowhere"
    _expect(_planted(rendered, tmp_path, edit), "Cluster/jeeves/jeeves-postgresql",
            "spec.plugins[0].parameters.barmanObjectName", "ObjectStore jeeves/nowhere is not rendered")


def test_validate_reports_a_credentials_secret_without_username(rendered, tmp_path):
    def edit(obj):
        if obj["kind"] == "ExternalSecret" and obj["metadata"]["name"] == "grimoire-db-secret":
            obj["spec"]["data"] = [d for d in obj["spec"]["data"] if d["secretKey"] != "username"]
    _expect(_planted(rendered, tmp_path, edit), "Cluster/grimoire/grimoire-postgresql",
            "spec.bootstrap.initdb.secret", "has no key 'username'")


def test_validate_reports_a_storage_class_and_priority_class_that_do_not_exist(rendered, tmp_path):
    def edit(obj):
        if obj["kind"] == "Cluster" and obj["metadata"]["name"] == "user-postgresql":
            obj["spec"]["storage"]["storageClass"] = "gp2"
            obj["spec"]["priorityClassName"] = "nope"
    findings = _planted(rendered, tmp_path, edit)
    _expect(findings, "Cluster/user/user-postgresql", "spec.storage.storageClass", "StorageClass 'gp2'")
    _expect(findings, "Cluster/user/user-postgresql", f"{POD_PATH}.priorityClassName", "PriorityClass 'nope'")


def test_validate_reports_a_scheduled_backup_of_nothing(rendered, tmp_path):
    def edit(obj):
        if obj["kind"] == "ScheduledBackup" and obj["metadata"]["name"] == "threads-postgresql-daily":
            obj["spec"]["cluster"]["name"] = "threads-db"
        if obj["kind"] == "Cluster" and obj["metadata"]["name"] == "journal-postgresql":
            del obj["spec"]["plugins"]
    findings = _planted(rendered, tmp_path, edit)
    _expect(findings, "ScheduledBackup/threads/threads-postgresql-daily", "spec.cluster.name",
            "Cluster threads/threads-db is not rendered")
    _expect(findings, "ScheduledBackup/journal/journal-postgresql-daily", "spec.pluginConfiguration.name",
            "does not archive through barman-cloud.cloudnative-pg.io")


def test_validate_reports_a_pod_monitor_of_no_pod_or_port(rendered, tmp_path):
    def edit(obj):
        if obj["kind"] == "PodMonitor" and obj["metadata"]["name"] == "jeeves-postgresql":
            obj["spec"]["podMetricsEndpoints"][0]["port"] = "http-metrics"
        if obj["kind"] == "PodMonitor" and obj["metadata"]["name"] == "user-postgresql":
            obj["spec"]["selector"]["matchLabels"]["cnpg.io/cluster"] = "user-db"
    findings = _planted(rendered, tmp_path, edit)
    _expect(findings, "PodMonitor/jeeves/jeeves-postgresql", "spec.podMetricsEndpoints[0].port",
            "no selected pod has a container port named 'http-metrics'")
    _expect(findings, "PodMonitor/user/user-postgresql", "spec.selector", "selects no pod")


def test_validate_judges_the_pods_the_operator_will_build(rendered, tmp_path):
    def edit(obj):
        if obj["kind"] == "Cluster" and obj["metadata"]["name"] == "jeeves-postgresql":
            obj["spec"]["securityContext"] = {"allowPrivilegeEscalation": True}
    _expect(_planted(rendered, tmp_path, edit), "Cluster/jeeves/jeeves-postgresql",
            f"{POD_PATH}.containers[0].securityContext.allowPrivilegeEscalation", "namespace jeeves enforces")


# --- vendored upstream ------------------------------------------------------------------------

VENDORED = ("cloudnative-pg/postgresql.cnpg.io_clusters.yaml", "cloudnative-pg/postgresql.cnpg.io_scheduledbackups.yaml",
            "cloudnative-pg/barmancloud.cnpg.io_objectstores.yaml",
            "prometheus-operator/monitoring.coreos.com_podmonitors.yaml")


@pytest.mark.parametrize("rel", VENDORED)
def test_crds_are_vendored_byte_for_byte_with_provenance(rel):
    path = REPO / "crds" / rel
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    row = next(line for line in (REPO / "crds" / "README.md").read_text().splitlines()
               if line.startswith(f"| `{rel}` |"))
    assert row.endswith(f"| `{digest}` |")
    assert f"{path.stat().st_size:,}" in row
    shared = REPO.parent / "shared" / "crds" / rel
    if shared.exists():
        assert shared.read_bytes() == path.read_bytes()
    assert f":=crds/{rel}" in (REPO / "cdk8s.yaml").read_text()


# --- the real API server: the promoted and restored shapes too ---------------------------------

from test_apiserver import apiserver, apply_environment  # noqa: E402,F401  (the session's server)


@pytest.mark.parametrize("env", ["production", "production-dr"])
def test_promoted_and_restored_clusters_pass_the_api_server(apiserver, changed, env):  # noqa: F811
    """The default render is dry-run by tests/test_apiserver.py; here the two
    shapes only a values change renders (production-dr promoted, production
    with a restore), CEL rules of the vendored CRDs included."""
    objs = [(rel, o) for rel, o in load_objects(changed / env)]
    res = apply_environment(apiserver, env, objs)
    assert not res["problems"], "\n".join(res["problems"])
    assert res["accepted"] == res["total"]
