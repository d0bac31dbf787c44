"""The databases on CloudNativePG (issue #9, database half): one Cluster per
catalog database with the Barman Cloud plugin archiving to S3, the pair's
clusters in CloudNativePG's distributed topology (the standby a replica
cluster that archives too), every runbook's values rendered (planned
switchover with promotion tokens, unplanned failover, failback under a new
archive generation, point-in-time restore and its retries), the
StatefulSet kept as a choice, and what ``validate`` knows about the new
kinds.

Upstream: CloudNativePG v1.30.0, plugin-barman-cloud v0.14.0 (comments in
lib/patterns/postgres_cluster.py, lib/platform/databases.py and
lib/validate/cnpg.py cite the files)."""
from __future__ import annotations

import copy
import hashlib
import re
import shutil
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
        # Generation 0 of both: the archive path the first primary has always had.
        assert model.databases.archive_generations.get(env, 0) == 0
        assert spec["plugins"] == [{"name": PLUGIN, "isWALArchiver": True, "parameters": {
            "barmanObjectName": f"{name}-archive", "serverName": name}}]
        if env == "staging":  # alone
            assert "replica" not in spec and "externalClusters" not in spec
        else:  # the pair's primary
            assert spec["replica"] == {"self": "production", "primary": "production", "source": "production-dr"}
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


# --- the pair: distributed topology, archive generations ---------------------------------------

DBS_LIST = sorted(DATABASES)


def _external(spec, name):
    [entry] = [e for e in spec["externalClusters"] if e["name"] == name]
    assert entry["plugin"]["name"] == PLUGIN
    return entry["plugin"]["parameters"]


def test_the_standby_follows_the_primarys_replicated_archive_and_archives_its_own(objects):
    """production-dr: a replica cluster of production in CloudNativePG's
    distributed topology, archiving what it replays into its own bucket under
    its own generation, and backing that up daily (its archive is pruned only
    past a base backup)."""
    objs = objects("production-dr")
    model = values_of("production-dr")
    peer = model.backup.peer_location
    assert model.region_role == "standby" and peer.environment == "production"
    assert model.databases.archive_generations == {"production": 0, "production-dr": 1}
    for name, (ns, _) in DATABASES.items():
        spec = get(objs, "Cluster", ns, name)["spec"]
        assert spec["replica"] == {"self": "production-dr", "primary": "production", "source": "production"}
        assert spec["bootstrap"]["recovery"]["source"] == "production"
        assert [e["name"] for e in spec["externalClusters"]] == ["production", "production-dr"]
        assert _external(spec, "production") == {"barmanObjectName": f"{name}-archive-production",
                                                  "serverName": name}
        assert _external(spec, "production-dr") == {"barmanObjectName": f"{name}-archive",
                                                     "serverName": f"{name}-1"}
        assert spec["plugins"] == [{"name": PLUGIN, "isWALArchiver": True, "parameters": {
            "barmanObjectName": f"{name}-archive", "serverName": f"{name}-1"}}]
        store = get(objs, "ObjectStore", ns, f"{name}-archive-production")["spec"]
        assert store["configuration"]["destinationPath"] == f"s3://{peer.bucket}/databases/"
        assert peer.bucket == "voyager-backups-eu-west-1-replica" and peer.region == "eu-central-1"
        assert "retentionPolicy" not in store  # only its writer prunes an archive
        own = get(objs, "ObjectStore", ns, f"{name}-archive")["spec"]
        assert own["configuration"]["destinationPath"] == "s3://voyager-backups-eu-central-1/databases/"
        assert own["retentionPolicy"] == "30d"
        assert get(objs, "ScheduledBackup", ns, f"{name}-daily")["spec"]["cluster"] == {"name": name}


def test_both_regions_list_the_same_archives_under_the_same_names(objects):
    """Each region's externalClusters name both environments and read each
    one's archive under the server name that region writes."""
    prod, dr = objects("production"), objects("production-dr")
    for name, (ns, _) in DATABASES.items():
        p, d = get(prod, "Cluster", ns, name)["spec"], get(dr, "Cluster", ns, name)["spec"]
        for env in ("production", "production-dr"):
            assert _external(p, env)["serverName"] == _external(d, env)["serverName"]
        assert p["plugins"][0]["parameters"] == _external(p, "production")
        assert d["plugins"][0]["parameters"] == _external(d, "production-dr")
        # Never the name the replica source reads.
        for spec in (p, d):
            assert spec["plugins"][0]["parameters"]["serverName"] != \
                _external(spec, spec["replica"]["source"])["serverName"]


