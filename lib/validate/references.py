"""Every reference in the render resolves inside the render.

A name that points at nothing fails only at run time (a pod stuck in
CreateContainerConfigError, a Service without endpoints, a policy that
selects nobody); here it fails before merge.
"""
from __future__ import annotations

from pathlib import Path

from .cnpg import check_references as check_cnpg
from .model import Finding, Obj, PodTemplate
from .selectors import describe, describe_map, matches, matches_map

BUILTIN_CLUSTER_ROLES = frozenset({"view", "edit", "admin", "cluster-admin"})
DEFAULT_CONFIGMAPS = frozenset({"kube-root-ca.crt"})  # published into every namespace
SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet")
GATEWAY_GROUP = "gateway.networking.k8s.io"


class _Refs:
    def __init__(self, ctx):
        self.ctx = ctx
        self.tree = ctx.tree
        self.out: list[Finding] = []
        # ExternalSecrets by the Secret they write: (namespace, name) -> ExternalSecret
        self.eso_targets: dict[tuple[str, str], Obj] = {}
        for es in self.tree.kind("ExternalSecret"):
            target = (es.spec.get("target") or {}).get("name") or es.name
            self.eso_targets[(es.namespace, target)] = es

    # --- helpers -------------------------------------------------------------

    def add(self, obj: Obj, field: str, message: str, fix: str) -> None:
        self.out.append(obj.finding("reference", field, message, fix))

    def ns_known(self, ns: str) -> bool:
        return ns in self.tree.namespaces or ns in self.ctx.external_namespaces

    def pods(self, ns: str) -> list[PodTemplate]:
        return self.tree.pods_by_namespace.get(ns, [])

    def pod_labels(self, ns: str) -> list[dict]:
        """Labels of every pod known to run in ns: rendered ones and add-ons'."""
        return [p.labels for p in self.pods(ns)] + list(self.ctx.external_pods.get(ns, ()))

    def secret_keys(self, ns: str, name: str) -> set[str] | None | bool:
        """False: no such Secret; None: exists, keys unknown; else its keys."""
        secret = self.tree.get("Secret", ns, name)
        if secret is not None:
            data = {**(secret.data.get("data") or {}), **(secret.data.get("stringData") or {})}
            return set(data) if data else None
        es = self.eso_targets.get((ns, name))
        if es is None:
            return False
        spec = es.spec
        template = (spec.get("target") or {}).get("template") or {}
        if spec.get("dataFrom") or template.get("data") or template.get("templateFrom"):
            return None
        return {d.get("secretKey") for d in spec.get("data") or [] if isinstance(d, dict)}

    def configmap_keys(self, ns: str, name: str) -> set[str] | None | bool:
        if name in DEFAULT_CONFIGMAPS:
            return None
        cm = self.tree.get("ConfigMap", ns, name)
        if cm is None:
            return False
        data = {**(cm.data.get("data") or {}), **(cm.data.get("binaryData") or {})}
        return set(data)

    def need_secret(self, obj: Obj, field: str, ns: str, name, key=None) -> None:
        if not isinstance(name, str):
            return
        keys = self.secret_keys(ns, name)
        if keys is False:
            self.add(obj, field, f"Secret {ns}/{name} is neither rendered nor written by an ExternalSecret",
                     f"add an ExternalSecret in {ns} whose spec.target.name is {name!r}, or fix the name")
        elif key is not None and keys is not None and key not in keys:
            have = ", ".join(sorted(map(str, keys))) or "none"
            self.add(obj, field, f"Secret {ns}/{name} has no key {key!r} (it has: {have})",
                     "add the key to the ExternalSecret's spec.data, or fix the key")

    def need_configmap(self, obj: Obj, field: str, ns: str, name, key=None) -> None:
        if not isinstance(name, str):
            return
        keys = self.configmap_keys(ns, name)
        if keys is False:
            self.add(obj, field, f"ConfigMap {ns}/{name} is not rendered", "render it, or fix the name")
        elif key is not None and keys is not None and key not in keys:
            self.add(obj, field, f"ConfigMap {ns}/{name} has no key {key!r}", "add the key, or fix it")

    def need_storage_class(self, obj: Obj, field: str, name) -> None:
        if name in (None, ""):
            return  # the cluster's default StorageClass
        if self.tree.get("StorageClass", "", name) is None and name not in self.ctx.storage_classes:
            self.add(obj, field, f"StorageClass {name!r} is not rendered in cluster/",
                     "render the StorageClass, or use one that is")

    # --- the checks -------------------------------------------------------------

    def namespaces(self) -> None:
        for obj in self.tree.objects:
            ns = obj.namespace
            if ns and not self.ns_known(ns):
                self.add(obj, "metadata.namespace",
                         f"namespace {ns!r} is neither rendered nor a known external namespace",
                         "render its Namespace (lib/catalog/namespaces.py), or fix the namespace")

    def pod_refs(self, pod: PodTemplate) -> None:
        obj, ns, spec, base = pod.owner, pod.namespace, pod.spec, pod.path
        priority = spec.get("priorityClassName")
        if priority and not str(priority).startswith("system-") \
                and self.tree.get("PriorityClass", "", priority) is None:
            self.add(obj, f"{base}.priorityClassName", f"PriorityClass {priority!r} is not rendered in cluster/",
                     "render it, or use one that is (pods naming a missing class are rejected)")
        sa = spec.get("serviceAccountName") or spec.get("serviceAccount")
        if sa and sa != "default" and self.tree.get("ServiceAccount", ns, sa) is None:
            self.add(obj, f"{base}.serviceAccountName", f"ServiceAccount {ns}/{sa} is not rendered",
                     "render it (WorkloadIdentity), or fix the name")
        for i, ref in enumerate(spec.get("imagePullSecrets") or []):
            self.need_secret(obj, f"{base}.imagePullSecrets[{i}]", ns, (ref or {}).get("name"))
        volumes = {}
        for i, vol in enumerate(spec.get("volumes") or []):
            if not isinstance(vol, dict):
                continue
            volumes[vol.get("name")] = vol
            where = f"{base}.volumes[{i}]"
            if "secret" in vol and not (vol["secret"] or {}).get("optional"):
                self.need_secret(obj, f"{where}.secret.secretName", ns, (vol["secret"] or {}).get("secretName"))
            if "configMap" in vol and not (vol["configMap"] or {}).get("optional"):
                self.need_configmap(obj, f"{where}.configMap.name", ns, (vol["configMap"] or {}).get("name"))
            if "persistentVolumeClaim" in vol:
                claim = (vol["persistentVolumeClaim"] or {}).get("claimName")
                if self.tree.get("PersistentVolumeClaim", ns, claim) is None:
                    self.add(obj, f"{where}.persistentVolumeClaim.claimName",
                             f"PersistentVolumeClaim {ns}/{claim} is not rendered", "render it, or fix the name")
            for j, src in enumerate(((vol.get("projected") or {}).get("sources")) or []):
                src = src or {}
                if "secret" in src and not (src["secret"] or {}).get("optional"):
                    self.need_secret(obj, f"{where}.projected.sources[{j}].secret.name", ns, src["secret"].get("name"))
                if "configMap" in src and not (src["configMap"] or {}).get("optional"):
                    self.need_configmap(obj, f"{where}.projected.sources[{j}].configMap.name", ns,
                                        src["configMap"].get("name"))
        claims = set()
        if obj.kind == "StatefulSet":
            for i, vct in enumerate(obj.spec.get("volumeClaimTemplates") or []):
                vct = vct or {}
                claims.add((vct.get("metadata") or {}).get("name"))
                self.need_storage_class(obj, f"spec.volumeClaimTemplates[{i}].spec.storageClassName",
                                        (vct.get("spec") or {}).get("storageClassName"))
        for path, c in pod.containers():
            for i, env in enumerate(c.get("env") or []):
                source = (env or {}).get("valueFrom") or {}
                ref = source.get("secretKeyRef")
                if isinstance(ref, dict) and not ref.get("optional"):
                    self.need_secret(obj, f"{path}.env[{i}].valueFrom.secretKeyRef", ns, ref.get("name"),
                                     ref.get("key"))
                ref = source.get("configMapKeyRef")
                if isinstance(ref, dict) and not ref.get("optional"):
                    self.need_configmap(obj, f"{path}.env[{i}].valueFrom.configMapKeyRef", ns, ref.get("name"),
                                        ref.get("key"))
            for i, env_from in enumerate(c.get("envFrom") or []):
                env_from = env_from or {}
                if "secretRef" in env_from and not (env_from["secretRef"] or {}).get("optional"):
                    self.need_secret(obj, f"{path}.envFrom[{i}].secretRef", ns, env_from["secretRef"].get("name"))
                if "configMapRef" in env_from and not (env_from["configMapRef"] or {}).get("optional"):
                    self.need_configmap(obj, f"{path}.envFrom[{i}].configMapRef", ns,
                                        env_from["configMapRef"].get("name"))
            for i, mount in enumerate(c.get("volumeMounts") or []):
                name = (mount or {}).get("name")
                if name not in volumes and name not in claims:
                    self.add(obj, f"{path}.volumeMounts[{i}].name",
                             f"mounts volume {name!r}, which the pod does not define",
                             "add it to spec.volumes (or volumeClaimTemplates), or fix the name")

    def pvcs(self) -> None:
        for pvc in self.tree.kind("PersistentVolumeClaim"):
            self.need_storage_class(pvc, "spec.storageClassName", pvc.spec.get("storageClassName"))

    def scalers(self) -> None:
        scaled: dict[tuple[str, str, str], list[Obj]] = {}
        for hpa in self.tree.kind("HorizontalPodAutoscaler"):
            ref = hpa.spec.get("scaleTargetRef") or {}
            self._target(hpa, "spec.scaleTargetRef", ref.get("kind"), ref.get("name"), scaled)
        for so in self.tree.kind("ScaledObject"):
            ref = so.spec.get("scaleTargetRef") or {}
            self._target(so, "spec.scaleTargetRef", ref.get("kind") or "Deployment", ref.get("name"), scaled)
            for i, trig in enumerate(so.spec.get("triggers") or []):
                auth = (trig or {}).get("authenticationRef")
                if not isinstance(auth, dict):
                    continue
                kind = auth.get("kind") or "TriggerAuthentication"
                ns = "" if kind == "ClusterTriggerAuthentication" else so.namespace
                if self.tree.get(kind, ns, auth.get("name")) is None:
                    self.add(so, f"spec.triggers[{i}].authenticationRef",
                             f"{kind} {auth.get('name')!r} is not rendered{' in ' + ns if ns else ''}",
                             "render it next to the ScaledObject, or fix the name")
        for key, owners in scaled.items():
            if len(owners) > 1:
                for owner in owners:
                    others = ", ".join(o.ref for o in owners if o is not owner)
                    self.add(owner, "spec.scaleTargetRef", f"{key[0]}/{key[1]}/{key[2]} is also scaled by {others}; "
                             "two autoscalers fight over its replicas", "keep one autoscaler per workload")
        for ta in self.tree.kind("TriggerAuthentication"):
            for i, ref in enumerate(ta.spec.get("secretTargetRef") or []):
                self.need_secret(ta, f"spec.secretTargetRef[{i}]", ta.namespace, (ref or {}).get("name"),
                                 (ref or {}).get("key"))

    def _target(self, obj: Obj, field: str, kind, name, scaled) -> None:
        target = self.tree.get(kind, obj.namespace, name)
        if target is None:
            self.add(obj, field, f"scale target {kind}/{obj.namespace}/{name} is not rendered",
                     "point it at a rendered Deployment/StatefulSet, or fix kind/name")
        else:
            scaled.setdefault((kind, obj.namespace, name), []).append(obj)

    def services(self) -> None:
        for svc in self.tree.kind("Service"):
            spec = svc.spec
            selector = spec.get("selector")
            if spec.get("type") == "ExternalName" or not selector:
                continue
            pods = [p for p in self.pods(svc.namespace) if matches_map(selector, p.labels)]
            if not pods and any(matches_map(selector, labels) for labels in self.pod_labels(svc.namespace)):
                continue  # an add-on's pods: their ports are not ours to know
            if not pods:
                self.add(svc, "spec.selector", f"selects no pod template in {svc.namespace} ({describe_map(selector)})",
                         "match the workload's pod labels (app, component)")
                continue
            for i, port in enumerate(spec.get("ports") or []):
                port = port or {}
                target = port.get("targetPort", port.get("port"))
                lacking = [p.owner.ref for p in pods if not _has_port(p, target)]
                if lacking:
                    what = "named port" if isinstance(target, str) else "container port"
                    self.add(svc, f"spec.ports[{i}].targetPort",
                             f"{what} {target!r} is not declared by {', '.join(lacking)}",
                             "name/number the container port the same, or fix targetPort")

    def pdbs(self) -> None:
        for pdb in self.tree.kind("PodDisruptionBudget"):
            selector = pdb.spec.get("selector")
            if not any(matches(selector, labels) for labels in self.pod_labels(pdb.namespace)):
                self.add(pdb, "spec.selector", f"selects no pod template in {pdb.namespace} ({describe(selector)})",
                         "match the workload's pod labels")

    def service_monitors(self) -> None:
        for sm in self.tree.kind("ServiceMonitor"):
            spec = sm.spec
            ns_sel = spec.get("namespaceSelector") or {}
            if ns_sel.get("any"):
                namespaces = list(self.tree.namespaces)
            else:
                namespaces = ns_sel.get("matchNames") or [sm.namespace]
            services = [s for ns in namespaces for s in self.tree.by_namespace.get(ns, [])
                        if s.kind == "Service" and matches(spec.get("selector"), s.labels)]
            if not services:
                self.add(sm, "spec.selector", f"selects no Service in {', '.join(namespaces)} "
                         f"({describe(spec.get('selector'))})", "match the Service's labels")
                continue
            names = {(p or {}).get("name") for s in services for p in s.spec.get("ports") or []}
            self.endpoint_ports(sm, "spec.endpoints", names, "Service has a port",
                                "name the Service port the same, or fix the endpoint")

    def pod_monitors(self) -> None:
        """A PodMonitor selects pods (rendered, modelled or an add-on's) in its
        namespaces, and each endpoint's port is a named port of them."""
        for pm in self.tree.kind("PodMonitor"):
            spec = pm.spec
            ns_sel = spec.get("namespaceSelector") or {}
            namespaces = list(self.tree.namespaces) if ns_sel.get("any") else (
                ns_sel.get("matchNames") or [pm.namespace])
            pods = [p for ns in namespaces for p in self.pods(ns) if matches(spec.get("selector"), p.labels)]
            if not pods:
                if not any(matches(spec.get("selector"), labels)
                           for ns in namespaces for labels in self.ctx.external_pods.get(ns, ())):
                    self.add(pm, "spec.selector", f"selects no pod in {', '.join(namespaces)} "
                             f"({describe(spec.get('selector'))})", "match the pods' labels")
                continue
            names = {port.get("name") for p in pods for port in p.ports()}
            self.endpoint_ports(pm, "spec.podMetricsEndpoints", names, "pod has a container port",
                                "name the container port the same, or fix the endpoint")

    def endpoint_ports(self, monitor: Obj, field: str, names: set, what: str, fix: str) -> None:
        """Each scrape endpoint of a Service/PodMonitor names a port its targets have."""
        for i, ep in enumerate(monitor.spec.get(field.split(".", 1)[1]) or []):
            port = (ep or {}).get("port")
            if port is not None and port not in names:
                self.add(monitor, f"{field}[{i}].port",
                         f"no selected {what} named {port!r} (they have: "
                         f"{', '.join(sorted(str(n) for n in names if n)) or 'no named ports'})", fix)

    def network_policies(self) -> None:
        external = self.ctx.external_namespaces
        ns_labels = [self.tree.namespace_labels(n) for n in self.tree.namespaces] + list(external.values())
        for np in self.tree.kind("NetworkPolicy"):
            spec = np.spec
            selector = spec.get("podSelector")
            if selector and (selector.get("matchLabels") or selector.get("matchExpressions")):
                if not any(matches(selector, labels) for labels in self.pod_labels(np.namespace)):
                    self.add(np, "spec.podSelector",
                             f"selects no pod template in {np.namespace} ({describe(selector)})",
                             "match the workload's pod labels, or remove the policy")
            for direction, key in (("ingress", "from"), ("egress", "to")):
                for i, rule in enumerate(spec.get(direction) or []):
                    for j, peer in enumerate((rule or {}).get(key) or []):
                        sel = (peer or {}).get("namespaceSelector")
                        if sel is None or not (sel.get("matchLabels") or sel.get("matchExpressions")):
                            continue
                        if not any(matches(sel, labels) for labels in ns_labels):
                            self.add(np, f"spec.{direction}[{i}].{key}[{j}].namespaceSelector",
                                     f"matches no rendered or known external namespace ({describe(sel)})",
                                     "select kubernetes.io/metadata.name=<namespace> of a namespace that exists")

    def rbac(self) -> None:
        for kind in ("RoleBinding", "ClusterRoleBinding"):
            for rb in self.tree.kind(kind):
                ref = rb.data.get("roleRef") or {}
                rkind, rname = ref.get("kind"), ref.get("name")
                if rkind == "Role" and kind == "RoleBinding":
                    if self.tree.get("Role", rb.namespace, rname) is None:
                        self.add(rb, "roleRef", f"Role {rb.namespace}/{rname} is not rendered",
                                 "render it, or fix the name")
                elif rkind == "ClusterRole":
                    if rname == "cluster-admin":
                        self.add(rb, "roleRef", "binds cluster-admin (every right on every resource)",
                                 "bind a ClusterRole with only the rules it needs")
                    elif self.tree.get("ClusterRole", "", rname) is None and rname not in BUILTIN_CLUSTER_ROLES \
                            and not str(rname).startswith("system:"):
                        self.add(rb, "roleRef", f"ClusterRole {rname!r} is not rendered nor built in",
                                 "render it, or fix the name")
                else:
                    self.add(rb, "roleRef.kind", f"a {kind} cannot reference a {rkind}", "use Role or ClusterRole")
                for i, subject in enumerate(rb.data.get("subjects") or []):
                    subject = subject or {}
                    if subject.get("kind") != "ServiceAccount":
                        continue
                    ns = subject.get("namespace") or rb.namespace
                    name = subject.get("name")
                    if not ns:
                        self.add(rb, f"subjects[{i}].namespace", "ServiceAccount subject without a namespace",
                                 "set subjects[].namespace")
                    elif ns in self.tree.namespaces:
                        if name != "default" and self.tree.get("ServiceAccount", ns, name) is None:
                            self.add(rb, f"subjects[{i}]", f"ServiceAccount {ns}/{name} is not rendered",
                                     "render it, or fix the subject")
                    elif ns not in self.ctx.external_namespaces:
                        self.add(rb, f"subjects[{i}].namespace",
                                 f"namespace {ns!r} is neither rendered nor a known external namespace", "fix it")

    def rbac_resources(self) -> None:
        """A controller granted a custom resource needs its CRD: a
        controller-runtime manager whose watched kind is not served fails its
        informer sync and exits. Every non-built-in API group a Role or
        ClusterRole names must be served by a CRD in crds/ or in the tree."""
        from .schema import core_kinds

        builtin = {group for version in self.ctx.versions for group, _ in core_kinds(version)}
        crds = self.ctx.crds
        for kind in ("Role", "ClusterRole"):
            for role in self.tree.kind(kind):
                for i, rule in enumerate(role.data.get("rules") or []):
                    for group in (rule or {}).get("apiGroups") or []:
                        if group in builtin or group == "*":
                            continue
                        plurals = crds.plurals(group)
                        if not plurals:
                            self.add(role, f"rules[{i}].apiGroups",
                                     f"API group {group!r} is neither built in nor served by a CRD in "
                                     "crds/ or the tree, so a controller watching it cannot start",
                                     "render the CRD (lib/catalog/apis/) or vendor it into crds/")
                            continue
                        for resource in (rule or {}).get("resources") or []:
                            base = str(resource).split("/", 1)[0]
                            if base != "*" and base not in plurals:
                                self.add(role, f"rules[{i}].resources",
                                         f"{group} serves no resource {base!r} "
                                         f"(its CRDs: {', '.join(sorted(plurals))})",
                                         "fix the resource name or add its CRD")

    def secret_stores(self) -> None:
        for kind in ("SecretStore", "ClusterSecretStore"):
            for store in self.tree.kind(kind):
                for name, provider in (store.spec.get("provider") or {}).items():
                    auth = (provider or {}).get("auth") if isinstance(provider, dict) else None
                    for method, conf in (auth or {}).items() if isinstance(auth, dict) else ():
                        ref = (conf or {}).get("serviceAccountRef") if isinstance(conf, dict) else None
                        if not isinstance(ref, dict) or not ref.get("name"):
                            continue
                        ns = ref.get("namespace") or store.namespace
                        field = f"spec.provider.{name}.auth.{method}.serviceAccountRef"
                        if ns in self.tree.namespaces and ref["name"] != "default" \
                                and self.tree.get("ServiceAccount", ns, ref["name"]) is None:
                            self.add(store, field, f"ServiceAccount {ns}/{ref['name']} is not rendered",
                                     "render it, or fix the name")

    def gateways(self) -> None:
        for gw in self.tree.kind("Gateway"):
            for i, listener in enumerate(gw.spec.get("listeners") or []):
                tls = (listener or {}).get("tls") or {}
                for j, cert in enumerate(tls.get("certificateRefs") or []):
                    cert = cert or {}
                    if cert.get("group", "") != "" or cert.get("kind", "Secret") != "Secret":
                        continue
                    ns = cert.get("namespace") or gw.namespace
                    self.need_secret(gw, f"spec.listeners[{i}].tls.certificateRefs[{j}]", ns, cert.get("name"))
        for policy in self.tree.kind("SecurityPolicy"):
            for method in ("grpc", "http"):
                conf = ((policy.spec.get("extAuth") or {}).get(method)) or {}
                refs = list(conf.get("backendRefs") or []) + ([conf["backendRef"]] if conf.get("backendRef") else [])
                for j, ref in enumerate(refs):
                    self._service_port(policy, f"spec.extAuth.{method}.backendRefs[{j}]", ref or {})

    def _service_port(self, obj: Obj, field: str, ref: dict) -> None:
        if ref.get("group", "") != "" or ref.get("kind", "Service") != "Service":
            return
        ns = ref.get("namespace") or obj.namespace
        svc = self.tree.get("Service", ns, ref.get("name"))
        if svc is None:
            if ns in self.tree.namespaces or ns not in self.ctx.external_namespaces:
                self.add(obj, field, f"Service {ns}/{ref.get('name')} is not rendered",
                         "render it, or fix name/namespace")
            return
        ports = {(p or {}).get("port") for p in svc.spec.get("ports") or []}
        if ref.get("port") is not None and ref.get("port") not in ports:
            self.add(obj, f"{field}.port", f"Service {ns}/{svc.name} has no port {ref.get('port')} "
                     f"(it has: {', '.join(map(str, sorted(p for p in ports if p is not None)))})",
                     "use one of the Service's ports")

    def external_secrets(self) -> None:
        for es in self.tree.kind("ExternalSecret"):
            refs = [("spec.secretStoreRef", es.spec.get("secretStoreRef"))]
            for i, src in enumerate(es.spec.get("dataFrom") or []):
                store = ((src or {}).get("sourceRef") or {}).get("storeRef")
                if store:
                    refs.append((f"spec.dataFrom[{i}].sourceRef.storeRef", store))
            for i, d in enumerate(es.spec.get("data") or []):
                store = ((d or {}).get("sourceRef") or {}).get("storeRef")
                if store:
                    refs.append((f"spec.data[{i}].sourceRef.storeRef", store))
            for field, ref in refs:
                if not isinstance(ref, dict):
                    continue
                kind = ref.get("kind") or "SecretStore"
                ns = "" if kind == "ClusterSecretStore" else es.namespace
                if self.tree.get(kind, ns, ref.get("name")) is None:
                    self.add(es, field, f"{kind} {ref.get('name')!r} is not rendered{' in ' + ns if ns else ''}",
                             "render the store, or fix name/kind")

    def routes(self) -> None:
        grants = self.tree.kind("ReferenceGrant")
        for route in self.tree.kind("HTTPRoute") + self.tree.kind("GRPCRoute"):
            ns = route.namespace
            for i, parent in enumerate(route.spec.get("parentRefs") or []):
                parent = parent or {}
                if parent.get("kind", "Gateway") != "Gateway":
                    continue
                gns = parent.get("namespace") or ns
                gw = self.tree.get("Gateway", gns, parent.get("name"))
                if gw is None:
                    if gns in self.tree.namespaces or gns not in self.ctx.external_namespaces:
                        self.add(route, f"spec.parentRefs[{i}]", f"Gateway {gns}/{parent.get('name')} is not rendered",
                                 "render it, or fix name/namespace")
                    continue
                listeners = gw.spec.get("listeners") or []
                section = parent.get("sectionName")
                if section is not None:
                    listeners = [li for li in listeners if (li or {}).get("name") == section]
                    if not listeners:
                        self.add(route, f"spec.parentRefs[{i}].sectionName",
                                 f"Gateway {gns}/{gw.name} has no listener {section!r}", "fix sectionName")
                        continue
                if not any(self._allows_route(li or {}, gns, ns, route.kind) for li in listeners):
                    self.add(route, f"spec.parentRefs[{i}]",
                             f"no listener of Gateway {gns}/{gw.name} admits {route.kind}s from namespace {ns} "
                             "(allowedRoutes)", "set allowedRoutes.namespaces on the listener (from: Selector/All)")
            for i, rule in enumerate(route.spec.get("rules") or []):
                for j, backend in enumerate((rule or {}).get("backendRefs") or []):
                    backend = backend or {}
                    if backend.get("group", "") != "" or backend.get("kind", "Service") != "Service":
                        continue
                    field = f"spec.rules[{i}].backendRefs[{j}]"
                    bns = backend.get("namespace") or ns
                    svc = self.tree.get("Service", bns, backend.get("name"))
                    if svc is None:
                        self.add(route, field, f"Service {bns}/{backend.get('name')} is not rendered",
                                 "render it, or fix name/namespace")
                        continue
                    ports = {(p or {}).get("port") for p in svc.spec.get("ports") or []}
                    if backend.get("port") not in ports:
                        self.add(route, f"{field}.port", f"Service {bns}/{svc.name} has no port {backend.get('port')} "
                                 f"(it has: {', '.join(map(str, sorted(p for p in ports if p is not None)))})",
                                 "use one of the Service's ports")
                    if bns != ns and not any(_grants(g, route, svc) for g in grants):
                        self.add(route, field, f"cross-namespace backend {bns}/{svc.name} without a ReferenceGrant",
                                 f"render a ReferenceGrant in {bns} from {route.kind}s in {ns} to Services")

    def _allows_route(self, listener: dict, gw_ns: str, route_ns: str, kind: str) -> bool:
        allowed = listener.get("allowedRoutes") or {}
        kinds = [k.get("kind") for k in allowed.get("kinds") or [] if isinstance(k, dict)]
        if kinds and kind not in kinds:
            return False
        spec = allowed.get("namespaces") or {}
        source = spec.get("from", "Same")
        if source == "All":
            return True
        if source == "Same":
            return gw_ns == route_ns
        if source == "Selector":
            labels = self.tree.namespace_labels(route_ns) or {"kubernetes.io/metadata.name": route_ns}
            return matches(spec.get("selector") or {}, labels)
        return False

    def target_refs(self) -> None:
        """Policies that attach to an object by targetRef(s) (Envoy Gateway, VPA)."""
        for obj in self.tree.kind("SecurityPolicy") + self.tree.kind("VerticalPodAutoscaler") \
                + self.tree.kind("BackendTrafficPolicy") + self.tree.kind("ClientTrafficPolicy"):
            refs = [("spec.targetRef", obj.spec.get("targetRef"))] + [
                (f"spec.targetRefs[{i}]", r) for i, r in enumerate(obj.spec.get("targetRefs") or [])]
            for field, ref in refs:
                if not isinstance(ref, dict) or not ref.get("name"):
                    continue
                ns = ref.get("namespace") or obj.namespace
                if self.tree.get(ref.get("kind"), ns, ref["name"]) is None:
                    self.add(obj, field, f"target {ref.get('kind')}/{ns}/{ref['name']} is not rendered",
                             "point it at a rendered object, or fix kind/name")

    def argo(self) -> None:
        from .argocd import external_source, tree_repos  # argocd imports this module

        root = self.ctx.repo_root
        repos = tree_repos(self.ctx)
        projects = {o.name for o in self.tree.kind("AppProject")} | {"default"}
        for app in self.tree.kind("Application"):
            spec = app.spec
            if spec.get("project") and spec["project"] not in projects:
                self.add(app, "spec.project", f"AppProject {spec['project']!r} is not rendered",
                         "render it, or use default")
            sources = [("spec.source", spec.get("source"))] + [
                (f"spec.sources[{i}]", s) for i, s in enumerate(spec.get("sources") or [])]
            for field, source in sources:
                # A chart or another repository's directory: Argo CD fetches it.
                if not isinstance(source, dict) or external_source(source, repos):
                    continue
                path = str(source.get("path") or "")
                if root is not None and app_source_dir(self.ctx, path) is None:
                    self.add(app, f"{field}.path", f"path {path!r} does not exist in the repository ({root})",
                             "point it at a rendered directory (dist/<env>/...)")

    def velero(self) -> None:
        # Velero v1.18.1 validates each backup a Schedule creates
        # (pkg/controller/backup_controller.go, prepareBackupRequest): its
        # BackupStorageLocation must exist and not be ReadOnly, and every
        # VolumeSnapshotLocation it names must exist; otherwise the backup
        # ends FailedValidation, every night, silently for Argo CD.
        locations = {(o.namespace, o.name): o for o in self.tree.kind("BackupStorageLocation")
                     if o.group == "velero.io"}
        defaults: dict[str, list[Obj]] = {}
        for loc in locations.values():
            if loc.spec.get("default"):
                defaults.setdefault(loc.namespace, []).append(loc)
        for ns, marked in defaults.items():
            if len(marked) > 1:
                for loc in marked:
                    self.add(loc, "spec.default", f"{len(marked)} BackupStorageLocations in {ns} are the default "
                             f"({', '.join(o.name for o in marked)})", "mark one location default")
        for sched in self.tree.kind("Schedule"):
            if sched.group != "velero.io":
                continue
            template = sched.spec.get("template") or {}
            for i, ns in enumerate(template.get("includedNamespaces") or []):
                if ns != "*" and not self.ns_known(ns):
                    self.add(sched, f"spec.template.includedNamespaces[{i}]",
                             f"namespace {ns!r} is neither rendered nor known", "fix the namespace")
            name = template.get("storageLocation")
            if name:
                loc = locations.get((sched.namespace, name))
                if loc is None:
                    self.add(sched, "spec.template.storageLocation",
                             f"BackupStorageLocation {sched.namespace}/{name} is not rendered, so every backup "
                             "fails validation", "render the location, or name one that is")
                elif loc.spec.get("accessMode") == "ReadOnly":
                    self.add(sched, "spec.template.storageLocation",
                             f"BackupStorageLocation {sched.namespace}/{name} is ReadOnly; Velero refuses to "
                             "back up into it", "write to this region's own (ReadWrite) location")
            elif locations and not defaults.get(sched.namespace):
                self.add(sched, "spec.template.storageLocation",
                         f"no storageLocation and no default BackupStorageLocation in {sched.namespace}",
                         "name the location, or mark one default")
            for i, vsl in enumerate(template.get("volumeSnapshotLocations") or []):
                if self.tree.get("VolumeSnapshotLocation", sched.namespace, vsl) is None:
                    self.add(sched, f"spec.template.volumeSnapshotLocations[{i}]",
                             f"VolumeSnapshotLocation {sched.namespace}/{vsl} is not rendered, so every backup "
                             "fails validation", "drop it (CSI snapshot data movement needs none), or render it")


