"""Argo CD wiring, rendered like everything else (Holos-style).

The root ``voyager-platform`` Application (the spec's) syncs the
environment's ``argocd/`` directory: an AppProject that fences where the
platform may deploy, and one Application per rendered directory (app of
apps), so every namespace syncs and reports health on its own. All sync with
server-side apply, so no object's full body is copied into a
last-applied-configuration annotation.
"""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import crd
from ..k8s.objects import Group, emit

IN_CLUSTER = "https://kubernetes.default.svc"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"


@dataclass(frozen=True)
class ChildApp:
    name: str
    path: str
    namespace: str  # destination namespace ("" for cluster-scoped only)
    wave: int
    project: str


@dataclass(frozen=True)
class Project:
    """An AppProject: where its apps may deploy and which kinds they may create."""

    name: str
    description: str
    destinations: tuple[str, ...]
    cluster_kinds: tuple[tuple[str, str], ...] = ()  # (group, kind) allowed cluster-wide
    # Namespaced kinds refused (tenants must not create Argo CD objects).
    denied_kinds: tuple[tuple[str, str], ...] = ()


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
        known = {p.name for p in self.projects}
        for child in self.children:
            if child.project not in known:
                raise ValueError(f"Application {child.name} names unknown project {child.project!r}")
        names = [c.name for c in self.children]
        if len(names) != len(set(names)):
            raise ValueError("two Argo CD Applications would share a name")
        for name in names:
            if len(name) > 63:
                # Argo CD's label-based tracking copies the app name into a label value.
                raise ValueError(f"Argo CD Application name {name!r} is {len(name)} characters; "
                                 "at most 63 (shorten the environment name or customer id)")


def _sync_policy(create_namespace: bool) -> dict:
    options = ["ServerSideApply=true", "PruneLast=true", "ApplyOutOfSyncOnly=true"]
    if create_namespace:
        options.insert(0, "CreateNamespace=true")
    return {
        "automated": {"prune": True, "selfHeal": True},
        "syncOptions": options,
        "retry": {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "5m"}},
    }


class Gitops(Group):
    def __init__(self, scope: Construct, id: str, *, config: GitopsConfig):
        super().__init__(scope, id)
        c = config
        labels = {"voyager.io/environment": c.environment}
        for project in c.projects:
            spec = {
                "description": project.description,
                "sourceRepos": [c.repo_url],
                "destinations": [{"server": IN_CLUSTER, "namespace": ns}
                                 for ns in project.destinations],
                # An empty whitelist allows no cluster-scoped kind at all.
                "clusterResourceWhitelist": [{"group": g, "kind": k}
                                             for g, k in project.cluster_kinds],
                "orphanedResources": {"warn": True},
            }
            if project.denied_kinds:
                spec["namespaceResourceBlacklist"] = [{"group": g, "kind": k}
                                                      for g, k in project.denied_kinds]
            emit(self, crd("AppProject"), {"name": project.name, "labels": labels}, spec=spec)
        emit(self, crd("Application"), {"name": "voyager-platform", "labels": labels}, spec={
            "project": c.root_project,
            "source": {"repoURL": c.repo_url, "targetRevision": c.target_revision,
                       "path": c.root_path},
            "destination": {"server": IN_CLUSTER, "namespace": c.argocd_namespace},
            "syncPolicy": _sync_policy(create_namespace=True),
        })
        for child in c.children:
            destination = {"server": IN_CLUSTER}
            if child.namespace:
                destination["namespace"] = child.namespace
            emit(self, crd("Application"),
                 {"name": child.name, "labels": labels,
                  "annotations": {SYNC_WAVE: str(child.wave)},
                  # Deleting a child app must not cascade into the namespace.
                  "finalizers": []},
                 spec={
                     "project": child.project,
                     "source": {"repoURL": c.repo_url, "targetRevision": c.target_revision,
                                "path": child.path},
                     "destination": destination,
                     # Namespaces come from the cluster app, with their labels.
                     "syncPolicy": _sync_policy(create_namespace=False),
                 })
