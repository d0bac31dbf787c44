"""``argocd``: would Argo CD accept every Application and sync what it delivers?

Argo CD refuses an Application its AppProject does not permit, and fails the
sync of any object the project does not permit; nothing else in ``validate``
would notice (an Application without ``destination.namespace`` passed every
other check while Argo CD refused it). This models Argo CD's own rules, read
from its source at tag **v3.5.1** (github.com/argoproj/argo-cd, commit
109ca7ca7113, the version crds/README.md vendors):

- ``pkg/apis/application/v1alpha1/app_project_types.go``:
  ``IsDestinationPermitted`` / ``isDestinationMatched``, ``IsSourcePermitted``,
  ``IsGroupKindNamePermitted``, ``IsResourcePermitted``, ``globMatch``,
  ``isDenyPattern``;
- ``pkg/apis/application/v1alpha1/types.go``: ``isResourceInList``,
  ``isNamedResourceInList`` (Go's ``path/filepath.Match``),
  ``ApplicationSpec.GetProject``, ``SyncOptions.GetOptionValue``;
- ``util/glob/glob.go``: ``Match`` (github.com/gobwas/glob v0.2.3, go.mod);
- ``util/git/git.go``: ``NormalizeGitURL``;
- ``util/argo/argo.go``: ``ValidatePermissions``, ``GetDestinationServer``;
- ``controller/state.go``: ``NormalizeTargetObjects`` (a namespaced object
  without a namespace gets the destination's; unknown kinds count as namespaced);
- ``controller/sync.go``: ``validateSyncPermissions`` (run on every object);
- ``gitops-engine/pkg/sync/resource/annotations.go`` (``GetAnnotationCSVs``,
  ``GetAnnotationOptionValue``), ``gitops-engine/pkg/sync/sync_context.go``
  (``isPruningDisabled``) and ``controller/appcontroller.go``
  (``shouldBeDeleted``): the ``Prune=false`` / ``Delete=false`` options.

Rules, in the order Argo CD applies them (each finding names the Application
or object, its project and the rule):

1. the project exists: an AppProject of that name in the Application's
   namespace (``spec.project`` empty means ``default``, which is not rendered
   and would permit everything);
2. the destination: exactly one of server / name, a registered cluster, and
   (server or name) plus namespace matched by the project's ``destinations``
   with its ``!`` deny entries; an omitted namespace is ``""``;
3. every source's ``repoURL`` matches ``sourceRepos`` (normalised, globbed
   with ``/`` as separator, ``!`` entries deny); ``spec.sourceHydrator`` is
   not modelled (nothing here renders one);
4. the path exists: the ``reference`` check reports it
   (:func:`.references.app_source_dir`); here it only says what is synced;
5. every object under the path (what kustomize builds from its
   kustomization.yaml, else the directory's own manifests): a cluster-scoped
   one by ``clusterResourceWhitelist`` / ``Blacklist`` (group, kind and name
   globs; an empty whitelist permits none); a namespaced one by
   ``namespaceResourceWhitelist`` (absent: all) / ``Blacklist`` and by the
   destinations for its namespace (its own, else the Application's);
6. the fence (ours, not Argo CD's): only the root project, the one whose
   Application syncs itself (app of apps), may create argoproj.io objects or
   reach the Argo CD namespace (where a Secret labelled
   ``argocd.argoproj.io/secret-type`` registers a cluster or repository); no
   project permits a cluster-scoped kind its Applications do not render, or a
   CustomResourceDefinition by any name (it could replace Argo CD's own); the
   root project permits exactly the kinds and namespaces it syncs;
7. state holders keep: a synced Namespace, PersistentVolumeClaim,
   StatefulSet with volumeClaimTemplates or CloudNativePG Cluster (its
   claims go with it) carries ``Prune=false`` and
   ``Delete=false``, a CustomResourceDefinition ``Prune=false`` (Argo CD never
   cascade-deletes CRDs), from the object's annotation or its Application's
   sync options.

Applications whose manifests are not in this tree (a Helm chart: ``chart``
with ``repoURL`` and ``targetRevision``, no ``path``; or a directory of
another repository: the add-ons, lib/patterns/addons.py) are judged by what
the tree shows: the project exists, the destination and the repository are
permitted (rules 1-3). What they create is Argo CD's to render, so rules 5
and 7 cannot see it, and rule 6 judges their projects' lists as written:
group and kind named (no glob), CRDs only by name or name pattern (never any
name), repositories named (no glob), no Argo CD objects, not the Argo CD
namespace. One exception: the project whose every Application is Argo CD's
own manifests (``github.com/argoproj/argo-cd``) deployed into the Argo CD
namespace, which is Argo CD managing itself: it may reach that namespace
and create Argo CD's CRDs, each by its exact name. "This tree's repository"
is the ``repoURL`` of the app of apps (the Application whose ``path`` holds
its own file).

Assumed about the world: the only cluster is Argo CD's in-cluster one
(``https://kubernetes.default.svc``, named ``in-cluster``); no cluster is
project-scoped.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .model import CLUSTER_SCOPED, KUSTOMIZATION, Finding, Obj, _Loader
from .references import app_source_dir

CHECK = "argocd"
GROUP = "argoproj.io"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
OPTIONS_FIELD = f"metadata.annotations[{SYNC_OPTIONS}]"


@dataclass(frozen=True)
class Cluster:
    server: str
    name: str


# pkg/apis/application/v1alpha1/application_defaults.go (v3.5.1):
# KubernetesInternalAPIServerAddr, KubernetesInClusterName.
IN_CLUSTER = Cluster("https://kubernetes.default.svc", "in-cluster")
CLUSTERS = (IN_CLUSTER,)

# Kinds of the argoproj.io group a non-root project must not create: Argo CD's
# own, plus Argo Rollouts' and Workflows' (same group), so a blacklist that
# names only some of them is caught.
ARGO_PROBES = ("Application", "AppProject", "ApplicationSet", "Rollout", "Workflow")
ARGO_CLUSTER_PROBES = ("ClusterWorkflowTemplate",)
# What the root project must not be able to create besides what it syncs.
ROOT_PROBES = (("", "Secret"), ("", "ConfigMap"), ("", "ServiceAccount"), ("apps", "Deployment"),
               ("rbac.authorization.k8s.io", "RoleBinding"), (GROUP, "ApplicationSet"))
ARGO_CRD = "applications.argoproj.io"
# A CRD name no one would whitelist on purpose: permitted, the project takes
# CRDs of any name.
ANY_CRD = "probe.example.invalid"
# Argo CD's own manifests: the self-managed Argo CD's source.
ARGO_CD_REPO = "https://github.com/argoproj/argo-cd"
# Glob syntax in a list entry (a leading "!" is a deny entry, not a glob).
GLOB = "*?[{\\"


# --- glob matching --------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _gobwas(pattern: str, separators: str) -> re.Pattern | None:
    """github.com/gobwas/glob's syntax as a regex, None when it does not compile.

    ``*`` any run of non-separators, ``**`` any run, ``?`` one non-separator,
    ``[abc]`` / ``[!a-z]`` classes, ``{a,b}`` alternatives, ``\\`` escapes.
    The empty pattern matches only the empty string.
    """
    sep = f"[^{re.escape(separators)}]" if separators else "."
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern):
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append(f"{sep}*")
                i += 1
            continue
        if c == "?":
            out.append(sep)
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0 or end == i + 1 or (pattern[i + 1] == "!" and end == i + 2):
                return None
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            parts = []
            j = 0
            while j < len(body):
                if j + 2 < len(body) and body[j + 1] == "-":
                    parts.append(f"{re.escape(body[j])}-{re.escape(body[j + 2])}")
                    j += 3
                else:
                    parts.append(re.escape(body[j]))
                    j += 1
            out.append(f"[{'^' if negate else ''}{''.join(parts)}]")
            i = end + 1
            continue
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        return None
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None


def glob_match(pattern: str, value: str, allow_negation: bool, separators: str = "") -> bool:
    """app_project_types.go globMatch: a leading ``!`` inverts (deny pattern);
    ``*`` matches everything, the empty string too; util/glob.Match otherwise."""
    if allow_negation and pattern.startswith("!"):
        rx = _gobwas(pattern[1:], separators)
        return not (rx is not None and rx.fullmatch(value) is not None)
    if pattern == "*":
        return True
    rx = _gobwas(pattern, separators)
    return rx is not None and rx.fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _go_path_pattern(pattern: str) -> re.Pattern | None:
    """Go's path/filepath.Match as a regex (Unix separator), None on ErrBadPattern."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            if i + 1 >= len(pattern):
                return None
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            i += 1
            negate = i < len(pattern) and pattern[i] == "^"
            if negate:
                i += 1
            ranges = []
            while True:
                if i >= len(pattern):
                    return None
                if pattern[i] == "]" and ranges:
                    break
                lo, i = _class_char(pattern, i)
                if lo is None:
                    return None
                hi = lo
                if i < len(pattern) and pattern[i] == "-":
                    hi, i = _class_char(pattern, i + 1)
                    if hi is None:
                        return None
                ranges.append(f"{re.escape(lo)}-{re.escape(hi)}" if hi != lo else re.escape(lo))
            out.append(f"[{'^' if negate else ''}{''.join(ranges)}]")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _class_char(pattern: str, i: int) -> tuple[str | None, int]:
    if i >= len(pattern) or pattern[i] in "-]":
        return None, i
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            return None, i
    return pattern[i], i + 1


