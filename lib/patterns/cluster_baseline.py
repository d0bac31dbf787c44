"""Cluster-scoped foundations: storage classes and priority classes."""
from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from ..k8s.api import core
from ..k8s.objects import Group, emit


@dataclass(frozen=True)
class StorageClassConfig:
    name: str
    provisioner: str
    parameters: dict[str, str]
    # Retain only where losing a claim would lose a database; elsewhere the
    # spec's (default) Delete, so released volumes do not pile up.
    retain: bool = False


@dataclass(frozen=True)
class PriorityClassConfig:
    name: str
    value: int
    description: str


class StorageClasses(Group):
    def __init__(self, scope: Construct, id: str, *, classes: tuple[StorageClassConfig, ...]):
        super().__init__(scope, id)
        for c in classes:
            emit(self, core("StorageClass"), {"name": c.name},
                 provisioner=c.provisioner,
                 parameters=dict(c.parameters),
                 allowVolumeExpansion=True,
                 # Bind where the pod lands, so the volume is in the pod's zone.
                 volumeBindingMode="WaitForFirstConsumer",
                 reclaimPolicy="Retain" if c.retain else None)


class PriorityClasses(Group):
    def __init__(self, scope: Construct, id: str, *, classes: tuple[PriorityClassConfig, ...]):
        super().__init__(scope, id)
        for c in classes:
            emit(self, core("PriorityClass"), {"name": c.name}, value=c.value,
                 globalDefault=False, preemptionPolicy="PreemptLowerPriority",
                 description=c.description)
