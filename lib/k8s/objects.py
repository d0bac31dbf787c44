"""Hand plain bodies to cdk8s in as few jsii round trips as possible.

Constructs collect each object's body (ordinary Kubernetes-shaped dicts,
camelCase as in the API reference and the spec) in their Chart; nothing is
sent to cdk8s while they run. ``ObjectChart.flush`` only queues a chart;
:func:`synth` then creates every queued object as a cdk8s ``ApiObject`` in its
chart and returns what cdk8s renders for it. Every object is a fully formed
ApiObject in the construct tree, so ``cdk8s synth``, validations and anything
else hung on the tree see all of them.

Why batches. Every jsii call is a synchronous round trip to Node through
jsii's relay process (0.5-0.9 ms measured, most of it waiting), and cdk8s has
no call that creates a whole object: ``ApiObjectProps`` keeps only
apiVersion, kind and metadata (the kernel drops undeclared struct keys), so
each further top-level field is a ``JsonPatch.add`` plus one
``addJsonPatch``, and ``Include`` spawns a Node child per chart (~100 ms).
So the calls stay what cdk8s needs, but they are written to jsii's Node
process back to back in the kernel's own wire format (the requests jsii's
Python runtime would send) and their answers are read afterwards: three
round trips for all objects of a worker instead of three per object. And
``Chart.toJson`` re-validates the whole app on every call (quadratic in
charts), so the app is synthesized once through one chart and every other
object renders with its own ``ApiObject.toJson``: exactly what
``Chart.toJson`` returns for it, as tests/test_performance_plumbing.py checks.

When jsii's Node process cannot be reached that way (another jsii version),
the same calls go through jsii's Python API one at a time: slower, same
output. Nothing filters unknown fields (except in metadata, refused here), so
a typo reaches the strict schema validation in the tests instead of
vanishing.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Iterable, Iterator, Mapping

from cdk8s import ApiObject, Chart, JsonPatch
from constructs import Construct

try:  # what jsii.create does with a new object; another jsii: groups are created at once
    from jsii import _reference_map
    from jsii._kernel import _get_overides as _get_overrides
    from jsii._kernel.types import ObjRef as _ObjRef
except ImportError:  # pragma: no cover - depends on the jsii release
    _reference_map = _get_overrides = _ObjRef = None

from ..errors import VoyagerError
from .api import Kind

# The keys cdk8s's ApiObjectMetadata declares: jsii silently drops any other
# key of ``metadata``, so one is refused here rather than lost.
_METADATA_KEYS = frozenset({"name", "namespace", "labels", "annotations", "finalizers",
                            "ownerReferences"})
_PROPS = ("apiVersion", "kind", "metadata")
_OVERRIDES: dict[type, bool] = {}  # Group subclass -> overrides a cdk8s member

# Charts flushed but not yet created in cdk8s: (chart, bodies), in flush order.
_PENDING: list[tuple["ObjectChart", list[dict]]] = []
# Groups not yet created in cdk8s: (group, scope, id), in construction order.
_GROUPS: list[tuple["Group", Construct, str]] = []


class ObjectChart(Chart):
    """A Chart that collects its objects' bodies; :func:`synth` creates them."""

    def __init__(self, scope: Construct, id: str, **props: Any):
        super().__init__(scope, id, **props)
        self.voyager_bodies: list[dict] = []
        self.voyager_chart = self
        # jsii references of the ApiObjects created for this chart (fast path).
        self.voyager_refs: list[str] = []

    def flush(self) -> None:
        """Queue every collected object (once, after all constructs ran)."""
        seen: set[tuple[str, str]] = set()
        for body in self.voyager_bodies:
            key = (body["kind"], body["metadata"]["name"])
            if key in seen:
                raise VoyagerError(f"two {key[0]} objects named {key[1]!r} in chart {self.node.id}")
            seen.add(key)
            unknown = set(body["metadata"]) - _METADATA_KEYS
            if unknown:
                raise VoyagerError(f"{key[0]} {key[1]!r}: metadata.{sorted(unknown)[0]} is not a "
                                   f"metadata field cdk8s keeps ({', '.join(sorted(_METADATA_KEYS))})")
        if self.voyager_bodies:
            _PENDING.append((self, self.voyager_bodies))
        self.voyager_bodies = []

    def to_json(self) -> list[Any]:
        # Queued objects must exist before cdk8s renders the chart.
        materialize()
        return super().to_json()


class Group(Construct):
    """Base of every pattern: a construct that knows the chart it renders into.

    Patterns are plain scopes (their objects go to the chart), and there are a
    third as many of them as objects, so each joins the construct tree with
    the chart's objects in :func:`synth`, in batches, rather than with a round
    trip of its own here. Until then it has no identity in cdk8s: nothing
    calls cdk8s on a pattern while the constructs run. A subclass that
    overrides a cdk8s method (cdk8s would call back) is created at once.
    """

    def __init__(self, scope: Construct, id: str):
        self.voyager_chart = scope.voyager_chart
        if _ObjRef is None or _Wire.get() is None or _has_overrides(self):
            super().__init__(scope, id)
            return
        # JSIIMeta registers every instance by its reference once __init__ returns.
        self.__jsii_ref__ = _ObjRef(ref=f"voyager.Group@{len(_GROUPS)}-created-by-synth")
        self.voyager_pending = True
        _GROUPS.append((self, scope, id))


