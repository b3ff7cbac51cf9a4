"""The shape of the package ``ckanext.binhduong`` (setup.py maps its folders onto one package
tree; the module map is in ckanext-binhduong/README.md): no import cycle between its modules,
function-level imports included (they hide a cycle, they do not remove it), and no module
over 600 lines. Read from the source (AST); nothing is imported."""
from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "ckanext.binhduong"
MAX_LINES = 600
# Modules over the limit, each with the reason it is not split yet. Keep this short.
TOO_LONG: dict[str, str] = {}
# Cycles known and not broken yet, each with what breaks it. Keep this short.
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}


def package_folders() -> dict[str, pathlib.Path]:
    """setup.py's PACKAGES: import path → folder."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PACKAGES" for t in node.targets):
            return {key: ROOT / value for key, value in ast.literal_eval(node.value).items()}
    raise AssertionError("setup.py has no PACKAGES mapping")


def modules() -> dict[str, pathlib.Path]:
    """Every Python module of the package by import path (sub-folders with an __init__.py
    that setup.py does not list, such as harvesters/samples, included)."""
    found: dict[str, pathlib.Path] = {}
    folders = package_folders()
    for package, folder in folders.items():
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(folder).with_suffix("")
            parts = [part for part in relative.parts]
            # A sub-folder mapped on its own is scanned under its own import path.
            if any((folder / pathlib.Path(*parts[:i])).resolve() in {f.resolve() for f in folders.values()}
                   for i in range(1, len(parts))):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def _under_type_checking(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """Modules of the package that ``name`` imports, anywhere in its code."""
    tree = ast.parse(path.read_text(), str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or _under_type_checking(node, parents):
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        else:
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # "from package import module, other": the modules; "from module import name": the module.
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            found |= submodules or ({base} & known)
    return found - {name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 80 and "ckanext.binhduong.text" in graph and "ckanext.binhduong.harvesters.base" in graph
    found = {tuple(cycle) for cycle in cycles(graph)}
    assert found - set(KNOWN_CYCLES) == set(), "new import cycles"
    assert set(KNOWN_CYCLES) - found == set(), "a known cycle is gone: take it off KNOWN_CYCLES"
    # The cycle issue 20 named stays broken: validators.py does not import helpers.py.
    assert "ckanext.binhduong.helpers" not in graph["ckanext.binhduong.logic.validators"]


def test_no_module_is_over_600_lines():
    lengths = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    over = {name: count for name, count in lengths.items() if count > MAX_LINES and name not in TOO_LONG}
    assert over == {}, f"split these modules (or list them in TOO_LONG with the reason): {over}"
    assert all(lengths[name] > MAX_LINES for name in TOO_LONG), "a module listed in TOO_LONG is short enough now"


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
