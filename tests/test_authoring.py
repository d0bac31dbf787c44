"""What a platform engineer does every week, done the way they do it.

Each test copies the repository (lib/, main.py, cdk8s.yaml; imports/ and crds/
linked), edits a catalog file as a person would, and runs ``python main.py``
there. A catalog mistake must exit 2 with one line that names the catalog
file, the workload, the declaration and what is wrong (and write nothing);
the README's "Adding a service" steps, taken from the README itself, must
render and validate first time; a partial render must not leave the
environments that inherit from it stale.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_main, tree_bytes

COPIED = ("lib", "main.py", "cdk8s.yaml")
LINKED = ("imports", "crds")


def repo_copy(tmp_path: Path) -> Path:
    """A working copy of the repository a test may edit (no .venv, .git, dist)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    for name in LINKED:
        (root / name).symlink_to(REPO / name)
    return root


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def expect_catalog_error(repo: Path, *fragments: str, args: tuple = ("--env", "staging")) -> str:
    """Render in ``repo``: exit 2, one ``error:`` line with every fragment, nothing written."""
    out = repo / "dist"
    proc = run_main(*args, "--outdir", out, cwd=repo)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    assert not out.exists() or not any(out.iterdir()), "a failed render wrote files"
    return lines[0]


@pytest.fixture
def repo(tmp_path) -> Path:
    return repo_copy(tmp_path)


SERVICES = Path("lib") / "catalog" / "services"


# --- catalog mistakes: exit 2, one line, the file to change -----------------------------------

LEDGER = '''"""ledger: a service whose namespace nobody declared."""
from ..model import Workload
from .common import JOURNAL

WORKLOADS = (
    Workload(
        name="ledger-api",
        namespace="ledger",
        pattern="grpc-service",
        component="api",
        description="Double-entry ledger API",
        talks_to=(JOURNAL,),
    ),
)
'''


def register(repo: Path, module: str) -> None:
    """List a new module in lib/catalog/services/__init__.py, as the README says."""
    init = repo / SERVICES / "__init__.py"
    text = init.read_text()
    text = text.replace("from . import (\n", f"from . import (\n    {module},\n", 1)
    text = re.sub(r"_MODULES = \(\n", f"_MODULES = (\n    {module},\n", text, count=1)
    init.write_text(text)


def test_a_workload_in_an_undeclared_namespace_is_refused(repo):
    """It used to render with exit 0 and drop the workload (while edges and Velero still named it)."""
    (repo / SERVICES / "ledger.py").write_text(LEDGER)
    register(repo, "ledger")
    expect_catalog_error(repo, "error: lib/catalog/services/ledger.py: ledger/ledger-api: namespace: ",
                         "namespace 'ledger' is not declared", "lib/catalog/namespaces.py")


def test_a_module_not_listed_in_services_init_is_refused(repo):
    (repo / SERVICES / "ledger.py").write_text(LEDGER)
    expect_catalog_error(repo, "error: lib/catalog/services/ledger.py: ",
                         "not listed in _MODULES in lib/catalog/services/__init__.py")


def test_a_misspelt_port_in_an_edge_lists_the_ports_that_exist(repo):
    """The issue's typo: a KeyError: 'metrcs' in a worker's traceback, rc 1."""
    books = repo / SERVICES / "books.py"
    edit(books, "from ..model import Workload", "from ..model import Talk, Workload")
    edit(books, "talks_to=(JEEVES, JOURNAL),",
         'talks_to=(Talk("jeeves/jeeves-run-manager", "metrcs"), JOURNAL),')
    expect_catalog_error(
        repo, "error: lib/catalog/services/books.py: books/shared-books: talks_to[0]: ",
        "Talk(target='jeeves/jeeves-run-manager', port='metrcs')",
        "has no port 'metrcs'; its ports: grpc, http, metrics")


