"""voyager-bridge: lib/k8s/bridge.js, loaded into jsii's Node kernel beside cdk8s.

Every value that crosses jsii is converted by the kernel one at a time
against its declared type: about 200 us of Node per Kubernetes object, five
times what cdk8s itself needs to create and render one, and the largest cost
of a render (issue #11). bridge.js takes a whole shard's objects as one JSON
string and creates them as ordinary ``ApiObject``s in their charts, creates
the patterns' constructs in one call, and renders charts back as JSON
strings, each chart exactly as its ``Chart.toJson`` would.

jsii loads code into its kernel only as an assembly: a package tarball with a
``.jsii`` manifest naming its types. The jsii compiler would write that
manifest from TypeScript; for three static methods it is written here
(:data:`ASSEMBLY`, the jsii spec's schema) and packed with bridge.js into a
small, reproducible tarball at load time, so no build step and no generated
file is needed. The kernel extracts it into its package cache, keyed by the
tarball's digest, so an edit to bridge.js is always the code that runs.

Calls go over :class:`Wire`, jsii's own pipe to Node, in its own request
format. When that pipe or the load is not available (another jsii release),
:meth:`Bridge.get` returns None and lib/k8s/objects.py makes the same objects
through jsii's Python API, one call at a time.
"""
from __future__ import annotations

import gzip
import io
import json
import queue
import sys
import tarfile
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

from ..errors import VoyagerError

NAME = "voyager-bridge"
VERSION = "1.0.0"
SOURCE = Path(__file__).with_name("bridge.js")

_CONSTRUCTS = {"collection": {"kind": "array", "elementtype": {"fqn": "constructs.Construct"}}}
_STRING = {"primitive": "string"}

# The manifest the jsii compiler would write for bridge.js (jsii spec schema
# jsii/0.10.0). The kernel reads each method's parameter and return types to
# convert arguments: constructs by reference, everything else one string.
ASSEMBLY = {
    "schema": "jsii/0.10.0",
    "name": NAME,
    "version": VERSION,
    "fingerprint": "voyager-bridge-1.0.0",
    "jsiiVersion": "1.142.0",
    "license": "Apache-2.0",
    "description": "Creates and renders a Voyager render's cdk8s objects in bulk",
    "homepage": "https://github.com/voyager/platform",
    "repository": {"type": "git", "url": "https://github.com/voyager/platform"},
    "author": {"name": "Voyager platform team", "roles": ["author"]},
    "dependencies": {"cdk8s": "^2.70.0", "constructs": "^10.0.0"},
    "types": {
        f"{NAME}.Bridge": {
            "assembly": NAME, "fqn": f"{NAME}.Bridge", "kind": "class", "name": "Bridge",
            "methods": [
                {"name": "addConstructs", "static": True,
                 "parameters": [{"name": "scopes", "type": _CONSTRUCTS},
                                {"name": "entries", "type": _STRING}],
                 "returns": {"type": _CONSTRUCTS}},
                {"name": "addObjects", "static": True,
                 "parameters": [{"name": "scopes", "type": _CONSTRUCTS},
                                {"name": "objects", "type": _STRING}]},
                {"name": "render", "static": True,
                 "parameters": [{"name": "charts", "type": _CONSTRUCTS}],
                 "returns": {"type": _STRING}},
            ],
        },
    },
}

_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def _sinvoke(method: str, *args: str) -> str:
    """A kernel request line calling ``Bridge.<method>`` with arguments
    already encoded as JSON."""
    return '{"api":"sinvoke","fqn":"%s.Bridge","method":"%s","args":[%s]}\n' % (
        NAME, method, ",".join(args))


def tarball() -> bytes:
    """bridge.js and its manifest as an npm-style package tarball, the same
    bytes every time (the kernel caches extractions by digest)."""
    files = {
        "package.json": _JSON({"name": NAME, "version": VERSION, "main": "index.js",
                               "license": "Apache-2.0"}).encode(),
        ".jsii": _JSON(ASSEMBLY).encode(),
        "index.js": SOURCE.read_bytes(),
    }
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


