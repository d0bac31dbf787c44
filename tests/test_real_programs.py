"""Run what the rendered YAML tells programs to run, with the real programs.

Every other test judges the YAML against our model of Kubernetes. These start
the program a container runs (here PostgreSQL 15, Debian's ``postgresql-15``,
which ``scripts/test`` installs), as the rendered UID, with the rendered env,
and run the rendered exec probes, Velero hooks and preStop commands verbatim.
A command that cannot pass in the container fails here: the probes that ran
``pg_isready`` as a UID without a passwd entry (libpq then cannot name a user
and exits 3 before connecting) would have restarted every database forever.

What is not the container, and why it does not change the commands' result:
- the binaries are Debian's PostgreSQL 15 (the image's are the same major
  version, built from the same source) and this machine's /bin/sh;
- file paths the server writes (PGDATA, the socket directory) live under a
  temporary root instead of the volumes, with the ownership and modes the
  kubelet gives those volumes (fsGroup);
- the server listens on a free loopback port instead of the container port:
  the only change to a command is that port (``-p 5432`` becomes ``-p <free>``,
  and PGPORT names it for commands that rely on libpq's default).
Credentials are throwaway values; nothing here is a real secret.

Fluent Bit is not installable here (not in Debian bookworm, PyPI or npm), so
its rendered configuration is parsed as Fluent Bit's classic format and its
keys checked against the pinned version's source; ``fluent-bit --dry-run``
runs too when a ``fluent-bit`` binary is on PATH.
"""
from __future__ import annotations

import glob
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ENVS, require_program

PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOW_TO_GET_POSTGRES = ("PostgreSQL 15 and nss_wrapper: as root, `apt-get install postgresql-15 "
                       "libnss-wrapper` (scripts/test does it)")
# The image's PATH, with the PostgreSQL binaries first: Debian's /usr/bin has
# pg_wrapper scripts of the same names, which the image does not have.
PATH = f"{PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")
HOOK_PHASES = ("pre.hook.backup.velero.io", "post.hook.backup.velero.io")
# Secret values: one throwaway set per key name, so databases whose env has the
# same shape share one server (their secrets differ only in name).
THROWAWAY = {"username": "voyager_owner", "password": f"throwaway-{secrets.token_hex(12)}"}


# ---------------------------------------------------------------- rendered data

@dataclass(frozen=True)
class Identity:
    """Who a container's processes run as: runAsUser, runAsGroup, and the
    supplementary groups the kubelet adds (fsGroup, supplementalGroups)."""

    uid: int
    gid: int
    groups: tuple[int, ...]

    def setpriv(self) -> list[str]:
        groups = (f"--groups={','.join(map(str, self.groups))}" if self.groups
                  else "--clear-groups")
        # no_new_privs: the rendered allowPrivilegeEscalation: false.
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", groups,
                "--no-new-privs", "--"]


@dataclass
class Container:
    where: str  # env/path#container, for messages
    kind: str
    namespace: str
    pod: dict
    spec: dict
    annotations: dict

    @property
    def identity(self) -> Identity:
        pod_sc = self.pod.get("securityContext", {})
        sc = {**pod_sc, **self.spec.get("securityContext", {})}
        groups = [g for g in [pod_sc.get("fsGroup"), *pod_sc.get("supplementalGroups", [])]
                  if g is not None]
        return Identity(sc.get("runAsUser", 0), sc.get("runAsGroup", 0),
                        tuple(sorted(set(groups))))

    @property
    def image_name(self) -> str:
        return self.spec["image"].rsplit(":", 1)[0].rsplit("/", 1)[-1]

    def env(self) -> dict[str, str]:
        """The container's env as the kubelet resolves it (secrets -> throwaway)."""
        if self.spec.get("envFrom"):
            pytest.fail(f"{self.where}: envFrom is not modelled here yet; resolve it in "
                        "Container.env", pytrace=False)
        out: dict[str, str] = {}
        for item in self.spec.get("env", []):
            name = item["name"]
            if "value" in item:
                out[name] = _expand(item["value"], out)
                continue
            source = item.get("valueFrom", {})
            if "secretKeyRef" in source or "configMapKeyRef" in source:
                ref = source.get("secretKeyRef") or source["configMapKeyRef"]
                out[name] = THROWAWAY.get(ref["key"], f"throwaway-{ref['name']}-{ref['key']}")
            elif "fieldRef" in source:
                out[name] = {"metadata.namespace": self.namespace,
                             "status.podIP": "127.0.0.1"}.get(
                    source["fieldRef"]["fieldPath"], f"throwaway-{name.lower()}")
            else:
                pytest.fail(f"{self.where}: env {name} has an unmodelled source {source}",
                            pytrace=False)
        return out

    def exec_probes(self) -> list[tuple[str, list[str], int]]:
        """(probe, argv, timeoutSeconds) of every exec probe."""
        return [(kind, list(probe["exec"]["command"]), probe.get("timeoutSeconds", 1))
                for kind in ("startupProbe", "readinessProbe", "livenessProbe")
                if "exec" in (probe := self.spec.get(kind) or {})]

    def hooks(self) -> list[tuple[str, list[str], int]]:
        """(annotation, argv, timeout s) of the Velero hooks that run in this container."""
        out = []
        containers = self.pod["containers"]
        for phase in HOOK_PHASES:
            command = self.annotations.get(f"{phase}/command")
            if command is None:
                continue
            # Velero's default container is the pod's first.
            target = self.annotations.get(f"{phase}/container", containers[0]["name"])
            if target != self.spec["name"]:
                continue
            # Velero takes a JSON list, or a single word as the whole command.
            argv = json.loads(command) if command.lstrip().startswith("[") else [command]
            timeout = _seconds(self.annotations.get(f"{phase}/timeout", "30s"))
            out.append((f"{phase}/command", argv, timeout))
        return out