def path_match(pattern: str, value: str) -> bool:
    """filepath.Match; a malformed pattern matches nothing (types.go ignores the error)."""
    rx = _go_path_pattern(pattern or "")
    return rx is not None and rx.fullmatch(value) is not None


# --- AppProject rules (app_project_types.go, types.go) --------------------------

def _in_list(group: str, kind: str, items) -> bool:
    """types.go isResourceInList: kind, then group, by filepath.Match."""
    return any(isinstance(it, dict) and path_match(str(it.get("kind") or ""), kind)
               and path_match(str(it.get("group") or ""), group) for it in items)


def _in_named_list(group: str, kind: str, name: str, items) -> bool:
    """types.go isNamedResourceInList: as above, then the name glob (empty: any)."""
    for it in items:
        if not isinstance(it, dict):
            continue
        if not path_match(str(it.get("kind") or ""), kind) or not path_match(str(it.get("group") or ""), group):
            continue
        if not it.get("name") or path_match(str(it["name"]), name):
            return True
    return False


def kind_permitted(spec: dict, group: str, kind: str, name: str, namespaced: bool) -> bool:
    """app_project_types.go IsGroupKindNamePermitted."""
    if namespaced:
        white = spec.get("namespaceResourceWhitelist")  # absent or null: Go nil, all allowed
        black = spec.get("namespaceResourceBlacklist") or []
        listed = white is None or (len(white) != 0 and _in_list(group, kind, white))
        return listed and not (len(black) != 0 and _in_list(group, kind, black))
    white = spec.get("clusterResourceWhitelist") or []
    black = spec.get("clusterResourceBlacklist") or []
    listed = len(white) != 0 and _in_named_list(group, kind, name, white)
    return listed and not (len(black) != 0 and _in_named_list(group, kind, name, black))