class Bridge:
    """bridge.js's three methods, called over :class:`Wire`."""

    _instance: "Bridge | None | bool" = False

    def __init__(self, wire: "Wire"):
        self.wire = wire

    @classmethod
    def get(cls) -> "Bridge | None":
        """The bridge, loaded into jsii's Node on first use; None when this jsii
        offers no :class:`Wire` or refuses the load (the caller falls back)."""
        if cls._instance is False:
            cls._instance = None
            wire = Wire.get()
            why = "this jsii keeps its Node process elsewhere" if wire is None else ""
            if wire is not None:
                try:
                    import jsii

                    with tempfile.TemporaryDirectory(prefix="voyager-bridge-") as tmp:
                        path = Path(tmp) / f"{NAME}@{VERSION}.jsii.tgz"
                        path.write_bytes(tarball())
                        jsii.kernel.load(NAME, VERSION, str(path))  # extracted before it returns
                    cls._instance = cls(wire)
                except Exception as exc:  # noqa: BLE001 - any refusal: the Python API path
                    why = " ".join(str(exc).split())[:200] or type(exc).__name__
            if cls._instance is None:
                # Same output, many times slower: say so (once per worker process;
                # a jsii upgrade, most likely).
                print(f"voyager: {NAME} not loaded into jsii's Node ({why}); creating objects "
                      "through jsii one call at a time (same output, slower)", file=sys.stderr)
        return cls._instance  # type: ignore[return-value]

    def add_constructs(self, scopes: list[str], entries: list[tuple[int, str, dict | None]],
                       what) -> list[str]:
        """``new Chart(scope, id, props)`` or, props None, ``new Construct(scope,
        id)`` for each entry, in order; a scope is an index into ``scopes``
        (jsii references), or ~i for the i-th entry. Returns the new
        constructs' references."""
        line = _sinvoke("addConstructs", _refs(scopes), _JSON(_JSON(entries)))
        (answer,) = self.wire.run([line], lambda _: what)
        return [ref["$jsii.byref"] for ref in answer["result"]]

    def add_objects(self, calls: list[tuple[list[str], str]]) -> None:
        """``new ApiObject(scope, id, body)`` for each ``[scope, id, body]`` of
        each call's JSON, scope an index into that call's ``scopes``. Errors
        name the object (bridge.js does)."""
        lines = [_sinvoke("addObjects", _refs(scopes), _JSON(text)) for scopes, text in calls]
        self.wire.run(lines, lambda _: "")

    def render(self, batches: list[list[str]], what) -> Iterator[list[dict]]:
        """Each chart's objects as ``Chart.toJson`` renders them, a list per
        chart, batch after batch, each batch as soon as Node has rendered it."""
        lines = [_sinvoke("render", _refs(charts)) for charts in batches]
        for answer in self.wire.stream(lines, what):
            yield from json.loads(answer["result"])


def _refs(refs: list[str]) -> str:
    return "[" + ",".join('{"$jsii.byref":%s}' % _JSON(ref) for ref in refs) + "]"


