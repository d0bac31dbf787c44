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
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import REPO, load_objects, render_into, require_program, run_main
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
    # The uploader's KMS grant: `aws s3 cp` uploads in parts from 8 MiB on, and
    # a multipart upload to an SSE-KMS bucket needs kms:Decrypt as well.
    vault = readme.split("\n### Vault\n", 1)[1].split("\n### ", 1)[0]
    assert "`kms:GenerateDataKey` and `kms:Decrypt` on the bucket's key" in vault


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


DR_SCRIPTS = REPO / "scripts" / "dr"
FAILOVER_JQ = DR_SCRIPTS / "failover-batch.jq"
# Route 53's limits per ChangeResourceRecordSets request.
MAX_RECORDS, MAX_CHARS = 1000, 32000


def _require_jq() -> None:
    require_program(shutil.which("jq") is not None, "jq not installed (scripts/test installs Debian's jq)")


def _jq(listing: dict, primary: str, *args: str) -> subprocess.CompletedProcess:
    _require_jq()
    return subprocess.run(["jq", "-c", "--arg", "primary", primary, *args, "-f", str(FAILOVER_JQ)],
                          input=json.dumps(listing), capture_output=True, text=True, timeout=120)


def _batches(proc: subprocess.CompletedProcess) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def route53_listing(hosts) -> dict:
    """What list-resource-record-sets shows of ExternalDNS v0.22.0's records
    for these hostnames in both regions: an alias A record per region (its
    health check, its load balancer) and its TXT ownership record
    `a-<hostname>` with the same set identifier and role; plus records that
    are not ours."""
    records = []
    for host in hosts:
        for region, role, check, env in (("eu-west-1", "PRIMARY", "0e1f", "production"),
                                          ("eu-central-1", "SECONDARY", "6a7b", "production-dr")):
            ours = {"SetIdentifier": f"voyager-{region}", "Failover": role}
            records.append({"Name": host, "Type": "A", **ours, "HealthCheckId": check,
                            "AliasTarget": {"HostedZoneId": "Z32O12XQLNTSW2", "EvaluateTargetHealth": True,
                                            "DNSName": f"k8s-envoyga-voyager-0123456789.elb.{region}.amazonaws.com."}})
            records.append({"Name": f"a-{host}", "Type": "TXT", "TTL": 300, **ours, "ResourceRecords": [
                {"Value": f'"heritage=external-dns,external-dns/owner={env},'
                          f'external-dns/resource=httproute/{host.split(".")[0]}/{host.split(".")[0]}"'}]})
    records += [{"Name": "other.voyager.example.com.", "Type": "A", "SetIdentifier": "other-team",
                 "Failover": "PRIMARY", "ResourceRecords": [{"Value": "192.0.2.1"}], "TTL": 60},
                {"Name": "plain.voyager.example.com.", "Type": "A", "TTL": 60,
                 "ResourceRecords": [{"Value": "192.0.2.2"}]}]
    return {"ResourceRecordSets": records}


def _voyager_records(listing: dict) -> list[dict]:
    return [r for r in listing["ResourceRecordSets"] if r.get("SetIdentifier", "").startswith("voyager-")]


def _rrset_key(record: dict) -> tuple:
    return record["Name"], record["Type"], record["SetIdentifier"]


