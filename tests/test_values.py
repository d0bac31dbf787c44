"""Bad values fail at load: exit 2, one line naming file and key path, nothing written.

Each case copies lib/values into a tmp dir, breaks one thing, and runs
``main.py --env <one env> --values <dir> --outdir <dir with a sentinel>``.
Loading fails before any rendering, so these are fast.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_main, tree_bytes
from lib.config.quantity import format_bytes, format_cpu, parse_quantity

SENTINEL = b"# rendered by a previous run; a failed render must not touch this\n"

# A workload of the catalog; the values here are a complete, valid shape so that a
# test breaks exactly one thing (they merge key by key over base.yaml's entry).
WORKLOAD_NAME = "jeeves-run-manager"
WORKLOAD = {
    "image": {"repository": "ghcr.io/voyager/jeeves", "tag": "1.4.2"},
    "replicas": 2,
    "resources": {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    },
}


def edit(values: Path, file: str, change) -> Path:
    """Load ``values/file``, let ``change(data)`` mutate it, write it back."""
    path = values / file
    data = yaml.safe_load(path.read_text()) or {}
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def shown(path: Path) -> str:
    """How the CLI names a file outside the repo (its resolved absolute path)."""
    return str(Path(path).resolve())


def expect_error(tmp_path: Path, values: Path, env: str, file: str | tuple[str, ...], key: str,
                 *fragments: str) -> str:
    """Run the render; assert exit 2, ``error: <file>: <key>: ...`` and an untouched outdir.

    ``file`` may be a tuple of acceptable file names.
    """
    out = tmp_path / "out"
    (out / env).mkdir(parents=True)
    (out / env / "sentinel.yaml").write_bytes(SENTINEL)
    before = tree_bytes(out)
    siblings = set(tmp_path.iterdir())

    proc = run_main("--env", env, "--values", values, "--outdir", out)

    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    files = file if isinstance(file, tuple) else (file,)
    prefixes = tuple(f"error: {f}: {key}: " if key else f"error: {f}: " for f in files)
    assert line.startswith(prefixes), f"{line!r} does not start with any of {prefixes!r}"
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert tree_bytes(out) == before, "a failed render changed the output directory"
    # No half-written tree left beside it (a lock file is fine: it is how renders queue).
    leftovers = {p.name for p in set(tmp_path.iterdir()) - siblings}
    assert leftovers <= {".out.lock"}, leftovers
    return line


def test_unknown_environment(tmp_path, values_dir):
    expect_error(tmp_path, values_dir, "prod", shown(values_dir), "",
                 "unknown environment 'prod'", "production", "staging")


def test_malformed_yaml(tmp_path, values_dir):
    staging = values_dir / "staging.yaml"
    staging.write_text("extends: base\ncustomers: [acme\n  - id: globex\n")
    expect_error(tmp_path, values_dir, "staging", shown(staging), "", "malformed YAML", "line 3")


def test_duplicate_key_in_one_mapping(tmp_path, values_dir):
    staging = values_dir / "staging.yaml"
    staging.write_text(staging.read_text() + "cluster:\n  region: us-east-1\n")
    expect_error(tmp_path, values_dir, "staging", shown(staging), "", "duplicate key 'cluster'")


def test_unknown_key_suggests_the_right_one(tmp_path, values_dir):
    def typo(data):
        data["cluster"] = {"regoin": "eu-west-1"}
    staging = edit(values_dir, "staging.yaml", typo)
    expect_error(tmp_path, values_dir, "staging", shown(staging), "cluster.regoin",
                 "unknown key 'regoin'", "did you mean 'region'?")


def test_unknown_top_level_key_suggests_the_right_one(tmp_path, values_dir):
    def typo(data):
        data["customer"] = data.pop("customers")
    staging = edit(values_dir, "staging.yaml", typo)
    expect_error(tmp_path, values_dir, "staging", shown(staging), "customer",
                 "did you mean 'customers'?")


@pytest.mark.parametrize("where", ["customer", "workload", "namespace"])
def test_unknown_nested_key_suggests_the_right_one(tmp_path, values_dir, where):
    def typo(data):
        if where == "customer":
            data["customers"] = [{"id": "acme", "book_image_tga": "1.0.0"}]
        elif where == "workload":
            data["workloads"] = {WORKLOAD_NAME: {**WORKLOAD, "node_pol": "compute"}}
        else:
            data["namespaces"] = {"jeeves": {"qouta": {}}}
    staging = edit(values_dir, "staging.yaml", typo)
    key, hint = {
        "customer": ("customers[0].book_image_tga", "'book_image_tag'"),
        "workload": (f"workloads.{WORKLOAD_NAME}.node_pol", "'node_pool'"),
        "namespace": ("namespaces.jeeves.qouta", "'quota'"),
    }[where]
    expect_error(tmp_path, values_dir, "staging", shown(staging), key, f"did you mean {hint}?")


def test_misspelt_required_key_is_reported_as_the_typo(tmp_path, values_dir):
    def typo(data):
        # No environment sets jeeves-postgresql's replicas, so it is really missing.
        sizing = data["workloads"]["jeeves-postgresql"]
        sizing["replica"] = sizing.pop("replicas")
    base = edit(values_dir, "base.yaml", typo)
    expect_error(tmp_path, values_dir, "staging", shown(base), "workloads.jeeves-postgresql.replica",
                 "did you mean 'replicas'?")


def test_wrong_type(tmp_path, values_dir):
    def wrong(data):
        data["cluster"] = {"api_server_port": "443"}
    staging = edit(values_dir, "staging.yaml", wrong)
    expect_error(tmp_path, values_dir, "staging", shown(staging), "cluster.api_server_port",
                 "valid integer", "'443'")


def test_wrong_type_of_a_list(tmp_path, values_dir):
    def wrong(data):
        data["customers"] = "acme"
    production = edit(values_dir, "production.yaml", wrong)
    expect_error(tmp_path, values_dir, "production", shown(production), "customers",
                 "valid list")


def test_negative_replicas(tmp_path, values_dir):
    def negative(data):
        data["workloads"] = {WORKLOAD_NAME: {**WORKLOAD, "replicas": -1}}
    staging = edit(values_dir, "staging.yaml", negative)
    expect_error(tmp_path, values_dir, "staging", shown(staging),
                 f"workloads.{WORKLOAD_NAME}.replicas",
                 "greater than or equal to 0")


def test_limits_below_requests(tmp_path, values_dir):
    def below(data):
        resources = {"requests": {"cpu": "500m", "memory": "256Mi"},
                     "limits": {"cpu": "100m", "memory": "512Mi"}}
        data["workloads"] = {WORKLOAD_NAME: {**WORKLOAD, "resources": resources}}
    staging = edit(values_dir, "staging.yaml", below)
    expect_error(tmp_path, values_dir, "staging", shown(staging),
                 f"workloads.{WORKLOAD_NAME}.resources",
                 "limits.cpu (100m) is below requests.cpu (500m)")


def test_limits_below_requests_in_an_override_names_the_override(tmp_path, values_dir):
    def base_sizes(data):
        data.setdefault("workloads", {})[WORKLOAD_NAME] = WORKLOAD
    edit(values_dir, "base.yaml", base_sizes)

    def below(data):
        data["workloads"] = {WORKLOAD_NAME: {"resources": {"requests": {"cpu": "500m"},
                                                           "limits": {"cpu": "100m"}}}}
    staging = edit(values_dir, "staging.yaml", below)
    expect_error(tmp_path, values_dir, "staging", shown(staging),
                 f"workloads.{WORKLOAD_NAME}.resources", "limits.cpu (100m) is below")


def test_quota_limits_below_requests_names_the_base_file(tmp_path, values_dir):
    def below(data):
        data["quotas"]["customer"]["limits_memory"] = "1Gi"  # requests_memory is 4Gi
    base = edit(values_dir, "base.yaml", below)
    expect_error(tmp_path, values_dir, "staging", shown(base), "quotas.customer",
                 "limits_memory is below requests_memory")


def test_bad_quantity(tmp_path, values_dir):
    def bad(data):
        data["limit_range"] = {"default_request": {"cpu": "100 millicores", "memory": "128Mi"},
                               "default_limit": {"cpu": "500m", "memory": "512Mi"}}
    staging = edit(values_dir, "staging.yaml", bad)
    expect_error(tmp_path, values_dir, "staging", shown(staging),
                 "limit_range.default_request.cpu", "not a Kubernetes quantity")


def test_duplicate_customer(tmp_path, values_dir):
    def duplicate(data):
        data["customers"].append({"id": "acme"})
    production = edit(values_dir, "production.yaml", duplicate)
    expect_error(tmp_path, values_dir, "production", shown(production), "customers",
                 "'acme' is listed twice", "customers[0]", "customers[5]")


def test_customer_id_not_a_dns_label(tmp_path, values_dir):
    def bad(data):
        data["customers"][0] = {"id": "Acme_Corp"}
    production = edit(values_dir, "production.yaml", bad)
    expect_error(tmp_path, values_dir, "production", shown(production), "customers[0].id",
                 "'Acme_Corp' is not a valid DNS label")


def test_customer_id_leaves_room_for_the_argo_cd_application_name(tmp_path, values_dir):
    def long(data):
        data["customers"][0] = {"id": "a" * 41}
    production = edit(values_dir, "production.yaml", long)
    expect_error(tmp_path, values_dir, "production", shown(production), "customers[0].id",
                 "at most 40 characters")


def test_extends_loop(tmp_path, values_dir):
    def loop(data):
        data["extends"] = "staging"
    edit(values_dir, "base.yaml", loop)
    in_the_loop = (shown(values_dir / "staging.yaml"), shown(values_dir / "base.yaml"))
    expect_error(tmp_path, values_dir, "staging", in_the_loop, "extends", "loop")


def test_extends_loop_names_the_file_that_closes_it(tmp_path, values_dir):
    base = edit(values_dir, "base.yaml", lambda data: data.update(extends="staging"))
    expect_error(tmp_path, values_dir, "staging", shown(base), "extends", "loop")


def test_extends_unknown_parent(tmp_path, values_dir):
    staging = edit(values_dir, "staging.yaml", lambda data: data.update(extends="bsae"))
    expect_error(tmp_path, values_dir, "staging", shown(staging), "extends",
                 "no values file 'bsae'")


def test_name_must_match_the_file(tmp_path, values_dir):
    staging = edit(values_dir, "staging.yaml", lambda data: data.update(name="production"))
    expect_error(tmp_path, values_dir, "staging", shown(staging), "name", "staging.yaml")


def test_latest_image_tag_is_refused(tmp_path, values_dir):
    def latest(data):
        data["workloads"] = {WORKLOAD_NAME: {**WORKLOAD, "image": {"repository": "ghcr.io/x/y",
                                                              "tag": "latest"}}}
    staging = edit(values_dir, "staging.yaml", latest)
    expect_error(tmp_path, values_dir, "staging", shown(staging),
                 f"workloads.{WORKLOAD_NAME}.image.tag",
                 "'latest' is not a pinned tag")


# --- keys that name the catalog, and which file is to blame ---------------------------------

def test_unknown_workload_in_an_overlay_names_the_overlay_and_the_closest_name(tmp_path, values_dir):
    """A typo in production.yaml is production.yaml's, also when production-dr loads it."""
    def typo(data):
        data["workloads"]["jarvis-spy-interpeter"] = {"replicas": 3}
    production = edit(values_dir, "production.yaml", typo)
    for env in ("production", "production-dr"):
        expect_error(tmp_path / env, values_dir, env, shown(production),
                     "workloads.jarvis-spy-interpeter",
                     "unknown workload 'jarvis-spy-interpeter'", "did you mean 'jarvis-spy-interpreter'?",
                     "lib/catalog/services/")


