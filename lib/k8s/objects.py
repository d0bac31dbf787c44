"""Hand plain bodies to cdk8s in as few jsii calls as possible.

Constructs collect each object's body (ordinary Kubernetes-shaped dicts,
camelCase as in the API reference and the spec) in their Chart; nothing
crosses to cdk8s while they run. ``ObjectChart.flush`` queues a chart's
bodies; :func:`synth` then creates every queued pattern (``Group``) and object
in cdk8s and returns what cdk8s renders for each. Every object is a fully
formed ``ApiObject`` in its chart and every pattern a construct under its
scope, so ``cdk8s synth``, validations and anything else on the tree see all
of them, and what is written is cdk8s's own rendering of them.

How they cross: through lib/k8s/bridge.js, loaded into jsii's Node beside
cdk8s (lib/k8s/bridge.py says why and how): one call creates a shard's
patterns, one its objects (``new ApiObject(chart, id, body)``, the whole body
as TypeScript would pass it), and a few render its charts, each chart as its
``Chart.toJson`` returns it. That method re-validates the whole app on every
call (quadratic in charts), so the smallest chart goes through it, once for
the app, and the bridge renders the rest as it would
(tests/test_performance_plumbing.py compares the two).

Until then (while the constructs of lib/patterns run), charts and patterns
are placeholders that only Python knows: a pattern subclasses ``Group`` and
adds objects with ``emit``; a construct from cdk8s or cdk8s-plus scoped in
an ObjectChart would need ``materialize()`` first (jsii refuses a
placeholder scope). lib/platform/environment.py's ``build`` materializes
before it returns, so its app is an ordinary, complete cdk8s app.

When the bridge is not available (another jsii release), the same objects
are made through jsii's Python API, one call at a time: an ``ApiObject`` with
apiVersion, kind and metadata (all ``ApiObjectProps`` declares: jsii's
kernel drops other struct keys), a ``JsonPatch.add`` per further top-level
field, then ``Chart.toJson``. Slower, same output (tested too). Nothing
filters unknown fields, so a typo reaches the strict schema validation in the
tests instead of vanishing; metadata keys the Python API would drop are
refused on both paths, and so are keys jsii would read as references.
"""
from __future__ import annotations

import itertools
from typing import Any, Iterable, Iterator, Mapping

from cdk8s import ApiObject, ApiObjectMetadata, Chart, JsonPatch, OwnerReference
from constructs import Construct

try:  # what jsii.create does with a new object; another jsii: groups are created at once
    from jsii import _reference_map
    from jsii._kernel import _get_overides as _get_overrides
    from jsii._kernel.types import ObjRef as _ObjRef
except ImportError:  # pragma: no cover - depends on the jsii release
    _reference_map = _get_overrides = _ObjRef = None

from ..errors import VoyagerError
from .api import Kind
from .bridge import _JSON, Bridge

# The keys cdk8s's ApiObjectMetadata declares: jsii silently drops any other
# key of ``metadata``, so one is refused here rather than lost.
_METADATA_KEYS = frozenset({"name", "namespace", "labels", "annotations", "finalizers",
                            "ownerReferences"})
_PROPS = ("apiVersion", "kind", "metadata")
_OVERRIDES: dict[type, bool] = {}  # Group subclass -> overrides a cdk8s member
_PLACEHOLDERS = itertools.count()
# Objects per render call: Python writes one batch's files while Node renders the next.
_RENDER_BATCH = 500

# Charts flushed but not yet created in cdk8s: (chart, bodies), in flush order.
_PENDING: list[tuple["ObjectChart", list[dict]]] = []
# Groups and charts not yet created in cdk8s, in construction order:
# (construct, scope, id, chart props in TypeScript's spelling; None for a group).
_GROUPS: list[tuple[Construct, Construct, str, dict | None]] = []
# ObjectChart's keyword arguments the bridge passes on (cdk8s's ChartProps).
_CHART_PROPS = {"namespace": "namespace", "labels": "labels",
                "disable_resource_name_hashes": "disableResourceNameHashes"}


