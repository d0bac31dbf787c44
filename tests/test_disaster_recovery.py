"""Disaster recovery outside the databases: Velero's locations and schedule,
Vault's raft snapshots and multi-Region seal, DNS failover, the post-sync
checks, and the runbooks (README, "Disaster recovery"), whose values changes
are rendered here and their diffs checked object by object."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, load_objects, render_into, run_main
from lib.config.loader import ValuesError, load_environment
from lib.patterns.dns_failover import AWS_FAILOVER, AWS_HEALTH_CHECK_ID, SET_IDENTIFIER
from lib.patterns.dr_verify import DEPLOYMENT_CHECK, write_check_script
from lib.validate import validate_tree
from test_validate import write_env

SHARED_CRDS = REPO.parent / "shared" / "crds"
DB_GROUPS = ("postgresql.cnpg.io", "barmancloud.cnpg.io")


def find(objs, kind, name, namespace=None):
    hits = [o for _, o in objs if o["kind"] == kind and o["metadata"]["name"] == name
            and (namespace is None or o["metadata"].get("namespace") == namespace)]
    assert len(hits) == 1, f"{kind} {namespace}/{name}: {len(hits)} rendered"
    return hits[0]


def of_kind(objs, kind):
    return [o for _, o in objs if o["kind"] == kind]


# --- values -------------------------------------------------------------------------------------

def test_the_pair_unseals_with_one_multi_region_key_each_in_its_own_region():
    prod, dr, staging = (load_environment(e).model for e in ("production", "production-dr", "staging"))
    arn = re.compile(r"^arn:aws:kms:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):key/(?P<id>mrk-[0-9a-f]{32})$")
    p, d = arn.match(prod.vault.kms_key_id), arn.match(dr.vault.kms_key_id)
    assert p and d, (prod.vault.kms_key_id, dr.vault.kms_key_id)
    # One key (same mrk- id and account), each region its own replica ARN.
    assert (p["id"], p["account"]) == (d["id"], d["account"])
    assert p["region"] == prod.cluster.region == "eu-west-1"
    assert d["region"] == dr.cluster.region == "eu-central-1"
    # Staging stays apart: nothing of production's key.
    assert p["id"] not in staging.vault.kms_key_id and "mrk-" not in staging.vault.kms_key_id


def _load_with(values_dir: Path, env: str, edit) -> None:
    path = values_dir / f"{env}.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    load_environment(env, values_dir)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["vault"].update(kms_key_id="arn:aws:kms:eu-west-1:111122223333:key/mrk-1f2e3d4c5b6a47988796a5b4c3d2e1f0"),
     "is in eu-west-1, the cluster in eu-central-1"),
    (lambda d: d["vault"].update(kms_key_id="alias/voyager-vault-unseal-dr"), "multi-Region key"),
    (lambda d: d["backup"]["vault_snapshot"].update(prefix="velero/vault"), "inside location.prefix"),
])
def test_the_loader_refuses_a_pair_that_could_not_open_its_partners_backups(values_dir, edit, message):
    with pytest.raises(ValuesError) as err:
        _load_with(values_dir, "production-dr", edit)
    assert message in str(err.value)


# --- Velero -------------------------------------------------------------------------------------

def test_primary_backs_up_with_data_movement_to_its_own_bucket(objects):
    prod = objects("production")
    env = load_environment("production").model
    schedule = find(prod, "Schedule", "daily-backup", "velero")["spec"]["template"]
    assert schedule["snapshotMoveData"] is True and schedule["snapshotVolumes"] is True
    # CSI data movement needs no VolumeSnapshotLocation; naming a missing one fails validation.
    assert "volumeSnapshotLocations" not in schedule and not of_kind(prod, "VolumeSnapshotLocation")
    # CloudNativePG's claims are CloudNativePG's to back up.
    assert schedule["labelSelector"] == {"matchExpressions": [
        {"key": "cnpg.io/cluster", "operator": "DoesNotExist"}]}
    assert "vault" in schedule["includedNamespaces"]
    own = find(prod, "BackupStorageLocation", schedule["storageLocation"], "velero")["spec"]
    assert schedule["storageLocation"] == "production"
    assert own == {"provider": "aws", "accessMode": "ReadWrite", "default": True,
                   "objectStorage": {"bucket": env.backup.location.bucket, "prefix": "velero"},
                   "config": {"region": "eu-west-1"}}
    # production-dr's backups, replicated into eu-west-1, for the failback.
    peer = find(prod, "BackupStorageLocation", "production-dr", "velero")["spec"]
    assert peer["accessMode"] == "ReadOnly" and "default" not in peer
    assert peer["objectStorage"]["bucket"] == "voyager-backups-eu-central-1-replica"
    assert peer["config"] == {"region": "eu-west-1"}


def test_standby_only_reads_the_primarys_replicated_bucket(objects):
    dr = objects("production-dr")
    assert not of_kind(dr, "Schedule")
    (location,) = of_kind(dr, "BackupStorageLocation")
    assert location["metadata"]["name"] == "production"
    assert location["spec"]["accessMode"] == "ReadOnly"
    assert location["spec"]["objectStorage"] == {"bucket": "voyager-backups-eu-west-1-replica",
                                                 "prefix": "velero"}
    assert location["spec"]["config"] == {"region": "eu-central-1"}
    # The location exists before anything that would use it (sync wave 1).
    assert location["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "1"


def test_staging_keeps_its_own_bucket(objects):
    staging = objects("staging")
    (location,) = of_kind(staging, "BackupStorageLocation")
    assert location["metadata"]["name"] == "staging"
    assert location["spec"]["objectStorage"]["bucket"] == "voyager-staging-backups-eu-west-1"


def test_velero_crd_is_vendored_byte_for_byte_with_provenance():
    ours = REPO / "crds" / "velero" / "velero.io_backupstoragelocations.yaml"
    digest = hashlib.sha256(ours.read_bytes()).hexdigest()
    row = next(line for line in (REPO / "crds" / "README.md").read_text().splitlines()
               if line.startswith("| `velero/velero.io_backupstoragelocations.yaml`"))
    assert f"`{digest}`" in row and "`v1.18.1`" in row and f"| {len(ours.read_bytes()):,} |" in row
    if SHARED_CRDS.is_dir():
        assert ours.read_bytes() == (SHARED_CRDS / "velero" / ours.name).read_bytes()
    assert "velero_backupstoragelocation:=crds/velero/velero.io_backupstoragelocations.yaml" in \
        (REPO / "cdk8s.yaml").read_text()
    from lib.k8s.api import crd
    kind = crd("BackupStorageLocation")
    assert (kind.api_version, kind.kind) == ("velero.io/v1", "BackupStorageLocation")


# --- Vault --------------------------------------------------------------------------------------

def test_vault_snapshot_job(objects):
    prod, dr = objects("production"), objects("production-dr")
    cron = find(prod, "CronJob", "vault-raft-snapshot", "vault")
    spec = cron["spec"]
    assert spec["suspend"] is False and spec["concurrencyPolicy"] == "Forbid"
    assert find(dr, "CronJob", "vault-raft-snapshot", "vault")["spec"]["suspend"] is True
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    (save,), (upload,) = pod["initContainers"], pod["containers"]
    assert save["image"].startswith("hashicorp/vault:") and upload["image"] == "amazon/aws-cli:2.22.0"
    assert upload["command"][-1] == "s3://voyager-backups-eu-west-1/vault-raft/"
    # The only token in the pod: short-lived, for Vault's login, in `save` only.
    assert pod["automountServiceAccountToken"] is False
    (token,) = [v for v in pod["volumes"] if "projected" in v]
    assert token["projected"]["sources"] == [{"serviceAccountToken": {"path": "token", "expirationSeconds": 600}}]
    assert not any(m["name"] == token["name"] for m in upload["volumeMounts"])
    sa = find(prod, "ServiceAccount", "vault-raft-snapshot", "vault")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/voyager-vault-snapshot")
    assert find(dr, "ServiceAccount", "vault-raft-snapshot", "vault")["metadata"]["annotations"][
        "eks.amazonaws.com/role-arn"].endswith(":role/voyager-vault-snapshot-dr")
    # Its edges: Vault on 8200 and HTTPS out, nothing into the cluster.
    egress = find(prod, "NetworkPolicy", "vault-raft-snapshot-egress", "vault")["spec"]
    assert egress["podSelector"]["matchLabels"] == {"app": "vault-raft-snapshot", "component": "backup"}
    rules = {json.dumps(r["to"], sort_keys=True): r["ports"] for r in egress["egress"]}
    assert [{"protocol": "TCP", "port": 8200}] in rules.values()
    internet = next(r for r in egress["egress"] if r["to"][0].get("ipBlock", {}).get("cidr") == "0.0.0.0/0")
    assert internet["ports"] == [{"protocol": "TCP", "port": 443}]
    assert "10.0.0.0/8" in internet["to"][0]["ipBlock"]["except"]
    ingress = find(prod, "NetworkPolicy", "vault-ingress", "vault")["spec"]["ingress"]
    assert any(peer.get("podSelector", {}).get("matchLabels", {}).get("app") == "vault-raft-snapshot"
               for rule in ingress for peer in rule["from"])


FAKE_VAULT = """#!/bin/sh
echo "vault $* VAULT_ADDR=$VAULT_ADDR VAULT_TOKEN=${VAULT_TOKEN:-}" >> "$LOG"
case "$1 $2" in
  "read -field=leader_address") echo http://10.0.0.7:8200 ;;
  "write -field=token") [ -n "${FAIL_LOGIN:-}" ] && { echo denied >&2; exit 2; }; echo s.snaptoken ;;
  "operator raft") : > "$5" ;;