def test_unknown_namespace_override_names_the_closest_namespace(tmp_path, values_dir):
    def typo(data):
        data["namespaces"] = {"jeevs": {"quota": {"pods": 30}}}
    staging = edit(values_dir, "staging.yaml", typo)
    expect_error(tmp_path, values_dir, "staging", shown(staging), "namespaces.jeevs",
                 "unknown namespace 'jeevs'", "did you mean 'jeeves'?", "lib/catalog/namespaces.py")


def test_a_catalog_workload_without_sizing_is_blamed_on_base(tmp_path, values_dir):
    base = edit(values_dir, "base.yaml", lambda data: data["workloads"].pop("herald"))
    expect_error(tmp_path, values_dir, "production-dr", shown(base), "workloads.herald",
                 "missing: every workload of the catalog needs its image and sizing")


@pytest.mark.parametrize("env", ["staging", "production", "production-dr"])
def test_a_mistake_in_base_is_blamed_on_base_whichever_environment_loads_it(tmp_path, values_dir, env):
    """jeeves-run-manager is overridden by staging and production-dr (HPA bounds), so
    its mapping holds keys of three files; both scalers are set in base.yaml alone."""
    def both_scalers(data):
        data["workloads"][WORKLOAD_NAME]["event_scaling"] = {
            "min_replica_count": 1, "max_replica_count": 2, "lag_threshold": 5}
    base = edit(values_dir, "base.yaml", both_scalers)
    expect_error(tmp_path, values_dir, env, shown(base), f"workloads.{WORKLOAD_NAME}",
                 "autoscaling and event_scaling are both set")