def destination_matched(spec: dict, cluster: Cluster, namespace: str) -> bool:
    """app_project_types.go isDestinationMatched, deny patterns included."""
    any_matched = False
    for item in spec.get("destinations") or []:
        if not isinstance(item, dict):
            continue
        item_name, item_server = str(item.get("name") or ""), str(item.get("server") or "")
        name_ok = cluster.name != "" and glob_match(item_name, cluster.name, True)
        server_ok = cluster.server != "" and glob_match(item_server, cluster.server, True)
        ns_ok = glob_match(str(item.get("namespace") or ""), namespace, True)
        if (server_ok or name_ok) and ns_ok:
            any_matched = True
        # Go's && binds tighter than ||, as in the source.
        elif (not name_ok and item_name.startswith("!")) or (
                not server_ok and item_server.startswith("!") and ns_ok):
            return False
        elif not ns_ok and str(item.get("namespace") or "").startswith("!") and server_ok:
            return False
    return any_matched


def destination_permitted(spec: dict, cluster: Cluster, namespace: str) -> bool:
    """app_project_types.go IsDestinationPermitted: with
    permitOnlyProjectScopedClusters only project-scoped clusters count (none here)."""
    return destination_matched(spec, cluster, namespace) and not spec.get("permitOnlyProjectScopedClusters")


