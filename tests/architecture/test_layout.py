"""The layout DESIGN.md draws: the practice side is one package, modules stay readable,
and the "who may see this" selector and its practice side do not import each other."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("vetpass", "records", "consent", "dsar")


def _modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _imports(path: Path) -> set[str]:
    """Modules a file imports, relative imports resolved, at any depth (lazy ones too)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_module_passes_600_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > 600
    }
    assert long == {}


def test_the_practice_side_is_one_package():
    assert sorted(p.name for p in (ROOT / "records").glob("practice_*.py")) == []
    assert (ROOT / "records/practices/services/__init__.py").exists()


def test_the_visibility_selector_and_its_practice_side_do_not_import_each_other():
    access = _imports(ROOT / "records/practices/access.py")
    assert "records.selectors" not in access
    assert "records.practices.selectors" not in access


def test_dependencies_point_one_way():
    # DESIGN.md rule 9: vetpass.accounts <- consent <- records <- dsar.
    order = ["vetpass", "consent", "records", "dsar"]
    composition_root = {"vetpass/urls.py", "vetpass/celery.py", "vetpass/api.py"}
    wrong = []
    for path in _modules():
        rel = str(path.relative_to(ROOT))
        if rel in composition_root:
            continue
        rank = order.index(path.relative_to(ROOT).parts[0])
        for module in _imports(path):
            top = module.split(".")[0]
            if top in order and order.index(top) > rank:
                wrong.append(f"{rel} imports {module}")
    assert wrong == []
