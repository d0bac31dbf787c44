"""lib.validate: plant one defect in a small synthetic tree, expect its finding;
and the real rendered environments have none."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from conftest import ENVS
from lib.validate import CHECKS, validate_tree
from lib.validate.pod_security import check_pod
from lib.validate.schema import newest_version

NS = "shop"

RESTRICTED_POD_SC = {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER_SC = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                           "capabilities": {"drop": ["ALL"]}}


def _meta(name, ns=NS, **extra):
    out = {"name": name}
    if ns:
        out["namespace"] = ns
    out.update(extra)
    return out


def _container(name, image, ports, **extra):
    return {"name": name, "image": image, "ports": ports,
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                          "limits": {"cpu": "500m", "memory": "256Mi"}},
            "securityContext": copy.deepcopy(RESTRICTED_CONTAINER_SC), **extra}


def good_objects() -> list[dict]:
    """A small environment with no finding: web (Deployment) -> db (StatefulSet)."""
    web_labels = {"app": "web", "component": "api"}
    db_labels = {"app": "db", "component": "database"}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(NS, ns=None, labels={
            "kubernetes.io/metadata.name": NS, "pod-security.kubernetes.io/enforce": "restricted"})},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": _meta("gp3", ns=None),
         "provisioner": "ebs.csi.aws.com"},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta("compute-quota"),
         "spec": {"hard": {"requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "8",
                           "limits.memory": "8Gi", "pods": "10", "requests.storage": "50Gi",
                           "persistentvolumeclaims": "4", "services": "4"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta("container-defaults"),
         "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                              "default": {"cpu": "500m", "memory": "512Mi"}}]}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("web")},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("db")},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": _meta("web-role"),
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta("web-rolebinding"),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "web-role"},
         "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": NS}]},
        {"apiVersion": "external-secrets.io/v1beta1", "kind": "SecretStore", "metadata": _meta("vault"),
         "spec": {"provider": {"vault": {"server": "http://vault.vault:8200", "path": "secret", "version": "v2",
                                         "auth": {"kubernetes": {"mountPath": "kubernetes", "role": "shop"}}}}}},
        {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": _meta("db-secret"),
         "spec": {"secretStoreRef": {"name": "vault", "kind": "SecretStore"},
                  "target": {"name": "db-secret"},
                  "data": [{"secretKey": "password", "remoteRef": {"key": "shop/db", "property": "password"}}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": _meta("web", labels=web_labels, annotations={"voyager.io/talks-to": f"{NS}/db:postgresql"}),
         "spec": {"replicas": 2, "selector": {"matchLabels": web_labels},
                  "template": {"metadata": {"labels": web_labels}, "spec": {
                      "serviceAccountName": "web", "securityContext": copy.deepcopy(RESTRICTED_POD_SC),
                      "containers": [_container("web", "registry.example/web:1.2.3",
                                                [{"name": "http", "containerPort": 8080}],
                                                env=[{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {
                                                    "name": "db-secret", "key": "password"}}}])]}}}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta("db", labels=db_labels),
         "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": db_labels},
                  "template": {"metadata": {"labels": db_labels}, "spec": {
                      "serviceAccountName": "db", "securityContext": copy.deepcopy(RESTRICTED_POD_SC),
                      "containers": [_container("postgresql", "postgres:15.4",
                                                [{"name": "postgresql", "containerPort": 5432}],
                                                volumeMounts=[{"name": "data", "mountPath": "/var/lib/postgresql"}])]}},
                  "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                      "accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                      "resources": {"requests": {"storage": "20Gi"}}}}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("web", labels=web_labels),
         "spec": {"selector": web_labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("db", labels=db_labels),
         "spec": {"selector": db_labels, "clusterIP": "None",
                  "ports": [{"name": "postgresql", "port": 5432, "targetPort": 5432}]}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": _meta("web"),
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                  "minReplicas": 2, "maxReplicas": 4,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                      "type": "Utilization", "averageUtilization": 70}}}]}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta("web"),
         "spec": {"minAvailable": 1, "selector": {"matchLabels": web_labels}}},
        {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": _meta("web"),
         "spec": {"selector": {"matchLabels": web_labels}, "endpoints": [{"port": "http", "path": "/metrics"}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("default-deny-all"),
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("web-egress"),
         "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                  "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}],
                              "ports": [{"protocol": "TCP", "port": 5432}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("db-ingress"),
         "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                               "ports": [{"protocol": "TCP", "port": "postgresql"}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("web-ingress"),
         "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {
                      "kubernetes.io/metadata.name": "monitoring"}}}], "ports": [{"port": 8080}]}]}},
    ]


def write_env(root: Path, objects: list[dict], env: str = "test") -> Path:
    """Write objects as the renderer lays them out: dist/<env>/<ns|cluster>/<kind>-<name>.yaml."""
    env_dir = root / "dist" / env
    by_dir: dict[str, list[str]] = {}
    for obj in objects:
        directory = obj["metadata"].get("namespace") or "cluster"
        name = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        (env_dir / directory).mkdir(parents=True, exist_ok=True)
        (env_dir / directory / name).write_text(yaml.safe_dump(obj, sort_keys=False))
        by_dir.setdefault(directory, []).append(name)
    for directory, names in by_dir.items():
        (env_dir / directory / "kustomization.yaml").write_text(
            yaml.safe_dump({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                            "resources": sorted(names)}))
    (env_dir / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(by_dir)}))
    return env_dir


def find(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def pod_spec(objects, kind="Deployment", name="web"):
    return find(objects, kind, name)["spec"]["template"]["spec"]


def run(tmp_path, objects, **kwargs):
    return validate_tree(write_env(tmp_path, objects), **kwargs)


def expect(findings, check, obj, field="", text=""):
    hits = [f for f in findings if f.check == check and f.object == obj and field in f.field and text in f.message]
    assert hits, f"no {check} finding on {obj} {field!r} {text!r}; got:\n" + "\n".join(map(str, findings))
    assert all(h.fix for h in hits), "every finding says how to fix it"
    return hits


# --- the clean tree ----------------------------------------------------------------

def test_good_tree_has_no_findings(tmp_path):
    findings = run(tmp_path, good_objects())
    assert findings == [], "\n".join(map(str, findings))


def test_finding_line_format(tmp_path):
    objs = good_objects()
    pod_spec(objs)["containers"][0]["image"] = "web:latest"
    (finding,) = [f for f in run(tmp_path, objs) if f.check == "image-pin"]
    assert finding.line("staging") == (
        "staging: image-pin: Deployment/shop/web: spec.template.spec.containers[0].image: "
        f"{finding.message} (fix: {finding.fix})")


# --- schema --------------------------------------------------------------------------

def test_schema_unknown_field_in_core_kind(tmp_path):
    objs = good_objects()
    pod_spec(objs)["containers"][0]["imagePullPolcy"] = "Always"
    hits = expect(run(tmp_path, objs), "schema", "Deployment/shop/web",
                  "spec.template.spec.containers[0].imagePullPolcy", "unknown field")
    assert "imagePullPolicy" in hits[0].fix


def test_schema_wrong_type_and_checks_both_versions(tmp_path):
    objs = good_objects()
    find(objs, "Deployment", "web")["spec"]["replicas"] = "two"
    expect(run(tmp_path, objs), "schema", "Deployment/shop/web", "spec.replicas")
    assert newest_version() != "1.27"


def test_schema_api_version_removed_in_newer_kubernetes(tmp_path):
    objs = good_objects()
    find(objs, "HorizontalPodAutoscaler", "web")["apiVersion"] = "autoscaling/v2beta2"
    expect(run(tmp_path, objs, kubernetes_versions=("1.25", newest_version())),
           "schema", "HorizontalPodAutoscaler/shop/web", "apiVersion", f"not served by Kubernetes {newest_version()}")


def test_schema_custom_resource_typo(tmp_path):
    objs = good_objects()
    find(objs, "ServiceMonitor", "web")["spec"]["endpoints"][0]["intervall"] = "30s"
    hits = expect(run(tmp_path, objs), "schema", "ServiceMonitor/shop/web", "spec.endpoints[0].intervall",
                  "unknown field")
    assert "interval" in hits[0].fix


def test_schema_custom_resource_type_error(tmp_path):
    objs = good_objects()
    find(objs, "ExternalSecret", "db-secret")["spec"]["data"][0]["remoteRef"] = "shop/db"
    expect(run(tmp_path, objs), "schema", "ExternalSecret/shop/db-secret", "spec.data[0].remoteRef")


def test_schema_unknown_kind(tmp_path):
    objs = good_objects() + [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": _meta("w")}]
    expect(run(tmp_path, objs), "schema", "Widget/shop/w", "apiVersion", "no CRD under crds/")


# --- pod-security -----------------------------------------------------------------------

@pytest.mark.parametrize("mutate, field, text", [
    (lambda s: s["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"),
     "containers[0].securityContext.allowPrivilegeEscalation", "allowPrivilegeEscalation"),
    (lambda s: s["containers"][0]["securityContext"].update(capabilities={"drop": ["NET_RAW"]}),
     "containers[0].securityContext.capabilities.drop", "drop ALL"),
    (lambda s: s["containers"][0]["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
     "containers[0].securityContext.capabilities.add", "NET_ADMIN"),
    (lambda s: s["securityContext"].pop("seccompProfile"),
     "containers[0].securityContext.seccompProfile.type", "seccomp"),
    (lambda s: s["securityContext"].pop("runAsNonRoot"), "containers[0].securityContext.runAsNonRoot", "runAsNonRoot"),
    (lambda s: s["securityContext"].update(runAsUser=0), "securityContext.runAsUser", "root"),
    (lambda s: s.update(hostNetwork=True), "spec.hostNetwork", "hostNetwork"),
    (lambda s: s["containers"][0]["securityContext"].update(privileged=True),
     "containers[0].securityContext.privileged", "privileged"),
    (lambda s: s["containers"][0]["ports"][0].update(hostPort=8080), "ports[0].hostPort", "hostPort"),
    (lambda s: s.update(volumes=[{"name": "h", "hostPath": {"path": "/var/log"}}]), "volumes[0].hostPath", "hostPath"),
    (lambda s: s["securityContext"].update(sysctls=[{"name": "net.core.somaxconn", "value": "1024"}]),
     "securityContext.sysctls[0]", "sysctl"),
    (lambda s: s["containers"][0]["securityContext"].update(procMount="Unmasked"),
     "containers[0].securityContext.procMount", "procMount"),
    (lambda s: s["securityContext"].update(seLinuxOptions={"type": "spc_t"}), "seLinuxOptions.type", "SELinux"),
])
def test_pod_security_restricted(tmp_path, mutate, field, text):
    objs = good_objects()
    mutate(pod_spec(objs))
    expect(run(tmp_path, objs, checks=["pod-security"]), "pod-security", "Deployment/shop/web", field, text)


def test_pod_security_apparmor_annotation(tmp_path):
    objs = good_objects()
    find(objs, "Deployment", "web")["spec"]["template"]["metadata"]["annotations"] = {
        "container.apparmor.security.beta.kubernetes.io/web": "unconfined"}
    expect(run(tmp_path, objs, checks=["pod-security"]), "pod-security", "Deployment/shop/web",
           "spec.template.metadata.annotations", "AppArmor")


def test_pod_security_hostpath_only_in_privileged_or_unrendered_namespace(tmp_path):
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("agent", ns="kube-system"),
          "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
              "metadata": {"labels": {"app": "agent"}},
              "spec": {"containers": [{"name": "a", "image": "agent:1.0"}],
                       "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}]}}}}
    assert run(tmp_path / "a", good_objects() + [ds], checks=["pod-security"]) == []
    moved = copy.deepcopy(ds)
    moved["metadata"]["namespace"] = NS
    expect(run(tmp_path / "b", good_objects() + [moved], checks=["pod-security"]),
           "pod-security", "DaemonSet/shop/agent", "volumes[0].hostPath")


def test_pod_security_baseline_namespace_allows_what_restricted_forbids(tmp_path):
    objs = good_objects()
    find(objs, "Namespace", NS)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"
    pod_spec(objs)["containers"][0]["securityContext"].pop("allowPrivilegeEscalation")
    assert [f for f in run(tmp_path / "a", objs) if f.check == "pod-security"] == []
    pod_spec(objs)["hostPID"] = True
    expect(run(tmp_path / "b", objs), "pod-security", "Deployment/shop/web", "hostPID")


def test_check_pod_directly():
    spec = {"securityContext": dict(RESTRICTED_POD_SC),
            "containers": [{"name": "c", "image": "x:1", "securityContext": dict(RESTRICTED_CONTAINER_SC)}]}
    assert check_pod(spec, "restricted") == []
    spec["initContainers"] = [{"name": "init", "image": "x:1"}]
    fields = {v.field for v in check_pod(spec, "restricted")}
    assert "initContainers[0].securityContext.allowPrivilegeEscalation" in fields
    assert "initContainers[0].securityContext.capabilities.drop" in fields
    assert check_pod(spec, "baseline") == []
    assert check_pod({"hostNetwork": True, "containers": []}, "privileged") == []


# --- reference -------------------------------------------------------------------------

def _ref(tmp_path, objs, obj, field, text=""):
    return expect(run(tmp_path, objs, checks=["reference"]), "reference", obj, field, text)


def test_reference_service_account(tmp_path):
    objs = good_objects()
    pod_spec(objs)["serviceAccountName"] = "webb"
    _ref(tmp_path, objs, "Deployment/shop/web", "serviceAccountName", "ServiceAccount shop/webb")


def test_reference_secret_and_key(tmp_path):
    objs = good_objects()
    env = pod_spec(objs)["containers"][0]["env"]
    env.append({"name": "X", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k"}}})
    env.append({"name": "Y", "valueFrom": {"secretKeyRef": {"name": "db-secret", "key": "passwrd"}}})
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "Deployment/shop/web", "env[1].valueFrom.secretKeyRef", "Secret shop/nope")
    expect(findings, "reference", "Deployment/shop/web", "env[2].valueFrom.secretKeyRef", "no key 'passwrd'")


def test_reference_secret_satisfied_by_empty_secret(tmp_path):
    objs = good_objects() + [{"apiVersion": "v1", "kind": "Secret", "metadata": _meta("state")}]
    pod_spec(objs)["volumes"] = [{"name": "state", "secret": {"secretName": "state"}}]
    assert run(tmp_path, objs, checks=["reference"]) == []


def test_reference_configmap_volume_and_mount(tmp_path):
    objs = good_objects()
    pod_spec(objs)["volumes"] = [{"name": "cfg", "configMap": {"name": "web-config"}}]
    pod_spec(objs)["containers"][0]["volumeMounts"] = [{"name": "cfgg", "mountPath": "/etc/web"}]
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "Deployment/shop/web", "volumes[0].configMap.name", "ConfigMap shop/web-config")
    expect(findings, "reference", "Deployment/shop/web", "volumeMounts[0].name", "cfgg")


def test_reference_storage_class(tmp_path):
    objs = good_objects()
    find(objs, "StatefulSet", "db")["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = "fast"
    _ref(tmp_path, objs, "StatefulSet/shop/db", "volumeClaimTemplates[0].spec.storageClassName", "'fast'")


def test_reference_hpa_and_keda_targets(tmp_path):
    objs = good_objects()
    find(objs, "HorizontalPodAutoscaler", "web")["spec"]["scaleTargetRef"]["name"] = "wbe"
    objs.append({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": _meta("db"),
                 "spec": {"scaleTargetRef": {"name": "db", "kind": "StatefulSet"}, "maxReplicaCount": 2,
                          "triggers": [{"type": "kafka", "metadata": {"topic": "t"},
                                        "authenticationRef": {"name": "kafka-auth"}}]}})
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "HorizontalPodAutoscaler/shop/web", "scaleTargetRef", "Deployment/shop/wbe")
    expect(findings, "reference", "ScaledObject/shop/db", "triggers[0].authenticationRef", "TriggerAuthentication")


def test_reference_service_selector_and_target_port(tmp_path):
    objs = good_objects()
    find(objs, "Service", "web")["spec"]["ports"][0]["targetPort"] = "grpc"
    find(objs, "Service", "db")["spec"]["selector"] = {"app": "dbb"}
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "Service/shop/web", "spec.ports[0].targetPort", "'grpc'")
    expect(findings, "reference", "Service/shop/db", "spec.selector", "selects no pod")


def test_reference_pdb_and_servicemonitor(tmp_path):
    objs = good_objects()
    find(objs, "PodDisruptionBudget", "web")["spec"]["selector"] = {"matchLabels": {"app": "nobody"}}
    find(objs, "ServiceMonitor", "web")["spec"]["endpoints"][0]["port"] = "metrics"
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "PodDisruptionBudget/shop/web", "spec.selector")
    expect(findings, "reference", "ServiceMonitor/shop/web", "spec.endpoints[0].port", "'metrics'")


def test_reference_network_policy_selectors(tmp_path):
    objs = good_objects()
    find(objs, "NetworkPolicy", "db-ingress")["spec"]["podSelector"] = {"matchLabels": {"app": "postgres"}}
    find(objs, "NetworkPolicy", "web-ingress")["spec"]["ingress"][0]["from"][0]["namespaceSelector"] = {
        "matchLabels": {"kubernetes.io/metadata.name": "monitorng"}}
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "NetworkPolicy/shop/db-ingress", "spec.podSelector")
    expect(findings, "reference", "NetworkPolicy/shop/web-ingress", "spec.ingress[0].from[0].namespaceSelector")
    # a namespace known to exist outside the render is fine once declared
    assert not [f for f in run(tmp_path / "b", objs, checks=["reference"],
                               known_external_namespaces=("monitorng",))
                if "namespaceSelector" in f.field]


def test_reference_rbac(tmp_path):
    objs = good_objects()
    rb = find(objs, "RoleBinding", "web-rolebinding")
    rb["roleRef"]["name"] = "web-rol"
    rb["subjects"][0]["name"] = "webb"
    objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": _meta("god"),
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                 "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": NS}]})
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "RoleBinding/shop/web-rolebinding", "roleRef", "Role shop/web-rol")
    expect(findings, "reference", "RoleBinding/shop/web-rolebinding", "subjects[0]", "shop/webb")
    expect(findings, "reference", "RoleBinding/shop/god", "roleRef", "cluster-admin")


def test_reference_secret_store(tmp_path):
    objs = good_objects()
    find(objs, "ExternalSecret", "db-secret")["spec"]["secretStoreRef"] = {
        "name": "vault", "kind": "ClusterSecretStore"}
    _ref(tmp_path, objs, "ExternalSecret/shop/db-secret", "secretStoreRef", "ClusterSecretStore 'vault'")


def test_reference_httproute(tmp_path):
    objs = good_objects() + [
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": _meta("edge"),
         "spec": {"gatewayClassName": "eg", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": _meta("web"),
         "spec": {"parentRefs": [{"name": "edge"}, {"name": "edge", "sectionName": "https"}],
                  "rules": [{"backendRefs": [{"name": "web", "port": 8080}, {"name": "api", "port": 80}]}]}},
    ]
    findings = run(tmp_path, objs, checks=["reference"])
    assert not [f for f in findings if f.field == "spec.parentRefs[0]"]
    expect(findings, "reference", "HTTPRoute/shop/web", "parentRefs[1].sectionName", "'https'")
    expect(findings, "reference", "HTTPRoute/shop/web", "backendRefs[0].port", "no port 8080")
    expect(findings, "reference", "HTTPRoute/shop/web", "backendRefs[1]", "Service shop/api")


def test_reference_gateway_certificate_priority_class_and_store_account(tmp_path):
    objs = good_objects() + [
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": _meta("edge"),
         "spec": {"gatewayClassName": "eg", "listeners": [{
             "name": "https", "port": 443, "protocol": "HTTPS",
             "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "edge-tls"}]}}]}},
        {"apiVersion": "gateway.envoyproxy.io/v1alpha1", "kind": "SecurityPolicy", "metadata": _meta("auth"),
         "spec": {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge"}],
                  "extAuth": {"grpc": {"backendRefs": [{"name": "web", "port": 9999}]}}}},
    ]
    pod_spec(objs)["priorityClassName"] = "voyager-platform"
    find(objs, "SecretStore", "vault")["spec"]["provider"]["vault"]["auth"]["kubernetes"]["serviceAccountRef"] = {
        "name": "vault-auth"}
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "Gateway/shop/edge", "listeners[0].tls.certificateRefs[0]", "shop/edge-tls")
    expect(findings, "reference", "SecurityPolicy/shop/auth", "extAuth.grpc.backendRefs[0].port", "no port 9999")
    expect(findings, "reference", "Deployment/shop/web", "priorityClassName", "voyager-platform")
    expect(findings, "reference", "SecretStore/shop/vault", "serviceAccountRef", "shop/vault-auth")


def test_reference_unknown_namespace_and_argo_path(tmp_path):
    objs = good_objects() + [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("lost", ns="nowhere")},
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": _meta("shop", ns="argocd"),
         "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": NS},
                  "source": {"repoURL": "https://git.example/voyager.git", "path": "dist/test/shopp",
                             "targetRevision": "main"}}},
    ]
    findings = run(tmp_path, objs, checks=["reference"])
    expect(findings, "reference", "ConfigMap/nowhere/lost", "metadata.namespace", "'nowhere'")
    expect(findings, "reference", "Application/argocd/shop", "spec.source.path", "dist/test/shopp")
    find(objs, "Application", "shop")["spec"]["source"]["path"] = "dist/test/shop"
    assert not [f for f in run(tmp_path, objs, checks=["reference"]) if f.object == "Application/argocd/shop"]


# --- secret-data, image-pin, rbac-wildcard, cluster-scoped-namespace -------------------------

def test_secret_data(tmp_path):
    objs = good_objects() + [
        {"apiVersion": "v1", "kind": "Secret", "metadata": _meta("leak"), "stringData": {"password": "hunter2"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": _meta("empty")},
    ]
    findings = run(tmp_path, objs, checks=["secret-data"])
    expect(findings, "secret-data", "Secret/shop/leak", "stringData", "password")
    assert [f.object for f in findings] == ["Secret/shop/leak"]


@pytest.mark.parametrize("image, ok", [
    ("web", False), ("web:latest", False), ("registry:5000/web", False), ("registry:5000/web:1.0", True),
    ("web@sha256:" + "a" * 64, True), ("postgres:15", True),
])
def test_image_pin(tmp_path, image, ok):
    objs = good_objects()
    pod_spec(objs)["containers"][0]["image"] = image
    findings = run(tmp_path, objs, checks=["image-pin"])
    if ok:
        assert findings == []
    else:
        expect(findings, "image-pin", "Deployment/shop/web", "containers[0].image")


def test_image_pin_init_container(tmp_path):
    objs = good_objects()
    pod_spec(objs, "StatefulSet", "db")["initContainers"] = [_container("init", "busybox", [])]
    expect(run(tmp_path, objs, checks=["image-pin"]), "image-pin", "StatefulSet/shop/db", "initContainers[0].image")


def test_rbac_wildcard(tmp_path):
    objs = good_objects()
    find(objs, "Role", "web-role")["rules"].append({"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get"]})
    objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": _meta("all", ns=None),
                 "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]})
    findings = run(tmp_path, objs, checks=["rbac-wildcard"])
    expect(findings, "rbac-wildcard", "Role/shop/web-role", "rules[1].resources")
    expect(findings, "rbac-wildcard", "ClusterRole/all", "rules[0].verbs")


def test_cluster_scoped_namespace(tmp_path):
    objs = good_objects()
    objs.append({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                 "metadata": _meta("critical"), "value": 1000})
    objs.append({"apiVersion": "external-secrets.io/v1beta1", "kind": "ClusterSecretStore",
                 "metadata": _meta("vault-global"), "spec": {"provider": {"fake": {"data": []}}}})
    findings = run(tmp_path, objs, checks=["cluster-scoped-namespace"])
    expect(findings, "cluster-scoped-namespace", "PriorityClass/shop/critical", "metadata.namespace")
    expect(findings, "cluster-scoped-namespace", "ClusterSecretStore/shop/vault-global", "metadata.namespace")


# --- name-length ------------------------------------------------------------------------------

def test_name_length(tmp_path):
    objs = good_objects()
    long = "x" * 64
    find(objs, "Service", "web")["metadata"]["name"] = "web-" + long
    sts = find(objs, "StatefulSet", "db")
    sts["metadata"]["name"] = "d" * 53
    find(objs, "Deployment", "web")["metadata"]["labels"]["team"] = long
    find(objs, "Deployment", "web")["metadata"]["labels"][("p" * 254) + "/x"] = "v"
    pod_spec(objs)["containers"][0]["ports"][0]["name"] = "http-and-more-than-15"
    findings = run(tmp_path, objs, checks=["name-length"])
    expect(findings, "name-length", f"Service/shop/web-{long}", "metadata.name", "63")
    expect(findings, "name-length", f"StatefulSet/shop/{'d' * 53}", "metadata.name", "52")
    expect(findings, "name-length", "Deployment/shop/web", "metadata.labels[team]", "63")
    expect(findings, "name-length", "Deployment/shop/web", "metadata.labels[ppp", "prefix")
    expect(findings, "name-length", "Deployment/shop/web", "containers[0].ports[0].name", "IANA")


def test_service_name_must_start_with_a_letter(tmp_path):
    objs = good_objects()
    find(objs, "Service", "db")["metadata"]["name"] = "1db"
    expect(run(tmp_path, objs, checks=["name-length"]), "name-length", "Service/shop/1db", "metadata.name", "RFC 1035")


# --- capacity ----------------------------------------------------------------------------------

def test_capacity_fits(tmp_path):
    assert run(tmp_path, good_objects(), checks=["capacity"]) == []


def test_capacity_over_at_max_scale(tmp_path):
    objs = good_objects()
    find(objs, "HorizontalPodAutoscaler", "web")["spec"]["maxReplicas"] = 30
    findings = run(tmp_path, objs, checks=["capacity"])
    # requests.cpu: 30 x 100m + db 100m = 3100m > 2 -> over by 1100m
    (cpu,) = expect(findings, "capacity", "ResourceQuota/shop/compute-quota", "spec.hard[requests.cpu]",
                    "over by 1100m")
    assert "3100m > 2" in cpu.message
    expect(findings, "capacity", "ResourceQuota/shop/compute-quota", "spec.hard[pods]", "31 > 10 (over by 21)")


def test_capacity_rolling_update(tmp_path):
    objs = good_objects()
    # 9 pods at max scale (8 web + 1 db) fit 10; the 25% surge (2 pods) does not.
    find(objs, "HorizontalPodAutoscaler", "web")["spec"]["maxReplicas"] = 8
    findings = run(tmp_path, objs, checks=["capacity"])
    expect(findings, "capacity", "ResourceQuota/shop/compute-quota", "spec.hard[pods]", "rolling update")
    find(objs, "Deployment", "web")["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 1, "maxUnavailable": 0}}
    assert not [f for f in run(tmp_path / "b", objs, checks=["capacity"]) if "pods" in f.field]


def test_capacity_limit_range_defaults_and_init_containers(tmp_path):
    objs = good_objects()
    quota = find(objs, "ResourceQuota", "compute-quota")
    quota["spec"]["hard"]["requests.memory"] = "1Gi"
    web = pod_spec(objs)
    del web["containers"][0]["resources"]  # LimitRange default: 128Mi request
    web["initContainers"] = [_container("migrate", "web:1.2.3", [])]
    web["initContainers"][0]["resources"]["requests"]["memory"] = "600Mi"
    # 4 x max(128Mi, 600Mi) + db 128Mi = 2528Mi > 1Gi
    expect(run(tmp_path, objs, checks=["capacity"]), "capacity", "ResourceQuota/shop/compute-quota",
           "requests.memory", "2528Mi > 1Gi (over by 1504Mi)")


def test_capacity_storage_and_keda(tmp_path):
    objs = good_objects()
    objs.append({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": _meta("db"),
                 "spec": {"scaleTargetRef": {"name": "db", "kind": "StatefulSet"}, "maxReplicaCount": 3,
                          "triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "60"}}]}})
    # 3 x 20Gi = 60Gi > 50Gi
    expect(run(tmp_path, objs, checks=["capacity"]), "capacity", "ResourceQuota/shop/compute-quota",
           "requests.storage", "over by 10Gi")


def test_capacity_object_counts(tmp_path):
    objs = good_objects()
    find(objs, "ResourceQuota", "compute-quota")["spec"]["hard"]["services"] = "1"
    expect(run(tmp_path, objs, checks=["capacity"]), "capacity", "ResourceQuota/shop/compute-quota",
           "spec.hard[services]", "over by 1")


# --- traffic ---------------------------------------------------------------------------------------

def test_traffic_declared_edge_denied(tmp_path):
    objs = good_objects()
    find(objs, "NetworkPolicy", "db-ingress")["spec"]["ingress"][0]["ports"][0]["port"] = 5433
    find(objs, "NetworkPolicy", "web-egress")["spec"]["egress"][0]["to"][0]["podSelector"] = {
        "matchLabels": {"app": "cache"}}
    findings = run(tmp_path, objs, checks=["traffic"])
    expect(findings, "traffic", "Deployment/shop/web", "voyager.io/talks-to", "does not admit it on postgresql")
    expect(findings, "traffic", "Deployment/shop/web", "voyager.io/talks-to", "egress to StatefulSet/shop/db")


def test_traffic_undeclared_but_allowed(tmp_path):
    objs = good_objects()
    # db may now call web's http port, and web admits it: an edge nobody declared.
    objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("db-egress"),
                 "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Egress"],
                          "egress": [{"to": [{"podSelector": {}}]}]}})
    find(objs, "NetworkPolicy", "web-ingress")["spec"]["ingress"].append(
        {"from": [{"podSelector": {"matchLabels": {"app": "db"}}}], "ports": [{"port": "http"}]})
    findings = run(tmp_path, objs, checks=["traffic"])
    (hit,) = expect(findings, "traffic", "StatefulSet/shop/db", "voyager.io/talks-to", "reach Deployment/shop/web")
    assert "shop/web:http" in hit.fix
    find(objs, "StatefulSet", "db")["metadata"]["annotations"] = {"voyager.io/talks-to": "shop/web:http"}
    assert run(tmp_path / "b", objs, checks=["traffic"]) == []


def test_traffic_without_policies_everything_is_undeclared(tmp_path):
    objs = [o for o in good_objects() if o["kind"] != "NetworkPolicy"]
    findings = run(tmp_path, objs, checks=["traffic"])
    # web->web:http, db->web:http, db->db:postgresql, web->db is declared
    assert {(f.object, f.message.split(" on ")[1].split(" ")[0]) for f in findings} == {
        ("Deployment/shop/web", "http"), ("StatefulSet/shop/db", "http"), ("StatefulSet/shop/db", "postgresql")}


def test_traffic_malformed_and_unknown_targets(tmp_path):
    objs = good_objects()
    find(objs, "Deployment", "web")["metadata"]["annotations"]["voyager.io/talks-to"] = \
        "shop/db:postgresql, shop-db, shop/cache:redis, shop/db:mysql"
    findings = run(tmp_path, objs, checks=["traffic"])
    expect(findings, "traffic", "Deployment/shop/web", "", "malformed entry 'shop-db'")
    expect(findings, "traffic", "Deployment/shop/web", "", "app=cache")
    expect(findings, "traffic", "Deployment/shop/web", "", "no container port named 'mysql'")


def test_traffic_scales(tmp_path):
    """~1,000 namespaces of two workloads each, default-deny plus their own edges."""
    objs: list[dict] = []
    for i in range(1000):
        ns = f"customer-{i}"
        objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, ns=None)})
        for app, port, talks in (("book", 8080, f"{ns}/store:sql"), ("store", 5432, None)):
            labels = {"app": app}
            meta = _meta(app, ns=ns, annotations={"voyager.io/talks-to": talks} if talks else {})
            objs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {
                "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
                    "containers": [{"name": app, "image": "x:1",
                                    "ports": [{"name": "sql" if app == "store" else "grpc",
                                               "containerPort": port}]}]}}}})
        objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": _meta("default-deny-all", ns=ns),
                     "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})
        objs.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("edges", ns=ns),
                     "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "book"}}}],
                                           "ports": [{"port": 5432}]}],
                              "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "store"}}}],
                                          "ports": [{"port": "sql"}]}]}})
    env = write_env(tmp_path, objs)
    # How long this takes is scripts/benchmark.py's business; the test asserts the result.
    findings = validate_tree(env, checks=["traffic"])
    assert findings == []


# --- kustomization -----------------------------------------------------------------------------

def test_kustomization_lists_every_file(tmp_path):
    env = write_env(tmp_path, good_objects())
    (env / NS / "configmap-stray.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("stray")}))
    kust = env / "cluster" / "kustomization.yaml"
    kust.write_text(kust.read_text() + "- namespace-gone.yaml\n")
    findings = validate_tree(env, checks=["kustomization"])
    expect(findings, "kustomization", "ConfigMap/shop/stray", "", "not listed")
    expect(findings, "kustomization", "cluster/kustomization.yaml", "resources", "namespace-gone.yaml")


# --- the real render --------------------------------------------------------------------------------

@pytest.mark.parametrize("env", ENVS)
def test_rendered_environment_has_no_findings(rendered, env):
    """What CI's `main.py validate` asserts, per environment: any finding fails."""
    findings = validate_tree(rendered / env)
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(f.line(env) for f in findings)