def test_route53_batch_swaps_roles_by_delete_and_create():
    listing = route53_listing(["jeeves-run-manager.voyager.example.com."])
    ours = _voyager_records(listing)
    [batch] = _batches(_jq(listing, "voyager-eu-central-1"))
    changes = batch["Changes"]
    # Not UPSERT (boto/boto3#1347): every record DELETEd, then CREATEd.
    assert [c["Action"] for c in changes] == ["DELETE"] * 4 + ["CREATE"] * 4
    # DELETE names each record exactly as listed (Route 53 deletes only an exact match).
    dump = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert sorted(dump(c["ResourceRecordSet"]) for c in changes[:4]) == sorted(map(dump, ours))
    # CREATE: the same record, only its role changed (health checks stay with their region).
    created = {_rrset_key(c["ResourceRecordSet"]): c["ResourceRecordSet"] for c in changes[4:]}
    assert created == {_rrset_key(r): {**r, "Failover": "PRIMARY" if r["SetIdentifier"] == "voyager-eu-central-1"
                                 else "SECONDARY"} for r in ours}
    # Records that are not ours are left alone.
    assert all(c["ResourceRecordSet"]["SetIdentifier"].startswith("voyager-") for c in changes)
    # Done is done: a second run has nothing to do; failing back restores the records as they were.
    swapped = {"ResourceRecordSets": [c["ResourceRecordSet"] for c in changes[4:]]}
    assert _batches(_jq(swapped, "voyager-eu-central-1")) == []
    [back] = _batches(_jq(swapped, "voyager-eu-west-1"))
    assert sorted(dump(c["ResourceRecordSet"]) for c in back["Changes"] if c["Action"] == "CREATE") == \
        sorted(map(dump, ours))
    # A typo in the set identifier must not demote both regions.
    assert _jq(listing, "voyager-eu-centrl-1").returncode != 0
    # `only`: the drill's scratch hostname and nothing else.
    [one] = _batches(_jq(route53_listing(["a.voyager.example.com.", "b.voyager.example.com."]),
                         "voyager-eu-central-1", "--arg", "only", "b.voyager.example.com."))
    assert {c["ResourceRecordSet"]["Name"] for c in one["Changes"]} == {
        "b.voyager.example.com.", "a-b.voyager.example.com."}