def _expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion of an env value: earlier vars only, $$ escapes."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m[0] == "$$" else env.get(m[1], m[0]), value)


def _seconds(duration: str) -> int:
    total = 0
    for number, unit in re.findall(r"([0-9]+)([hms])", duration):
        total += int(number) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total or 30


def rendered_containers(objects) -> list[Container]:
    out = []
    for env in ENVS:
        for rel, obj in objects(env):
            if obj["kind"] not in WORKLOAD_KINDS:
                continue
            template = obj["spec"]["template"]
            pod = template["spec"]
            for spec in pod.get("initContainers", []) + pod["containers"]:
                out.append(Container(f"{env}/{rel}#{spec['name']}", obj["kind"],
                                     obj["metadata"].get("namespace", ""), pod, spec,
                                     template.get("metadata", {}).get("annotations", {})))
    return out


def postgres_containers(objects) -> list[Container]:
    found = [c for c in rendered_containers(objects)
             if c.kind == "StatefulSet" and c.image_name == "postgres"]
    assert found, "no postgres container rendered: the test would prove nothing"
    return found


# ---------------------------------------------------------------- the machine

def _nss_wrapper() -> str | None:
    for path in sorted(glob.glob("/usr/lib/*/libnss_wrapper.so") + glob.glob("/usr/lib/libnss_wrapper.so")):
        if os.path.getsize(path):
            return path
    return None


def _require_postgres() -> None:
    require_program((PG_BIN / "postgres").is_file() and _nss_wrapper() is not None
                    and shutil.which("setpriv") is not None, HOW_TO_GET_POSTGRES)
    require_program(os.geteuid() == 0, "root, to run as the rendered UIDs (CI runs as root)")