def normalize_git_url(repo: str) -> str:
    """util/git/git.go NormalizeGitURL (url.Parse's round trip is the identity
    for the URLs it accepts; an unparsable one normalises to "")."""
    repo = repo.strip().lower()
    if re.match(r"^(ssh://)?([^/:]*?)@[^@]+$", repo) and not repo.startswith("ssh://"):
        repo = "ssh://" + repo.replace(":", "/", 1)
    repo = repo.removesuffix(".git")
    try:
        urlsplit(repo).port  # Go's url.Parse refuses a non-numeric port too
    except ValueError:
        return ""
    return repo.removeprefix("ssh://")


def source_permitted(spec: dict, repo_url: str) -> bool:
    """app_project_types.go IsSourcePermitted: the first failing deny entry refuses."""
    src = normalize_git_url(repo_url)
    matched = False
    for pattern in spec.get("sourceRepos") or []:
        pattern = str(pattern)
        if pattern.startswith("!"):
            normalized = "!" + normalize_git_url(pattern[1:])
        else:
            normalized = normalize_git_url(pattern)
        if glob_match(normalized, src, True, "/"):
            matched = True
        elif normalized.startswith("!"):
            return False
    return matched


def resolve_cluster(destination: dict) -> tuple[Cluster | None, str]:
    """util/argo/argo.go GetDestinationServer + GetDestinationCluster."""
    server = str(destination.get("server") or "")
    name = str(destination.get("name") or "")
    if server and name:
        return None, f"destination has both name {name!r} and server {server!r}; Argo CD refuses it"
    if not server and not name:
        return None, "destination has neither server nor name; Argo CD refuses it"
    for cluster in CLUSTERS:
        if (server and cluster.server == server.rstrip("/")) or (name and cluster.name == name):
            return cluster, ""
    return None, (f"destination {'server' if server else 'name'} {server or name!r} is not a cluster "
                  f"Argo CD knows (only {IN_CLUSTER.name}, {IN_CLUSTER.server})")


def option_value(options, key: str) -> str | None:
    """GetAnnotationOptionValue / SyncOptions.GetOptionValue: the first ``key=`` item."""
    for item in options:
        if item.startswith(key + "="):
            return item[len(key) + 1:]
    return None


def annotation_options(obj: Obj) -> list[str]:
    """GetAnnotationCSVs: comma-separated, trimmed, empty items and repeats dropped."""
    seen: list[str] = []
    for item in str(obj.annotations.get(SYNC_OPTIONS) or "").split(","):
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


# --- what an Application syncs --------------------------------------------------

def tree_repos(ctx) -> set[str]:
    """The normalised repoURL of this tree: the app of apps' (an Application
    whose source path is the directory holding its own file). Empty when
    there is none; then every path source counts as in the tree."""
    repos: set[str] = set()
    env_dir = ctx.tree.env_dir.resolve()
    for app in ctx.tree.kind("Application"):
        source = app.spec.get("source")
        if app.group != GROUP or not isinstance(source, dict) or source.get("chart") or "path" not in source:
            continue
        directory = app_source_dir(ctx, str(source.get("path") or ""))
        if directory is not None and directory.resolve() == (env_dir / app.file).resolve().parent:
            repos.add(normalize_git_url(str(source.get("repoURL") or "")))
    return repos