class ObjectChart(Chart):
    """A Chart that collects its objects' bodies; :func:`synth` creates them.

    Like patterns, charts (one per namespace, a thousand at 1,000 customers)
    join the construct tree in :func:`synth`, all in one call with the
    patterns, not with a round trip each here. Until then only Python knows
    them: their id and namespace are kept here (``voyager_id``,
    ``voyager_namespace``) for the code that needs them meanwhile."""

    def __init__(self, scope: Construct, id: str, **props: Any):
        self.voyager_bodies: list[dict] = []
        self.voyager_chart = self
        self.voyager_objects = 0  # created in cdk8s so far (to size render batches)
        self.voyager_id = id
        self.voyager_namespace = props.get("namespace")
        if (_ObjRef is None or type(self) is not ObjectChart or set(props) - _CHART_PROPS.keys()
                or Bridge.get() is None):
            super().__init__(scope, id, **props)
            return
        problem = _chart_props_problem(props)
        if problem:
            raise VoyagerError(f"chart {id}: {problem}")
        self.__jsii_ref__ = _ObjRef(ref=f"voyager.Chart@{next(_PLACEHOLDERS)}-not-created-until-synth")
        self.voyager_pending = True
        _GROUPS.append((self, scope, id, {_CHART_PROPS[k]: v for k, v in props.items()}))

    def flush(self) -> None:
        """Queue every collected object (once, after all constructs ran)."""
        seen: set[tuple[str, str]] = set()
        for body in self.voyager_bodies:
            meta = body["metadata"]
            if not isinstance(meta.get("name"), str):
                raise VoyagerError(f"{body['kind']} in chart {self.voyager_id}: metadata.name is "
                                   f"required (a string), not {meta.get('name')!r}")
            key = (body["kind"], meta["name"])
            unknown = set(meta) - _METADATA_KEYS
            if unknown:
                raise VoyagerError(f"{key[0]} {key[1]!r}: metadata.{sorted(map(str, unknown))[0]} is not "
                                   f"a metadata field cdk8s keeps ({', '.join(sorted(_METADATA_KEYS))})")
            problem = _metadata_problem(meta)
            if problem:
                raise VoyagerError(f"{key[0]} {key[1]!r}: metadata.{problem}")
            if key in seen:
                raise VoyagerError(f"two {key[0]} objects named {key[1]!r} in chart {self.voyager_id}")
            seen.add(key)
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
    third as many of them as objects, so they join the construct tree all at
    once in :func:`synth` rather than with a round trip each here. Until then
    a pattern has no identity in cdk8s: nothing calls cdk8s on one while the
    constructs run. A subclass that overrides a cdk8s method (cdk8s would call
    back) is created at once.
    """

    def __init__(self, scope: Construct, id: str):
        self.voyager_chart = scope.voyager_chart
        if _ObjRef is None or Bridge.get() is None or _has_overrides(self):
            super().__init__(scope, id)
            return
        # JSIIMeta registers every instance by its reference once __init__ returns;
        # a call on the group before synth() names this placeholder in its error.
        self.__jsii_ref__ = _ObjRef(ref=f"voyager.Group@{next(_PLACEHOLDERS)}-not-created-until-synth")
        self.voyager_pending = True
        _GROUPS.append((self, scope, id, None))


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
    bridge = Bridge.get()
    if bridge is None or not all(isinstance(c, ObjectChart) for c in charts):
        for chart in charts:
            yield from chart.to_json()
        return
    # One chart goes through Chart.toJson, where cdk8s resolves dependencies and
    # runs every construct's validations for the whole app: once. The smallest,
    # since its objects come back through jsii's (slower) Python API, which also
    # answers any validation implemented in Python.
    first = min(charts, key=lambda chart: chart.voyager_objects)
    yield from first.to_json()
    batches: list[list[ObjectChart]] = [[]]
    size = 0
    for chart in charts:
        if chart is first:
            continue
        if size >= _RENDER_BATCH:
            batches.append([])
            size = 0
        batches[-1].append(chart)
        size += chart.voyager_objects
    refs = [[chart.__jsii_ref__.ref for chart in batch] for batch in batches if batch]
    for objects in bridge.render(refs, lambda i: f"the charts from {batches[i][0].voyager_id}"):
        yield from objects


def materialize() -> None:
    """Create every queued group, then every queued object as an ApiObject in its chart."""
    bridge = Bridge.get()
    if _GROUPS:  # only queued when the bridge is there
        _create_groups(bridge)
    if not _PENDING:
        return
    pending = list(_PENDING)
    _PENDING.clear()
    for chart, bodies in pending:
        chart.voyager_objects += len(bodies)
    if bridge is None:
        for chart, bodies in pending:
            _create_one_by_one(chart, bodies)
    else:
        _create_bridged(bridge, pending)


def _create_groups(bridge: Bridge) -> None:
    """``new Chart(scope, id, props)`` or ``new Construct(scope, id)`` for every
    queued chart and group, in construction order (a construct's scope is
    constructed before it), in one call, so the tree is the one eager
    creation would have built."""
    pending = list(_GROUPS)
    _GROUPS.clear()
    scopes: list[str] = []
    scope_index: dict[str, int] = {}
    queued = {id(construct): i for i, (construct, *_rest) in enumerate(pending)}
    entries: list[tuple[int, str, dict | None]] = []
    for _construct, scope, name, props in pending:
        if getattr(scope, "voyager_pending", False):
            where = queued.get(id(scope))
            if where is None:  # a scope neither created nor queued: cannot happen
                raise VoyagerError(f"construct {name!r} has a scope that was never created")
            entries.append((~where, name, props))
        else:
            ref = scope.__jsii_ref__.ref
            if ref not in scope_index:
                scope_index[ref] = len(scopes)
                scopes.append(ref)
            entries.append((scope_index[ref], name, props))
    created = bridge.add_constructs(scopes, entries, f"{len(entries)} charts and pattern constructs")
    for (construct, *_rest), ref in zip(pending, created):
        placeholder = construct.__jsii_ref__.ref
        construct.__jsii_ref__ = _ObjRef(ref=ref)
        construct.voyager_pending = False
        _register(construct, placeholder)


def _has_overrides(group: "Group") -> bool:
    kind = type(group)
    found = _OVERRIDES.get(kind)
    if found is None:
        found = _OVERRIDES[kind] = bool(_get_overrides(kind, group))
    return found


def _register(construct: Construct, placeholder: str) -> None:
    """Map the real reference to this Python object, as ``jsii.create`` does
    (so the tree hands the same object back), and drop the placeholder's."""
    _reference_map.register_reference(construct)
    getattr(getattr(_reference_map, "_refs", None), "_refs", {}).pop(placeholder, None)