def app_source_dir(ctx, path: str) -> Path | None:
    """What an Argo CD Application's source ``path`` names, or None when it
    does not exist (also used by the ``argocd`` check to read what it syncs).

    A tree validated outside its repository (--dir /tmp/out) still resolves
    "<prefix>/<env>/<dir>" as "<env>/<dir>" beside it.
    """
    root = ctx.repo_root
    if root is not None and (Path(root) / path).exists():
        return Path(root) / path
    beside = ctx.tree.env_dir.parent / Path(*Path(path).parts[-2:]) if path else None
    return beside if beside is not None and beside.is_dir() else None


def _grants(grant: Obj, route: Obj, svc: Obj) -> bool:
    if grant.namespace != svc.namespace:
        return False
    froms = grant.spec.get("from") or []
    tos = grant.spec.get("to") or []
    ok_from = any((f or {}).get("kind") == route.kind and (f or {}).get("namespace") == route.namespace for f in froms)
    ok_to = any((t or {}).get("kind") == "Service" and (t or {}).get("name") in (None, svc.name) for t in tos)
    return ok_from and ok_to


def _has_port(pod: PodTemplate, target) -> bool:
    for port in pod.ports():
        if isinstance(target, str) and not target.isdigit():
            if port.get("name") == target:
                return True
        elif str(port.get("containerPort")) == str(target):
            return True
    return False


def check(ctx) -> list[Finding]:
    refs = _Refs(ctx)
    refs.namespaces()
    for pod in ctx.tree.pods:
        refs.pod_refs(pod)
    refs.pvcs()
    refs.scalers()
    refs.services()
    refs.pdbs()
    refs.service_monitors()
    refs.pod_monitors()
    check_cnpg(refs)
    refs.network_policies()
    refs.rbac()
    refs.rbac_resources()
    refs.external_secrets()
    refs.secret_stores()
    refs.gateways()
    refs.routes()
    refs.target_refs()
    refs.argo()
    refs.velero()
    return refs.out