@pytest.mark.parametrize("env", ["staging", "production-dr"])
def test_a_missing_section_of_base_is_blamed_on_base(tmp_path, values_dir, env):
    base = edit(values_dir, "base.yaml", lambda data: data["quotas"].pop("service"))
    expect_error(tmp_path, values_dir, env, shown(base), "", "quotas needs service")


def test_undefined_node_pool_names_the_key(tmp_path, values_dir):
    """staging has no GPU pool: asking for it is a values error, not a worker's traceback."""
    def gpu(data):
        data["workloads"]["model-manager"] = {"node_pool": "gpu"}
    staging = edit(values_dir, "staging.yaml", gpu)
    expect_error(tmp_path, values_dir, "staging", shown(staging), "workloads.model-manager.node_pool",
                 "node pool 'gpu' is not defined under node_pools", "compute, database")


def _quota(out: Path, env: str, namespace: str, name: str) -> dict:
    path = out / env / namespace / f"resourcequota-{name}.yaml"
    return yaml.safe_load(path.read_text())["spec"]["hard"]


def test_partial_quota_overrides_merge_over_the_defaults(tmp_path, values_dir):
    """``quota: {limits_cpu: "6"}`` on a customer keeps quotas.customer's other keys;
    a namespace's partial quota merges over quotas.service the same way."""
    def override(data):
        data["customers"][0]["quota"] = {"limits_cpu": "6"}
        data["namespaces"] = {"herald": {"quota": {"pods": 30}}}
    edit(values_dir, "staging.yaml", override)
    base = yaml.safe_load((values_dir / "base.yaml").read_text())
    out = tmp_path / "out"
    proc = run_main("--env", "staging", "--values", values_dir, "--outdir", out)
    assert proc.returncode == 0, proc.stderr

    customer = base["quotas"]["customer"]
    hard = _quota(out, "staging", "customer-acme", "customer-quota")
    assert hard["limits.cpu"] == "6"
    assert hard["requests.cpu"] == str(customer["requests_cpu"])
    assert hard["limits.memory"] == str(customer["limits_memory"])
    assert _quota(out, "staging", "customer-globex", "customer-quota")["limits.cpu"] == str(customer["limits_cpu"])
    service = base["quotas"]["service"]
    herald = _quota(out, "staging", "herald", "compute-quota")
    assert herald["pods"] == "30"
    assert herald["requests.cpu"] == str(service["requests_cpu"])


