"""Guards the reference tests against generated *code* that games them.

For the code-writing task kinds (solve, complete, bugfix) the model's answer is the module
under test and the task's reference tests judge it. The sandbox's integrity rules already
hold when that code misbehaves at import or in a call (``sys.exit`` while pytest imports the
tests is ``rejected``, ``os._exit(0)`` before the final record is ``rejected``, patching
pytest is ``rejected``, a killed process is ``crashed``). What they do not see is code that
makes a comparison lie or changes what the tests use. The reference test file starts with::

    from testtune_executor.answer_guard import guard
    guard("solution", ["entry", ...])

``guard`` imports the answer and replaces each entry-point function in the module's namespace
by a wrapper (before the tests' own ``from solution import ...`` binds it). After every call
the wrapper fails the calling test with ``AnswerGuardError`` when:

- the returned value holds an object of a class the answer defined (its ``__module__`` is the
  answer's, or one of its comparison/truth methods was compiled from the answer's file): such
  an object can say ``==`` to anything;
- a builtin (``sorted``, ``len``, ``isinstance``, ...) or a name in one of the standard
  modules the tests use was rebound;
- the answer opened the test file (to read the expected values) while it ran.

The error is raised by the wrapper, outside the answer's frames, so the answer cannot catch
it. Its message starts with ``MARKER``, which the TypeScript check maps to the ``gamed``
outcome. The server imports this module before it records the protected namespaces
(integrity.py), so patching it or its functions is itself tamper evidence (``rejected``).
What it does not stop: code that finds and edits the test module's globals during a call, or
walks the caller's frames; both need knowledge of this guard the model is never shown.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import sys
import types

MARKER = "testtune answer guard:"
# Standard modules reference tests commonly use; their names must stay as they were.
_WATCHED_MODULES = ("math", "operator", "functools", "itertools", "collections", "re", "string")
# Methods through which a returned object decides a comparison or an assert's truth.
_DECIDING = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__len__", "__contains__", "__hash__")
_CONTAINERS = (list, tuple, set, frozenset)


class AnswerGuardError(AssertionError):
    """A generated answer gamed the reference tests instead of computing the result."""


def _watched() -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = [("builtins", vars(builtins))]
    for name in _WATCHED_MODULES:
        out.append((name, vars(importlib.import_module(name))))
    return out


def _snapshot(watched: list[tuple[str, dict[str, object]]]) -> list[tuple[str, dict[str, object], tuple[str, ...], tuple[object, ...]]]:
    # values compared by identity (``is``): id() is an audited call, this is not
    return [(name, namespace, tuple(namespace), tuple(namespace.values())) for name, namespace in watched]


_MISSING = object()


def _rebound(snapshot: list[tuple[str, dict[str, object], tuple[str, ...], tuple[object, ...]]]) -> str | None:
    """The first watched name whose value changed or that was deleted (added names are harmless)."""
    for module, namespace, keys, values in snapshot:
        for key, value in zip(keys, values):
            if namespace.get(key, _MISSING) is not value:
                return f"{module}.{key}"
    return None


def _defined_by(cls: type, module: str, filename: str) -> bool:
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            continue
        if klass.__module__ == module:
            return True
        for method in _DECIDING:
            code = getattr(vars(klass).get(method), "__code__", None)
            if code is not None and code.co_filename == filename:
                return True
    return False


def _foreign_object(value: object, module: str, filename: str, depth: int = 0) -> str | None:
    """The class name of an answer-made object inside ``value`` (containers searched), or None."""
    if depth > 20:
        return None
    cls = type(value)
    if _defined_by(cls, module, filename):
        return cls.__qualname__
    if isinstance(value, dict):
        items: object = [*value.keys(), *value.values()]
    elif isinstance(value, _CONTAINERS):
        items = value
    else:
        return None
    for item in items:  # type: ignore[attr-defined]
        found = _foreign_object(item, module, filename, depth + 1)
        if found is not None:
            return found
    return None


def guard(module: str, entry_points: list[str], allow_classes: bool = False, test_file: str | None = None) -> None:
    """Imports ``module`` (the answer) and wraps its entry-point functions; see the module doc.

    ``allow_classes``: the reference itself returns objects of classes its module defines, so
    returned objects are not checked (the other checks still hold)."""
    snapshot = _snapshot(_watched())
    test_path = test_file if test_file is not None else f"test_{module}.py"
    state = {"inside": 0, "opened": None}

    def audit(event: str, args: tuple[object, ...]) -> None:
        if event == "open" and state["inside"] and isinstance(args[0], str) and args[0].endswith(test_path):
            state["opened"] = args[0]

    sys.addaudithook(audit)
    state["inside"] += 1
    try:
        answer = importlib.import_module(module)
    finally:
        state["inside"] -= 1
    if type(answer) is not types.ModuleType:
        raise AnswerGuardError(f"{MARKER} the answer replaced its own module object ({type(answer).__name__})")
    filename = getattr(answer, "__file__", None) or module
    namespace = vars(answer)

    def check(name: str, result: object) -> None:
        if state["opened"] is not None:
            raise AnswerGuardError(f"{MARKER} the answer opened the test file {state['opened']}")
        changed = _rebound(snapshot)
        if changed is not None:
            raise AnswerGuardError(f"{MARKER} the answer rebound {changed}")
        foreign = None if allow_classes else _foreign_object(result, module, filename)
        if foreign is not None:
            raise AnswerGuardError(f"{MARKER} {name} returned an object of a class the answer defined ({foreign}), which can fake comparisons")

    def wrap(name: str, fn: types.FunctionType) -> object:
        @functools.wraps(fn)
        def guarded(*args: object, **kwargs: object) -> object:
            state["inside"] += 1
            try:
                result = fn(*args, **kwargs)
            finally:
                state["inside"] -= 1
            check(name, result)
            return result

        return guarded

    check("importing the answer", None)
    for name in entry_points:
        value = namespace.get(name)
        if isinstance(value, types.FunctionType):
            namespace[name] = wrap(name, value)
