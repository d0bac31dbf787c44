"""After a sync of the primary region: does every database accept a write,
is every Deployment available? (The spec's "Data Validation" and "Service
Verification" after a recovery.)

Two Argo CD PostSync hooks. Argo CD runs a PostSync hook once the sync
succeeded and every resource of the application is healthy, and with
``hook-delete-policy: BeforeHookCreation`` keeps the last run (its logs)
until the next sync replaces it (Argo CD docs, "Resource Hooks"). A failed
hook fails the sync operation, so a failover that leaves a database read-only
or a Deployment short shows up red in Argo CD.

- ``DatabaseWriteCheck``: one Job per namespace with databases, one container
  per database, connecting with the application's own ``database_url`` (the
  same Secret, the same Service, the same NetworkPolicy edge as the app) and
  committing a transaction that writes: a temporary table and a row in it,
  dropped at commit. A read-only server (a standby, a replica cluster not yet
  promoted) refuses it. Nothing is left in the application's schema.
- ``DeploymentCheck``: one Job that lists the Deployments of the platform's
  namespaces through the API (a ClusterRole that may get and list
  Deployments, nothing else) and waits until each has its replicas updated
  and available.

Both retry for ``wait_seconds`` (a promoted database, a rollout take a
while) and then fail, naming what is not ready.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit
from .pod import container_security_context, pod_security_context, scratch

HOOK = {
    "argocd.argoproj.io/hook": "PostSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
}
WRITE_CHECK_SQL = ("BEGIN; "
                   "CREATE TEMPORARY TABLE voyager_dr_write_check (checked_at timestamptz) ON COMMIT DROP; "
                   "INSERT INTO voyager_dr_write_check VALUES (now()); "
                   "COMMIT;")
_SMALL = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}


@dataclass(frozen=True)
class Database:
    name: str  # the database workload (e.g. jeeves-postgresql)
    secret: str  # the application's Secret holding `database_url`
    image: str  # a pinned PostgreSQL image with psql


def write_check_script(database: str, wait_seconds: int) -> str:
    """Retry one writing transaction until it commits or time runs out."""
    return "\n".join((
        f"deadline=$(( $(date +%s) + {wait_seconds} ))",
        "until psql \"$DATABASE_URL\" -X -q -v ON_ERROR_STOP=1 "
        f"-c '{WRITE_CHECK_SQL}'; do",
        "  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then",
        f"    echo '{database}: no write committed within {wait_seconds} s' >&2",
        "    exit 1",
        "  fi",
        "  sleep 10",
        "done",
        f"echo '{database}: accepted a write'",
    ))


@dataclass(frozen=True)
class DatabaseWriteCheckConfig:
    name: str
    labels: dict[str, str]
    databases: tuple[Database, ...]
    wait_seconds: int = 600

    def __post_init__(self) -> None:
        if not self.databases:
            raise ValueError(f"{self.name}: no database to check")


class DatabaseWriteCheck(Group):
    def __init__(self, scope: Construct, id: str, *, config: DatabaseWriteCheckConfig):
        super().__init__(scope, id)
        c = config
        # Its own account, without a token: it never calls the API.
        emit(self, core("ServiceAccount"), {"name": c.name, "labels": dict(c.labels)},
             automountServiceAccountToken=False)
        containers = [{
            "name": db.name,
            "image": db.image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["/bin/sh", "-c", write_check_script(db.name, c.wait_seconds)],
            "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {
                        "name": db.secret, "key": "database_url"}}},
                    {"name": "PGCONNECT_TIMEOUT", "value": "5"}],
            "resources": _SMALL,
            "securityContext": container_security_context(),
        } for db in c.databases]
        _job(self, c.name, c.labels, c.wait_seconds, {
            "serviceAccountName": c.name,
            "automountServiceAccountToken": False,
            "containers": containers,
        })


# Runs as `python3 -c`; `unavailable` is also imported by the tests.
DEPLOYMENT_CHECK = '''
import json, os, ssl, sys, time, urllib.request

def unavailable(deployments, namespaces):
    """What is not yet rolled out and available, one line each."""
    out = []
    for d in deployments:
        meta, spec, status = d["metadata"], d.get("spec") or {}, d.get("status") or {}
        if meta["namespace"] not in namespaces:
            continue
        want = spec.get("replicas", 1)
        if want == 0:
            continue  # scaled to zero (KEDA): nothing to be available
        if (status.get("observedGeneration", 0) < meta.get("generation", 0)
                or status.get("updatedReplicas", 0) < want
                or status.get("availableReplicas", 0) < want):
            out.append(f"{meta['namespace']}/{meta['name']}: {status.get('availableReplicas', 0)}/{want} "
                       f"available, {status.get('updatedReplicas', 0)} updated")
    return out

def deployments():
    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
    with open(f"{sa}/token") as f:
        token = f.read()
    api = f"https://{os.environ['KUBERNETES_SERVICE_HOST']}:{os.environ['KUBERNETES_SERVICE_PORT']}"
    request = urllib.request.Request(f"{api}/apis/apps/v1/deployments",
                                     headers={"Authorization": f"Bearer {token}"})
    context = ssl.create_default_context(cafile=f"{sa}/ca.crt")
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        return json.load(response)["items"]

if __name__ == "__main__":
    wait, namespaces = int(sys.argv[1]), set(sys.argv[2:])
    deadline = time.monotonic() + wait
    while True:
        items = deployments()
        missing = unavailable(items, namespaces)
        if not missing:
            print(f"all {sum(d['metadata']['namespace'] in namespaces for d in items)} Deployments available")
            sys.exit(0)
        if time.monotonic() >= deadline:
            print("\\n".join(missing), file=sys.stderr)
            sys.exit(1)
        time.sleep(15)
'''.lstrip()


@dataclass(frozen=True)
class DeploymentCheckConfig:
    name: str
    labels: dict[str, str]
    image: str  # a pinned Python 3 image (the script uses the standard library only)
    namespaces: tuple[str, ...]
    wait_seconds: int = 600
    resources: dict = field(default_factory=lambda: dict(_SMALL))


class DeploymentCheck(Group):
    def __init__(self, scope: Construct, id: str, *, cluster: Construct, config: DeploymentCheckConfig):
        super().__init__(scope, id)
        c = config
        namespace = scope.voyager_chart.voyager_namespace
        emit(self, core("ServiceAccount"), {"name": c.name, "labels": dict(c.labels)},
             automountServiceAccountToken=True)
        emit(cluster, core("ClusterRole"), {"name": c.name, "labels": dict(c.labels)},
             rules=[{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]}])
        emit(cluster, core("ClusterRoleBinding"), {"name": c.name, "labels": dict(c.labels)},
             subjects=[{"kind": "ServiceAccount", "name": c.name, "namespace": namespace}],
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": c.name})
        volumes, tmp = scratch(("/tmp",))
        _job(self, c.name, c.labels, c.wait_seconds, {
            "serviceAccountName": c.name,
            "automountServiceAccountToken": True,
            "containers": [{
                "name": "deployments",
                "image": c.image,
                "imagePullPolicy": "IfNotPresent",
                "command": ["python3", "-c", DEPLOYMENT_CHECK, str(c.wait_seconds), *c.namespaces],
                "env": [{"name": "PYTHONDONTWRITEBYTECODE", "value": "1"}],
                "resources": c.resources,
                "securityContext": container_security_context(),
                "volumeMounts": tmp,
            }],
            "volumes": volumes,
        })


def _job(scope: Construct, name: str, labels: dict[str, str], wait_seconds: int, pod: dict) -> None:
    emit(scope, core("Job"), {"name": name, "labels": dict(labels), "annotations": dict(HOOK)}, spec={
        # A failed check is an answer, not something to retry blindly.
        "backoffLimit": 0,
        "activeDeadlineSeconds": wait_seconds + 300,
        "template": {"metadata": {"labels": dict(labels)}, "spec": {
            "restartPolicy": "Never",
            "securityContext": pod_security_context(),
            **pod,
        }},
    })