def _assert_no_passwd_entry(uid: int) -> None:
    # The image has no entry for the rendered UID; if this machine had one,
    # libpq would find a user name here that the container would not.
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return
    pytest.fail(f"UID {uid} has a passwd entry here ({entry.pw_name}); the test would not "
                "reproduce the container, where it has none", pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as(identity: Identity, argv: list[str], env: dict[str, str], timeout: float,
           ) -> subprocess.CompletedProcess:
    """Run argv verbatim as the identity, with exactly env (nothing inherited)."""
    return subprocess.run(identity.setpriv() + argv, env=env, cwd="/", capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def with_port(argv: list[str], container_port: int, port: int) -> list[str]:
    """argv with the container port replaced by the test server's port, nothing else."""
    out, previous = [], ""
    for arg in argv:
        if previous in ("-p", "--port") and arg == str(container_port):
            arg = str(port)
        else:  # inside a shell string, or -p5432 / --port=5432
            arg = re.sub(rf"(-p ?|--port[= ])({container_port})\b", rf"\g<1>{port}", arg)
        out.append(arg)
        previous = arg
    return out


# ---------------------------------------------------------------- PostgreSQL

@dataclass
class PostgresServer:
    """One real PostgreSQL 15, set up the way the postgres image's entrypoint
    (docker-library/postgres, 15/bookworm/docker-entrypoint.sh) sets up an
    empty volume, as the rendered identity."""

    identity: Identity
    env: dict[str, str]  # the rendered env, paths under root
    container_port: int
    root: Path
    port: int = field(default_factory=_free_port)

    def path(self, container_path: str) -> Path:
        return self.root / "fs" / container_path.lstrip("/")

    def command_env(self, env: dict[str, str]) -> dict[str, str]:
        """What a process exec'd in the container sees: the image's PATH, the
        rendered env, plus PGPORT (the port rewrite) and HOME=/ (runc's for a
        UID without a passwd entry)."""
        return {"PATH": PATH, "HOME": "/", **env, "PGPORT": str(self.port)}

    def start(self, container: Container, databases: set[str]) -> None:
        rendered = container.env()
        mounts = {m["mountPath"]: m["name"] for m in container.spec.get("volumeMounts", [])}
        data = rendered.get("PGDATA", "/var/lib/postgresql/data")
        volume = max((p for p in mounts if data.startswith(p.rstrip("/") + "/")), key=len)
        fs_group = container.pod.get("securityContext", {}).get("fsGroup")
        # The kubelet gives a volume with fsGroup to root:fsGroup, g+rwxs;
        # emptyDirs are world-writable. initdb must create PGDATA inside.
        for mount in mounts:
            host = self.path(mount)
            host.mkdir(parents=True, exist_ok=True)
            if mount == volume:
                os.chown(host, 0, fs_group if fs_group is not None else 0)
                host.chmod(0o2770)
            else:
                host.chmod(0o1777)
        for parent in self.root.rglob("*"):
            if parent.is_dir() and not any(parent == self.path(m) for m in mounts):
                parent.chmod(0o755)
        self.root.chmod(0o755)
        sockets = self.path("/var/run/postgresql")
        assert sockets.is_dir(), "the image's socket directory must be a writable mount"
        self.env = {**rendered, "PGDATA": str(self.path(data))}
        user, password = rendered["POSTGRES_USER"], rendered["POSTGRES_PASSWORD"]

        # initdb insists on a passwd entry: the entrypoint fakes one for initdb
        # only (nss_wrapper), and so do we. The server and every command after
        # run without it, as in the container.
        passwd, group = self.root / "passwd", self.root / "group"
        uid, gid = self.identity.uid, self.identity.gid
        passwd.write_text(f"postgres:x:{uid}:{gid}:PostgreSQL:{self.env['PGDATA']}:/bin/false\n")
        group.write_text(f"postgres:x:{gid}:\n")
        pwfile = self.root / "pwfile"
        pwfile.write_text(password + "\n")
        for f in (passwd, group, pwfile):
            f.chmod(0o644)
        # The image logs to stderr; pg_ctl needs a file the server's UID may write.
        self.log = self.root / "log" / "server.log"
        self.log.parent.mkdir()
        os.chown(self.log.parent, uid, gid)
        base = {"PATH": PATH, "HOME": "/", "LANG": "C.UTF-8", **self.env}
        wrapped = {**base, "LD_PRELOAD": _nss_wrapper(), "NSS_WRAPPER_PASSWD": str(passwd),
                   "NSS_WRAPPER_GROUP": str(group)}
        self._ok(run_as(self.identity, ["initdb", f"--username={user}", f"--pwfile={pwfile}"],
                        wrapped, 120), "initdb")
        auth = self._ok(run_as(self.identity, ["postgres", "-C", "password_encryption"],
                               base, 30), "postgres -C").stdout.strip()
        with open(Path(self.env["PGDATA"]) / "pg_hba.conf", "a") as hba:
            hba.write(f"\nhost all all all {auth}\n")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={sockets}")
        self._ok(run_as(self.identity, ["pg_ctl", "-D", self.env["PGDATA"], "-l",
                                        str(self.log), "-w", "-t", "60",
                                        "-o", options, "start"], base, 90), "pg_ctl start")
        for database in sorted(databases - {"postgres"}):
            self._ok(run_as(self.identity, ["createdb", "--host", str(sockets), "--port",
                                            str(self.port), "--username", user, database],
                            base, 30), f"createdb {database}")

    def stop(self) -> None:
        if (Path(self.env.get("PGDATA", "/nonexistent")) / "postmaster.pid").exists():
            run_as(self.identity, ["pg_ctl", "-D", self.env["PGDATA"], "-m", "immediate",
                                   "-w", "stop"], {"PATH": PATH}, 60)

    def _ok(self, proc: subprocess.CompletedProcess, what: str) -> subprocess.CompletedProcess:
        if proc.returncode != 0:
            log = self.root / "log" / "server.log"
            pytest.fail(f"{what} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
                        + (log.read_text() if log.exists() else ""), pytrace=False)
        return proc


def _server_key(container: Container) -> tuple:
    """Containers that can share one server: same identity, same env names,
    same owner, password and data path (the database name may differ)."""
    env = container.env()
    return (container.identity, tuple(env), env.get("POSTGRES_USER"),
            env.get("POSTGRES_PASSWORD"), env.get("PGDATA"), container.spec["image"])


@pytest.fixture(scope="module")
def postgres(statefulset_objects):
    """[(server, [containers it stands for])], started; stopped at the end.
    The seed's StatefulSet is rendered where databases.engine is statefulset
    (conftest's statefulset_objects: staging so rendered)."""
    _require_postgres()
    groups: dict[tuple, list[Container]] = {}
    for container in postgres_containers(lambda env: statefulset_objects if env == "staging" else []):
        groups.setdefault(_server_key(container), []).append(container)
    servers = []
    try:
        for containers in groups.values():
            first = containers[0]
            identity = first.identity
            _assert_no_passwd_entry(identity.uid)
            port = next(p["containerPort"] for p in first.spec["ports"])
            server = PostgresServer(identity, {}, port,
                                    Path(tempfile.mkdtemp(prefix="voyager-pg-")))
            servers.append((server, containers))
            server.start(first, {c.env().get("POSTGRES_DB") or c.env()["POSTGRES_USER"]
                                 for c in containers})
        yield servers
    finally:
        for server, _ in servers:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)


def _postgres_commands(server: PostgresServer, containers: list[Container]):
    """Every distinct (what, argv, env, timeout) the containers would run."""
    seen = set()
    for container in containers:
        env = server.command_env({**container.env(), "PGDATA": server.env["PGDATA"]})
        for what, argv, timeout in container.exec_probes() + container.hooks():
            argv = with_port(argv, server.container_port, server.port)
            key = (tuple(argv), tuple(sorted(env.items())))
            if key not in seen:
                seen.add(key)
                yield f"{container.where} {what}", argv, env, timeout


def test_postgres_runs_as_a_uid_without_passwd_entry(postgres):
    for server, _ in postgres:
        assert server.identity.uid >= 10000
        _assert_no_passwd_entry(server.identity.uid)
        # The server itself is that UID.
        pid = int((Path(server.env["PGDATA"]) / "postmaster.pid").read_text().split()[0])
        assert os.stat(f"/proc/{pid}").st_uid == server.identity.uid


def test_every_rendered_probe_and_hook_passes_against_real_postgres(postgres):
    ran, failures = [], []
    for server, containers in postgres:
        for what, argv, env, timeout in _postgres_commands(server, containers):
            assert "LD_PRELOAD" not in env
            proc = run_as(server.identity, argv, env, timeout)
            ran.append(what)
            if proc.returncode != 0:
                failures.append(f"{what}: {argv} exited {proc.returncode}: "
                                f"{(proc.stdout + proc.stderr).strip()}")
            elif argv[0] == "pg_isready":
                assert "accepting connections" in proc.stdout, proc.stdout
    assert not failures, "\n".join(failures)
    assert ran
    # Every database has startup, readiness and liveness probes and a backup
    # hook (identical commands ran once above).
    for _, containers in postgres:
        for c in containers:
            kinds = {what for what, _, _ in c.exec_probes() + c.hooks()}
            assert kinds == {"startupProbe", "readinessProbe", "livenessProbe",
                             "pre.hook.backup.velero.io/command"}, (c.where, kinds)


def test_a_probe_without_a_user_fails_against_the_same_server(postgres):
    """Plant the defect this test exists for: the probe as it was rendered
    before (no PGUSER in the env) exits 3 against the same running server, so
    the test above can fail."""
    server, containers = postgres[0]
    container = containers[0]
    env = server.command_env({k: v for k, v in container.env().items()
                              if k not in ("PGUSER", "PGDATABASE")})
    database = container.env()["POSTGRES_DB"]
    old = ["pg_isready", "-h", "127.0.0.1", "-p", str(server.port), "-d", database]
    proc = run_as(server.identity, old, env, 10)
    assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr)
    assert "no attempt" in proc.stdout
    # And the rendered probe, with the user taken away, fails the same way.
    (_, argv, _), *_ = container.exec_probes()
    proc = run_as(server.identity, with_port(argv, server.container_port, server.port), env, 10)
    assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr)


