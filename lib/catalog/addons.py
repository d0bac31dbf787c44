"""The add-ons the platform relies on, as data: one Argo CD Application each.

Each add-on is a pinned chart (or, where no chart ships the release, the
upstream kustomization at the release tag) whose application version is the
one the platform was built and validated against: the version of the CRDs
vendored in ``crds/`` (``crds/README.md``). Where each fact comes from is in
``upstream`` (repository, path at the tag, tag, commit) and in
``addons/README.md`` (generated from this module: ``provenance_table``); the
chart's values contract (``values.schema.json`` and/or its default
``values.yaml``, or the kustomize files our patches target) is vendored byte
for byte in ``addons/charts/<key>/`` with its sha256 (``addons/vendor.py``).
``tests/test_addons.py`` checks the rendered Helm values against it, the
table against ``crds/README.md``, and ``lib/values`` against the pins here.

How the platform sets each one (its Helm values) is ``lib/platform/addons.py``;
the numbers (resources, IAM roles, images) are under ``addons:`` in
``lib/values/``.

Add-ons the platform renders itself instead (Vault, Fluent Bit) are not
here: see README, "Add-ons".
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Sync tiers, earliest first (lib/platform/sync_waves.py maps them to waves
# between the cluster app and the namespaces' apps): what other add-ons need
# (cert-manager's Certificate CRDs and webhook, Prometheus Operator's CRDs;
# Argo CD itself, whose Application health check makes the later waves wait),
# then the operators the platform's own objects use, then the add-ons that
# need an earlier one (the Barman Cloud plugin: cert-manager and
# CloudNativePG; ExternalDNS: the Gateway API CRDs Envoy Gateway installs).
FOUNDATION, OPERATORS, DEPENDENTS = 0, 1, 2

# Cluster-scoped kinds, as (group, kind), that add-on manifests create
# besides CRDs. Listed per add-on from its templates at the pinned version
# with the values we set (lib/platform/addons.py); the add-ons' AppProject
# permits their union and nothing else (CRDs by API group).
NAMESPACE = ("", "Namespace")  # CreateNamespace=true passes the project's check too
CLUSTER_ROLE = ("rbac.authorization.k8s.io", "ClusterRole")
CLUSTER_ROLE_BINDING = ("rbac.authorization.k8s.io", "ClusterRoleBinding")
MUTATING_WEBHOOK = ("admissionregistration.k8s.io", "MutatingWebhookConfiguration")
VALIDATING_WEBHOOK = ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration")
ADMISSION_POLICY = ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy")
ADMISSION_POLICY_BINDING = ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")
API_SERVICE = ("apiregistration.k8s.io", "APIService")
RBAC = (CLUSTER_ROLE, CLUSTER_ROLE_BINDING)


@dataclass(frozen=True)
class Upstream:
    """Where the chart (or kustomization) is, at the pinned release."""

    repo: str  # owner/name on GitHub
    path: str  # the chart's directory at the tag
    tag: str
    commit: str  # what the tag pointed at when vendored (addons/vendor.py checks)
    # Files vendored into addons/charts/<key>/, relative to ``path``.
    files: tuple[str, ...]
    # The chart repository's index entry for this version, where the index
    # is in the repository's history (gh-pages): sha256 of the package.
    index_digest: str = ""


@dataclass(frozen=True)
class Component:
    """A workload of the add-on: where its resources and node selector go in
    the Helm values (dotted paths; "" for a component without one), and
    where its pod's and its container's securityContext come from (the
    value paths its template renders into ``spec.securityContext`` and the
    container's ``securityContext``, read at the pinned tag): with the
    chart's defaults and our values they must meet the Pod Security level
    of the add-on's namespace (tests/test_addons.py)."""

    resources: str
    node_selector: str = ""
    pod_security_context: str = ""
    security_context: str = ""


@dataclass(frozen=True)
class AddonSpec:
    key: str  # the add-on's key under ``addons:`` in the values
    name: str  # the Application is <env>-<name>; also the Helm release name
    title: str
    namespace: str
    tier: int
    # The verified pin: the values' ``addons.<key>.source`` must say the same.
    repo_url: str
    chart: str  # "" for a kustomize source (``path``)
    path: str  # the directory of a Git source; "" for a chart
    version: str
    # The application version this pin runs (and its source).
    app_version: str
    app_version_from: str
    upstream: Upstream
    # The upstream project of the CRDs vendored in crds/ (crds/README.md),
    # whose tag there must equal app_version; "" when crds/ vendors none of
    # this add-on's CRDs.
    crds_from: str
    # CRDs it installs, by API group: the project permits ``*.<group>``.
    crd_groups: tuple[str, ...]
    # Other cluster-scoped kinds its manifests create (see RBAC above).
    cluster_kinds: tuple[tuple[str, str], ...]
    components: dict[str, Component] = field(default_factory=dict)
    # Other projects' CRDs it installs, as (upstream repo, version): they
    # must be the version crds/ vendors too.
    bundles: tuple[tuple[str, str], ...] = ()
    # Value paths below which anything goes: Kubernetes-typed fields
    # (ResourceRequirements, a node selector, annotations) whose keys are
    # not in the chart's defaults. Everything else we set must be a key of
    # the defaults (tests/test_addons.py). The components' paths are added.
    free_form: tuple[str, ...] = ()
    # Namespaces besides its own that its manifests write into.
    extra_namespaces: tuple[str, ...] = ()
    # Pod Security level of a namespace Argo CD creates for it
    # (CreateNamespace=true); "" when the namespace exists already (rendered
    # by us, or the bootstrap's argocd).
    pod_security: str = ""
    # README, "Add-ons": what the platform sets and why (one cell).
    sets: str = ""
    notes: str = ""

    @property
    def helm(self) -> bool:
        return bool(self.chart)

    def free_form_paths(self) -> tuple[str, ...]:
        paths = list(self.free_form)
        for c in self.components.values():
            paths += [p for p in (c.resources, c.node_selector, c.pod_security_context,
                                  c.security_context) if p and p not in paths]
        return tuple(paths)


ADDONS: tuple[AddonSpec, ...] = (
    AddonSpec(
        key="argocd", name="argocd", title="Argo CD", namespace="argocd", tier=FOUNDATION,
        repo_url="https://github.com/argoproj/argo-cd", chart="", path="manifests/cluster-install",
        version="v3.5.1", app_version="v3.5.1",
        app_version_from="manifests/base/kustomization.yaml at v3.5.1 (image tag v3.5.1)",
        upstream=Upstream("argoproj/argo-cd", "manifests", "v3.5.1",
                          "109ca7ca71139e514114499d294a492e7910a965",
                          ("cluster-install/kustomization.yaml", "namespace-install/kustomization.yaml",
                           "base/kustomization.yaml", "base/config/kustomization.yaml",
                           "base/config/argocd-cm.yaml")),
        crds_from="argoproj/argo-cd", crd_groups=("argoproj.io",), cluster_kinds=RBAC,
        sets="manages itself after the bootstrap, from upstream's kustomization at the tag "
             "(no chart release ships v3.5.1); argocd-cm gains the Application health "
             "check, so each app-of-apps wave waits for the previous one to be healthy",
        notes="The argo-helm chart history stored here ends at argo-cd 10.1.1 (appVersion "
              "v3.4.4); upstream recommends a kustomize-based Application for self-management "
              "(docs/operator-manual/declarative-setup.md, \"Manage Argo CD Using Argo CD\"). "
              "Its CRDs at the tag are the ones crds/ vendors (same spec).",
    ),
    AddonSpec(
        key="cert_manager", name="cert-manager", title="cert-manager", namespace="cert-manager",
        tier=FOUNDATION, repo_url="quay.io/jetstack/charts", chart="cert-manager", path="",
        version="v1.21.1", app_version="v1.21.1",
        app_version_from="make/manifests.mk at v1.21.1: the release sets version and appVersion "
                         "to the tag (Chart.yaml holds v0.0.0)",
        upstream=Upstream("cert-manager/cert-manager", "deploy/charts/cert-manager", "v1.21.1",
                          "24e33194fb39488eff2bbf10c6dc640f407cad44",
                          ("values.schema.json", "values.yaml")),
        crds_from="", crd_groups=("cert-manager.io", "acme.cert-manager.io"),
        cluster_kinds=RBAC + (MUTATING_WEBHOOK, VALIDATING_WEBHOOK, NAMESPACE),
        # Security contexts: templates/deployment.yaml, webhook-deployment.yaml,
        # cainjector-deployment.yaml, startupapicheck-job.yaml at v1.21.1.
        components={"controller": Component("resources", "nodeSelector",
                                            "securityContext", "containerSecurityContext"),
                    "webhook": Component("webhook.resources", "webhook.nodeSelector",
                                         "webhook.securityContext", "webhook.containerSecurityContext"),
                    "cainjector": Component("cainjector.resources", "cainjector.nodeSelector",
                                            "cainjector.securityContext",
                                            "cainjector.containerSecurityContext"),
                    "startupapicheck": Component("startupapicheck.resources",
                                                 "startupapicheck.nodeSelector",
                                                 "startupapicheck.securityContext",
                                                 "startupapicheck.containerSecurityContext")},
        pod_security="restricted",
        sets="`crds.enabled: true` (the chart's default is false), `crds.keep: true`: the "
             "Barman Cloud plugin's Certificates and Issuer need them",
        notes="crds/ vendors no cert-manager CRD (we render none); the shared CRD set's "
              "cert-manager files are v1.21.1.",
    ),
    AddonSpec(
        key="kube_prometheus_stack", name="kube-prometheus-stack",
        title="Prometheus Operator (kube-prometheus-stack)", namespace="monitoring",
        tier=FOUNDATION, repo_url="https://prometheus-community.github.io/helm-charts",
        chart="kube-prometheus-stack", path="", version="88.3.0", app_version="v0.93.0",
        app_version_from="Chart.yaml appVersion at kube-prometheus-stack-88.3.0 (the last "
                         "release on Prometheus Operator v0.93.0; 88.4.0 moves to v0.93.1)",
        upstream=Upstream("prometheus-community/helm-charts", "charts/kube-prometheus-stack",
                          "kube-prometheus-stack-88.3.0",
                          "54199b5bd7cdc3e6f27457791d744dd2761d378e", ("values.yaml",)),
        crds_from="prometheus-operator/prometheus-operator", crd_groups=("monitoring.coreos.com",),
        cluster_kinds=RBAC + (MUTATING_WEBHOOK, VALIDATING_WEBHOOK, NAMESPACE),
        components={"operator": Component("prometheusOperator.resources",
                                          "prometheusOperator.nodeSelector"),
                    "prometheus": Component("prometheus.prometheusSpec.resources",
                                            "prometheus.prometheusSpec.nodeSelector"),
                    "alertmanager": Component("alertmanager.alertmanagerSpec.resources",
                                              "alertmanager.alertmanagerSpec.nodeSelector")},
        # The CoreDNS Service and ServiceMonitor (templates/exporters/core-dns/).
        extra_namespaces=("kube-system",),
        # node-exporter mounts the host's /proc, /sys and / and uses its network.
        pod_security="privileged",
        sets="`serviceMonitorSelectorNilUsesHelmValues` and `podMonitorSelectorNilUsesHelmValues` "
             "false: Prometheus selects every ServiceMonitor and PodMonitor we render, which carry "
             "no `release` label; the EKS control plane's scrapers off (etcd, scheduler, "
             "controller-manager, kube-proxy are not reachable there)",
    ),
    AddonSpec(
        key="envoy_gateway", name="envoy-gateway", title="Envoy Gateway",
        namespace="envoy-gateway-system", tier=OPERATORS, repo_url="docker.io/envoyproxy",
        chart="gateway-helm", path="", version="v1.9.0", app_version="v1.9.0",
        app_version_from="tools/make/helm.mk at v1.9.0: `helm package --app-version ${TAG} "
                         "--version ${CHART_VERSION}` (Chart.yaml holds v0.0.0-latest)",
        upstream=Upstream("envoyproxy/gateway", "charts/gateway-helm", "v1.9.0",
                          "39763b1c07ec30a5526fe70434a2cfe4181de642", ("values.tmpl.yaml",)),
        crds_from="envoyproxy/gateway",
        # charts/gateway-helm/charts/crds/crds/gatewayapi-crds.yaml: bundle-version v1.6.1.
        bundles=(("kubernetes-sigs/gateway-api", "v1.6.1"),),
        crd_groups=("gateway.envoyproxy.io", "gateway.networking.k8s.io", "gateway.networking.x-k8s.io"),
        cluster_kinds=RBAC + (MUTATING_WEBHOOK, ADMISSION_POLICY, ADMISSION_POLICY_BINDING),
        # Security contexts: templates/envoy-gateway-deployment.yaml, certgen.yaml at v1.9.0.
        components={"controller": Component("deployment.envoyGateway.resources",
                                            "deployment.pod.nodeSelector",
                                            "deployment.pod.securityContext",
                                            "deployment.envoyGateway.securityContext"),
                    "certgen": Component("certgen.job.resources", "certgen.job.nodeSelector",
                                         "certgen.job.pod.securityContext", "certgen.job.securityContext")},
        sets="`topologyInjector.enabled: true` (the chart's default, stated so a default change "
             "cannot drop it): the webhook gives each proxy its zone; the namespace's policies "
             "admit it on 9443. Requests and limits on the controller and certgen: "
             "envoy-gateway-system has a quota",
        notes="values.tmpl.yaml is the chart's values.yaml before the release substitutes the "
              "image (`${GatewayImage}`). The chart installs Gateway API v1.6.1 (experimental "
              "channel, a superset of the standard CRDs crds/ vendors, same bundle version).",
    ),
    AddonSpec(
        key="external_secrets", name="external-secrets", title="External Secrets Operator",
        namespace="external-secrets", tier=OPERATORS, repo_url="https://charts.external-secrets.io",
        chart="external-secrets", path="", version="2.9.0", app_version="v2.9.0",
        app_version_from="deploy/charts/external-secrets/Chart.yaml at helm-chart-2.9.0",
        upstream=Upstream("external-secrets/external-secrets", "deploy/charts/external-secrets",
                          "helm-chart-2.9.0", "cc5bfbc2234ace9cb0caff4ea89c435cf517b27b",
                          ("values.schema.json", "values.yaml"),
                          index_digest="da2d5c126a103b4c1b16a9dc1c168c4332a3687144e88ac070e594f81a0b6578"),
        crds_from="external-secrets/external-secrets",
        crd_groups=("external-secrets.io", "generators.external-secrets.io"),
        cluster_kinds=RBAC + (VALIDATING_WEBHOOK, NAMESPACE),
        # Security contexts: templates/deployment.yaml, webhook-deployment.yaml,
        # cert-controller-deployment.yaml at helm-chart-2.9.0 (each map is
        # rendered without its `enabled` key, and only when enabled).
        components={"controller": Component("resources", "nodeSelector",
                                            "podSecurityContext", "securityContext"),
                    "webhook": Component("webhook.resources", "webhook.nodeSelector",
                                         "webhook.podSecurityContext", "webhook.securityContext"),
                    "cert-controller": Component("certController.resources",
                                                 "certController.nodeSelector",
                                                 "certController.podSecurityContext",
                                                 "certController.securityContext")},
        pod_security="restricted",
        sets="the chart's defaults (its pods carry `app.kubernetes.io/name: external-secrets`, "
             "which Vault's policy admits: `cluster.external_secrets`)",
        notes="The chart's CRDs (config/crds/bases at helm-chart-2.9.0) have the same spec as "
              "the v2.9.0 files crds/ vendors.",
    ),
    AddonSpec(
        key="keda", name="keda", title="KEDA", namespace="keda", tier=OPERATORS,
        repo_url="https://kedacore.github.io/charts", chart="keda", path="", version="2.20.2",
        app_version="2.20.2", app_version_from="keda/Chart.yaml at v2.20.2",
        upstream=Upstream("kedacore/charts", "keda", "v2.20.2",
                          "cbb9bb8ce0809dc9048f72302f7c09765d66ed56", ("values.yaml",)),
        crds_from="kedacore/keda", crd_groups=("keda.sh", "eventing.keda.sh"),
        cluster_kinds=RBAC + (VALIDATING_WEBHOOK, API_SERVICE, NAMESPACE),
        # Security contexts: templates/{manager,metrics-server,webhooks}/deployment.yaml
        # at v2.20.2 (the component's own map; the whole map only when it is empty).
        components={"operator": Component("resources.operator", "nodeSelector",
                                          "podSecurityContext.operator", "securityContext.operator"),
                    "metrics-server": Component("resources.metricServer", "",
                                                "podSecurityContext.metricServer",
                                                "securityContext.metricServer"),
                    "webhooks": Component("resources.webhooks", "",
                                          "podSecurityContext.webhooks", "securityContext.webhooks")},
        pod_security="restricted",
        sets="the chart's defaults; the ScaledObjects we render (jarvis) need its CRDs",
        notes="The chart's ScaledObject CRD adds minimum/maximum (0-3600) on "
              "stabilizationWindowSeconds to the v2.20.2 file crds/ vendors; ours stay inside.",
    ),
    AddonSpec(
        key="velero", name="velero", title="Velero", namespace="velero", tier=OPERATORS,
        repo_url="https://vmware-tanzu.github.io/helm-charts", chart="velero", path="",
        version="12.1.0", app_version="1.18.1",
        app_version_from="charts/velero/Chart.yaml at velero-12.1.0 (12.0.2 to 12.1.0 ship 1.18.1)",
        upstream=Upstream("vmware-tanzu/helm-charts", "charts/velero", "velero-12.1.0",
                          "73466ca986bbfe34dbd5c30bbf7d62d545d634a2",
                          ("values.schema.json", "values.yaml"),
                          index_digest="cd23589ad1b2d25cdd3220f6866b3f6f4c5683c4c09494e76a14700b33f81f83"),
        crds_from="vmware-tanzu/velero", crd_groups=("velero.io",),
        cluster_kinds=(CLUSTER_ROLE_BINDING, NAMESPACE),
        components={"server": Component("resources", "nodeSelector"),
                    "node-agent": Component("nodeAgent.resources")},
        # The node agent mounts the kubelet's pod volumes (hostPath) to move data.
        pod_security="privileged",
        free_form=("serviceAccount.server.annotations", "podSecurityContext"),
        sets="the AWS plugin as an init container; `features: EnableCSI`, `deployNodeAgent: true` "
             "(the data mover); no location of its own (`backupsEnabled`/`snapshotsEnabled` "
             "false, empty lists): the BackupStorageLocations are rendered in `velero/`; IRSA; "
             "`upgradeCRDs: false` (Argo CD applies the chart's crds/ on every sync)",
        notes="The AWS plugin's release-1.14 README pairs v1.14.x with Velero v1.18.x; the "
              "stored history of velero-plugin-for-aws has only v1.14.0-rc.1, so check that "
              "the v1.14.0 image exists before the first sync.",
    ),
    AddonSpec(
        key="vertical_pod_autoscaler", name="vertical-pod-autoscaler",
        title="Vertical Pod Autoscaler (recommender)", namespace="vpa-system", tier=OPERATORS,
        repo_url="https://kubernetes.github.io/autoscaler", chart="vertical-pod-autoscaler",
        path="", version="0.11.0", app_version="1.7.1",
        app_version_from="vertical-pod-autoscaler/charts/vertical-pod-autoscaler/Chart.yaml at "
                         "vertical-pod-autoscaler-chart-0.11.0",
        upstream=Upstream("kubernetes/autoscaler",
                          "vertical-pod-autoscaler/charts/vertical-pod-autoscaler",
                          "vertical-pod-autoscaler-chart-0.11.0",
                          "49ef1cb46052db6dac5a59e25e8ab8f9385f4c89", ("values.yaml",),
                          index_digest="8fa06c3ca1c4bc1a7a8e18f3a29b34ebc92cea34852ea2ad7c354df679bc769a"),
        crds_from="kubernetes/autoscaler", crd_groups=("autoscaling.k8s.io",), cluster_kinds=RBAC + (NAMESPACE,),
        # Security contexts: templates/recommender-deployment.yaml at the tag renders
        # the chart-wide podSecurityContext and containerSecurityContext as they are.
        components={"recommender": Component("recommender.resources", "recommender.nodeSelector",
                                             "podSecurityContext", "containerSecurityContext")},
        pod_security="restricted",
        sets="the recommender only (`updater.enabled`, `admissionController.enabled` false): "
             "our VPAs are `Off`, recommendations without evictions; `podSecurityContext.seccompProfile` "
             "RuntimeDefault and a `containerSecurityContext` (no privilege escalation, all "
             "capabilities dropped, read-only root): vpa-system enforces `restricted`, which the "
             "chart's defaults do not meet",
    ),
    AddonSpec(
        key="cloudnative_pg", name="cloudnative-pg", title="CloudNativePG", namespace="cnpg-system",
        tier=OPERATORS, repo_url="https://cloudnative-pg.github.io/charts", chart="cloudnative-pg",
        path="", version="0.29.0", app_version="1.30.0",
        app_version_from="charts/cloudnative-pg/Chart.yaml at cloudnative-pg-v0.29.0",
        upstream=Upstream("cloudnative-pg/charts", "charts/cloudnative-pg", "cloudnative-pg-v0.29.0",
                          "d1b5ad60cee2d9432a9cc05627b42a8d8dc7bbae",
                          ("values.schema.json", "values.yaml"),
                          index_digest="668e065ff53508d58238788fd35b355a925060843629a951df0e6a9362e6d32f"),
        crds_from="cloudnative-pg/cloudnative-pg", crd_groups=("postgresql.cnpg.io",),
        cluster_kinds=RBAC + (MUTATING_WEBHOOK, VALIDATING_WEBHOOK, NAMESPACE),
        # Security contexts: templates/deployment.yaml at cloudnative-pg-v0.29.0.
        components={"operator": Component("resources", "nodeSelector",
                                          "podSecurityContext", "containerSecurityContext")},
        pod_security="restricted",
        sets="the chart's defaults (its pods carry `app.kubernetes.io/name: cloudnative-pg`, which "
             "the databases' policies admit: `cluster.cnpg_operator`)",
    ),
    AddonSpec(
        key="strimzi", name="strimzi", title="Strimzi (Kafka operator)", namespace="kafka",
        tier=OPERATORS, repo_url="quay.io/strimzi-helm", chart="strimzi-kafka-operator", path="",
        version="1.2.0", app_version="1.2.0",
        app_version_from="Makefile at 1.2.0: `helm package --version $(CHART_SEMANTIC_RELEASE_VERSION) "
                         "--app-version ...` (Chart.yaml holds 0.1.1); values.yaml's defaultImageTag 1.2.0",
        upstream=Upstream("strimzi/strimzi-kafka-operator",
                          "packaging/helm-charts/helm3/strimzi-kafka-operator", "1.2.0",
                          "6c7b43c4af0db547c10463ba09d1dfa6f5e156a0", ("values.yaml",)),
        crds_from="", crd_groups=("kafka.strimzi.io", "core.strimzi.io"), cluster_kinds=RBAC + (NAMESPACE,),
        # Security contexts: templates/060-Deployment-strimzi-cluster-operator.yaml at 1.2.0.
        components={"operator": Component("resources", "nodeSelector",
                                          "podSecurityContext", "securityContext")},
        # Kafka's own pods (not rendered here) come from the operator.
        pod_security="baseline",
        sets="the operator in `kafka`, watching `kafka` only (the chart's default); the "
             "`kafka-cluster` Kafka itself is not in Git yet",
        notes="crds/ vendors no Strimzi CRD and the issue names no version: the newest release "
              "stored (1.2.0).",
    ),
    AddonSpec(
        key="barman_cloud", name="barman-cloud", title="Barman Cloud plugin (CloudNativePG)",
        namespace="cnpg-system", tier=DEPENDENTS,
        repo_url="https://github.com/cloudnative-pg/plugin-barman-cloud", chart="", path="kubernetes",
        version="v0.14.0", app_version="v0.14.0",
        app_version_from="Taskfile.yml at v0.14.0 (manifest-internal: the release sets the "
                         "images to ghcr.io/cloudnative-pg/plugin-barman-cloud[-sidecar]:<tag>)",
        upstream=Upstream("cloudnative-pg/plugin-barman-cloud", "kubernetes", "v0.14.0",
                          "1e13020fe5f09fd8fc29ea03828f7b61375b3721",
                          ("kustomization.yaml", "deployment.yaml")),
        crds_from="cloudnative-pg/plugin-barman-cloud", crd_groups=("barmancloud.cnpg.io",),
        cluster_kinds=RBAC,
        components={"plugin": Component("")},
        sets="upstream's kustomization at the tag with the release's images (as its release "
             "manifest is built): no chart release ships v0.14.0; needs cert-manager "
             "and CloudNativePG (earlier waves)",
        notes="The cloudnative-pg/charts history stored here ends at plugin-barman-cloud 0.7.0 "
              "(appVersion v0.13.0).",
    ),
    AddonSpec(
        key="external_dns", name="external-dns", title="ExternalDNS", namespace="external-dns",
        tier=DEPENDENTS, repo_url="https://kubernetes-sigs.github.io/external-dns",
        chart="external-dns", path="", version="1.21.1", app_version="v0.22.0",
        app_version_from="no chart release ships 0.22.0 (1.21.1 ships 0.21.0, "
                         "charts/external-dns/Chart.yaml at external-dns-helm-chart-1.21.1): "
                         "`image.tag: v0.22.0`; the chart at v0.22.0 changes no flag it passes",
        upstream=Upstream("kubernetes-sigs/external-dns", "charts/external-dns",
                          "external-dns-helm-chart-1.21.1", "9f26451346774099a8b3e3e5cc46a53bf2fd1461",
                          ("values.schema.json", "values.yaml"),
                          index_digest="5dd033a4b872bf641860695705ee460031d0bc695f114bf8926fee6736814e19"),
        crds_from="", crd_groups=("externaldns.k8s.io",), cluster_kinds=RBAC + (NAMESPACE,),
        # Security contexts: templates/deployment.yaml at external-dns-helm-chart-1.21.1.
        components={"controller": Component("resources", "nodeSelector",
                                            "podSecurityContext", "securityContext")},
        pod_security="restricted",
        free_form=("serviceAccount.annotations",),
        sets="`provider: aws`, `sources: [gateway-httproute]`, `registry: txt`, `txtOwnerId: "
             "<environment>`, `domainFilters: [edge.domain]`, `policy: sync`, IRSA per region: "
             "the Route 53 failover records (README, \"DNS failover\")",
        notes="crds/ vendors no ExternalDNS CRD (we render none); the chart's DNSEndpoint CRD "
              "is the same spec at 1.21.1 and at v0.22.0.",
    ),
)

BY_KEY = {a.key: a for a in ADDONS}


def provenance_table() -> str:
    """The mapping chart version -> application version and where each fact
    comes from (addons/README.md holds this table; a test keeps them equal)."""
    rows = ["| add-on | source | version | app version | app version from | upstream at the tag | "
            "commit | vendored |",
            "|---|---|---|---|---|---|---|---|"]
    for a in ADDONS:
        src = f"chart `{a.chart}` from `{a.repo_url}`" if a.helm else f"`{a.repo_url}` path `{a.path}`"
        up = a.upstream
        vendored = ", ".join(f"`{f}`" for f in up.files)
        digest = f"; index digest `{up.index_digest[:12]}`" if up.index_digest else ""
        rows.append(f"| {a.title} | {src} | `{a.version}` | `{a.app_version}` | {a.app_version_from} | "
                    f"`{up.repo}` `{up.path}` at `{up.tag}` | `{up.commit[:12]}` | {vendored}{digest} |")
    return "\n".join(rows)
