"""A throwaway etcd + kube-apiserver on loopback, and a tiny HTTP client for it.

Used by tests/test_apiserver.py. Binaries follow the envtest convention
(controller-runtime's ``KUBEBUILDER_ASSETS``: a directory holding
``kube-apiserver`` and ``etcd``); without it, ``../shared/envtest/kube-apiserver``
plus Debian's ``/usr/bin/etcd`` (package ``etcd-server``).

Everything the server needs is made fresh in a directory the caller owns:
etcd's data dir, a token auth file with a random token, an RSA key pair for
service-account tokens (``openssl genrsa``), and the serving certificate the
API server writes into ``--cert-dir`` (the client trusts exactly that file).
Both processes run in their own process group; ``stop()`` kills the groups.

No Kubernetes client library: plain ``http.client`` over TLS, JSON bodies,
and the ``Warning`` response headers collected with every answer.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HOW_TO_GET = (
    "needs a kube-apiserver and etcd: set KUBEBUILDER_ASSETS to a directory holding both "
    "(`go run sigs.k8s.io/controller-runtime/tools/setup-envtest@latest use -p path`), or put "
    "kube-apiserver in ../shared/envtest/ and install etcd with `apt-get install etcd-server` "
    "(scripts/test does that as root)"
)


@dataclass
class Binaries:
    kube_apiserver: Path
    etcd: Path


def find_binaries(repo: Path) -> tuple[Binaries | None, str]:
    """(binaries, "") when both are found, else (None, what is missing)."""
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets:
        api, etcd = Path(assets) / "kube-apiserver", Path(assets) / "etcd"
        where = f"KUBEBUILDER_ASSETS={assets}"
    else:
        api = repo.parent / "shared" / "envtest" / "kube-apiserver"
        etcd = Path(shutil.which("etcd") or "/usr/bin/etcd")
        where = f"{api.parent} and {etcd}"
    missing = [str(p) for p in (api, etcd) if not (p.is_file() and os.access(p, os.X_OK))]
    if missing:
        return None, f"not found ({where}): {', '.join(missing)}"
    return Binaries(api, etcd), ""


def free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1 (held open together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGKILL it when the test process dies, so a
    killed pytest (SIGKILL, no teardown) leaves no etcd or API server behind."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_WARNING = re.compile(r'^\s*\d{3}\s+\S+\s+"(?P<text>(?:[^"\\]|\\.)*)"')


def parse_warnings(values: list[str]) -> list[str]:
    """Texts of ``Warning: 299 - "text"`` headers (RFC 7234), unescaped."""
    out = []
    for v in values:
        m = _WARNING.match(v)
        out.append(re.sub(r"\\(.)", r"\1", m.group("text")) if m else v)
    return out


@dataclass
class Response:
    status: int
    body: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        """The server's own words for a failure (a Status object's message)."""
        return self.body.get("message") or json.dumps(self.body)[:2000]


class APIServer:
    """etcd + kube-apiserver for one test session. ``start()``, ``request()``, ``stop()``."""

    def __init__(self, binaries: Binaries, workdir: Path):
        self.bin = binaries
        self.dir = Path(workdir)
        self.procs: list[subprocess.Popen] = []
        self.port = 0
        self.token = secrets.token_urlsafe(32)
        self.startup_seconds = 0.0
        self._ssl: ssl.SSLContext | None = None
        self._local = threading.local()
        self._discovery: dict[str, dict] = {}
        self._discovery_lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True,  # own process group: stop() kills it whole
                                preexec_fn=_die_with_parent)
        log.close()
        self.procs.append(proc)
        return proc

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def start(self, timeout: float = 120) -> "APIServer":
        t0 = time.monotonic()
        self.dir.mkdir(parents=True, exist_ok=True)
        etcd_client, etcd_peer, self.port = free_ports(3)
        data = self.dir / "etcd-data"
        data.mkdir(mode=0o700)
        self._spawn("etcd", [
            str(self.bin.etcd), "--name", "envtest", "--data-dir", str(data),
            "--listen-client-urls", f"http://127.0.0.1:{etcd_client}",
            "--advertise-client-urls", f"http://127.0.0.1:{etcd_client}",
            "--listen-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-cluster", f"envtest=http://127.0.0.1:{etcd_peer}",
            "--log-level", "warn",
        ])

        tokens = self.dir / "tokens.csv"
        tokens.write_text(f'{self.token},envtest-admin,envtest-admin,"system:masters"\n')
        tokens.chmod(0o600)
        sa_key = self.dir / "sa.key"  # one RSA key pair signs and verifies service-account tokens
        subprocess.run(["openssl", "genrsa", "-out", str(sa_key), "2048"], check=True, capture_output=True)
        certs = self.dir / "certs"
        self._spawn("kube-apiserver", [
            str(self.bin.kube_apiserver),
            "--etcd-servers", f"http://127.0.0.1:{etcd_client}",
            "--bind-address", "127.0.0.1", "--secure-port", str(self.port),
            "--advertise-address", "127.0.0.1",
            "--cert-dir", str(certs),
            "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file", str(sa_key),
            "--service-account-signing-key-file", str(sa_key),
            "--token-auth-file", str(tokens),
            "--authorization-mode", "RBAC",
            "--service-cluster-ip-range", "10.0.0.0/16",
            "--allow-privileged=true",
            "--endpoint-reconciler-type", "none",
        ])
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            for proc, name in zip(self.procs, ("etcd", "kube-apiserver")):
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            crt = certs / "apiserver.crt"
            if crt.exists():
                try:
                    if self._ssl is None:
                        self._ssl = ssl.create_default_context(cafile=str(crt))
                    r = self.request("GET", "/readyz")
                    last = f"{r.status} {r.body}"
                    if r.status == 200:
                        self.startup_seconds = time.monotonic() - t0
                        return self
                except (OSError, ssl.SSLError, http.client.HTTPException) as e:
                    last = repr(e)
                    self._local.__dict__.clear()
            time.sleep(0.2)
        raise RuntimeError(f"kube-apiserver not ready after {timeout:.0f}s (last: {last}):\n"
                           f"{self.log_tail('kube-apiserver')}\n--- etcd:\n{self.log_tail('etcd')}")

    def stop(self) -> None:
        """Kill both process groups (API server first), then reap them."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        self.procs.clear()

    # -- HTTP ---------------------------------------------------------------------------------

    def _conn(self) -> http.client.HTTPSConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self._ssl, timeout=120)
            self._local.conn = conn
        return conn

    def request(self, method: str, path: str, body: dict | None = None, params: dict | None = None,
                content_type: str = "application/json") -> Response:
        url = path + ("?" + urlencode(params) if params else "")
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        for attempt in (1, 2):  # one retry on a dropped keep-alive connection
            conn = self._conn()
            try:
                conn.request(method, url, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"message": raw.decode(errors="replace")}
        if not isinstance(parsed, dict):
            parsed = {"value": parsed}
        return Response(resp.status, parsed, parse_warnings(resp.headers.get_all("Warning") or []))

    def apply(self, obj: dict, *, manager: str, dry_run: bool = False, namespace: str | None = None) -> Response:
        """Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML), force=true,
        fieldValidation=Strict. ``namespace`` is used when the object names none."""
        params = {"fieldManager": manager, "force": "true", "fieldValidation": "Strict"}
        if dry_run:
            params["dryRun"] = "All"
        return self.request("PATCH", self.object_path(obj, namespace=namespace), obj, params,
                            content_type="application/apply-patch+yaml")

    def create(self, obj: dict, *, dry_run: bool = False, namespace: str | None = None) -> Response:
        """POST with fieldValidation=Strict."""
        params = {"fieldValidation": "Strict"}
        if dry_run:
            params["dryRun"] = "All"
        return self.request("POST", self.object_path(obj, collection=True, namespace=namespace), obj, params)

    # -- discovery ----------------------------------------------------------------------------

    def resource_for(self, api_version: str, kind: str) -> dict | None:
        """The discovery entry (name, namespaced, ...) of a kind, or None if not served."""
        with self._discovery_lock:
            if api_version not in self._discovery:
                path = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
                r = self.request("GET", path)
                self._discovery[api_version] = {
                    res["kind"]: res for res in r.body.get("resources", []) if "/" not in res["name"]
                } if r.ok else {}
            return self._discovery[api_version].get(kind)

    def forget_discovery(self) -> None:
        with self._discovery_lock:
            self._discovery.clear()

    def object_path(self, obj: dict, collection: bool = False, namespace: str | None = None) -> str:
        api_version, kind = obj["apiVersion"], obj["kind"]
        res = self.resource_for(api_version, kind)
        if res is None:
            raise LookupError(f"the server does not serve {kind} in {api_version} (no CRD applied for it?)")
        base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        meta = obj.get("metadata", {})
        if res["namespaced"]:
            base += f"/namespaces/{meta.get('namespace') or namespace}"
        base += f"/{res['name']}"
        return base if collection else f"{base}/{meta['name']}"

    def wait_established(self, crds: list[dict], timeout: float = 60) -> None:
        """Wait until every CRD is Established and discovery serves its kind in each served version."""
        deadline = time.monotonic() + timeout
        pending = {crd["metadata"]["name"]: crd for crd in crds}
        while pending and time.monotonic() < deadline:
            for name, crd in sorted(pending.items()):
                r = self.request("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
                status = r.body.get("status") if r.ok else None
                # A CRD just created may report `conditions: null`.
                conds = {c["type"]: c["status"] for c in (status or {}).get("conditions") or []}
                if conds.get("Established") != "True":
                    continue
                spec = crd["spec"]
                gvs = [f"{spec['group']}/{v['name']}" for v in spec["versions"] if v.get("served", True)]
                with self._discovery_lock:
                    for gv in gvs:
                        self._discovery.pop(gv, None)
                if all(self.resource_for(gv, spec["names"]["kind"]) for gv in gvs):
                    del pending[name]
            if pending:
                time.sleep(0.2)
        if pending:
            raise TimeoutError(f"CRDs not Established (or not in discovery) after {timeout:.0f}s: "
                               f"{sorted(pending)}")