class Wire:
    """jsii's Node process, written to in batches.

    jsii's Python runtime sends one request line and blocks on its answer;
    the kernel answers every request in order, one line each. Here a thread
    writes a whole batch while this one reads the answers, so Node never waits
    for Python between requests. Only calls without callbacks go this way (the
    bridge's static methods: nothing they touch is implemented in Python), so
    every answer is ``ok`` or ``error``. A batch always reads all its answers
    before returning, leaving the pipe as jsii expects.
    """

    _instance: "Wire | None | bool" = False

    def __init__(self, stdin, stdout):
        self.stdin = stdin
        self.stdout = stdout

    @classmethod
    def get(cls) -> "Wire | None":
        """The Node process jsii started, or None when this jsii keeps it elsewhere."""
        if cls._instance is False:
            cls._instance = None
            try:
                import jsii

                process = jsii.kernel.provider._process._process
                stdin, stdout = process.stdin, process.stdout
                if process.poll() is None and callable(stdin.write) and callable(stdout.read1):
                    cls._instance = cls(stdin, stdout)
            except Exception:  # noqa: BLE001 - any other jsii layout: the Python API path
                cls._instance = None
        return cls._instance  # type: ignore[return-value]

    def run(self, lines: list[str], what) -> list[Any]:
        """Send ``lines``; the ``ok`` payload of each, in order."""
        return list(self.stream(lines, what))

    def stream(self, lines: list[str], what) -> Iterator[Any]:
        """Send ``lines``; yield the ``ok`` payload of each as it arrives. The
        first error is raised once every answer is in.

        One thread writes the batch, another reads every answer as soon as
        Node writes it: Node blocks (and then sleeps up to 10 ms) whenever the
        pipe back is full, which it would be while this thread writes files.
        Both threads have finished when this returns, however the caller
        stops, so the pipe holds nothing jsii does not expect."""
        if not lines:
            return
        answers: queue.SimpleQueue = queue.SimpleQueue()
        failed: list[BaseException] = []

        def write() -> None:
            try:
                self.stdin.write("".join(lines).encode("ascii"))
                self.stdin.flush()
            except BaseException as exc:  # noqa: BLE001 - reported by the reader's end of file
                failed.append(exc)

        def read() -> None:
            # Whatever has arrived, split into lines: one queue item (and one
            # wake-up of the consumer) per chunk rather than per answer.
            try:
                remaining, partial = len(lines), []
                while remaining > 0:
                    chunk = self.stdout.read1(1 << 20)
                    if not chunk:
                        answers.put([b""])  # end of file
                        return
                    partial.append(chunk)
                    if b"\n" not in chunk:
                        continue
                    complete = b"".join(partial).split(b"\n")
                    last = complete.pop()  # after the last newline: the start of a line, or b""
                    partial = [last] if last else []
                    remaining -= len(complete)
                    answers.put(complete)
                    # A callback: Node now waits for an answer this path cannot give.
                    if any(line.startswith(b'{"callback"') for line in complete):
                        return
            except BaseException as exc:  # noqa: BLE001 - raised by the consumer
                answers.put(exc)

        writer = threading.Thread(target=write, name="voyager-jsii-writer", daemon=True)
        reader = threading.Thread(target=read, name="voyager-jsii-reader", daemon=True)
        writer.start()
        reader.start()
        # (index, what went wrong): described only once both threads are done,
        # since describing may itself call jsii (a chart's name).
        error: tuple[int, str] | None = None
        stopped: tuple[int, str] | None = None
        stuck = False
        try:
            index = 0
            while index < len(lines) and stopped is None:
                chunk = answers.get()
                if isinstance(chunk, BaseException):
                    raise chunk
                for line in chunk:
                    if not line:
                        stopped = (index, f": {failed[0]}" if failed else "")
                        break
                    answer = json.loads(line)
                    if "ok" in answer:
                        if error is None:
                            yield answer["ok"]
                    elif "error" in answer:
                        error = error or (index, answer["error"])
                    else:  # a callback: no call sent here has one
                        stuck = True
                        stopped = (index, ": it called back, which this path cannot answer")
                        break
                    index += 1
        finally:
            reader.join()
            writer.join(timeout=1 if stuck else None)
        if stopped is not None:
            raise VoyagerError(f"jsii's Node process stopped answering at {what(stopped[0])}{stopped[1]}")
        if error is not None:
            described = what(error[0])
            # The kernel prefixes what JavaScript threw with its class name.
            message = error[1].removeprefix("Error: ")
            raise VoyagerError(f"cdk8s refused {described + ': ' if described else ''}{message}")
