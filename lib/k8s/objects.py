"""Hand plain bodies to cdk8s in as few jsii round trips as possible.

Constructs collect each object's body (ordinary Kubernetes-shaped dicts,
camelCase as in the API reference and the spec) in their Chart; nothing
crosses to cdk8s while they run. ``ObjectChart.flush`` queues a chart's
bodies; :func:`synth` then creates every queued pattern (``Group``) and object
in cdk8s and returns what cdk8s renders for each. Every object is a fully
formed ``ApiObject`` in its chart and every pattern a construct under its
scope, so ``cdk8s synth``, validations and anything else on the tree see all
of them, and what is written is cdk8s's own rendering of them.

Why batches. Every jsii call is a synchronous round trip to Node through
jsii's relay process (0.5-0.9 ms, most of it waiting), and cdk8s has no call
that creates a whole object: ``ApiObjectProps`` keeps only apiVersion, kind
and metadata (the kernel drops undeclared struct keys), so each further
top-level field is a ``JsonPatch.add`` and all of them one ``addJsonPatch``;
``Include`` would spawn a Node child per chart (~100 ms). So the calls stay
the ones cdk8s needs (about three per object, plus one per pattern), but they
are written to jsii's Node process back to back, as the kernel requests
jsii's Python runtime would send, while a thread reads the answers: a
handful of batches per worker instead of several round trips per object
(charts alone are still created one at a time), and Node never idles
waiting for Python. Equal patches are sent once and shared.

And ``Chart.toJson`` re-validates the whole app on every call (quadratic in
charts), so the app is validated once, through its smallest chart, and every
other object renders with its own ``ApiObject.toJson``: what ``Chart.toJson``
returns for it (tests/test_performance_plumbing.py compares the two).

When jsii's Node process cannot be reached that way (another jsii release),
the same calls go through jsii's Python API one at a time: slower, same
output (tested too). Nothing filters unknown fields, so a typo reaches the
strict schema validation in the tests instead of vanishing; metadata keys
cdk8s would drop are refused here.
"""
from __future__ import annotations

import itertools
import json
import queue
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
_PLACEHOLDERS = itertools.count()

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
        # (jsii reference, description) of the ApiObjects created for this chart (fast path).
        self.voyager_refs: list[tuple[str, str]] = []

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
        # JSIIMeta registers every instance by its reference once __init__ returns;
        # a call on the group before synth() names this placeholder in its error.
        self.__jsii_ref__ = _ObjRef(ref=f"voyager.Group@{next(_PLACEHOLDERS)}-not-created-until-synth")
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
    returns, chart by chart), creating queued objects first. The answers
    stream in while the caller works on them; it must not call cdk8s itself
    until the iteration is over."""
    charts = list(charts)
    materialize()
    if not charts:
        return
    wire = _Wire.get()
    if wire is None or not all(isinstance(c, ObjectChart) for c in charts):
        for chart in charts:
            yield from chart.to_json()
        return
    # One chart goes through Chart.toJson, where cdk8s resolves dependencies and
    # runs every construct's validations for the whole app: once. The smallest,
    # since its objects come back through jsii's (slower) Python API.
    first = min(charts, key=lambda chart: len(chart.voyager_refs))
    yield from first.to_json()
    refs = [ref for chart in charts if chart is not first for ref in chart.voyager_refs]
    for result in wire.stream([_invoke(ref, "toJson") for ref, _ in refs], lambda i: refs[i][1]):
        yield result["result"]


def materialize() -> None:
    """Create every queued group, then every queued object as an ApiObject in its chart."""
    if _GROUPS:  # only queued when the wire is there
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
        if not ready:  # a scope that is neither created nor queued: cannot happen
            raise VoyagerError(f"construct {pending[0][2]!r} has a scope that was never created")
        lines = [_CREATE_CONSTRUCT % (_JSON(scope.__jsii_ref__.ref), _JSON(id))
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
    ``new ApiObject`` and ``JsonPatch.add``, then every ``addJsonPatch``.

    Equal patches are one JsonPatch, added to every object that has it: of
    15,400 fields at 1,000 customers, 2,300 differ (quotas, policies, pod
    templates repeat per customer), and jsii's kernel converts a value
    crossing to Node piece by piece, its largest cost per object. cdk8s
    copies its patches before applying them (``JsonPatch.apply``), so a
    shared one renders exactly as separate ones would."""
    lines: list[str] = []
    origin: list[tuple[ObjectChart, dict]] = []  # what each request is for, in errors
    patch_of: dict[str, int] = {}  # JsonPatch.add request -> its index in lines
    objects: list[tuple[ObjectChart, dict, int, list[int]]] = []  # chart, body, create, patches
    for chart, bodies in pending:
        scope = _JSON(chart.__jsii_ref__.ref)
        for body in bodies:
            props = {"apiVersion": body["apiVersion"], "kind": body["kind"],
                     "metadata": body["metadata"]}
            created = len(lines)
            lines.append(_CREATE_OBJECT % (scope, _JSON(_object_id(body)), _data(props, body)))
            origin.append((chart, body))
            patches = []
            for key, value in body.items():
                if key not in _PROPS:
                    line = _ADD_PATCH % (_JSON(_pointer(key)), _data(value, body))
                    index = patch_of.get(line)
                    if index is None:
                        index = patch_of[line] = len(lines)
                        lines.append(line)
                        origin.append((chart, body))
                    patches.append(index)
            objects.append((chart, body, created, patches))
    results = wire.run(lines, lambda i: _describe(origin[i][1], origin[i][0]))
    adds: list[str] = []
    add_origin: list[tuple[ObjectChart, dict]] = []
    for chart, body, created, patches in objects:
        ref = results[created]["$jsii.byref"]
        chart.voyager_refs.append((ref, _describe(body)))
        if patches:
            adds.append(_invoke(ref, "addJsonPatch", [results[i]["result"] for i in patches]))
            add_origin.append((chart, body))
    wire.run(adds, lambda i: _describe(add_origin[i][1], add_origin[i][0]))


