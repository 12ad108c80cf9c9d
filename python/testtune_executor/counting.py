"""Counting the checks that ran and passed: plain ``assert`` statements, ``pytest.raises``
blocks that caught what they expected, and unittest's ``assert*`` methods and
``assertRaises``/``assertWarns``/``assertLogs`` blocks. Installed once in the server, before
any run forks.

Plain asserts: pytest's ``pytest_assertion_pass`` hook (``enable_assertion_pass_hook``) would
report them, but with it on, pytest's rewriting gives every assert a second branch that builds
the whole failure-style explanation (``repr`` of every operand, a diff for ``==``) when the
assert passes, only to hand it to the hook: the most expensive part of a passing assert, and
about a third of the cost of rewriting a test file. So the hook stays off and the rewriting is
pytest's plain one, and before pytest rewrites a module a call to a counter is placed right
after each ``assert`` statement: it runs exactly when the assert passed. The counter counts
only when pytest would have called the hook, while a test's protocol runs (pytest sets
``util._assertion_pass`` then, because the result plugin implements the hook), never for
asserts executed while the file is imported. A passing assert therefore runs no operand's
``__repr__``, as in a plain ``pytest`` run. A module pytest does not rewrite
(``PYTEST_DONT_REWRITE``) gets no counter either, as it got no hook call.
"""
from __future__ import annotations

import ast
import functools
import unittest._log
import unittest.case
from typing import Any, Callable

from _pytest.assertion import rewrite, util
from _pytest.raises import RaisesExc, RaisesGroup

# unittest methods that return a context manager when called without a callable: they are
# counted when the block succeeds (the context's __exit__), not when called.
_CONTEXT_METHODS = {"assertRaises", "assertRaisesRegex", "assertWarns", "assertWarnsRegex", "assertLogs", "assertNoLogs"}


def _count_on_true_exit(cls: type, count: Callable[[], None]) -> None:
    original = cls.__exit__

    @functools.wraps(original)
    def __exit__(self: Any, *exc: Any) -> Any:
        handled = original(self, *exc)
        if handled:
            count()
        return handled

    cls.__exit__ = __exit__


def _count_on_clean_exit(cls: type, count: Callable[[], None]) -> None:
    original = cls.__exit__

    @functools.wraps(original)
    def __exit__(self: Any, exc_type: Any, *rest: Any) -> Any:
        result = original(self, exc_type, *rest)
        if exc_type is None:
            count()
        return result

    cls.__exit__ = __exit__


def _count_assert_method(name: str, count: Callable[[], None], depth: list[int]) -> None:
    original = getattr(unittest.TestCase, name)

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        # assertEqual calls assertListEqual etc. through self: count the outermost call only.
        depth[0] += 1
        try:
            result = original(self, *args, **kwargs)
        finally:
            depth[0] -= 1
        if depth[0] == 0:
            count()
        return result

    setattr(unittest.TestCase, name, method)


# The counter's name on pytest's rewrite module, which every rewritten module imports as
# "@pytest_ar": not an identifier, so no test file can name it (and the module is protected, see
# integrity.py).
COUNTER = "@testtune_count_passed_assert"
_REWRITE_MODULE = "@pytest_ar"


def _counter_call(assert_: ast.Assert) -> ast.stmt:
    call = ast.Call(ast.Attribute(ast.Name(_REWRITE_MODULE, ast.Load()), COUNTER, ast.Load()), [], [])
    return ast.copy_location(ast.Expr(call), assert_)


def _place_counters(mod: ast.Module) -> list[ast.stmt]:
    """Puts a counter call after every assert statement (every statement list, as pytest walks
    them); returns the calls placed."""
    placed: list[ast.stmt] = []
    nodes: list[ast.AST] = [mod]
    while nodes:
        node = nodes.pop()
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                statements: list[object] = []
                for child in value:
                    statements.append(child)
                    if isinstance(child, ast.Assert):
                        placed.append(_counter_call(child))
                        statements.append(placed[-1])
                    elif isinstance(child, ast.AST):
                        nodes.append(child)
                setattr(node, name, statements)
            elif isinstance(value, ast.AST) and not isinstance(value, ast.expr):
                nodes.append(value)
    for call in placed:
        ast.fix_missing_locations(call)
    return placed


def _remove(mod: ast.Module, placed: list[ast.stmt]) -> None:
    gone = {id(call) for call in placed}
    for node in ast.walk(mod):
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and any(id(child) in gone for child in value):
                setattr(node, name, [child for child in value if id(child) not in gone])


def _imports_rewrite_module(mod: ast.Module) -> bool:
    return any(isinstance(stmt, ast.Import) and stmt.names[0].asname == _REWRITE_MODULE for stmt in mod.body)


def _count_passed_asserts(count: Callable[[], None]) -> None:
    def count_if_testing() -> None:
        if util._assertion_pass:
            count()

    setattr(rewrite, COUNTER, count_if_testing)
    original = rewrite.rewrite_asserts

    # Looked up on the module by pytest's _rewrite_test each time it rewrites a module.
    def rewrite_asserts(mod: ast.Module, source: bytes, module_path: str | None = None, config: Any = None) -> None:
        placed = _place_counters(mod)
        original(mod, source, module_path, config)
        if placed and not _imports_rewrite_module(mod):  # pytest left this module alone
            _remove(mod, placed)

    rewrite.rewrite_asserts = rewrite_asserts


def install(count: Callable[[], None]) -> None:
    _count_passed_asserts(count)
    _count_on_true_exit(RaisesExc, count)
    _count_on_true_exit(RaisesGroup, count)
    _count_on_true_exit(unittest.case._AssertRaisesContext, count)  # type: ignore[attr-defined]
    _count_on_clean_exit(unittest.case._AssertWarnsContext, count)  # type: ignore[attr-defined]
    _count_on_clean_exit(unittest._log._AssertLogsContext, count)
    depth = [0]
    for name in sorted(vars(unittest.TestCase)):
        is_assert = name.startswith("assert") and name[6:7].isupper()
        if is_assert and name not in _CONTEXT_METHODS and callable(getattr(unittest.TestCase, name)):
            _count_assert_method(name, count, depth)