# ---------------------------------------------------------------- preStop hooks

@dataclass
class LifecycleRun:
    what: str
    argv: list[str]
    grace: int
    proc: subprocess.Popen
    started: float


@pytest.fixture(scope="module", autouse=True)
def lifecycle_runs(objects):
    """Start every distinct rendered lifecycle exec command (preStop sleeps)
    as its container's identity at the start of the module, so their sleeps
    overlap with the PostgreSQL tests; test_lifecycle_commands waits for them."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        yield None
        return
    runs: dict[tuple, LifecycleRun] = {}
    for container in rendered_containers(objects):
        for phase, handler in container.spec.get("lifecycle", {}).items():
            if "exec" not in handler:
                continue
            argv = list(handler["exec"]["command"])
            identity = container.identity
            grace = container.pod.get("terminationGracePeriodSeconds", 30)
            key = (tuple(argv), identity)
            if key in runs:
                runs[key].grace = min(runs[key].grace, grace)
                continue
            env = {"PATH": PATH, "HOME": "/", **container.env()}
            proc = subprocess.Popen(identity.setpriv() + argv, env=env, cwd="/",
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
            runs[key] = LifecycleRun(f"{container.where} {phase}", argv, grace, proc,
                                     time.monotonic())
    yield list(runs.values())
    for run in runs.values():
        if run.proc.poll() is None:
            run.proc.kill()
            run.proc.wait()


def test_lifecycle_commands_exit_zero_within_the_grace_period(lifecycle_runs):
    require_program(lifecycle_runs is not None,
                    "root and setpriv, to run as the rendered UIDs (CI runs as root)")
    assert lifecycle_runs, "no lifecycle exec command rendered: nothing proven"
    failures = []
    for run in lifecycle_runs:
        try:
            output, _ = run.proc.communicate(timeout=max(1, run.grace + 5))
        except subprocess.TimeoutExpired:
            failures.append(f"{run.what}: {run.argv} still running after the grace period")
            continue
        elapsed = time.monotonic() - run.started
        if run.proc.returncode != 0:
            failures.append(f"{run.what}: {run.argv} exited {run.proc.returncode}: {output}")
        elif elapsed >= run.grace:
            failures.append(f"{run.what}: {run.argv} took {elapsed:.0f}s, the pod has "
                            f"{run.grace}s before the kubelet kills it")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- Fluent Bit

# Keys Fluent Bit 3.1.9 (the pinned image) accepts, from its source at tag
# v3.1.9: SERVICE from src/flb_config.c (service_configs); the properties every
# input/filter/output takes from src/flb_input.c, src/flb_filter.c and
# src/flb_output.c (*_set_property); plugin keys from each plugin's config map.
# Keys are case-insensitive there, as here. A key not listed would be refused
# or silently ignored: check the source of the pinned version, then add it.
FLB_SERVICE = {
    "flush", "grace", "daemon", "log_file", "log_level", "parsers_file", "plugins_file",
    "streams_file", "http_server", "http_listen", "http_port", "health_check",
    "hc_errors_count", "hc_retry_failure_count", "hc_period", "storage.path",
    "storage.sync", "storage.metrics", "storage.checksum", "storage.backlog.mem_limit",
    "storage.max_chunks_up", "storage.delete_irrecoverable_chunks", "storage.trim_files",
    "dns.mode", "dns.resolver", "dns.prefer_ipv4", "dns.prefer_ipv6", "scheduler.cap",
    "scheduler.base", "coro_stack_size", "hot_reload",
}
_TLS = {"tls", "tls.verify", "tls.verify_hostname", "tls.debug", "tls.vhost", "tls.ca_path",
        "tls.ca_file", "tls.crt_file", "tls.key_file", "tls.key_passwd"}
FLB_COMMON = {
    "INPUT": {"name", "tag", "log_level", "log_suppress_interval", "routable", "alias",
              "mem_buf_limit", "listen", "host", "port", "ipv6", "storage.type", "threaded",
              "storage.pause_on_chunks_overlimit"} | _TLS,
    "FILTER": {"name", "match", "match_regex", "alias", "log_level", "log_suppress_interval"},
    "OUTPUT": {"name", "match", "match_regex", "alias", "log_level", "log_suppress_interval",
               "host", "port", "ipv6", "retry_limit", "storage.total_limit_size",
               "workers"} | _TLS,
}
FLB_PLUGINS = {
    ("INPUT", "tail"): {  # plugins/in_tail/tail.c
        "path", "exclude_path", "key", "read_from_head", "refresh_interval",
        "watcher_interval", "progress_check_interval", "progress_check_interval_nsec",
        "rotate_wait", "docker_mode", "docker_mode_flush", "docker_mode_parser", "path_key",
        "offset_key", "ignore_older", "buffer_chunk_size", "buffer_max_size",
        "static_batch_size", "event_batch_size", "skip_long_lines", "exit_on_eof",
        "skip_empty_lines", "file_cache_advise", "inotify_watcher", "parser", "tag_regex",
        "db", "db.sync", "db.locking", "db.journal_mode", "db.compare_filename", "multiline",
        "multiline_flush", "parser_firstline", "multiline.parser"},
    ("FILTER", "kubernetes"): {  # plugins/filter_kubernetes/kubernetes.c
        "buffer_size", "tls.debug", "tls.verify", "tls.vhost", "tls.verify_hostname",
        "merge_log", "merge_parser", "merge_log_key", "merge_log_trim", "keep_log", "kube_url",
        "kube_meta_preload_cache_dir", "kube_ca_file", "kube_ca_path", "kube_tag_prefix",
        "kube_token_file", "kube_token_command", "labels", "annotations", "namespace_labels",
        "namespace_annotations", "namespace_metadata_only", "k8s-logging.parser",
        "k8s-logging.exclude", "use_journal", "regex_parser", "dummy_meta", "dns_retries",
        "dns_wait_time", "cache_use_docker_id", "use_tag_for_meta", "use_kubelet",
        "kubelet_host", "kubelet_port", "kube_token_ttl", "kube_meta_cache_ttl",
        "kube_meta_namespace_cache_ttl"},
    ("OUTPUT", "opensearch"): {  # plugins/out_opensearch/opensearch.c
        "index", "type", "suppress_type_name", "http_user", "http_passwd", "aws_auth",
        "aws_region", "aws_profile", "aws_sts_endpoint", "aws_role_arn", "aws_external_id",
        "aws_service_name", "logstash_format", "logstash_prefix", "logstash_prefix_separator",
        "logstash_prefix_key", "logstash_dateformat", "time_key", "time_key_format",
        "time_key_nanos", "include_tag_key", "tag_key", "buffer_size", "path", "pipeline",
        "generate_id", "write_operation", "id_key", "replace_dots", "current_time_index",
        "trace_output", "trace_error", "compress"},
}


def parse_classic(text: str) -> list[tuple[str, dict[str, str]]]:
    """Fluent Bit's classic format: [SECTION] headers, indented `key value`
    lines, # comments. Refuses what Fluent Bit would (a key outside a
    section, a key without a value, a duplicate key in a section)."""
    sections: list[tuple[str, dict[str, str]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if header := re.fullmatch(r"\[([A-Z_]+)\]", stripped):
            sections.append((header[1], {}))
            continue
        assert line[0] in " \t", f"line {number}: a key must be indented: {line!r}"
        assert sections, f"line {number}: a key before any [SECTION]"
        key, _, value = stripped.partition(" ")
        assert value.strip(), f"line {number}: {key} has no value"
        entries = sections[-1][1]
        assert key.lower() not in entries, f"line {number}: {key} twice in [{sections[-1][0]}]"
        entries[key.lower()] = value.strip()
    return sections


def _fluent_bit(objects, env):
    by_kind = {(o["kind"], o["metadata"]["name"]): o for _, o in objects(env)
               if o["metadata"].get("namespace") == "kube-system"}
    config_map = by_kind[("ConfigMap", "fluent-bit-config")]
    daemonset = by_kind[("DaemonSet", "fluent-bit")]
    return by_kind, config_map, daemonset


@pytest.mark.parametrize("env", ENVS)
def test_fluent_bit_config_is_what_fluent_bit_3_1_accepts(objects, env):
    by_kind, config_map, daemonset = _fluent_bit(objects, env)
    files = config_map["data"]
    sections = parse_classic(files["fluent-bit.conf"])
    for name, entries in sections:
        if name == "SERVICE":
            unknown = set(entries) - FLB_SERVICE
        else:
            plugin = entries.get("name")
            assert (name, plugin) in FLB_PLUGINS, f"[{name}] {plugin}: not checked here yet"
            unknown = set(entries) - FLB_COMMON[name] - FLB_PLUGINS[(name, plugin)]
        assert not unknown, f"[{name}] keys Fluent Bit 3.1.9 does not know: {sorted(unknown)}"
    parse_classic(files[sections[0][1]["parsers_file"]])  # a file of the same ConfigMap

    pod = daemonset["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    mounts = {m["mountPath"].rstrip("/"): m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}

    def mount_of(path: str) -> dict:
        best = max((p for p in mounts if path.startswith(p + "/")), key=len, default=None)
        assert best is not None, f"{path} is on no mounted volume (the root fs is read-only)"
        return mounts[best]

    service = dict(sections[0][1])
    (output,) = [e for n, e in sections if n == "OUTPUT"]
    inputs = [e for n, e in sections if n == "INPUT"]
    # Filesystem buffering on a writable host directory, bounded on disk and in memory.
    storage = mount_of(service["storage.path"].rstrip("/") + "/x")
    assert not storage.get("readOnly") and "hostPath" in volumes[storage["name"]]
    assert all(e.get("storage.type") == "filesystem" for e in inputs)
    assert re.fullmatch(r"[1-9][0-9]*[KMG]B?", output["storage.total_limit_size"])
    assert int(service["storage.max_chunks_up"]) >= 1
    # TLS that verifies the chain and the name against a CA the pod mounts.
    assert output["tls"].lower() == "on"
    assert output["tls.verify"].lower() == output["tls.verify_hostname"].lower() == "on"
    ca = mount_of(output["tls.ca_file"])
    ca_volume = volumes[ca["name"]]
    key = output["tls.ca_file"][len(ca["mountPath"].rstrip("/")) + 1:]
    assert key in {i["path"] for i in ca_volume["secret"].get("items", [])}, key
    # Credentials: every ${VAR} is set from a Secret that an ExternalSecret produces.
    env_vars = {e["name"]: e for e in container.get("env", [])}
    referenced = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", files["fluent-bit.conf"]))
    assert {"http_user", "http_passwd"} <= set(output)
    assert referenced >= {output["http_user"][2:-1], output["http_passwd"][2:-1]}
    for var in referenced:
        ref = env_vars[var]["valueFrom"]["secretKeyRef"]
        external = by_kind[("ExternalSecret", ref["name"])]
        assert ref["key"] in {d["secretKey"] for d in external["spec"]["data"]}
        assert ("SecretStore", external["spec"]["secretStoreRef"]["name"]) in by_kind
    ca_secret = by_kind[("ExternalSecret", ca_volume["secret"]["secretName"])]
    assert key in {d["secretKey"] for d in ca_secret["spec"]["data"]}


def test_classic_parser_refuses_what_fluent_bit_refuses():
    with pytest.raises(AssertionError, match="twice"):
        parse_classic("[OUTPUT]\n    Name es\n    name es\n")
    with pytest.raises(AssertionError, match="no value"):
        parse_classic("[SERVICE]\n    Flush\n")
    # And an unknown key is caught by the key check.
    (_, entries), = parse_classic("[SERVICE]\n    storage.total_limit 1G\n")
    assert set(entries) - FLB_SERVICE == {"storage.total_limit"}


@pytest.mark.parametrize("env", ENVS)
def test_fluent_bit_dry_run(objects, env, tmp_path):
    binary = shutil.which("fluent-bit") or shutil.which("/opt/fluent-bit/bin/fluent-bit")
    if binary is None:
        pytest.skip("fluent-bit is not installable here (not in Debian bookworm, PyPI or npm); "
                    "the config is parsed and its keys checked above")
    _, config_map, _ = _fluent_bit(objects, env)
    for name, text in config_map["data"].items():
        (tmp_path / name).write_text(text)
    proc = subprocess.run([binary, "--dry-run", "-c", str(tmp_path / "fluent-bit.conf")],
                          env={"PATH": os.environ.get("PATH", ""), "OPENSEARCH_USERNAME": "u",
                               "OPENSEARCH_PASSWORD": "p"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
