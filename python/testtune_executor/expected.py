"""The tests a test file must produce results for, read from its syntax tree without running it.

The server computes this before the file runs, so the sample cannot influence it. After the
run, every expected test must appear among the items pytest collected; a test that is defined
but has no result means the collection or the reports were tampered with.

Only tests whose collection pytest decides statically are expected (anything dynamic is
allowed to add tests, never to remove expected ones):

- a module-level ``def test*``/``async def test*`` whose decorators are all ``pytest.mark.*``
  marks and whose name is not rebound later in the module (assignment, ``del``, import, a
  second ``def`` rebinding keeps the last one);
- the ``test*`` methods of a module-level ``class Test*`` with no base classes, no
  ``__init__``/``__new__`` and no ``__test__`` attribute, under the same decorator rule.

A module that sets ``__test__`` or defines ``pytest_generate_tests``/``pytest_collect_*``
hooks has no expectations (its collection is dynamic by design).
"""

from __future__ import annotations

import ast

# (class name or None, function name)
ExpectedTest = tuple[str | None, str]


def _is_mark(decorator: ast.expr) -> bool:
    """Whether a decorator is ``pytest.mark.x``, ``pytest.mark.x(...)``, ``mark.x`` or ``mark.x(...)``."""
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    parts.reverse()
    return (len(parts) >= 3 and parts[0] == "pytest" and parts[1] == "mark") or (len(parts) >= 2 and parts[0] == "mark")


def _bound_names(stmt: ast.stmt) -> list[str]:
    """Names a module- or class-level statement (re)binds."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split(".")[0] for alias in stmt.names]
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    elif isinstance(stmt, ast.Delete):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in stmt.items if item.optional_vars is not None]
    names: list[str] = []
    for target in targets:
        names.extend(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _last_bindings(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    """The statement that binds each name last, in a module or class body (top level only)."""
    last: dict[str, ast.stmt] = {}
    for stmt in body:
        for name in _bound_names(stmt):
            last[name] = stmt
    return last


def _is_static_test_function(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
        and stmt.name.startswith("test")
        and all(_is_mark(d) for d in stmt.decorator_list)
    )


def _class_tests(cls: ast.ClassDef) -> list[ExpectedTest]:
    if cls.bases or cls.keywords or not all(_is_mark(d) for d in cls.decorator_list):
        return []
    last = _last_bindings(cls.body)
    if "__init__" in last or "__new__" in last or "__test__" in last:
        return []
    return [(cls.name, name) for name, stmt in last.items() if _is_static_test_function(stmt)]


def expected_tests(tree: ast.Module) -> set[ExpectedTest]:
    """The tests pytest must collect from this module (see the module docstring)."""
    last = _last_bindings(tree.body)
    dynamic = {"__test__", "pytest_generate_tests", "pytest_collect_file", "pytest_pycollect_makeitem", "pytest_plugins"}
    if dynamic & set(last):
        return set()
    expected: set[ExpectedTest] = set()
    for name, stmt in last.items():
        if _is_static_test_function(stmt):
            expected.add((None, name))
        elif isinstance(stmt, ast.ClassDef) and name.startswith("Test"):
            expected.update(_class_tests(stmt))
    return expected


def function_of_nodeid(nodeid: str) -> ExpectedTest | None:
    """``file.py::Class::test_x[param]`` -> ("Class", "test_x"); None for deeper or odd node ids."""
    parts = nodeid.split("::")
    if len(parts) == 2:
        return (None, parts[1].split("[", 1)[0])
    if len(parts) == 3:
        return (parts[1], parts[2].split("[", 1)[0])
    return None


def missing_tests(expected: set[ExpectedTest], collected: list[str]) -> list[str]:
    """Expected tests with no collected item, as ``Class::name`` or ``name``, sorted."""
    seen = {function_of_nodeid(nodeid) for nodeid in collected}
    return sorted(f"{cls}::{name}" if cls else name for cls, name in expected - seen)