def test_route53_batches_hold_whole_hostnames_under_the_request_limits():
    """1,000 customers' books and the services: one batch of UPSERTs (which
    count twice) would be far over Route 53's limits per request; the
    batches each stay under them, hold whole hostnames, and together DELETE
    and CREATE every one of our records exactly once."""
    hosts = ([f"book-{i:04d}.customers.voyager.example.com." for i in range(1000)]
             + [f"{s}.voyager.example.com." for s in ("jeeves-run-manager", "grimoire", "journal", "threads",
                                                      "user", "herald", "triage", "jarvis", "llm", "bdk")])
    listing = route53_listing(hosts)
    ours = _voyager_records(listing)
    elements = lambda r: len(r.get("ResourceRecords") or [None])  # noqa: E731  an alias counts as one
    chars = lambda r: sum(len(v["Value"]) for v in r.get("ResourceRecords", [])) \
        or len(r.get("AliasTarget", {}).get("DNSName", ""))  # noqa: E731
    assert 2 * sum(map(elements, ours)) > MAX_RECORDS and 2 * sum(map(chars, ours)) > MAX_CHARS

    batches = _batches(_jq(listing, "voyager-eu-central-1"))
    deleted, created, batch_of_host = Counter(), Counter(), {}
    for i, batch in enumerate(batches):
        changes = batch["Changes"]
        assert batch["Comment"].endswith(f"(batch {i + 1} of {len(batches)})") and len(batch["Comment"]) <= 256
        records = [c["ResourceRecordSet"] for c in changes]
        assert sum(map(elements, records)) <= MAX_RECORDS and sum(map(chars, records)) <= MAX_CHARS, i
        first_create = {}
        for j, c in enumerate(changes):
            r = c["ResourceRecordSet"]
            host = r["Name"][2:] if r["Type"] == "TXT" else r["Name"]
            assert batch_of_host.setdefault(host, i) == i, f"{host} in batches {batch_of_host[host]} and {i}"
            if c["Action"] == "DELETE":
                deleted[_rrset_key(r)] += 1
                assert host not in first_create, f"{host}: a CREATE before a DELETE"
            else:
                assert c["Action"] == "CREATE", c["Action"]
                created[_rrset_key(r)] += 1
                first_create.setdefault(host, j)
    assert deleted == created == Counter({_rrset_key(r): 1 for r in ours})
    # Full batches, not one per hostname: close to what the limits allow.
    needed = max(-(-2 * sum(map(elements, ours)) // MAX_RECORDS), -(-2 * sum(map(chars, ours)) // MAX_CHARS))
    assert needed <= len(batches) <= needed + 1, (len(batches), needed)
    # A hostname too large for one batch is an error, not a split.
    proc = _jq(listing, "voyager-eu-central-1", "--argjson", "max_records", "4")
    assert proc.returncode != 0 and "over one batch's limits" in proc.stderr


FAKE_AWS = r"""#!/usr/bin/env bash
echo "aws $*" >> "$AWS_LOG"
case "$1 $2" in
  "route53 list-hosted-zones-by-name") cat "$ZONES" ;;
  "route53 list-resource-record-sets") cat "$RECORDS" ;;
  "route53 change-resource-record-sets")
    n=$(ls "$APPLIED" | wc -l)
    for arg in "$@"; do case "$arg" in file://*) cp "${arg#file://}" "$APPLIED/$n.json" ;; esac; done
    echo "/change/C$n" ;;
  "route53 wait") ;;
  *) echo "unexpected: aws $*" >&2; exit 4 ;;
esac
"""


@pytest.fixture
def fake_aws(tmp_path):
    """A stand-in `aws` first on PATH that answers from files and records its calls."""
    _require_jq()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(FAKE_AWS)
    (bin_dir / "aws").chmod(0o755)
    (tmp_path / "applied").mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AWS_LOG": str(tmp_path / "calls"),
           "ZONES": str(tmp_path / "zones.json"), "RECORDS": str(tmp_path / "records.json"),
           "APPLIED": str(tmp_path / "applied")}
    zones = [{"Id": "/hostedzone/ZPRIVATE", "Name": "voyager.example.com.", "Config": {"PrivateZone": True}},
             {"Id": "/hostedzone/ZPUBLIC", "Name": "voyager.example.com.", "Config": {"PrivateZone": False}},
             {"Id": "/hostedzone/ZNEXT", "Name": "www.voyager.example.com.", "Config": {"PrivateZone": False}}]
    (tmp_path / "zones.json").write_text(json.dumps({"HostedZones": zones}))

    def run(*args, **extra_env):
        return subprocess.run(["bash", *map(str, args)], env={**env, **extra_env}, capture_output=True,
                              text=True, timeout=120)
    return tmp_path, run


def test_route53_failover_script_swaps_in_the_public_zone_batch_by_batch(fake_aws):
    tmp, run = fake_aws
    listing = route53_listing([f"book-{i:04d}.customers.voyager.example.com." for i in range(300)])
    (tmp / "records.json").write_text(json.dumps(listing))
    expected = _batches(_jq(listing, "voyager-eu-central-1"))
    assert len(expected) > 1
    # Not the private zone that list-hosted-zones-by-name returns first.
    zone = run(DR_SCRIPTS / "route53-zone.sh", "voyager.example.com")
    assert zone.returncode == 0 and zone.stdout.strip() == "ZPUBLIC", zone.stderr
    # A dry run changes nothing.
    dry = run(DR_SCRIPTS / "route53-failover.sh", "voyager.example.com", "voyager-eu-central-1", DRY_RUN="1")
    assert dry.returncode == 0 and [json.loads(line) for line in dry.stdout.splitlines()] == expected
    assert not list((tmp / "applied").iterdir())
    proc = run(DR_SCRIPTS / "route53-failover.sh", "voyager.example.com", "voyager-eu-central-1")
    assert proc.returncode == 0, proc.stderr
    applied = sorted((tmp / "applied").iterdir(), key=lambda p: int(p.stem))
    assert [json.loads(p.read_text()) for p in applied] == expected
    calls = [c for c in (tmp / "calls").read_text().splitlines() if "list-hosted-zones" not in c]
    assert all("--hosted-zone-id ZPUBLIC" in c for c in calls if "wait" not in c)
    # Each batch is applied, then waited for, before the next.
    assert [c.split()[2] for c in calls if "list-resource-record-sets" not in c] == \
        ["change-resource-record-sets", "wait"] * len(expected)
    assert [c.split("--id ")[1] for c in calls if " wait " in c] == [f"/change/C{i}" for i in range(len(expected))]


def test_route53_zone_must_be_exactly_one_public_zone(fake_aws):
    tmp, run = fake_aws
    zones = {"HostedZones": [
        {"Id": "/hostedzone/ZA", "Name": "voyager.example.com.", "Config": {"PrivateZone": False}},
        {"Id": "/hostedzone/ZB", "Name": "voyager.example.com.", "Config": {"PrivateZone": False}}]}
    (tmp / "zones.json").write_text(json.dumps(zones))
    proc = run(DR_SCRIPTS / "route53-failover.sh", "voyager.example.com", "voyager-eu-central-1")
    assert proc.returncode != 0 and "2 public hosted zones named voyager.example.com." in proc.stderr
    (tmp / "zones.json").write_text(json.dumps({"HostedZones": [
        {"Id": "/hostedzone/ZPRIVATE", "Name": "voyager.example.com.", "Config": {"PrivateZone": True}},
        {"Id": "/hostedzone/ZNEXT", "Name": "www.voyager.example.com.", "Config": {"PrivateZone": False}}]}))
    proc = run(DR_SCRIPTS / "route53-zone.sh", "voyager.example.com.")
    assert proc.returncode != 0 and "0 public hosted zones" in proc.stderr
    assert not list((tmp / "applied").iterdir())


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


def _db_runbook(title: str) -> str:
    """The commands of one "#### <title>" runbook under "### Databases"."""
    readme = (REPO / "README.md").read_text()
    databases = readme.split("\n### Databases\n", 1)[1].split("\n## ", 1)[0]
    section = databases.split(f"\n#### {title}\n", 1)[1].split("\n#### ", 1)[0]
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
    # Everything else that changed belongs to the databases' half (or is the
    # warm standby's minimums, raised: test_promotion_raises_the_warm_standbys_minimums).
    rest = {k for k in changed if k[0] not in ("HTTPRoute", "CronJob", "NetworkPolicy",
                                               "HorizontalPodAutoscaler", "ScaledObject")}
    assert all(after[k]["apiVersion"].split("/")[0] in DB_GROUPS or k[0] in (
        "StatefulSet", "Service", "ConfigMap", "ExternalSecret", "PodDisruptionBudget", "ScheduledBackup",
        "ObjectStore", "Cluster", "PodMonitor") for k in rest), sorted(rest)


def test_promotion_raises_the_warm_standbys_minimums(objects, failed_over):
    """production-dr's lower minimums (`standby:` in its values) apply only
    while it is the standby: failed over, its HPAs, KEDA scaler and PDBs are
    production's, so the new primary does not run at standby size."""
    _, dist = failed_over
    standby, promoted, prod = (_index(objs) for objs in (
        objects("production-dr"), load_objects(dist / "production-dr"), objects("production")))
    lowered = load_environment("production-dr").model.standby.workloads
    assert len(lowered) == 11

    def minimums(index):
        return {k: o["spec"].get("minReplicas", o["spec"].get("minReplicaCount"))
                for k, o in index.items() if k[0] in ("HorizontalPodAutoscaler", "ScaledObject")}

    def pdbs(index):
        return {k for k in index if k[0] == "PodDisruptionBudget"}

    assert minimums(promoted) == minimums(prod)
    assert pdbs(promoted) == pdbs(prod)
    raised = {k for k in minimums(standby) if minimums(standby)[k] != minimums(promoted)[k]}
    # Every lowered workload, in every namespace it runs in (book: one per customer).
    assert {k[2].removesuffix("-hpa").removesuffix("-scaler") for k in raised} == set(lowered)
    assert all(minimums(standby)[k] < minimums(promoted)[k] for k in raised)
    assert {minimums(standby)[k] for k in raised} == {0, 1}
    # The standby's lowered services lost their PDBs; promoted, they have them again.
    assert pdbs(standby) < pdbs(promoted) and len(pdbs(promoted) - pdbs(standby)) >= 5


def test_standby_overlay_is_checked_in_both_roles(values_dir):
    """A typo in `standby:` fails at load even while the region is primary."""
    path = values_dir / "production-dr.yaml"
    text = path.read_text().replace("\n    journal:\n      autoscaling: {min_replicas: 1}\n",
                                    "\n    jurnal:\n      autoscaling: {min_replicas: 1}\n")
    for role in ("standby", "primary"):
        path.write_text(text.replace("\nregion_role: standby\n", f"\nregion_role: {role}\n"))
        with pytest.raises(ValuesError, match="standby.workloads.jurnal: not a workload"):
            load_environment("production-dr", values_dir)


@pytest.mark.parametrize("minimum, message", [
    (2**31, "Input should be less than or equal to 2147483647"),  # found by tests/test_fuzz.py
    (0, "Input should be greater than or equal to 1"),
    (1000, "above the maximum"),
])
def test_a_bad_standby_minimum_is_blamed_on_the_standby_key(values_dir, minimum, message):
    """The overlay moves a minimum onto the workload (defined in base.yaml) only
    when the workload would accept it; a bad one is reported where it is
    written: production-dr.yaml, standby.workloads...."""
    path = values_dir / "production-dr.yaml"
    text = path.read_text()
    assert "\n    journal:\n      autoscaling: {min_replicas: 1}\n" in text
    path.write_text(text.replace("\n    journal:\n      autoscaling: {min_replicas: 1}\n",
                                 f"\n    journal:\n      autoscaling: {{min_replicas: {minimum}}}\n"))
    with pytest.raises(ValuesError) as raised:
        load_environment("production-dr", values_dir)
    assert str(raised.value).count("\n") == 0
    assert "production-dr.yaml" in str(raised.value)
    assert "standby.workloads.journal.autoscaling" in str(raised.value)
    assert message in str(raised.value)


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
    # The values change of the failback: its databases' runbook (two commits).
    _apply_seds(_db_runbook("Failback after an unplanned failover"), back, "lib/values/")
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


RUNBOOKS = ("Failover: production-dr takes over", "Failback: production takes over again")


def test_runbooks_push_to_the_branch_production_syncs():
    """production and production-dr sync `release`: every runbook commit in
    "Disaster recovery" goes there ("Git: the release branch"), never by a
    bare `git push` of whatever branch is checked out."""
    assert {load_environment(e).model.gitops.target_revision for e in ("production", "production-dr")} == {"release"}
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Disaster recovery\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    pushes = [p.strip() for block in blocks for p in re.findall(r"git push[^\n&;|#]*", block)]
    assert pushes and set(pushes) <= {"git push origin HEAD:release",  # a runbook's change
                                      "git push origin origin/main:release",  # a release
                                      "git push origin main"}, pushes  # main keeps the change
    for block in blocks:
        if "git commit" in block:
            assert "git push origin HEAD:release" in block, block
    # The failover's own commit (failback's are in "Databases").
    failover = _runbook(RUNBOOKS[0])
    assert "git switch -c failover origin/release" in failover and "git push origin HEAD:release" in failover
    drill = section.split("### Drill (production keeps serving)", 1)[1].split("\n### ", 1)[0]
    assert "git push" not in drill and "Nothing here is committed or pushed" in drill


def test_vault_restores_stream_the_snapshot_and_failback_reads_the_source():
    for title in RUNBOOKS:
        commands = _runbook(title)
        # Not into vault-0's /tmp (a 256Mi emptyDir): on stdin.
        assert not re.search(r"kubectl [^\n]* cp [^\n]*vault-0:", commands), title
        assert re.search(r"exec -i vault-0 -- sh -c \\\n[^\n]*snapshot restore -force /dev/stdin' < /tmp/vault\.snap",
                         commands), title
    # Failback: production-dr's own bucket, not its replica (up to 15 minutes behind).
    own = load_environment("production-dr").model.backup.location.bucket
    copies = [line for line in _runbook(RUNBOOKS[1]).splitlines() if line.startswith("aws s3 ")]
    assert copies and all(f"s3://{own}/vault-raft/" in line and "-replica" not in line for line in copies), copies


def test_runbooks_swap_route53_with_the_script():
    for title in RUNBOOKS + ("Drill (production keeps serving)",):
        commands = "\n".join(line for line in _runbook(title).splitlines() if not line.startswith("#"))
        assert "HostedZones[0]" not in commands and "UPSERT" not in commands, title
        assert "scripts/dr/route53-failover.sh voyager.example.com voyager-" in commands, title
        for script in re.findall(r"scripts/dr/[\w.-]+", commands):
            assert (REPO / script).is_file(), script
