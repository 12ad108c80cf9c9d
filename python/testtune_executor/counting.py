"""Counting the checks that ran and passed: plain ``assert`` statements, ``pytest.raises``
blocks that caught what they expected, and unittest's ``assert*`` methods and
``assertRaises``/``assertWarns``/``assertLogs`` blocks. Installed once in the server, before
any run forks.

Plain asserts are counted where pytest's rewritten code asks whether anyone listens for passing
assertions (``enable_assertion_pass_hook``): pytest would answer yes (the result plugin
implements ``pytest_assertion_pass``) and then build the assertion's whole failure-style
explanation (``repr`` of every operand, a diff for ``==``) only to hand it to the hook, which
ignores it. That was the most expensive part of a passing assert. The answer here counts the
assert and says no, so a passing assert costs what it costs without the hook: no operand's
``__repr__`` runs, as in a plain ``pytest`` run. It counts exactly when pytest would have called
the hook: while a test's protocol runs (pytest sets ``util._assertion_pass`` only then), never
for asserts executed while the file is imported.
"""

from __future__ import annotations

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


def _count_passed_asserts(count: Callable[[], None]) -> None:
    def _check_if_assertion_pass_impl() -> bool:
        if util._assertion_pass:
            count()
        return False

    # Looked up on the module at run time by every rewritten assert (``@pytest_ar.<name>``).
    rewrite._check_if_assertion_pass_impl = _check_if_assertion_pass_impl


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