def test_a_partial_override_is_still_checked_as_a_whole(tmp_path, values_dir):
    def override(data):
        data["customers"][0]["quota"] = {"limits_cpu": "1"}  # quotas.customer requests 2
    staging = edit(values_dir, "staging.yaml", override)
    expect_error(tmp_path, values_dir, "staging", shown(staging), "customers[0].quota",
                 "limits_cpu is below requests_cpu")


# --- lib/config/quantity.py ------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("250m", Fraction(1, 4)),
    ("1500m", Fraction(3, 2)),
    ("2", Fraction(2)),
    ("0", Fraction(0)),
    ("1.5", Fraction(3, 2)),
    ("0.5Gi", Fraction(2**29)),
    ("1k", Fraction(1000)),
    ("1M", Fraction(10**6)),
    ("4G", Fraction(4 * 10**9)),
    ("1Ki", Fraction(1024)),
    ("512Mi", Fraction(512 * 2**20)),
    ("4Gi", Fraction(4 * 2**30)),
    ("1Ti", Fraction(2**40)),
    ("1Ei", Fraction(2**60)),
    ("1E", Fraction(10**18)),
    (2, Fraction(2)),
    (0, Fraction(0)),
    (0.25, Fraction(1, 4)),
])
def test_parse_quantity(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", [
    "", "m", "Gi", "-1", "-250m", "1K", "1KB", "1gi", "1 Gi", "one", "1.2.3",
    True, False, None, -1, -0.5, [1],
])
def test_parse_quantity_rejects(text):
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_parse_quantity_error_names_the_accepted_forms():
    with pytest.raises(ValueError, match=r"'2 cores' is not a Kubernetes quantity \(examples: 250m"):
        parse_quantity("2 cores")