def test_an_edge_to_an_unknown_workload_suggests_the_closest(repo):
    books = repo / SERVICES / "books.py"
    edit(books, "from ..model import Workload", "from ..model import Talk, Workload")
    edit(books, "talks_to=(JEEVES, JOURNAL),", 'talks_to=(Talk("jeeves/jeeves-run-manger", "grpc"), JOURNAL),')
    expect_catalog_error(repo, "error: lib/catalog/services/books.py: books/shared-books: talks_to[0]: ",
                         "no workload jeeves/jeeves-run-manger", "did you mean 'jeeves/jeeves-run-manager'?")


def test_an_unknown_secret_in_secret_env_lists_the_declared_ones(repo):
    edit(repo / SERVICES / "jeeves.py", '("KAFKA_PASSWORD", "jeeves-kafka-credentials", "password")',
         '("KAFKA_PASSWORD", "jeeves-kafka-credential", "password")')
    expect_catalog_error(
        repo, "error: lib/catalog/services/jeeves.py: jeeves/jeeves-run-manager: secret_env[2] ",
        "no secret 'jeeves-kafka-credential' in namespace jeeves",
        "jeeves-db-secret, jeeves-kafka-credentials")


def test_an_unknown_secret_key_lists_the_keys(repo):
    edit(repo / SERVICES / "jeeves.py", '("KAFKA_PASSWORD", "jeeves-kafka-credentials", "password")',
         '("KAFKA_PASSWORD", "jeeves-kafka-credentials", "passwd")')
    expect_catalog_error(repo, "lib/catalog/services/jeeves.py: jeeves/jeeves-run-manager: secret_env[2] ",
                         "secret 'jeeves-kafka-credentials' has no key 'passwd'", "username, password, sasl")


def test_a_duplicate_workload_name_names_both(repo):
    edit(repo / SERVICES / "books.py", 'name="idp-book"', 'name="shared-books"')
    expect_catalog_error(repo, "error: lib/catalog/services/books.py: books/shared-books: name: ",
                         "'shared-books' is declared twice", "also books/shared-books in "
                         "lib/catalog/services/books.py")


def test_a_field_the_pattern_does_not_take_is_refused(repo):
    jeeves = repo / SERVICES / "jeeves.py"
    edit(jeeves, "        public=True,\n",
         '        public=True,\n        managed_resources=(Rule(("",), ("pods",), ("get",)),),\n')
    expect_catalog_error(repo, "error: lib/catalog/services/jeeves.py: jeeves/jeeves-run-manager: "
                               "managed_resources: a grpc-service does not take managed_resources")


def test_a_misspelt_field_of_a_declaration_names_the_line(repo):
    edit(repo / SERVICES / "books.py", "talks_to=(AI_PROXY, JOURNAL),", "talk_to=(AI_PROXY, JOURNAL),")
    line = expect_catalog_error(repo, "error: lib/catalog/services/books.py:",
                                "unexpected keyword argument 'talk_to'")
    assert re.match(r"error: lib/catalog/services/books\.py:\d+: TypeError: ", line), line


def test_a_namespace_declared_twice_names_namespaces_py(repo):
    edit(repo / "lib" / "catalog" / "namespaces.py",
         '    Namespace("vault", "platform", "Secret management and synchronization"),\n',
         '    Namespace("vault", "platform", "Secret management and synchronization"),\n'
         '    Namespace("vault", "platform", "again"),\n')
    expect_catalog_error(repo, "error: lib/catalog/namespaces.py: namespace 'vault': name: declared twice")


def test_a_catalog_mistake_fails_every_command_that_renders(repo):
    """diff and --check render too: the same line, before any worker starts."""
    edit(repo / SERVICES / "books.py", "talks_to=(JEEVES, JOURNAL),", "talks_to=(JEEVES, JOURNAL), gpu=1,")
    message = "books/shared-books: gpu: must be bool, got 1"
    expect_catalog_error(repo, message, args=("--check",))
    proc = run_main("diff", "--dir", repo / "dist", cwd=repo)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        f"error: lib/catalog/services/books.py: {message}"], proc.stderr


# --- the README's "Adding a service", followed literally --------------------------------------

def readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def fenced(section: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, dedented to its fence."""
    blocks = []
    for match in re.finditer(r"^( *)```(\w*)\n(.*?)^\1```", section, re.S | re.M):
        indent, language, body = match.groups()
        lines = [line[len(indent):] if line.startswith(indent) else line for line in body.splitlines()]
        blocks.append((language, "\n".join(lines) + "\n"))
    return blocks


def test_adding_a_service_as_the_readme_says_works_first_time(repo):
    """The README's blocks, applied where its steps say: a namespace line in
    SERVICE_NAMESPACES, a module in lib/catalog/services/ listed in _MODULES, the
    sizing under workloads: in base.yaml; then render and validate."""
    section = readme_section("Adding a service")
    blocks = fenced(section)
    namespace_line, module, sizing = [body for _, body in blocks[:3]]
    assert [lang for lang, _ in blocks[:3]] == ["python", "python", "yaml"], blocks
    name = re.search(r'Namespace\("([a-z0-9-]+)"', namespace_line).group(1)
    workload = re.search(r'name="([a-z0-9-]+)"', module).group(1)
    module_path = re.search(r"`(lib/catalog/services/(?!__init__)[a-z0-9_]+\.py)`", section).group(1)
    assert module_path == f"lib/catalog/services/{name.replace('-', '_')}.py"

    namespaces = repo / "lib" / "catalog" / "namespaces.py"
    text = namespaces.read_text()
    start = text.index("SERVICE_NAMESPACES: tuple[Namespace, ...] = (\n")
    close = text.index("\n)\n", start)
    namespaces.write_text(text[:close + 1] + "    " + namespace_line.strip() + "\n" + text[close + 1:])
    (repo / module_path).write_text(module)
    register(repo, Path(module_path).stem)
    base = repo / "lib" / "values" / "base.yaml"
    assert sizing.startswith("workloads:\n"), sizing
    edit(base, "\nworkloads:\n", "\n" + sizing)

    out = repo / "dist"
    proc = run_main(cwd=repo)
    assert proc.returncode == 0, proc.stderr[-3000:]
    check = run_main("validate", cwd=repo)
    assert check.returncode == 0, check.stdout[-5000:] + check.stderr
    assert "no findings" in check.stdout.splitlines()[-1]
    for env in ("staging", "production", "production-dr"):
        assert (out / env / name / f"deployment-{workload}.yaml").is_file()
        assert (out / env / "cluster" / f"namespace-{name}.yaml").is_file()
        assert (out / env / "argocd" / f"application-{env}-{name}.yaml").is_file()
        assert list((out / env / name).glob(f"networkpolicy-{workload}-*.yaml"))


# --- partial renders: the environments that inherit are rendered too -------------------------

def test_a_partial_render_renders_the_environments_that_extend_it(rendered, tmp_path):
    out = shutil.copytree(rendered, tmp_path / "dist")
    values = shutil.copytree(REPO / "lib" / "values", tmp_path / "values")
    production = values / "production.yaml"
    data = yaml.safe_load(production.read_text())
    data["customers"].append({"id": "wayne"})
    production.write_text(yaml.safe_dump(data, sort_keys=False))
    staging_before = tree_bytes(out / "staging")

    proc = run_main("--env", "production", "--values", values, "--outdir", out)
    assert proc.returncode == 0, proc.stderr
    assert "production-dr extends production: rendered too" in proc.stdout
    table = proc.stdout.split("environment", 1)[1]
    assert "production-dr" in table and "staging" not in table
    assert (out / "production-dr" / "customer-wayne").is_dir()
    assert tree_bytes(out / "staging") == staging_before

    check = run_main("--check", "--values", values, "--outdir", out)
    assert check.returncode == 0, check.stderr[-3000:]


def test_rendering_a_leaf_environment_renders_only_it(rendered, tmp_path):
    out = shutil.copytree(rendered, tmp_path / "dist")
    proc = run_main("--env", "staging", "--outdir", out, "--check")
    assert proc.returncode == 0, proc.stderr
    assert "extends" not in proc.stdout
    assert [line.split()[0] for line in proc.stdout.splitlines()[1:] if line.strip()][:1] == ["staging"]