def _object_id(body: dict) -> str:
    return f"{body['kind']}-{body['metadata']['name']}"


def _pointer(key: str) -> str:
    """A JSON pointer to a top-level key (RFC 6901 escapes)."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _describe(body: dict, chart: Chart | None = None) -> str:
    meta = body["metadata"]
    where = f" in chart {chart.node.id}" if chart is not None else (
        f" in namespace {meta['namespace']}" if meta.get("namespace") else "")
    return f"{body['kind']} {meta['name']!r}{where}"


# Request lines in the kernel's wire format (what jsii's Python runtime sends
# for ``ApiObject(...)``, ``JsonPatch.add(...)``, ``Construct(...)`` and a method
# call), filled with JSON; one line each, ASCII.
_CREATE_OBJECT = ('{"api":"create","fqn":"cdk8s.ApiObject","args":[{"$jsii.byref":%s},%s,%s],'
                  '"interfaces":[],"overrides":[]}\n')
_ADD_PATCH = '{"api":"sinvoke","fqn":"cdk8s.JsonPatch","method":"add","args":[%s,%s]}\n'
_CREATE_CONSTRUCT = ('{"api":"create","fqn":"constructs.Construct","args":[{"$jsii.byref":%s},%s],'
                     '"interfaces":[],"overrides":[]}\n')
_INVOKE = '{"api":"invoke","objref":{"$jsii.byref":%s},"method":%s,"args":%s}\n'
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def _invoke(ref: str, method: str, args: list | None = None) -> str:
    return _INVOKE % (_JSON(ref), _JSON(method), _JSON(args or []))


def _data(value: Any, body: dict) -> str:
    """A body's value as JSON. jsii reads ``{"$jsii.<...>": ...}`` mappings as
    references, dates, enums or maps, so a body with such a key would arrive
    changed: refused (no Kubernetes field starts with ``$``)."""
    try:
        text = _JSON(value)
    except (TypeError, ValueError) as exc:
        raise VoyagerError(f"{_describe(body)}: not JSON data: {exc}") from None
    if '"$jsii.' in text:
        raise VoyagerError(f"{_describe(body)}: a key or value starts with '$jsii.', "
                           "which jsii would not pass on as data")
    return text


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
            raise VoyagerError(f"cdk8s refused {what(error[0])}: {error[1]}")