@pytest.mark.parametrize("text", [" 100m", "100m ", "100m\n"])
def test_parse_quantity_rejects_surrounding_whitespace(text):
    with pytest.raises(ValueError):
        parse_quantity(text)


def test_quantities_compare_exactly():
    assert parse_quantity("1000m") == parse_quantity("1")
    assert parse_quantity("1Gi") > parse_quantity("1G")
    assert parse_quantity("1024Mi") == parse_quantity("1Gi")
    assert parse_quantity("100m") < parse_quantity("0.2")


@pytest.mark.parametrize("value, text", [
    (Fraction(4), "4"),
    (Fraction(3, 2), "1500m"),
    (Fraction(1, 4), "250m"),
    (Fraction(0), "0"),
])
def test_format_cpu(value, text):
    assert format_cpu(value) == text


@pytest.mark.parametrize("value, text", [
    (Fraction(3 * 2**30), "3Gi"),
    (Fraction(640 * 2**20), "640Mi"),
    (Fraction(2**40), "1Ti"),
    (Fraction(1536 * 2**20), "1536Mi"),
    (Fraction(1024), "1Ki"),
    (Fraction(1000), "1000"),
    (Fraction(0), "0"),
])
def test_format_bytes(value, text):
    assert format_bytes(value) == text


@given(st.integers(min_value=0, max_value=10**6))
def test_format_cpu_round_trips_millicores(millis):
    value = Fraction(millis, 1000)
    assert parse_quantity(format_cpu(value)) == value


@given(st.integers(min_value=0, max_value=2**62))
def test_format_bytes_round_trips_whole_bytes(number):
    assert parse_quantity(format_bytes(Fraction(number))) == number


@given(st.integers(min_value=0, max_value=10**9),
       st.sampled_from(["", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"]))
def test_parse_quantity_integers_with_suffix(number, suffix):
    multiplier = {"": 1, "m": Fraction(1, 1000), "k": 10**3, "M": 10**6, "G": 10**9,
                  "T": 10**12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[suffix]
    assert parse_quantity(f"{number}{suffix}") == number * multiplier