def external_source(source: dict, repos: set[str]) -> bool:
    """Whether Argo CD renders this source from outside the tree: a Helm chart,
    or a directory of another repository."""
    if source.get("chart") or "path" not in source:
        return True
    return bool(repos) and normalize_git_url(str(source.get("repoURL") or "")) not in repos


def _manifest_files(directory: Path, seen: set[Path]) -> list[Path]:
    """What Argo CD renders from a directory: kustomize's resources when it has a
    kustomization.yaml (followed into listed directories), else the directory's
    own manifests (a directory source is not recursive unless asked)."""
    directory = directory.resolve()
    if directory in seen:
        return []
    seen.add(directory)
    kust = directory / KUSTOMIZATION
    if kust.is_file():
        try:
            data = yaml.load(kust.read_bytes(), Loader=_Loader) or {}
        except yaml.YAMLError:
            return []  # the kustomization check reports it
        files: list[Path] = []
        resources = (data.get("resources") or []) if isinstance(data, dict) else []
        for res in resources:
            target = directory / str(res)
            if target.is_dir():
                files += _manifest_files(target, seen)
            elif target.is_file():
                files.append(target.resolve())
        return files
    return sorted(p.resolve() for p in directory.iterdir()
                  if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))


@dataclass
class _App:
    obj: Obj
    project: str
    project_obj: Obj | None
    cluster: Cluster | None
    namespace: str
    delivered: list[Obj]
    options: list[str]
    # Some source is rendered by Argo CD from outside the tree (a chart,
    # another repository): what it creates is not in ``delivered``.
    external: bool = False
    # Every source is Argo CD's own manifests.
    argocd_itself: bool = False