esac
"""


@pytest.mark.parametrize("fail_login", [False, True])
def test_vault_snapshot_script_logs_in_then_saves_from_the_leader(objects, tmp_path, fail_login):
    """The rendered script under /bin/sh with a stand-in `vault` that records
    its calls: the leader is asked first, the login uses the role and the
    projected token, the snapshot is read from the leader with that token;
    a refused login stops the script (no snapshot, non-zero exit)."""
    cron = find(objects("production"), "CronJob", "vault-raft-snapshot", "vault")
    save = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]
    script = save["command"][2].replace("/snapshot/", f"{tmp_path}/")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "vault").write_text(FAKE_VAULT)
    (bin_dir / "vault").chmod(0o755)
    log = tmp_path / "calls"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log),
           **{e["name"]: e["value"] for e in save["env"]}}
    if fail_login:
        env["FAIL_LOGIN"] = "1"
    proc = subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, timeout=30)
    calls = log.read_text().splitlines()
    assert calls[0] == ("vault read -field=leader_address sys/leader "
                        "VAULT_ADDR=http://vault.vault.svc.cluster.local:8200 VAULT_TOKEN=")
    assert calls[1].startswith("vault write -field=token auth/kubernetes/login role=vault-raft-snapshot "
                               "jwt=@/var/run/secrets/vault/token VAULT_ADDR=http://10.0.0.7:8200")
    snaps = list(tmp_path.glob("vault-raft-*.snap"))
    if fail_login:
        assert proc.returncode != 0 and len(calls) == 2 and not snaps
    else:
        assert proc.returncode == 0, proc.stderr
        assert re.fullmatch(r"vault operator raft snapshot save \S+/vault-raft-[0-9]{8}T[0-9]{6}Z\.snap "
                            r"VAULT_ADDR=http://10\.0\.0\.7:8200 VAULT_TOKEN=s\.snaptoken", calls[2])
        assert len(snaps) == 1


def test_readme_documents_the_least_privilege_policy():
    readme = (REPO / "README.md").read_text()
    policy = re.search(r'vault policy write vault-raft-snapshot - <<\'HCL\'\n(.*?)\nHCL\n', readme, re.S)
    assert policy, "README: the snapshot policy HCL"
    assert re.sub(r"\s+", " ", policy[1]).strip() == \
        'path "sys/storage/raft/snapshot" { capabilities = ["read"] }'
    assert "bound_service_account_names=vault-raft-snapshot bound_service_account_namespaces=vault" in readme


# --- DNS ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("env, region, role", [("production", "eu-west-1", "PRIMARY"),
                                               ("production-dr", "eu-central-1", "SECONDARY")])
def test_public_hostnames_carry_failover_routing(objects, env, region, role):
    model = load_environment(env).model
    routes = of_kind(objects(env), "HTTPRoute")
    assert len(routes) >= 10
    for route in routes:
        notes = route["metadata"]["annotations"]
        assert notes[SET_IDENTIFIER] == f"voyager-{region}"
        assert notes[AWS_FAILOVER] == role
        assert notes[AWS_HEALTH_CHECK_ID] == model.edge.failover.health_check_id
    # ExternalDNS v0.22.0 reads them from the route; the Gateway carries none.
    gateway = find(objects(env), "Gateway", "voyager")
    assert not any(k.startswith("external-dns.") for k in gateway["metadata"].get("annotations", {}))


def test_the_two_regions_have_their_own_health_checks_and_staging_none(objects):
    ids = {load_environment(e).model.edge.failover.health_check_id for e in ("production", "production-dr")}
    assert len(ids) == 2
    assert not any(k.startswith("external-dns.") for r in of_kind(objects("staging"), "HTTPRoute")
                   for k in r["metadata"].get("annotations", {}))


def test_route53_batch_swaps_both_regions_records_in_one_change(tmp_path):
    listing = {"ResourceRecordSets": [
        {"Name": "jeeves-run-manager.voyager.example.com.", "Type": t, "SetIdentifier": f"voyager-{r}",
         "Failover": f, **({"HealthCheckId": h} if h else {})}
        for t in ("A", "TXT")
        for r, f, h in (("eu-west-1", "PRIMARY", "0e1f"), ("eu-central-1", "SECONDARY", "6a7b"))
    ] + [{"Name": "other.example.com.", "Type": "A", "SetIdentifier": "other-team", "Failover": "PRIMARY"},
         {"Name": "plain.example.com.", "Type": "A", "TTL": 60}]}
    jq = REPO / "scripts" / "dr" / "failover-batch.jq"

    def run(primary):
        return subprocess.run(["jq", "--arg", "primary", primary, "-f", str(jq)], input=json.dumps(listing),
                              capture_output=True, text=True, timeout=30)

    if shutil.which("jq") is None:
        pytest.skip("jq not installed (apt-get install jq)")
    batch = json.loads(run("voyager-eu-central-1").stdout)
    changes = batch["Changes"]
    assert {c["Action"] for c in changes} == {"UPSERT"} and len(changes) == 4
    roles = {(c["ResourceRecordSet"]["Type"], c["ResourceRecordSet"]["SetIdentifier"]):
             c["ResourceRecordSet"]["Failover"] for c in changes}
    assert roles == {("A", "voyager-eu-central-1"): "PRIMARY", ("TXT", "voyager-eu-central-1"): "PRIMARY",
                     ("A", "voyager-eu-west-1"): "SECONDARY", ("TXT", "voyager-eu-west-1"): "SECONDARY"}
    # Everything else of the record is kept (health check ids stay with their region).
    assert all(c["ResourceRecordSet"].get("HealthCheckId") == ("6a7b" if "central" in k[1] else "0e1f")
               for c, k in zip(changes, roles))
    # A typo in the set identifier must not demote both regions.
    assert run("voyager-eu-centrl-1").returncode != 0


# --- checks after a sync ------------------------------------------------------------------------

def test_post_sync_checks_in_the_primary_only(objects):
    prod, dr = objects("production"), objects("production-dr")
    jobs = [j for j in of_kind(prod, "Job") if j["metadata"]["name"] == "dr-verify"]
    # Every namespace whose application reads a database secret has its check.
    databases = {o["metadata"]["namespace"] for o in of_kind(prod, "ExternalSecret")
                 if o["metadata"]["name"].endswith("-db-secret")}
    assert {j["metadata"]["namespace"] for j in jobs} == databases == {
        "jeeves", "grimoire", "threads", "user", "journal"}
    for job in jobs:
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PostSync"
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
        pod = job["spec"]["template"]["spec"]
        assert job["spec"]["backoffLimit"] == 0 and pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            (url,) = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
            assert url["valueFrom"]["secretKeyRef"]["key"] == "database_url"
            assert container["command"][2] == write_check_script(container["name"], 600)
    deployments = find(prod, "Job", "voyager-dr-verify", "kube-system")
    role = find(prod, "ClusterRole", "voyager-dr-verify")
    assert role["rules"] == [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]}]
    binding = find(prod, "ClusterRoleBinding", "voyager-dr-verify")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "voyager-dr-verify",
                                    "namespace": "kube-system"}]
    command = deployments["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[:3] == ["python3", "-c", DEPLOYMENT_CHECK] and command[3] == "600"
    assert {"jeeves", "customer-acme", "envoy-gateway-system"} <= set(command[4:])
    # A standby's databases refuse writes by design: no hook there.
    assert not [j for j in of_kind(dr, "Job")] and not [r for r in of_kind(dr, "ClusterRole")
                                                        if r["metadata"]["name"] == "voyager-dr-verify"]


def test_deployment_check_names_what_is_not_available():
    scope: dict = {"__name__": "not_main"}
    exec(DEPLOYMENT_CHECK, scope)  # noqa: S102 - the rendered script itself

    def deployment(ns, name, replicas=2, available=2, updated=2, generation=3, observed=3):
        return {"metadata": {"namespace": ns, "name": name, "generation": generation},
                "spec": {"replicas": replicas},
                "status": {"availableReplicas": available, "updatedReplicas": updated,
                           "observedGeneration": observed}}

    items = [deployment("jeeves", "ok"), deployment("jeeves", "short", available=1),
             deployment("jeeves", "rolling", updated=1), deployment("jeeves", "stale", observed=2),
             deployment("jarvis", "scaled-to-zero", replicas=0, available=0, updated=0),
             deployment("kube-system", "not-ours", available=0)]
    assert scope["unavailable"](items, {"jeeves", "jarvis"}) == [
        "jeeves/short: 1/2 available, 2 updated", "jeeves/rolling: 2/2 available, 1 updated",
        "jeeves/stale: 2/2 available, 2 updated"]


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory):
    """A throwaway PostgreSQL 15 on loopback (Debian's postgresql-15), as the
    postgres system user; the check runs as a client, as in its pod."""
    bin_dir = Path("/usr/lib/postgresql/15/bin")
    if not (bin_dir / "initdb").exists() or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("PostgreSQL 15 and root: apt-get install postgresql-15 (scripts/test does it)")
    # Not under pytest's tmp root: that is 0700 root, closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="voyager-dr-pg-"))
    shutil.chown(root, "postgres")
    data = root / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (root / "pw").write_text("throwaway\n")
    shutil.chown(root / "pw", "postgres")
    subprocess.run(["runuser", "-u", "postgres", "--", str(bin_dir / "initdb"), "-D", str(data),
                    "--username=app", f"--pwfile={root / 'pw'}", "--auth=scram-sha-256"],
                   check=True, capture_output=True, timeout=120)
    server = subprocess.Popen(["runuser", "-u", "postgres", "--", str(bin_dir / "postgres"), "-D", str(data),
                               "-p", str(port), "-k", str(root), "-c", "listen_addresses=127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql://app:throwaway@127.0.0.1:{port}/postgres"
    try:
        for _ in range(100):
            if subprocess.run(["psql", url, "-Xqc", "select 1"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def test_write_check_passes_on_a_primary_and_fails_on_a_read_only_server(objects, postgres_server):
    """The rendered command against a real server: it commits on a writable
    one and leaves no table behind; against a server that refuses writes (as
    a standby or a replica cluster does) it fails, naming the database."""
    job = find(objects("production"), "Job", "dr-verify", "jeeves")
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": postgres_server, "PGCONNECT_TIMEOUT": "5"}
    ok = subprocess.run(["/bin/sh", "-c", container["command"][2]], env=env, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"{container['name']}: accepted a write"
    left = subprocess.run(["psql", postgres_server, "-XtAc",
                           "select count(*) from pg_class where relname = 'voyager_dr_write_check'"],
                          capture_output=True, text=True, timeout=30)
    assert left.stdout.strip() == "0"
    read_only = f"{postgres_server}?options=-c%20default_transaction_read_only%3Don"
    refused = subprocess.run(["/bin/sh", "-c", write_check_script("jeeves-postgresql", 1)],
                             env={**env, "DATABASE_URL": read_only}, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1
    assert "read-only transaction" in refused.stderr
    assert "jeeves-postgresql: no write committed within 1 s" in refused.stderr


# --- validate -----------------------------------------------------------------------------------

def _velero_env(location_mode="ReadWrite", schedule_location="production", vsl=None, second_default=False):
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "vault"}}
    bsl = {"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
           "metadata": {"name": "production", "namespace": "velero"},
           "spec": {"provider": "aws", "objectStorage": {"bucket": "b", "prefix": "velero"},
                    "config": {"region": "eu-west-1"}, "accessMode": location_mode, "default": True}}
    objs = [ns, bsl]
    if second_default:
        objs.append({**bsl, "metadata": {"name": "other", "namespace": "velero"}})
    template = {"includedNamespaces": ["vault"], "storageLocation": schedule_location, "ttl": "720h0m0s",
                "snapshotMoveData": True}
    if vsl:
        template["volumeSnapshotLocations"] = [vsl]
    objs.append({"apiVersion": "velero.io/v1", "kind": "Schedule",
                 "metadata": {"name": "daily-backup", "namespace": "velero"},
                 "spec": {"schedule": "0 2 * * *", "template": template}})
    return objs


@pytest.mark.parametrize("kwargs, field, text", [
    ({"schedule_location": "elsewhere"}, "spec.template.storageLocation", "velero/elsewhere is not rendered"),
    ({"location_mode": "ReadOnly"}, "spec.template.storageLocation", "is ReadOnly"),
    ({"vsl": "default"}, "spec.template.volumeSnapshotLocations[0]", "VolumeSnapshotLocation velero/default"),
    ({"second_default": True}, "spec.default", "are the default"),
])
def test_validate_knows_velero_references(tmp_path, kwargs, field, text):
    assert validate_tree(write_env(tmp_path / "sound", _velero_env()), checks=["reference", "schema"]) == []
    findings = validate_tree(write_env(tmp_path / "bad", _velero_env(**kwargs)), checks=["reference"])
    hits = [f for f in findings if f.field == field and text in f.message]
    assert hits and all(h.fix for h in hits), "\n".join(map(str, findings))


# --- the runbooks -------------------------------------------------------------------------------

def _runbook(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split(f"### {title}", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))


def _apply_seds(commands: str, values_dir: Path, prefix: str) -> list[str]:
    """Run the runbook's `sed -i` lines (its values change) on a copy of the values."""
    seds = [line for line in commands.splitlines() if line.startswith("sed -i ")]
    assert seds, "the runbook changes no values"
    for line in seds:
        subprocess.run(["bash", "-c", line.replace(prefix, f"{values_dir}/")], check=True, timeout=30)
    return seds


def _index(objs):
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for _, o in objs}