def test_cli_validate_exit_codes(tmp_path):
    from conftest import run_main

    objs = good_objects()
    env = write_env(tmp_path, objs)
    ok = run_main("validate", "--dir", env.parent)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "no findings" in ok.stdout.splitlines()[-1]
    pod_spec(objs)["containers"][0]["image"] = "web"
    bad_env = write_env(tmp_path / "bad", objs)
    bad = run_main("validate", "--dir", bad_env.parent, "--env", "test")
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    assert lines[0].startswith("test: image-pin: Deployment/shop/web: spec.template.spec.containers[0].image: ")
    assert "(fix: " in lines[0]
    assert lines[-1].startswith("validate: 1 finding (test: 1)")
    assert run_main("validate", "--dir", tmp_path / "empty").returncode == 2


def test_reads_yaml_only():
    """lib.validate never imports the constructs nor cdk8s: it judges any tree."""
    import subprocess
    import sys

    code = ("import sys, lib.validate, lib.diff; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('cdk8s', 'constructs', 'jsii') "
            "or m.startswith(('lib.platform', 'lib.patterns', 'lib.catalog'))]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_check_is_exercised():
    here = Path(__file__).read_text()
    for name in CHECKS:
        assert f'"{name}"' in here, f"no test plants a {name} defect"


# --- the fast schema path never accepts what jsonschema rejects ----------------------------------

def _mutations(obj, rng, count=12):
    """Variants of obj with one random change each: an unknown key, a wrong type, a missing key."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            paths.append(path)
            for k, v in node.items():
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])
        else:
            paths.append(path)

    walk(obj, [])
    for _ in range(count):
        variant = copy.deepcopy(obj)
        path = rng.choice(paths)
        parent = variant
        for part in path[:-1]:
            parent = parent[part]
        target = parent[path[-1]] if path else variant
        op = rng.choice(["add", "retype", "delete"])
        if op == "add" and isinstance(target, dict):
            target["zzUnknown"] = 1
        elif op == "delete" and path and isinstance(parent, dict):
            del parent[path[-1]]
        elif path:
            value = parent[path[-1]]
            parent[path[-1]] = 7 if isinstance(value, str) else ("7" if not isinstance(value, dict) else [])
        yield variant


@pytest.mark.parametrize("env", ["staging"])
def test_fast_schema_path_is_sound(rendered, env):
    import random

    from lib.validate import make_context
    from lib.validate import schema as S

    ctx = make_context(rendered / env)
    rng = random.Random(1234)
    checked = 0
    for obj in ctx.tree.objects:
        validators = []
        if (obj.group, obj.kind) in ctx.crds.kinds:
            validators.append(ctx.crds.validator(obj.group, obj.api_version.rpartition("/")[2], obj.kind))
        else:
            validators += [S.core_validator(v, obj.api_version, obj.kind) for v in ctx.versions]
        for validator in filter(None, validators):
            # the rendered objects are valid and take the fast path
            assert validator.fast(obj.data), obj.ref
            for variant in _mutations(obj.data, rng):
                if validator.fast(variant):
                    errors = list(validator.slow.iter_errors(variant))
                    assert not errors, f"fast path accepted an invalid {obj.ref}: {errors[0].message}"
                checked += 1
    assert checked > 1000
