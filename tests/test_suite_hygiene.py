"""The suite checks itself: no test can pass without running. A test function that returns
under a condition before its first assertion (``if not shutil.which("docker"): return``)
passes whenever the condition holds, silently; so does one that skips itself. This scans
every test module under tests/ (the AST, nothing is imported or run) and names each such test.

What counts as an assertion: an ``assert`` statement, ``pytest.raises`` / ``pytest.warns`` /
``pytest.fail``, or a call to a helper whose name starts with ``assert``."""
from __future__ import annotations

import ast
import pathlib

TESTS = pathlib.Path(__file__).resolve().parent
CONDITIONAL = (ast.If, ast.IfExp, ast.Try, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Match)
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
ASSERTING_CALLS = {"raises", "warns", "fail"}
SKIPPING_CALLS = {"skip", "importorskip", "xfail"}


def _call_name(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr
    if isinstance(function, ast.Name):
        return function.id
    return ""


def _walk(function: ast.AST):
    """(node, inside a conditional block) for every node of the function's own body, in
    source order, not entering nested functions or classes."""
    def visit(node: ast.AST, conditional: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, NESTED_SCOPES):
                continue
            yield child, conditional
            yield from visit(child, conditional or isinstance(child, CONDITIONAL))
    return sorted(visit(function, False), key=lambda item: (getattr(item[0], "lineno", 0), getattr(item[0], "col_offset", 0)))


def early_exits(source: str, filename: str = "<test>") -> list[str]:
    """Test functions of a module that return under a condition before their first
    assertion, or skip themselves: "name (line N)"."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test"):
            continue
        for child, conditional in _walk(node):
            if isinstance(child, ast.Assert):
                break
            if isinstance(child, ast.Call):
                name = _call_name(child)
                if name in ASSERTING_CALLS or name.startswith("assert"):
                    break
                if name in SKIPPING_CALLS and isinstance(child.func, ast.Attribute):
                    found.append(f"{node.name} (line {child.lineno}: skips itself with {name})")
                    break
            if isinstance(child, ast.Return) and conditional:
                found.append(f"{node.name} (line {child.lineno}: return before any assertion)")
                break
    return found


def test_no_test_returns_or_skips_before_asserting():
    offenders = []
    modules = sorted(TESTS.rglob("test_*.py"))
    assert len(modules) > 50, "the scan found too few test modules"
    for path in modules:
        offenders += [f"{path.relative_to(TESTS)}::{where}" for where in early_exits(path.read_text(), str(path))]
    assert offenders == [], "Tests that can pass without running:\n" + "\n".join(offenders)


def test_the_scan_catches_what_it_is_for():
    # The sample's skipping call is assembled so that this file, which only scans for it,
    # never holds one itself.
    skip_call = ".".join(["pytest", "skip"])
    caught = early_exits(
        "import shutil, pytest\n"
        "def test_compose():\n"
        "    if not shutil.which('docker'):\n"
        "        return\n"
        "    assert run()\n"
        "def test_skipping():\n"
        "    if missing():\n"
        f"        {skip_call}('no service')\n"
        "    assert True\n"
        "def test_fine():\n"
        "    assert compute() == 1\n"
        "    if more():\n"
        "        return\n"
        "def test_fine_too():\n"
        "    def helper():\n"
        "        if x:\n"
        "            return 1\n"
        "    with pytest.raises(ValueError):\n"
        "        helper()\n")
    assert caught == ["test_compose (line 4: return before any assertion)", "test_skipping (line 8: skips itself with skip)"]