def _commands(text: str) -> dict[int, str]:
    """A runbook's commands by step ("# 1. ..." comments start a step)."""
    steps: dict[int, list[str]] = {0: []}
    current = 0
    for line in text.splitlines():
        m = re.match(r"# (\d+)\. ", line)
        if m:
            current = int(m[1])
            steps.setdefault(current, [])
        steps[current].append(line)
    return {k: "\n".join(v) for k, v in steps.items()}


def _section(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    assert "### Databases" in readme
    body = readme.split("\n### Databases\n", 1)[1].split("\n## ", 1)[0]
    part = body.split(f"\n#### {title}\n", 1)[1].split("\n#### ", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", part, re.S))


def _run_value_edits(commands: str, values: Path, **env: str) -> list[str]:
    """Run a runbook's `sed -i` lines (its values changes) on a copy of the
    values, in bash, with the shell variables it would have set."""
    seds = [line for line in commands.splitlines() if line.startswith("sed -i ")]
    assert seds, "the runbook changes no values"
    for line in seds:
        subprocess.run(["bash", "-c", line.replace("lib/values/", f"{values}/")], check=True, timeout=30,
                       env={"PATH": "/usr/bin:/bin", **env})
    return seds


def demotion_token(tli: int = 1, lsn: str = "0/5000028") -> str:
    """A token shaped as CloudNativePG v1.30.0 writes one (CreatePromotionToken)."""
    import base64
    import json
    return base64.b64encode(json.dumps({
        "latestCheckpointTimelineID": str(tli), "redoWalFile": f"{tli:08X}0000000000000005",
        "databaseSystemIdentifier": "7384625147183591424", "latestCheckpointREDOLocation": lsn,
        "timeOfLatestCheckpoint": "Sun 01 Jun 2025 10:00:00 AM UTC", "operatorVersion": "1.30.0"}).encode()).decode()


def _tokens_variable(tokens: dict[str, str]) -> str:
    """What the runbook's loop leaves in TOKENS."""
    return ", ".join(f'{{database: {name}, token: "{token}"}}' for name, token in tokens.items())


TOKENS = {name: demotion_token(lsn=f"0/{i + 5}000028") for i, name in enumerate(DBS_LIST)}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """Each runbook's values, rendered (production and production-dr):
    the planned switchover after its demotion commit and after its promotion
    commit, the unplanned failover, the failback after it (rebuild under a
    new generation, then the switchover back) and a point-in-time restore."""
    root = tmp_path_factory.mktemp("shapes")
    switchover = _commands(_section("Planned switchover (both regions up)"))
    failback = _commands(_section("Failback after an unplanned failover"))
    failover = _commands(_db_failover_commands())
    pitr = _commands(_section("Point-in-time restore of one database"))
    plans = {
        "demoted": [(switchover[1], {})],
        "switched": [(switchover[1], {}), (switchover[3], {"TOKENS": _tokens_variable(TOKENS)})],
        "failed-over": [(failover[2], {})],
        "rebuilt": [(failover[2], {}), (failback[2], {})],
        "failed-back": [(failover[2], {}), (failback[2], {}), (failback[5], {"TOKENS": _tokens_variable(TOKENS)})],
        "restore": [(pitr[1], {})],
    }
    out = {}
    for shape, steps in plans.items():
        values = copy_values(root / shape / "values")
        for commands, env in steps:
            _run_value_edits(commands, values, **env)
        out[shape] = (values, render_into(root / shape / "dist", "--values", values,
                                          "--env", "production", "--env", "production-dr"))
    return out


def _db_failover_commands() -> str:
    """The values change of an unplanned failover: "Failover", step 2 (the
    databases' runbook points there)."""
    readme = (REPO / "README.md").read_text()
    assert '"Failover", step 2 (Git)' in _section("Unplanned failover (production is gone)")
    part = readme.split("\n### Failover: production-dr takes over\n", 1)[1].split("\n### ", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", part, re.S))


def _diff_paths(a, b, path=""):
    """Paths (a.b[0].c) where two JSON-like values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(set(a) | set(b), key=str)
                for p in _diff_paths(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in _diff_paths(x, y, f"{path}[{i}]")]
    return [] if a == b else [path]


def _db_changes(before, after):
    """{object key: [changed paths]} over the databases' objects, plus added/removed keys."""
    b, a = db_objects(before), db_objects(after)
    changes = {k: _diff_paths(b[k], a[k]) for k in b.keys() & a.keys() if b[k] != a[k]}
    return set(a) - set(b), set(b) - set(a), changes


def test_demotion_changes_only_replica_primary_and_keeps_archiving(objects, shapes):
    """Planned switchover, commit 1: production's Clusters name production-dr
    as the pair's primary and keep their WAL archiver (it uploads the
    shutdown checkpoint and .partial of the demotion; without it CloudNativePG
    marks them archived and uploads nothing). production-dr is untouched."""
    _, dist = shapes["demoted"]
    added, removed, changes = _db_changes(objects("production"), load_objects(dist / "production"))
    assert (added, removed) == (set(), set())
    # (and the bootstrap, read only when a Cluster is created: production's
    # were initdb; a standby's is a recovery from the other region, for a rebuild)
    assert changes == {("Cluster", ns, name): ["spec.bootstrap.initdb", "spec.bootstrap.recovery",
                                                "spec.replica.primary"] for name, (ns, _) in DATABASES.items()}
    for name, (ns, _) in DATABASES.items():
        before = get(objects("production"), "Cluster", ns, name)["spec"]
        spec = get(load_objects(dist / "production"), "Cluster", ns, name)["spec"]
        assert spec["replica"] == {"self": "production", "primary": "production-dr", "source": "production-dr"}
        assert spec["plugins"] == before["plugins"] and spec["plugins"][0]["isWALArchiver"] is True
        assert spec["bootstrap"]["recovery"] == {"source": "production-dr", **before["bootstrap"]["initdb"]}
    assert _db_changes(objects("production-dr"), load_objects(dist / "production-dr"))[2] == {}


def test_planned_promotion_carries_each_databases_token(objects, shapes):
    """Planned switchover, commit 2: production-dr's Clusters become the
    pair's primary with production's demotion token each; nothing else of
    the databases changes, in either region."""
    values, dist = shapes["switched"]
    assert {t.database: t.token for t in values_of_dir(values, "production-dr").databases.promotion_tokens} == TOKENS
    assert values_of_dir(values, "production").databases.promotion_tokens == []
    added, removed, changes = _db_changes(objects("production-dr"), load_objects(dist / "production-dr"))
    assert (added, removed) == (set(), set())
    assert changes == {("Cluster", ns, name): ["spec.replica.primary", "spec.replica.promotionToken"]
                       for name, (ns, _) in DATABASES.items()}
    for name, (ns, _) in DATABASES.items():
        spec = get(load_objects(dist / "production-dr"), "Cluster", ns, name)["spec"]
        assert spec["replica"] == {"self": "production-dr", "primary": "production-dr", "source": "production",
                                   "promotionToken": TOKENS[name]}
        demoted = get(load_objects(dist / "production"), "Cluster", ns, name)["spec"]
        assert demoted["replica"]["primary"] == "production-dr" and "promotionToken" not in demoted["replica"]


def test_unplanned_failover_promotes_without_a_token(objects, shapes):
    values, dist = shapes["failed-over"]
    assert values_of_dir(values, "production-dr").region_role == "primary"
    assert values_of_dir(values, "production").region_role == "standby"
    added, removed, changes = _db_changes(objects("production-dr"), load_objects(dist / "production-dr"))
    assert (added, removed) == (set(), set())
    assert changes == {("Cluster", ns, name): ["spec.replica.primary"] for name, (ns, _) in DATABASES.items()}
    for name, (ns, _) in DATABASES.items():
        spec = get(load_objects(dist / "production-dr"), "Cluster", ns, name)["spec"]
        assert spec["replica"] == {"self": "production-dr", "primary": "production-dr", "source": "production"}
        # It goes on archiving where it archived as the standby.
        assert spec["plugins"][0]["parameters"]["serverName"] == f"{name}-1"


def test_failback_rebuilds_production_under_a_new_generation(objects, shapes):
    """After an unplanned failover, production's rebuilt clusters archive
    under generation 2 (an empty path: the old one holds production's
    pre-failover WAL), and production-dr reads them there."""
    values, dist = shapes["rebuilt"]
    gens = values_of_dir(values, "production").databases.archive_generations
    assert gens == {"production": 2, "production-dr": 1} == \
        values_of_dir(values, "production-dr").databases.archive_generations
    for name, (ns, _) in DATABASES.items():
        p = get(load_objects(dist / "production"), "Cluster", ns, name)["spec"]
        d = get(load_objects(dist / "production-dr"), "Cluster", ns, name)["spec"]
        assert p["plugins"][0]["parameters"]["serverName"] == f"{name}-2" == _external(d, "production")["serverName"]
        assert _external(p, "production-dr")["serverName"] == f"{name}-1"
        assert p["bootstrap"] == {"recovery": {"source": "production-dr", "database": p["bootstrap"]["recovery"]["database"],
                                               "owner": p["bootstrap"]["recovery"]["owner"],
                                               "secret": p["bootstrap"]["recovery"]["secret"]}}
        assert p["replica"] == {"self": "production", "primary": "production-dr", "source": "production-dr"}
    # Then the switchover back: roles as before, production promoted with tokens.
    values, dist = shapes["failed-back"]
    for env in ("production", "production-dr"):
        assert values_of_dir(values, env).region_role == values_of(env).region_role
    for name, (ns, _) in DATABASES.items():
        p = get(load_objects(dist / "production"), "Cluster", ns, name)["spec"]
        assert p["replica"] == {"self": "production", "primary": "production", "source": "production-dr",
                                "promotionToken": TOKENS[name]}
        assert get(load_objects(dist / "production-dr"), "Cluster", ns, name)["spec"]["replica"]["primary"] == \
            "production"


def values_of_dir(values: Path, env: str):
    return load_environment(env, values, inventory=inventory()).model


def test_render_refuses_two_regions_archiving_under_one_name(values_dir, tmp_path):
    """Both regions at one generation: each would archive under the server
    name its replica source reads. One line, exit 2."""
    path = values_dir / "production.yaml"
    path.write_text(path.read_text().replace("    production-dr: 1\n", "    production-dr: 0\n"))
    proc = run_main("--values", values_dir, "--env", "production-dr", "--outdir", tmp_path / "out")
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert "databases.archive_generations" in line and "production.yaml" in line
    assert re.search(r"production-dr and production both at generation 0: ([a-z]+)-postgresql would archive "
                     r"under server name '\1-postgresql', the one its replica source \(production\) reads", line), line
    # The pattern refuses it too, whoever builds the config.
    from lib.patterns.postgres_cluster import ArchiveRef, ExternalArchive, PostgresClusterConfig, Topology
    base = dict(name="db", labels={}, inherited_labels={}, description="", image="i:15", resources={
        "requests": {"cpu": "1"}, "limits": {"cpu": "1"}}, instances=1, database="d", owner="d",
        credentials_secret="s", storage="1Gi", storage_class="c", backup_schedule="0 0 2 * * *")
    with pytest.raises(ValueError, match="would archive under server name 'db'"):
        PostgresClusterConfig(**base, archive=ArchiveRef("db-archive", "db"),
                              external=(ExternalArchive("a", ArchiveRef("db-archive", "db")),
                                        ExternalArchive("b", ArchiveRef("db-archive-b", "db"))),
                              bootstrap_source="b", topology=Topology("a", "a", "b"))


def test_the_pair_needs_both_generations_and_tokens_only_to_promote(values_dir):
    prod = values_dir / "production.yaml"
    original = prod.read_text()
    prod.write_text(original.replace("    production-dr: 1\n", ""))
    with pytest.raises(ValuesError, match="archive_generations needs production-dr"):
        load_environment("production", values_dir)
    prod.write_text(original)
    dr = values_dir / "production-dr.yaml"
    text = dr.read_text()
    tokens = "  promotion_tokens: [" + _tokens_variable(TOKENS) + "]\n"
    # A standby takes no token (it would be used at its next promotion, stale).
    dr.write_text(text.replace("  promotion_tokens: []\n", tokens))
    with pytest.raises(ValuesError, match="promotion token is only for promoting"):
        load_environment("production-dr", values_dir)
    promoted = text.replace("\nregion_role: standby\n", "\nregion_role: primary\n")
    dr.write_text(promoted.replace("  promotion_tokens: []\n", tokens.replace(TOKENS["jeeves-postgresql"], "bm90IGEgdG9rZW4=")))
    with pytest.raises(ValuesError, match="not a CloudNativePG demotion token|lacks"):
        load_environment("production-dr", values_dir)
    # One database without its token: it would be promoted at once (a failover).
    partial = {k: v for k, v in TOKENS.items() if k != "user-postgresql"}
    dr.write_text(promoted.replace("  promotion_tokens: []\n", "  promotion_tokens: [" + _tokens_variable(partial) + "]\n"))
    loaded = load_environment("production-dr", values_dir, inventory=inventory())
    with pytest.raises(ValuesError, match="no token for user-postgresql"):
        Plan.of(loaded)


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


# --- CloudNativePG's admission rules, which the test API server does not run ---------------------

def webhook_problems(cluster: dict) -> list[str]:
    """CloudNativePG v1.30.0's webhook rules our shapes touch
    (internal/webhook/v1/cluster_webhook.go: validateExternalClusters,
    validateBootstrapRecoverySource, validateReplicaMode,
    validateReplicaClusterExternalClusters, validatePromotionToken,
    validatePluginConfiguration), restated: the envtest API server has the
    CRDs' schemas and CEL rules, not the operator's webhook."""
    import base64
    import json
    from lib.config.models import PROMOTION_TOKEN_FIELDS
    spec, name = cluster["spec"], cluster["metadata"]["name"]
    out = []
    externals = [e.get("name") for e in spec.get("externalClusters") or []]
    if len(set(externals)) != len(externals):
        out.append("externalClusters: duplicate names")
    for e in spec.get("externalClusters") or []:
        if not any(k in e for k in ("connectionParameters", "barmanObjectStore", "plugin")):
            out.append(f"externalClusters {e.get('name')}: no connectionParameters, plugin or barmanObjectStore")
    boot = spec.get("bootstrap") or {}
    source = (boot.get("recovery") or {}).get("source")
    if source and source not in externals:
        out.append(f"bootstrap.recovery.source {source}: external cluster not found")
    replica = spec.get("replica")
    if replica:
        if "enabled" in replica and replica.get("primary"):
            out.append("replica.enabled is not compatible with replica.primary")
        is_replica = replica["enabled"] if "enabled" in replica else \
            (replica.get("self") or name) != replica.get("primary")
        if is_replica and not (boot.get("recovery") or boot.get("pg_basebackup")):
            out.append("replica mode needs a recovery or pg_basebackup bootstrap")
        for key in ("source", "self", "primary"):
            if (key == "source" or replica.get(key)) and replica.get(key) not in externals:
                out.append(f"replica.{key} {replica.get(key)}: external cluster not found")
        token = replica.get("promotionToken")
        if token:
            if replica.get("minApplyDelay"):
                out.append("minApplyDelay cannot be applied with a promotion token")
            elif is_replica:
                out.append("promotionToken is only allowed for primary clusters")
            else:
                try:
                    content = json.loads(base64.b64decode(token))
                    if any(not content.get(f) for f in PROMOTION_TOKEN_FIELDS):
                        out.append("Invalid promotionToken content")
                except ValueError:
                    out.append("Invalid promotionToken format")
    archivers = [p["name"] for p in spec.get("plugins") or [] if p.get("enabled", True) and p.get("isWALArchiver")]
    if len(archivers) > 1:
        out.append("Cannot enable more than one WAL archiver plugin")
    if archivers and (spec.get("backup") or {}).get("barmanObjectStore"):
        out.append("Cannot enable a WAL archiver plugin when barmanObjectStore is configured")
    return out


def test_the_webhook_rules_catch_what_they_should(objects):
    spec = get(objects("production-dr"), "Cluster", "jeeves", "jeeves-postgresql")
    assert webhook_problems(spec) == []
    for edit, problem in (
            (lambda r: r.update(enabled=True), "not compatible with replica.primary"),
            (lambda r: r.update(self="dr"), "replica.self dr: external cluster not found"),
            (lambda r: r.update(promotionToken=demotion_token()), "only allowed for primary clusters"),
            (lambda r: r.update(primary="production-dr", promotionToken="bm9wZQ=="), "Invalid promotionToken")):
        bad = copy.deepcopy(spec)
        edit(bad["spec"]["replica"])
        assert any(problem in p for p in webhook_problems(bad)), (problem, webhook_problems(bad))


def test_every_rendered_shape_passes_cloudnative_pgs_webhook_rules(objects, shapes):
    counted = 0
    trees = [objects(env) for env in ENVS] + [load_objects(dist / env) for _, dist in shapes.values()
                                                for env in ("production", "production-dr")]
    for objs in trees:
        for _, obj in objs:
            if obj["kind"] == "Cluster":
                assert webhook_problems(obj) == [], (obj["metadata"], webhook_problems(obj))
                counted += 1
    assert counted >= 5 * (len(ENVS) + 2 * len(shapes))


def test_validate_knows_the_topologys_names(rendered, tmp_path):
    objs = [o for _, o in load_objects(rendered / "production-dr")]
    for obj in objs:
        if obj["kind"] == "Cluster" and obj["metadata"]["name"] == "jeeves-postgresql":
            obj["spec"]["replica"]["self"] = "dr"
        if obj["kind"] == "Cluster" and obj["metadata"]["name"] == "user-postgresql":
            obj["spec"]["replica"]["enabled"] = True
    findings = validate_tree(write_env(tmp_path, objs, "production-dr"), checks=["reference"])
    _expect(findings, "Cluster/jeeves/jeeves-postgresql", "spec.replica.self", "external cluster 'dr'")
    _expect(findings, "Cluster/user/user-postgresql", "spec.replica.enabled", "beside spec.replica.primary")


# --- point-in-time restore --------------------------------------------------------------------

def test_restore_renders_a_new_cluster_from_the_archive(objects, shapes):
    values, dist = shapes["restore"]
    before = db_objects(objects("production"))
    after = db_objects(load_objects(dist / "production"))
    assert set(after) - set(before) == {("Cluster", "jeeves", PITR_NAME), ("PodMonitor", "jeeves", PITR_NAME),
                                        ("ScheduledBackup", "jeeves", f"{PITR_NAME}-daily")}
    assert all(after[k] == before[k] for k in before)  # the original is untouched
    spec = after[("Cluster", "jeeves", PITR_NAME)]["spec"]
    assert spec["bootstrap"] == {"recovery": {
        "source": "jeeves-postgresql", "database": "jeeves", "owner": "jeeves",
        "secret": {"name": "jeeves-db-secret"}, "recoveryTarget": {"targetTime": PITR_TIME}}}
    assert spec["externalClusters"] == [{"name": "jeeves-postgresql", "plugin": {"name": PLUGIN, "parameters": {
        "barmanObjectName": "jeeves-postgresql-archive", "serverName": "jeeves-postgresql"}}}]
    # It archives under its own name and attempt, never into the archive it came from.
    assert spec["plugins"][0]["parameters"] == {"barmanObjectName": "jeeves-postgresql-archive",
                                                "serverName": f"{PITR_NAME}-1"}
    assert spec["instances"] == 1 and "replica" not in spec
    # production's restore is production's: the standby inherits none.
    assert not [k for k in load_objects(dist / "production-dr")
                if k[1]["metadata"]["name"].startswith("jeeves-postgresql-pitr")]


def test_restore_in_the_standby_reads_the_primarys_archive_and_archives_nothing(values_dir, tmp_path):
    path = values_dir / "production-dr.yaml"
    path.write_text(path.read_text().replace(
        "  restores: []\n", f'  restores:\n    - {{database: jeeves-postgresql, target_time: "{PITR_TIME}"}}\n'))
    objs = load_objects(render_into(tmp_path / "dist", "--values", values_dir, "--env", "production-dr")
                        / "production-dr")
    spec = get(objs, "Cluster", "jeeves", PITR_NAME)["spec"]
    assert spec["externalClusters"][0]["plugin"]["parameters"] == {
        "barmanObjectName": "jeeves-postgresql-archive-production", "serverName": "jeeves-postgresql"}
    assert "plugins" not in spec and "replica" not in spec
    assert not [o for _, o in objs if o["kind"] == "ScheduledBackup" and o["metadata"]["name"].startswith(PITR_NAME)]


def test_the_restore_runbook_retries_under_a_new_path_and_cleans_up(shapes, tmp_path):
    """Another attempt at the same restore archives into a new path (the
    restore job refuses one holding WAL, which the first try's does); the
    last step puts the values back as they were."""
    values, _ = shapes["restore"]
    commands = _section("Point-in-time restore of one database")
    retry = [line for line in commands.splitlines() if line.startswith("sed -i ") and "attempt: " in line
             and "\\12}" in line]
    assert len(retry) == 1
    again = tmp_path / "again"
    shutil.copytree(values, again)
    _run_value_edits(retry[0], again)
    [restore] = values_of_dir(again, "production").databases.restores
    assert (restore.database, restore.target_time, restore.attempt) == ("jeeves-postgresql", PITR_TIME, 2)
    objs = load_objects(render_into(tmp_path / "dist", "--values", again, "--env", "production") / "production")
    assert get(objs, "Cluster", "jeeves", PITR_NAME)["spec"]["plugins"][0]["parameters"]["serverName"] == \
        f"{PITR_NAME}-2"
    # Step 4 drops the entry: production.yaml is byte for byte what it was.
    done = tmp_path / "done"
    shutil.copytree(again, done)
    _run_value_edits(_commands(commands)[4], done)
    assert (done / "production.yaml").read_text() == (REPO / "lib" / "values" / "production.yaml").read_text()


def test_restored_cluster_passes_validate(shapes):
    _, dist = shapes["restore"]
    assert about_databases(validate_tree(dist / "production", checks=[
        "reference", "capacity", "pod-security", "traffic", "schema"])) == []


def test_restore_values_are_checked(values_dir):
    path = values_dir / "production.yaml"
    original = path.read_text()
    path.write_text(original.replace("  restores: []\n", "  restores:\n"
                    "    - {database: jeeves-postgresql, target_time: '2025-06-01 09:59'}\n"))
    with pytest.raises(ValuesError, match="target_time"):
        load_environment("production", values_dir)
    path.write_text(original.replace("  restores: []\n", "  restores:\n"
                    "    - {database: jeeves, target_time: '2025-06-01T09:59:00Z'}\n"))
    loaded = load_environment("production", values_dir, inventory=inventory())
    with pytest.raises(ValuesError, match="'jeeves' is not a database"):
        Plan.of(loaded)


# --- the runbooks' cleanup of Released volumes -------------------------------------------------

def _pv(name, phase, ns, claim, cls="gp3-high-iops"):
    return {"metadata": {"name": name}, "status": {"phase": phase},
            "spec": {"storageClassName": cls, "claimRef": {"namespace": ns, "name": claim},
                     "csi": {"volumeHandle": f"vol-{name}"}}}


def test_released_volumes_are_the_deleted_clusters_only():
    """scripts/dr/released-volumes.jq, as the failback and the restore runbooks
    call it: the Released volumes of those clusters' claims, not the rebuilt
    cluster's Bound ones, not a restore's, not another class's."""
    if shutil.which("jq") is None:
        pytest.skip("jq not installed (apt-get install jq)")
    import json
    pvs = {"items": [
        _pv("a", "Released", "jeeves", "jeeves-postgresql-1"),
        _pv("b", "Bound", "jeeves", "jeeves-postgresql-1"),  # the rebuilt cluster's
        _pv("c", "Released", "jeeves", f"{PITR_NAME}-1"),
        _pv("d", "Released", "jeeves", "jeeves-postgresql-3", cls="gp3-standard"),
        _pv("e", "Released", "user", "user-postgresql-12-wal"),
        _pv("f", "Released", "grimoire", "jeeves-postgresql-2"),  # another namespace
    ]}

    def run(dbs):
        proc = subprocess.run(["jq", "-r", "--arg", "dbs", dbs, "-f", str(REPO / "scripts/dr/released-volumes.jq")],
                              input=json.dumps(pvs), capture_output=True, text=True, timeout=30, check=True)
        return proc.stdout.splitlines()

    failback = _section("Failback after an unplanned failover")
    dbs = re.search(r'^DBS="([^"]+)"$', failback, re.M)[1]
    assert sorted(dbs.split()) == sorted(f"{ns}/{name}" for name, (ns, _) in DATABASES.items())
    assert "-f scripts/dr/released-volumes.jq" in failback
    assert run(dbs) == ["a vol-a", "e vol-e"]
    assert run(f"jeeves/{PITR_NAME}") == ["c vol-c"]
    assert f'--arg dbs "jeeves/{PITR_NAME}" -f scripts/dr/released-volumes.jq' in \
        _section("Point-in-time restore of one database")


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
    path.write_text(path.read_text().replace("  restores: []\n", "  restores:\n"
                    "    - {database: journal-postgresql, target_time: '2025-06-01T09:59:00Z', instances: 3}\n"))
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


# --- the real API server: every runbook's shapes too ------------------------------------------

from test_apiserver import MANAGER, apiserver, apply_environment  # noqa: E402,F401  (the session's server)


@pytest.mark.parametrize("shape", ["demoted", "switched", "failed-over", "rebuilt", "failed-back", "restore"])
def test_every_runbooks_shapes_pass_the_api_server(apiserver, shapes, shape):  # noqa: F811
    """The default render is dry-run by tests/test_apiserver.py; here the
    databases' objects of every shape a runbook renders (demoted, promoted
    with tokens, failed over, rebuilt under a new generation, failed back,
    with a restore), both regions, CEL rules of the vendored CRDs included."""
    _, dist = shapes[shape]
    for env in ("production", "production-dr"):
        objs = [(rel, o) for rel, o in load_objects(dist / env) if o["kind"] in DB_KINDS]
        assert len(objs) >= 4 * len(DATABASES)
        res = apply_environment(apiserver, env, objs)
        assert not res["problems"], "\n".join(res["problems"])
        assert res["accepted"] == res["total"], (env, res)


def test_server_side_apply_moves_a_live_standby_onto_the_topology(apiserver, objects):  # noqa: F811
    """production-dr's Clusters were created as standalone replicas
    (`replica: {enabled: true, source}`). Argo CD's server-side apply of the
    new shape must drop `enabled` (the webhook refuses it beside `primary`):
    applied for real over the old one with one field manager, the stored
    Cluster has the topology and no `enabled`, and the archiver."""
    ns = "envtest-cnpg-topology"
    assert apiserver.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                           manager=MANAGER).ok
    new = copy.deepcopy(get(objects("production-dr"), "Cluster", "jeeves", "jeeves-postgresql"))
    new["metadata"]["namespace"] = ns
    old = copy.deepcopy(new)
    old["spec"]["replica"] = {"enabled": True, "source": "production"}
    old["spec"]["externalClusters"] = [e for e in old["spec"]["externalClusters"] if e["name"] == "production"]
    del old["spec"]["plugins"]
    for body in (old, new):
        r = apiserver.apply(body, manager=MANAGER)
        assert r.ok, r.message
    stored = apiserver.request("GET", apiserver.object_path(new)).body["spec"]
    assert stored["replica"] == {"self": "production-dr", "primary": "production", "source": "production"}
    # (the CRD defaults a plugin's `enabled` to true)
    assert [{k: v for k, v in p.items() if k != "enabled"} for p in stored["plugins"]] == new["spec"]["plugins"]
    assert [e["name"] for e in stored["externalClusters"]] == ["production", "production-dr"]
    assert webhook_problems({"metadata": new["metadata"], "spec": stored}) == []
