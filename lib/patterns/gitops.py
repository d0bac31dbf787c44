"""Argo CD wiring, rendered like everything else (Holos-style).

The root ``voyager-platform`` Application (the spec's) syncs the
environment's ``argocd/`` directory: the AppProjects that fence where each
app may deploy and what it may create, and one Application per rendered
directory (app of apps), so every namespace syncs and reports health on its
own. The root app has a project of its own: it is the only one that may
create Argo CD objects, so no other project can widen its own fence. All sync
with server-side apply, so no object's full body is copied into a
last-applied-configuration annotation.
"""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit

IN_CLUSTER = "https://kubernetes.default.svc"
# Every Application's retry policy. Unlimited (a limit below 0: argo-cd
# v3.5.1 controller/appcontroller.go): a first sync waits on things outside
# Git (Vault's bootstrap, Kafka), and after a limited retry series fails Argo
# CD never auto-syncs the same revision again ("Skipping auto-sync: failed
# previous sync attempt"). refresh: each retry takes the newest revision, so
# a fix in Git is picked up.
RETRY = {"limit": -1, "refresh": True,
         "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}}
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


@dataclass(frozen=True)
class ChildApp:
    name: str
    path: str
    # Destination namespace, never empty: Argo CD matches an omitted namespace
    # as "" against the project's destination globs; a list of explicit
    # namespaces never matches "", so it refuses the whole app (argo-cd #11510).
    namespace: str
    wave: int
    project: str

    def __post_init__(self) -> None:
        if not self.namespace:
            raise ValueError(f"Argo CD Application {self.name} needs a destination namespace "
                             "(an empty one matches no AppProject destination)")


@dataclass(frozen=True)
class Project:
    """An AppProject: where its apps may deploy and which kinds they may create."""

    name: str
    description: str
    destinations: tuple[str, ...]
    # Cluster-scoped kinds allowed: (group, kind) or (group, kind, name glob).
    # Nothing else cluster-scoped may be created (an empty list allows none).
    cluster_kinds: tuple[tuple[str, ...], ...] = ()
    # Namespaced kinds allowed; None allows every kind not in denied_kinds.
    namespace_kinds: tuple[tuple[str, str], ...] | None = None
    # Namespaced kinds refused (group, kind glob).
    denied_kinds: tuple[tuple[str, str], ...] = ()
    # Repositories its Applications may use; empty: only this one. The
    # add-ons' projects list their chart repositories instead.
    source_repos: tuple[str, ...] = ()


@dataclass(frozen=True)
class GitopsConfig:
    environment: str
    argocd_namespace: str
    repo_url: str
    target_revision: str
    root_path: str
    root_project: str
    projects: tuple[Project, ...]
    children: tuple[ChildApp, ...]

    def __post_init__(self) -> None:
        known = {p.name: p for p in self.projects}
        if self.root_project not in known:
            raise ValueError(f"the root Application names unknown project {self.root_project!r}")
        if self.argocd_namespace not in known[self.root_project].destinations:
            raise ValueError(f"root project {self.root_project} must allow {self.argocd_namespace}, "
                             "where the root app creates the child Applications")
        for child in self.children:
            if child.project not in known:
                raise ValueError(f"Application {child.name} names unknown project {child.project!r}")
            if child.project == self.root_project:
                raise ValueError(f"Application {child.name} must not use the root project "
                                 f"{self.root_project}: only the app of apps may create Argo CD objects")
            if child.namespace not in known[child.project].destinations:
                # Argo CD would refuse it (IsDestinationPermitted).
                raise ValueError(f"Application {child.name}: project {child.project} does not "
                                 f"allow destination namespace {child.namespace!r}")
        names = [c.name for c in self.children]
        if len(names) != len(set(names)):
            raise ValueError("two Argo CD Applications would share a name")
        for name in names:
            if len(name) > 63:
                # Argo CD's label-based tracking copies the app name into a label value.
                raise ValueError(f"Argo CD Application name {name!r} is {len(name)} characters; "
                                 "at most 63 (shorten the environment name or customer id)")


def _sync_policy() -> dict:
    # No CreateNamespace=true anywhere: the namespaces come from the cluster
    # app with their labels, and the argocd namespace holds the root app
    # itself. Argo CD passes an auto-created Namespace through the project's
    # permission check like any object (gitops-engine sync_context.go,
    # autoCreateNamespace), which the fenced projects would refuse.
    return {
        "automated": {"prune": True, "selfHeal": True},
        "syncOptions": ["ServerSideApply=true", "PruneLast=true", "ApplyOutOfSyncOnly=true"],
        "retry": dict(RETRY),
    }


def _restriction(item: tuple[str, ...]) -> dict:
    group, kind, *name = item
    return {"group": group, "kind": kind, **({"name": name[0]} if name else {})}


class Gitops(Group):
    def __init__(self, scope: Construct, id: str, *, config: GitopsConfig):
        super().__init__(scope, id)
        c = config
        labels = {"voyager.io/environment": c.environment}
        for project in c.projects:
            spec = {
                "description": project.description,
                "sourceRepos": list(project.source_repos) or [c.repo_url],
                "destinations": [{"server": IN_CLUSTER, "namespace": ns}
                                 for ns in project.destinations],
                # An empty whitelist allows no cluster-scoped kind at all.
                "clusterResourceWhitelist": [_restriction(k) for k in project.cluster_kinds],
                "orphanedResources": {"warn": True},
            }
            if project.namespace_kinds is not None:
                # Present (even empty) it allows only these; absent it allows all.
                spec["namespaceResourceWhitelist"] = [{"group": g, "kind": k}
                                                      for g, k in project.namespace_kinds]
            if project.denied_kinds:
                spec["namespaceResourceBlacklist"] = [{"group": g, "kind": k}
                                                      for g, k in project.denied_kinds]
            emit(self, crd("AppProject"), {"name": project.name, "labels": labels}, spec=spec)
        emit(self, crd("Application"), {"name": "voyager-platform", "labels": labels}, spec={
            "project": c.root_project,
            "source": {"repoURL": c.repo_url, "targetRevision": c.target_revision,
                       "path": c.root_path},
            "destination": {"server": IN_CLUSTER, "namespace": c.argocd_namespace},
            "syncPolicy": _sync_policy(),
        })
        for child in c.children:
            emit(self, crd("Application"),
                 {"name": child.name, "labels": labels,
                  "annotations": {SYNC_WAVE: str(child.wave)},
                  # Deleting a child app must not cascade into the namespace.
                  "finalizers": []},
                 spec={
                     "project": child.project,
                     "source": {"repoURL": c.repo_url, "targetRevision": c.target_revision,
                                "path": child.path},
                     "destination": {"server": IN_CLUSTER, "namespace": child.namespace},
                     "syncPolicy": _sync_policy(),
                 })