def _create_one_by_one(chart: ObjectChart, bodies: list[dict]) -> None:
    """jsii's Python API: one round trip per call."""
    for body in bodies:
        _data(body, body)
        obj = ApiObject(chart, _object_id(body), api_version=body["apiVersion"],
                        kind=body["kind"], metadata=_metadata_struct(body["metadata"]))
        fields = [JsonPatch.add(_pointer(key), value) for key, value in body.items()
                  if key not in _PROPS]
        if fields:
            obj.add_json_patch(*fields)


def _metadata_struct(meta: dict) -> ApiObjectMetadata:
    """``metadata`` as jsii's Python API takes it: its structs, whose keyword
    arguments are snake_case (a dict with camelCase keys would not convert)."""
    fields = {k: v for k, v in meta.items() if k != "ownerReferences" and v is not None}
    if meta.get("ownerReferences") is not None:
        fields["owner_references"] = [
            OwnerReference(api_version=ref["apiVersion"], kind=ref["kind"], name=ref["name"],
                           uid=ref["uid"], block_owner_deletion=ref.get("blockOwnerDeletion"),
                           controller=ref.get("controller"))
            for ref in meta["ownerReferences"]]
    return ApiObjectMetadata(**fields)


def _create_bridged(bridge: Bridge, pending: list[tuple[ObjectChart, list[dict]]]) -> None:
    """Every queued object, ``[chart, id, body]`` each as JSON, in calls of
    about :data:`_RENDER_BATCH` objects: jsii's kernel joins the chunks of a
    request line by copying what it has so far at every chunk, quadratic in
    the line's length (0.1 s of Node for one 7.6 MB line)."""
    calls: list[tuple[list[str], str]] = []
    scopes: list[str] = []
    entries: list[tuple[int, str, dict]] = []
    for chart, bodies in pending:
        scopes.append(chart.__jsii_ref__.ref)
        entries += [(len(scopes) - 1, _object_id(body), body) for body in bodies]
        if len(entries) >= _RENDER_BATCH:
            calls.append((scopes, _entries(entries)))
            scopes, entries = [], []
    if entries:
        calls.append((scopes, _entries(entries)))
    bridge.add_objects(calls)