def emit(scope: Construct, kind: Kind, metadata: Mapping[str, Any], **fields: Any) -> None:
    """Add one object of ``kind`` to the chart of ``scope``; ``fields`` are its
    top-level keys (``spec``, ``data``, ``rules``...). None values are left out."""
    body = {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": dict(metadata)}
    body.update((k, v) for k, v in fields.items() if v is not None)
    scope.voyager_chart.voyager_bodies.append(body)


def synth(charts: Iterable[Chart]) -> Iterator[dict]:
    """Every object of ``charts`` as cdk8s renders it (what ``chart.to_json()``
    returns, chart by chart), creating queued objects first."""
    charts = list(charts)
    materialize()
    if not charts:
        return
    # The first chart goes through Chart.toJson: cdk8s resolves dependencies and
    # runs every construct's validations for the whole app there, once.
    yield from charts[0].to_json()
    rest = charts[1:]
    wire = _Wire.get()
    if wire is None or not all(isinstance(c, ObjectChart) for c in rest):
        for chart in rest:
            yield from chart.to_json()
        return
    refs = [ref for chart in rest for ref in chart.voyager_refs]
    for result in wire.stream([_invoke(ref, "toJson") for ref in refs], lambda i: refs[i]):
        yield result["result"]


def materialize() -> None:
    """Create every queued group, then every queued object as an ApiObject in its chart."""
    if _GROUPS:
        _create_groups(_Wire.get())
    if not _PENDING:
        return
    pending = list(_PENDING)
    _PENDING.clear()
    wire = _Wire.get()
    if wire is None:
        for chart, bodies in pending:
            _create_one_by_one(chart, bodies)
    else:
        _create_batched(wire, pending)


def _create_groups(wire: "_Wire") -> None:
    """``new Construct(scope, id)`` for every queued group, parents first (a
    batch per level of nesting), in construction order within a level, so the
    tree is the one eager creation would have built."""
    pending = list(_GROUPS)
    _GROUPS.clear()
    while pending:
        ready = [entry for entry in pending if not getattr(entry[1], "voyager_pending", False)]
        lines = [_encode({"api": "create", "fqn": "constructs.Construct",
                          "args": [{"$jsii.byref": scope.__jsii_ref__.ref}, id],
                          "interfaces": [], "overrides": []})
                 for _group, scope, id in ready]
        results = wire.run(lines, lambda i: f"construct {ready[i][2]!r} in {ready[i][0].voyager_chart.node.id}")
        for (group, _scope, _id), result in zip(ready, results):
            placeholder = group.__jsii_ref__.ref
            group.__jsii_ref__ = _ObjRef(ref=result["$jsii.byref"])
            group.voyager_pending = False
            _register(group, placeholder)
        pending = [entry for entry in pending if entry[0].voyager_pending]


def _has_overrides(group: "Group") -> bool:
    kind = type(group)
    found = _OVERRIDES.get(kind)
    if found is None:
        found = _OVERRIDES[kind] = bool(_get_overrides(kind, group))
    return found


def _register(group: "Group", placeholder: str) -> None:
    """Map the real reference to this Python object, as ``jsii.create`` does
    (so the tree hands the same object back), and drop the placeholder's."""
    _reference_map.register_reference(group)
    getattr(getattr(_reference_map, "_refs", None), "_refs", {}).pop(placeholder, None)


def _create_one_by_one(chart: ObjectChart, bodies: list[dict]) -> None:
    """jsii's Python API: one round trip per call."""
    for body in bodies:
        obj = ApiObject(chart, _object_id(body), api_version=body["apiVersion"],
                        kind=body["kind"], metadata=body["metadata"])
        fields = [JsonPatch.add(_pointer(key), value) for key, value in body.items()
                  if key not in _PROPS]
        if fields:
            obj.add_json_patch(*fields)


def _create_batched(wire: "_Wire", pending: list[tuple[ObjectChart, list[dict]]]) -> None:
    """The same calls as :func:`_create_one_by_one`, in two batches: every
    ``new ApiObject`` and ``JsonPatch.add``, then every ``addJsonPatch``."""
    lines: list[bytes] = []
    origin: list[dict] = []  # the body each request belongs to, for errors
    for chart, bodies in pending:
        scope = {"$jsii.byref": chart.__jsii_ref__.ref}
        for body in bodies:
            props = {"apiVersion": body["apiVersion"], "kind": body["kind"],
                     "metadata": body["metadata"]}
            lines.append(_encode({"api": "create", "fqn": "cdk8s.ApiObject",
                                  "args": [scope, _object_id(body), props],
                                  "interfaces": [], "overrides": []}, body))
            origin.append(body)
            for key, value in body.items():
                if key not in _PROPS:
                    lines.append(_encode({"api": "sinvoke", "fqn": "cdk8s.JsonPatch",
                                          "method": "add", "args": [_pointer(key), value]}, body))
                    origin.append(body)
    results = wire.run(lines, lambda i: _describe(origin[i]))
    adds: list[bytes] = []
    add_origin: list[dict] = []
    answers = iter(results)
    for chart, bodies in pending:
        for body in bodies:
            ref = next(answers)["$jsii.byref"]
            chart.voyager_refs.append(ref)
            patches = [next(answers)["result"] for key in body if key not in _PROPS]
            if patches:
                adds.append(_invoke(ref, "addJsonPatch", patches))
                add_origin.append(body)
    wire.run(adds, lambda i: _describe(add_origin[i]))


def _object_id(body: dict) -> str:
    return f"{body['kind']}-{body['metadata']['name']}"


def _pointer(key: str) -> str:
    """A JSON pointer to a top-level key (RFC 6901 escapes)."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _describe(body: dict) -> str:
    meta = body["metadata"]
    where = f" in namespace {meta['namespace']}" if meta.get("namespace") else ""
    return f"{body['kind']} {meta['name']!r}{where}"


def _invoke(ref: str, method: str, args: list | None = None) -> bytes:
    return _encode({"api": "invoke", "objref": {"$jsii.byref": ref}, "method": method,
                    "args": args or []})


def _encode(request: dict, body: dict | None = None) -> bytes:
    """One request line. jsii reads ``{"$jsii.<...>": ...}`` mappings as
    references, dates, enums or maps, so a body with such a key would arrive
    changed: refused (no Kubernetes field starts with ``$``)."""
    try:
        text = json.dumps(request, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise VoyagerError(f"{_describe(body) if body else 'a request'}: not JSON data: {exc}") from None
    if body is not None and text.count('"$jsii.') != text.count('{"$jsii.byref":"'):
        raise VoyagerError(f"{_describe(body)}: a key or value starts with '$jsii.', "
                           "which jsii would not pass on as data")
    return text.encode("utf-8") + b"\n"


class _Wire:
    """jsii's Node process, written to in batches.

    jsii's Python runtime sends one request line and blocks on its answer;
    the kernel answers every request in order, one line each. Here a thread
    writes a whole batch while this one reads the answers, so Node never waits
    for Python between requests. Only calls without callbacks go this way
    (new ApiObject, static JsonPatch.add, addJsonPatch, ApiObject.toJson: no
    Python overrides), so every answer is ``ok`` or ``error``. A batch always
    reads all its answers before returning, leaving the pipe as jsii expects.
    """

    _instance: "_Wire | None | bool" = False

    def __init__(self, stdin, stdout):
        self.stdin = stdin
        self.stdout = stdout

    @classmethod
    def get(cls) -> "_Wire | None":
        """The Node process jsii started, or None when this jsii keeps it elsewhere."""
        if cls._instance is False:
            cls._instance = None
            try:
                import jsii

                process = jsii.kernel.provider._process._process
                stdin, stdout = process.stdin, process.stdout
                if process.poll() is None and callable(stdin.write) and callable(stdout.readline):
                    cls._instance = cls(stdin, stdout)
            except Exception:  # noqa: BLE001 - any other jsii layout: the Python API path
                cls._instance = None
        return cls._instance  # type: ignore[return-value]

    def run(self, lines: list[bytes], what) -> list[Any]:
        """Send ``lines``; the ``ok`` payload of each, in order."""
        return list(self.stream(lines, what))

    def stream(self, lines: list[bytes], what) -> Iterator[Any]:
        """Send ``lines``; yield the ``ok`` payload of each as it arrives. The
        first error is raised once every answer is in; a caller that stops
        early still leaves every answer read."""
        if not lines:
            return
        failed: list[BaseException] = []

        def write() -> None:
            try:
                self.stdin.write(b"".join(lines))
                self.stdin.flush()
            except BaseException as exc:  # noqa: BLE001 - reported by the reader
                failed.append(exc)

        writer = threading.Thread(target=write, name="voyager-jsii-writer", daemon=True)
        writer.start()
        error: str | None = None
        read = 0
        stuck = False  # Node waits on a callback: nothing more will come
        try:
            while read < len(lines):
                answer = self._answer(read, what, failed)
                read += 1
                if "ok" in answer:
                    if error is None:
                        yield answer["ok"]
                elif "error" in answer:
                    error = error or f"cdk8s refused {what(read - 1)}: {answer['error']}"
                else:  # a callback: no call sent here has one, and it cannot be answered
                    stuck = True
                    raise VoyagerError(f"unexpected jsii callback while handling {what(read - 1)}")
        finally:
            # Whatever happened to the consumer, the pipe must hold no stale answer.
            while read < len(lines) and not failed and not stuck:
                try:
                    self._answer(read, what, failed)
                except VoyagerError:
                    break
                read += 1
            writer.join(timeout=1 if stuck else None)
        if error is not None:
            raise VoyagerError(error)

    def _answer(self, index: int, what, failed: list[BaseException]) -> dict:
        line = self.stdout.readline()
        if not line:
            reason = f": {failed[0]}" if failed else ""
            raise VoyagerError(f"jsii's Node process stopped while handling {what(index)}{reason}")
        return json.loads(line)