class _Check:
    def __init__(self, ctx):
        self.ctx = ctx
        self.tree = ctx.tree
        self.out: list[Finding] = []
        self.projects = {(p.namespace, p.name): p for p in self.tree.kind("AppProject") if p.group == GROUP}
        env_dir = self.tree.env_dir.resolve()
        self.by_file: dict[Path, list[Obj]] = {}
        for obj in self.tree.objects:
            self.by_file.setdefault(env_dir / obj.file, []).append(obj)
        # (project, cluster, namespace) -> permitted: a thousand customer
        # namespaces times their objects would otherwise rescan every destination.
        self._destinations: dict[tuple[str, Cluster, str], bool] = {}
        self.repos = tree_repos(ctx)

    def destination_ok(self, proj: Obj, cluster: Cluster, namespace: str) -> bool:
        key = (proj.name, cluster, namespace)
        if key not in self._destinations:
            self._destinations[key] = destination_permitted(proj.spec, cluster, namespace)
        return self._destinations[key]

    def add(self, obj: Obj, field: str, message: str, fix: str) -> None:
        self.out.append(obj.finding(CHECK, field, message, fix))

    def namespaced(self, group: str, kind: str) -> bool:
        info = self.ctx.crds.kinds.get((group, kind))
        if info is not None:
            return info.get("scope") != "Cluster"
        return kind not in CLUSTER_SCOPED  # unknown kinds count as namespaced (NormalizeTargetObjects)

    def objects_in(self, directory: Path) -> list[Obj]:
        out: list[Obj] = []
        for path in _manifest_files(directory, set()):
            if path in self.by_file:
                out += self.by_file[path]
                continue
            try:  # outside the validated tree: read it as Argo CD would
                docs = list(yaml.load_all(path.read_bytes(), Loader=_Loader))
            except (OSError, yaml.YAMLError):
                continue
            out += [Obj(d, str(path)) for d in docs if isinstance(d, dict) and "kind" in d]
        return out

    # --- rules 1-5 -------------------------------------------------------------

    def application(self, app: Obj) -> _App:
        spec = app.spec
        project = str(spec.get("project") or "") or "default"  # ApplicationSpec.GetProject
        proj = self.projects.get((app.namespace, project))
        if proj is None:
            self.add(app, "spec.project",
                     f"AppProject {project!r} is not rendered in namespace {app.namespace!r}, so Argo CD "
                     "refuses the Application" + (" (and the built-in default project would permit "
                                                  "everything)" if project == "default" else ""),
                     "render the AppProject beside the Application (lib/patterns/gitops.py)")
        destination = spec.get("destination") if isinstance(spec.get("destination"), dict) else {}
        namespace = str(destination.get("namespace") or "")
        cluster, problem = resolve_cluster(destination)
        if problem:
            self.add(app, "spec.destination", problem, "set destination.server to the in-cluster URL")
        elif proj is not None and not destination_permitted(proj.spec, cluster, namespace):
            why = (" An omitted namespace is \"\", which no listed namespace matches (argo-cd #11510)."
                   if not namespace else "")
            self.add(app, "spec.destination.namespace",
                     f"destination {cluster.server} namespace {namespace!r} is not permitted by AppProject "
                     f"{project}'s destinations, so Argo CD refuses the Application.{why}",
                     "set a destination namespace the project lists (lib/platform/cluster_services.py)")
        sources = [("spec.source", spec.get("source"))] + [
            (f"spec.sources[{i}]", s) for i, s in enumerate(spec.get("sources") or [])]
        delivered: list[Obj] = []
        external, own = False, []
        for field, source in sources:
            if not isinstance(source, dict):
                continue
            if external_source(source, self.repos):
                external = True
            own.append(normalize_git_url(str(source.get("repoURL") or "")) == normalize_git_url(ARGO_CD_REPO))
            repo = str(source.get("repoURL") or "")
            if proj is not None and not source_permitted(proj.spec, repo):
                self.add(app, f"{field}.repoURL",
                         f"repository {repo!r} is not permitted by AppProject {project}'s sourceRepos "
                         f"({', '.join(map(str, proj.spec.get('sourceRepos') or [])) or 'none'})",
                         "use the repository the project lists (gitops.repo_url in the values)")
            if external_source(source, self.repos):
                continue
            # Rule 4 (the path exists) is the reference check's; here only what it holds.
            directory = app_source_dir(self.ctx, str(source.get("path") or ""))
            if directory is not None and directory.is_dir():
                delivered += self.objects_in(directory)
        options = [str(o) for o in ((spec.get("syncPolicy") or {}).get("syncOptions") or [])]
        return _App(app, project, proj, cluster, namespace, delivered, options, external,
                    bool(own) and all(own))

    def resources(self, a: _App) -> None:
        if a.project_obj is None or a.cluster is None:
            return
        spec = a.project_obj.spec
        where = f"(Application {a.obj.name}, AppProject {a.project})"
        for obj in a.delivered:
            group, kind = obj.group, obj.kind
            label = _label(group, kind)
            if not self.namespaced(group, kind):
                if not kind_permitted(spec, group, kind, obj.name, namespaced=False):
                    self.add(obj, "kind",
                             f"cluster-scoped {label} {obj.name!r} is not permitted by the project's "
                             f"clusterResourceWhitelist/Blacklist, so the sync fails {where}",
                             "whitelist it in the project's cluster kinds (lib/platform/cluster_services.py) "
                             "or do not render it")
                continue
            if not kind_permitted(spec, group, kind, obj.name, namespaced=True):
                self.add(obj, "kind",
                         f"{label} is not permitted by the project's namespaceResourceWhitelist/Blacklist, "
                         f"so the sync fails {where}",
                         "render it under a project that permits it, or do not render it")
            namespace = obj.namespace or a.namespace
            if not self.destination_ok(a.project_obj, a.cluster, namespace):
                self.add(obj, "metadata.namespace",
                         f"namespace {namespace!r} is not among the project's destinations, so the sync "
                         f"fails {where}",
                         "add the namespace to the project, or move the object")

    # --- rule 7 -------------------------------------------------------------------

    def keeps(self, a: _App) -> None:
        for obj in a.delivered:
            need = _keep_needed(obj)
            if not need:
                continue
            options = annotation_options(obj)
            missing = []
            for key in need:
                value = option_value(options, key)
                if value is None:
                    value = option_value(a.options, key)
                if value != "false":
                    missing.append(f"{key}=false")
            if missing:
                self.add(obj, OPTIONS_FIELD,
                         f"{obj.kind} holds state but lacks {', '.join(missing)}: a render that drops it "
                         f"makes Application {a.obj.name} "
                         + ("prune" if "Prune=false" in missing else "cascade-delete") + " it",
                         "stamp it in lib/platform/sync_waves.py (keep_options)")

    # --- rule 6 -------------------------------------------------------------------

    def fence(self, apps: list[_App]) -> None:
        by_project: dict[tuple[str, str], list[_App]] = {}
        for a in apps:
            if a.project_obj is not None:
                by_project.setdefault((a.project_obj.namespace, a.project_obj.name), []).append(a)
        roots = {(a.project_obj.namespace, a.project_obj.name) for a in apps
                 if a.project_obj is not None and any(
                     o.kind == "Application" and o.group == GROUP and o.name == a.obj.name
                     and (o.namespace or a.namespace) == a.obj.namespace for o in a.delivered)}
        for key, proj in sorted(self.projects.items()):
            spec = proj.spec
            mine = by_project.get(key, [])
            cluster_objs = [o for a in mine for o in a.delivered if not self.namespaced(o.group, o.kind)]
            # What a chart creates is not in the tree: its list is judged as written.
            unseen = any(a.external for a in mine)
            itself = bool(mine) and all(a.argocd_itself and a.namespace == proj.namespace for a in mine)
            for i, repo in enumerate(spec.get("sourceRepos") or []):
                if not str(repo).startswith("!") and any(ch in str(repo) for ch in GLOB):
                    self.add(proj, f"spec.sourceRepos[{i}]",
                             f"permits every repository matching {repo!r}, so its Applications could deploy "
                             "any chart or manifest from there", "list each repository by its URL")
            for i, item in enumerate(spec.get("clusterResourceWhitelist") or []):
                if not isinstance(item, dict):
                    continue
                group, kind = str(item.get("group") or ""), str(item.get("kind") or "")
                label = _label(group, kind) + (f" named {item['name']!r}" if item.get("name") else "")
                if any(ch in group + kind for ch in "*?[\\"):
                    self.add(proj, f"spec.clusterResourceWhitelist[{i}]",
                             f"permits every cluster-scoped kind matching {label}, more than its "
                             "Applications render", "list the (group, kind) pairs it renders")
                elif not unseen and not any(_in_named_list(o.group, o.kind, o.name, [item]) for o in cluster_objs):
                    self.add(proj, f"spec.clusterResourceWhitelist[{i}]",
                             f"permits cluster-scoped {label}, which none of its Applications render",
                             "remove it (lib/platform/cluster_services.py)")
            if itself:
                self._argocd_fence(proj)
            elif any(kind_permitted(spec, "apiextensions.k8s.io", "CustomResourceDefinition", probe, False)
                     for probe in (ARGO_CRD, ANY_CRD)):
                self.add(proj, "spec.clusterResourceWhitelist",
                         f"permits CustomResourceDefinitions by any name (e.g. {ARGO_CRD}), so its "
                         "Applications could replace Argo CD's or an add-on's own API",
                         "whitelist CustomResourceDefinition with the names of the CRDs it renders")
            if key in roots:
                self._root_fence(proj, mine)
                continue
            argo = [k for k in ARGO_PROBES if kind_permitted(spec, GROUP, k, "x", True)] + [
                k for k in ARGO_CLUSTER_PROBES if kind_permitted(spec, GROUP, k, "x", False)]
            if argo:
                self.add(proj, "spec.namespaceResourceBlacklist",
                         f"permits Argo CD objects ({', '.join(_label(GROUP, k) for k in argo)}); only the root "
                         "project may, else its Applications could widen their own fence",
                         f"deny group {GROUP}, kind '*' (lib/platform/cluster_services.py)")
            if destination_matched(spec, IN_CLUSTER, proj.namespace) and not itself:
                self.add(proj, "spec.destinations",
                         f"permits the Argo CD namespace {proj.namespace!r}, where a Secret labelled "
                         "argocd.argoproj.io/secret-type registers a cluster or repository and argocd-cm "
                         "configures Argo CD; only the root project may deploy there",
                         "drop it from the project's destinations")

    def _argocd_fence(self, proj: Obj) -> None:
        """Argo CD managing itself: its own CRDs, each by its exact name, and
        no CRD of any other group or by a pattern."""
        for i, item in enumerate(proj.spec.get("clusterResourceWhitelist") or []):
            if not isinstance(item, dict) or item.get("kind") != "CustomResourceDefinition":
                continue
            name = str(item.get("name") or "")
            if not name or any(ch in name for ch in GLOB) or not name.endswith(f".{GROUP}"):
                self.add(proj, f"spec.clusterResourceWhitelist[{i}]",
                         f"Argo CD's own project permits CustomResourceDefinitions named {name or 'anything'!r}; "
                         f"it needs only its own, each by its exact name (<plural>.{GROUP})",
                         "list applications.argoproj.io, applicationsets.argoproj.io and "
                         "appprojects.argoproj.io (lib/platform/addons.py)")

    def _root_fence(self, proj: Obj, apps: list[_App]) -> None:
        spec = proj.spec
        kinds = {(o.group, o.kind) for a in apps for o in a.delivered if self.namespaced(o.group, o.kind)}
        wider = sorted({k for k in set(ROOT_PROBES) | {(GROUP, k) for k in ARGO_PROBES}
                        if k not in kinds and kind_permitted(spec, k[0], k[1], "x", True)})
        if wider:
            self.add(proj, "spec.namespaceResourceWhitelist",
                     "the root project (it creates the AppProjects, so it could widen every fence) permits "
                     f"{', '.join(_label(g, k) for g, k in wider)}, which it does not sync",
                     "whitelist exactly the kinds it syncs (Application, AppProject)")
        namespaces = {o.namespace or a.namespace for a in apps for o in a.delivered
                      if self.namespaced(o.group, o.kind)} | {a.namespace for a in apps}
        for i, item in enumerate(spec.get("destinations") or []):
            ns = str((item or {}).get("namespace") or "") if isinstance(item, dict) else ""
            if any(ch in ns for ch in "*?[{!\\") or ns not in namespaces:
                self.add(proj, f"spec.destinations[{i}].namespace",
                         f"the root project permits namespace {ns!r}, where it syncs nothing",
                         "list only the Argo CD namespace")


def _label(group: str, kind: str) -> str:
    return f"{group or 'core'}/{kind}"


def _keep_needed(obj: Obj) -> tuple[str, ...]:
    """Which of Prune / Delete must be false on this object (rule 7)."""
    kind, api = obj.kind, obj.api_version
    if (kind, api) in (("Namespace", "v1"), ("PersistentVolumeClaim", "v1")):
        return ("Prune", "Delete")
    if (kind, api) == ("StatefulSet", "apps/v1") and obj.spec.get("volumeClaimTemplates"):
        return ("Prune", "Delete")
    if (kind, api) == ("Cluster", "postgresql.cnpg.io/v1"):
        return ("Prune", "Delete")  # CloudNativePG deletes its claims with it
    if kind == "CustomResourceDefinition" and obj.group == "apiextensions.k8s.io":
        return ("Prune",)  # controller/appcontroller.go shouldBeDeleted never deletes CRDs
    return ()


def check(ctx) -> list[Finding]:
    c = _Check(ctx)
    apps = [c.application(app) for app in ctx.tree.kind("Application") if app.group == GROUP]
    for a in apps:
        c.resources(a)
        c.keeps(a)
    c.fence(apps)
    return c.out