def _entries(entries: list[tuple[int, str, dict]]) -> str:
    try:
        text = _JSON(entries)
    except (TypeError, ValueError):
        text = None
    if text is None or '"$jsii.' in text:  # find and name the culprit
        for _i, _id, body in entries:
            _data(body, body)
    return text


def _metadata_problem(meta: dict) -> str | None:
    """What is wrong with ``metadata`` by the types cdk8s declares for it
    (``ApiObjectMetadata`` and ``OwnerReference`` in cdk8s 2.70's
    lib/metadata.d.ts), or None. jsii's kernel checked these when metadata
    crossed as a struct; the bridge hands the body over as JSON, so they are
    checked here, on both paths alike. None stands for absent, as in jsii."""
    def strings(value) -> bool:
        return isinstance(value, str)

    for field in ("name", "namespace"):
        if meta.get(field) is not None and not strings(meta[field]):
            return f"{field} must be a string, not {type(meta[field]).__name__}"
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is None:
            continue
        if not isinstance(value, dict):
            return f"{field} must be a mapping of strings"
        for k, v in value.items():
            if not strings(k):
                return f"{field} has a key that is not a string: {k!r}"
            if not strings(v):
                return f"{field}[{k!r}] must be a string, not {type(v).__name__}"
    finalizers = meta.get("finalizers")
    if finalizers is not None and not (isinstance(finalizers, list) and all(map(strings, finalizers))):
        return "finalizers must be a list of strings"
    references = meta.get("ownerReferences")
    if references is None:
        return None
    if not isinstance(references, list):
        return "ownerReferences must be a list"
    for i, ref in enumerate(references):
        if not isinstance(ref, dict):
            return f"ownerReferences[{i}] must be a mapping"
        for k in _OWNER_REQUIRED:
            if not strings(ref.get(k)):
                return f"ownerReferences[{i}].{k} is required (a string)"
        for k, v in ref.items():
            if k in ("blockOwnerDeletion", "controller"):
                if v is not None and not isinstance(v, bool):
                    return f"ownerReferences[{i}].{k} must be true or false"
            elif k not in _OWNER_REQUIRED:
                return f"ownerReferences[{i}] has {k!r}, not a field of an owner reference"
    return None


_OWNER_REQUIRED = ("apiVersion", "kind", "name", "uid")


def _chart_props_problem(props: dict) -> str | None:
    """The ChartProps the bridge passes on as JSON, checked as jsii would."""
    namespace, labels = props.get("namespace"), props.get("labels")
    if namespace is not None and not isinstance(namespace, str):
        return f"namespace must be a string, not {type(namespace).__name__}"
    if labels is not None and not (isinstance(labels, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items())):
        return "labels must be a mapping of strings to strings"
    hashes = props.get("disable_resource_name_hashes")
    if hashes is not None and not isinstance(hashes, bool):
        return "disable_resource_name_hashes must be true or false"
    return None


def _object_id(body: dict) -> str:
    return f"{body['kind']}-{body['metadata']['name']}"


def _pointer(key: str) -> str:
    """A JSON pointer to a top-level key (RFC 6901 escapes)."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _describe(body: dict) -> str:
    meta = body["metadata"]
    where = f" in namespace {meta['namespace']}" if meta.get("namespace") else ""
    return f"{body['kind']} {meta['name']!r}{where}"


def _data(value: Any, body: dict) -> str:
    """A body's value as JSON. jsii reads ``{"$jsii.<...>": ...}`` mappings as
    references, dates, enums or maps, so a body with such a key would arrive
    changed by the Python API: refused on both paths (no Kubernetes field
    starts with ``$``)."""
    try:
        text = _JSON(value)
    except (TypeError, ValueError) as exc:
        raise VoyagerError(f"{_describe(body)}: not JSON data: {exc}") from None
    if '"$jsii.' in text:
        raise VoyagerError(f"{_describe(body)}: a key or value starts with '$jsii.', "
                           "which jsii would not pass on as data")
    return text