@pytest.fixture(scope="module")
def failed_over(tmp_path_factory):
    """Both environments rendered from the values the failover runbook writes."""
    root = tmp_path_factory.mktemp("failover")
    values = root / "values"
    shutil.copytree(REPO / "lib" / "values", values)
    _apply_seds(_runbook("Failover: production-dr takes over"), values, "lib/values/")
    render_into(root / "dist", "--values", values, "--env", "production", "--env", "production-dr")
    return values, root / "dist"


def _strip_dr_verify(policy: dict) -> dict:
    """The policy without the post-sync check's rules (the only ones the role adds)."""
    policy = json.loads(json.dumps(policy))
    spec = policy["spec"]
    for direction, key in (("ingress", "from"), ("egress", "to")):
        rules = []
        for rule in spec.get(direction, []):
            if any(p.get("podSelector", {}).get("matchLabels", {}).get("app") == "dr-verify"
                   for p in rule.get(key, [])):
                continue
            rules.append(rule)
        if direction in spec:
            spec[direction] = rules
    return policy


OUR_NAMES = {"dr-verify", "voyager-dr-verify", "vault-raft-snapshot", "dr-verify-egress",
             "vault-raft-snapshot-egress"}


def _ours(key) -> bool:
    """Objects the role switch owns outside the databases (CloudNativePG's are
    the databases' half, README "Databases")."""
    kind, ns, name = key
    return kind in ("BackupStorageLocation", "Schedule", "CronJob", "HTTPRoute") or (
        kind in ("Job", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "NetworkPolicy")
        and name in OUR_NAMES)


