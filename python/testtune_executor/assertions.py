"""Static count of the checks a pytest file makes, so a test file that asserts nothing earns nothing.

``count_assertions(test_source)`` counts, inside the code that tests run:

- each ``assert`` statement (``assert x == pytest.approx(y)`` counts once, as its assert: a
  bare ``x == pytest.approx(y)`` outside an assert checks nothing and counts nothing);
- each ``pytest.raises``/``pytest.warns``/``pytest.deprecated_call`` use (context manager or
  call form), also when imported as ``from pytest import raises`` or under an alias;
- each call of a method or imported function whose name starts with ``assert``
  (``self.assertEqual``, ``mock.assert_called_once_with``, ``np.testing.assert_allclose``).

"The code that tests run" is every test function (``test*`` at module level, ``test*`` methods
of ``Test*`` classes or of ``TestCase`` subclasses) plus, transitively, the module-level
functions they reference and the methods they reach through ``self.``, and the fixtures
defined in the file that they request by parameter name. So HumanEval's style
``def check(candidate): assert ...`` called from ``def test_x(): check(f)`` counts, while an
assert in a helper no test uses does not.

The count is static (a test may skip its asserts at run time); the sandbox also counts the
assertions that actually ran (``ExecResult.assertions``).

Scoring reads the count through target.py's command, with the other static facts of a file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_PYTEST_CHECKS = {"raises", "warns", "deprecated_call"}

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class _Names:
    """What the file's imports call pytest and its checks."""

    pytest_aliases: set[str] = field(default_factory=set)
    check_aliases: set[str] = field(default_factory=set)


def _imports(tree: ast.Module) -> _Names:
    names = _Names()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.pytest_aliases |= {a.asname or a.name for a in node.names if a.name == "pytest"}
        elif isinstance(node, ast.ImportFrom) and node.module == "pytest":
            names.check_aliases |= {a.asname or a.name for a in node.names if a.name in _PYTEST_CHECKS}
    return names


def _is_check_call(call: ast.Call, names: _Names, local_functions: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id in names.pytest_aliases and func.attr in _PYTEST_CHECKS:
            return True
        return func.attr.startswith("assert")
    if isinstance(func, ast.Name):
        if func.id in names.check_aliases:
            return True
        # a helper defined in this file is counted by its own asserts instead
        return func.id.startswith("assert") and func.id not in local_functions
    return False


def _is_test_class(node: ast.ClassDef) -> bool:
    bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "" for b in node.bases}
    return node.name.startswith("Test") or "TestCase" in bases


def _is_fixture(node: FunctionNode) -> bool:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
        if name == "fixture":
            return True
    return False


def _reachable(tree: ast.Module) -> list[FunctionNode]:
    """Test functions and everything in the file they reach by name, each once, in file order."""
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    fixtures = {name for name, fn in functions.items() if _is_fixture(fn)}
    pending: list[tuple[FunctionNode, dict[str, FunctionNode]]] = [
        (fn, {}) for name, fn in functions.items() if name.startswith("test") and name not in fixtures
    ]
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and _is_test_class(n)):
        methods = {m.name: m for m in cls.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
        pending += [(m, methods) for name, m in methods.items() if name.startswith("test")]
        pending += [(methods[hook], methods) for hook in ("setUp", "setup_method", "tearDown") if hook in methods]
    seen: dict[int, FunctionNode] = {}
    while pending:
        fn, methods = pending.pop()
        if id(fn) in seen:
            continue
        seen[id(fn)] = fn
        requested = {a.arg for a in fn.args.args + fn.args.kwonlyargs} & fixtures
        pending += [(functions[name], {}) for name in requested]
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and node.id in functions:
                pending.append((functions[node.id], {}))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" and node.attr in methods:
                pending.append((methods[node.attr], methods))
    return sorted(seen.values(), key=lambda fn: (fn.lineno, fn.col_offset))


def count_assertions(test_source: str) -> int:
    """Number of checks in the code the file's tests run (see the module docstring).

    Raises SyntaxError when the file is not valid Python.
    """
    tree = ast.parse(test_source)
    names = _imports(tree)
    local_functions = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    count = 0
    for fn in _reachable(tree):
        # nested functions are walked as part of their enclosing function, once
        for node in ast.walk(fn):
            if isinstance(node, ast.Assert):
                count += 1
            elif isinstance(node, ast.Call) and _is_check_call(node, names, local_functions):
                count += 1
    return count