def test_failover_changes_exactly_the_role_objects(objects, failed_over):
    _, dist = failed_over
    before, after = _index(objects("production-dr")), _index(load_objects(dist / "production-dr"))
    added = {k for k in after.keys() - before.keys() if _ours(k)}
    removed = {k for k in before.keys() - after.keys() if _ours(k)}
    db_namespaces = {k[1] for k in before if k[0] == "ExternalSecret" and k[2].endswith("-db-secret")}
    assert removed == set()
    assert added == ({("BackupStorageLocation", "velero", "production-dr"), ("Schedule", "velero", "daily-backup"),
                      ("Job", "kube-system", "voyager-dr-verify"),
                      ("ServiceAccount", "kube-system", "voyager-dr-verify"),
                      ("ClusterRole", "", "voyager-dr-verify"), ("ClusterRoleBinding", "", "voyager-dr-verify")}
                     | {(kind, ns, "dr-verify") for ns in db_namespaces for kind in ("Job", "ServiceAccount")}
                     | {("NetworkPolicy", ns, "dr-verify-egress") for ns in db_namespaces})
    # The new location is this region's own bucket, writable, the schedule's.
    own = after[("BackupStorageLocation", "velero", "production-dr")]["spec"]
    assert own["accessMode"] == "ReadWrite" and own["default"] is True
    assert own["objectStorage"]["bucket"] == "voyager-backups-eu-central-1"
    assert after[("Schedule", "velero", "daily-backup")]["spec"]["template"]["storageLocation"] == "production-dr"
    # production's replicated bucket stays a read-only location, unchanged.
    key = ("BackupStorageLocation", "velero", "production")
    assert after[key] == before[key] and after[key]["spec"]["accessMode"] == "ReadOnly"
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    for k in changed:
        kind, ns, name = k
        if kind == "HTTPRoute":
            b, a = before[k]["metadata"]["annotations"], after[k]["metadata"]["annotations"]
            assert (b[AWS_FAILOVER], a[AWS_FAILOVER]) == ("SECONDARY", "PRIMARY")
            assert {**a, AWS_FAILOVER: "SECONDARY"} == b and before[k]["spec"] == after[k]["spec"]
        elif kind == "CronJob":
            assert k == ("CronJob", "vault", "vault-raft-snapshot")
            assert (before[k]["spec"]["suspend"], after[k]["spec"]["suspend"]) == (True, False)
            assert {**after[k]["spec"], "suspend": True} == before[k]["spec"]
        elif kind == "NetworkPolicy" and "cnpg.io/cluster" not in json.dumps(after[k]["spec"]["podSelector"]):
            # Only the check's own edges are added (the databases' ingress).
            assert _strip_dr_verify(after[k]) == before[k], k
    assert {k for k in changed if k[0] == "HTTPRoute"} == {k for k in before if k[0] == "HTTPRoute"}
    # Everything else that changed belongs to the databases' half.
    rest = {k for k in changed if k[0] not in ("HTTPRoute", "CronJob", "NetworkPolicy")}
    assert all(after[k]["apiVersion"].split("/")[0] in DB_GROUPS or k[0] in (
        "StatefulSet", "Service", "ConfigMap", "ExternalSecret", "PodDisruptionBudget", "ScheduledBackup",
        "ObjectStore", "Cluster", "PodMonitor") for k in rest), sorted(rest)


def test_failover_demotes_production_so_it_returns_as_the_standby(objects, failed_over):
    _, dist = failed_over
    before, after = _index(objects("production")), _index(load_objects(dist / "production"))
    assert ("Schedule", "velero", "daily-backup") in before and ("Schedule", "velero", "daily-backup") not in after
    assert ("BackupStorageLocation", "velero", "production") not in after
    key = ("BackupStorageLocation", "velero", "production-dr")
    assert after[key] == before[key] and after[key]["spec"]["accessMode"] == "ReadOnly"
    assert after[("CronJob", "vault", "vault-raft-snapshot")]["spec"]["suspend"] is True
    assert {o["metadata"]["annotations"][AWS_FAILOVER] for k, o in after.items() if k[0] == "HTTPRoute"} == {"SECONDARY"}
    assert not [k for k in after if k[0] == "Job"]


def test_failback_renders_the_roles_as_they_were(objects, failed_over, tmp_path):
    values, _ = failed_over
    assert load_environment("production", values).model.region_role == "standby"
    assert load_environment("production-dr", values).model.region_role == "primary"
    back = tmp_path / "values"
    shutil.copytree(values, back)
    _apply_seds(_runbook("Failback: production takes over again"), back, "lib/values/")
    for env in ("production", "production-dr"):
        assert load_environment(env, back).model.region_role == \
            load_environment(env).model.region_role
    # The role lines are back exactly as they were.
    for name in ("production.yaml", "production-dr.yaml"):
        roles = [[line for line in p.read_text().splitlines() if line.startswith("region_role")]
                 for p in (back / name, REPO / "lib" / "values" / name)]
        assert roles[0] == roles[1], name
    dist = render_into(tmp_path / "dist", "--values", back, "--env", "production", "--env", "production-dr")
    for env in ("production", "production-dr"):
        before, after = _index(objects(env)), _index(load_objects(dist / env))
        mine = {k for k in before.keys() | after.keys()
                if _ours(k) or k[0] == "NetworkPolicy" and "dr-verify" in json.dumps(before.get(k, after.get(k)))}
        assert {k for k in mine if before.get(k) != after.get(k)} == set(), env


def test_drill_diff_shows_the_promotion_without_merging_it(tmp_path, rendered):
    commands = _runbook("Drill (production keeps serving)")
    values = tmp_path / "promoted"
    values.mkdir()
    for path in (REPO / "lib" / "values").glob("*.yaml"):
        shutil.copy(path, values / path.name)
    _apply_seds(commands, values, "/tmp/promoted/")
    assert "main.py diff --env production-dr --values /tmp/promoted" in commands
    # Against a fresh render of today's values (the runbook's default is the committed dist/).
    proc = run_main("diff", "--env", "production-dr", "--values", values, "--dir", rendered)
    assert proc.returncode == 1, proc.stderr
    for line in ("+ Schedule/velero/daily-backup", "+ BackupStorageLocation/velero/production-dr",
                 "+ Job/kube-system/voyager-dr-verify", "~ CronJob/vault/vault-raft-snapshot\n"
                 "    spec.suspend: true → false"):
        assert f"production-dr: {line}" in proc.stdout, proc.stdout[-3000:]
