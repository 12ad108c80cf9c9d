"""Tamper evidence for the pytest machinery that judges a run.

A test file runs in the same process as pytest, so it can reach pytest's objects. Three checks
make the usual tricks visible (docs/sandbox.md lists them with their reasons):

- ``Snapshot``: the namespaces of pytest's, pluggy's and the executor's modules and of every
  class they define, and every hook implementation, recorded once in the server before any
  sample runs. When the run's session ends it reports which of them changed in its final
  record; no change is allowed. On CPython 3.10-3.13 a namespace is checked by its dict's
  version tag (PEP 509), which changes on every assignment, even one undone later, and reading
  it touches nothing (so no copy-on-write of the server's pages in the run); elsewhere, by
  comparing every value by identity.
- ``install_audit_hook``: an audit hook (PEP 578; once added it cannot be removed) that
  reports, at the moment they happen, replacing the code of a protected function, walking the
  garbage collector's object lists (the way to find the report objects or this module's
  state), and opening ``/proc/*/mem``.
- plugin registration while tests run is reported by the result plugin (``report.py``).
"""

from __future__ import annotations

import array
import ctypes
import gc
import itertools
import operator
import re
import sys
import types
from typing import Callable

PROTECTED_PREFIXES = ("_pytest", "pytest", "pluggy", "testtune_executor")
# Module globals that pytest itself sets and resets while a session runs: their module is
# compared by identity without them.
_VOLATILE = {
    ("_pytest.assertion.util", "_reprcompare"),
    ("_pytest.assertion.util", "_assertion_pass"),
    ("_pytest.assertion.util", "_config"),
}
_VOLATILE_NAMES = {module: frozenset(n for m, n in _VOLATILE if m == module) for module, _ in _VOLATILE}
_VOLATILE_MODULES = set(_VOLATILE_NAMES)
_PROC_MEM = re.compile(r"^/proc/(self|thread-self|\d+)(/task/\d+)?/mem$")


def _protected(module_name: str) -> bool:
    return any(module_name == p or module_name.startswith(p + ".") for p in PROTECTED_PREFIXES)


def _protected_namespaces() -> list[tuple[str, dict[str, object]]]:
    """(label, dict) of every protected module and of every class such a module defines."""
    out: list[tuple[str, dict[str, object]]] = []
    for mod_name, module in sorted(list(sys.modules.items())):
        if module is None or not _protected(mod_name):
            continue
        namespace = vars(module)
        out.append((mod_name, namespace))
        for name, value in list(namespace.items()):
            if isinstance(value, type) and getattr(value, "__module__", None) == mod_name:
                # The class's own dict, behind the read-only mappingproxy of vars().
                out.append((f"{mod_name}:{name}", gc.get_referents(vars(value))[0]))
    return out


def _version_offset() -> int | None:
    """Offset of the version tag in a dict object, where the layout is known."""
    if sys.implementation.name != "cpython" or not (3, 10) <= sys.version_info[:2] <= (3, 13):
        return None
    # PyDictObject: ob_refcnt, ob_type, ma_used, then the 64-bit ma_version_tag.
    return 3 * ctypes.sizeof(ctypes.c_ssize_t)


def _identity_view(name: str, namespace: dict[str, object]) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The names (in order) and values of a namespace, without the ones allowed to change."""
    if name in _VOLATILE_MODULES:  # compared in every run: C-level iteration only
        keys = tuple(itertools.filterfalse(_VOLATILE_NAMES[name].__contains__, namespace))
    elif "__path__" in namespace:  # a package gains its submodules as they are imported
        keys = tuple(k for k, v in namespace.items() if not isinstance(v, types.ModuleType))
    else:
        keys = tuple(namespace)
    return keys, tuple(map(namespace.__getitem__, keys))


def _same(before: tuple[tuple[object, ...], tuple[object, ...]], after: tuple[tuple[object, ...], tuple[object, ...]]) -> bool:
    return before[0] == after[0] and len(before[1]) == len(after[1]) and all(map(operator.is_, before[1], after[1]))


_FUNCTION = operator.attrgetter("function")
_IMPLS = operator.attrgetter("_hookimpls")
_HOOKEXEC = operator.attrgetter("_hookexec")


def _gather(indexes: array.array) -> Callable[[memoryview], tuple[int, ...]]:
    """A function returning the words at ``indexes`` of a memoryview, as a tuple."""
    if len(indexes) < 2:  # itemgetter of one index returns the word itself, of none fails
        return lambda memory: tuple(memory[i] for i in indexes)
    return operator.itemgetter(*indexes)


def _hook_view(caller: object) -> tuple[tuple[object, ...], tuple[object, ...]]:
    impls = caller.get_hookimpls()  # type: ignore[attr-defined]
    return tuple(impls), (*map(_FUNCTION, impls), getattr(caller, "_hookexec", None))


class Snapshot:
    """Taken once in the server; ``changes`` is called in a run, when its session ends.

    The run's check is written for a process that shares its pages with the server: it loops
    in C (``map``/``all``) over flat tuples made here, so that an unchanged session costs one
    pass over ~400 version tags and ~180 hook objects, and only a namespace or hook that
    differs is looked at closely (the same comparisons as before, to name it).
    """

    def __init__(self, hook_relay: object) -> None:
        offset = _version_offset()
        # (label, dict, identity view or None), in name order. A package (it gains submodules as
        # they are imported) whose version moved is compared by identity; any other namespace
        # whose version moved has changed. A volatile module (pytest itself sets some of its
        # globals in every test) and, without version tags, every namespace is always compared
        # by identity.
        self._namespaces = []
        self._untagged: list[int] = []  # indexes of the namespaces always compared by identity
        self._tagged: list[int] = []
        # The version tags' word indexes in memory and their values as plain machine words: the
        # run's check reads them without touching (and so copying, by reference counting) the
        # server's objects.
        self._tag_words = array.array("Q")
        tags: list[int] = []
        # All of memory as one array of words, made here: reading an element is neither an object
        # at that address nor an audited event, where ctypes' from_address is both ("ctypes.cdata",
        # which would call the run's audit hook once per namespace, ~390 times). The run reads
        # every tag at once through a memoryview of it (itemgetter: one C call).
        self._memory = memoryview((ctypes.c_uint64 * (sys.maxsize // 8)).from_address(0)).cast("B").cast("Q").toreadonly()  # ctypes says "<Q"
        for index, (name, namespace) in enumerate(_protected_namespaces()):
            if offset is None or name in _VOLATILE_MODULES:
                self._namespaces.append((name, namespace, _identity_view(name, namespace)))
                self._untagged.append(index)
                continue
            self._namespaces.append((name, namespace, _identity_view(name, namespace) if "__path__" in namespace else None))
            self._tagged.append(index)
            # id() here, in the server: in a run it is an audited event (the hook would run per call).
            address = id(namespace) + offset  # 8-byte aligned: a dict starts at a 16-byte boundary
            self._tag_words.append(address // 8)
            tags.append(self._memory[address // 8])
        self._read_tags = _gather(self._tag_words)
        self._tag_values = tuple(tags)
        callers = [(f"hook {name}", caller) for name, caller in sorted(vars(hook_relay).items()) if hasattr(caller, "get_hookimpls")]
        self._hooks = [(name, caller, _hook_view(caller)) for name, caller in callers]
        # The same, flat, for the run's quick pass: each caller's implementation list (a copy, compared
        # element by element) and hook executor, and every implementation's function.
        self._callers = tuple(caller for _, caller in callers)
        self._impl_lists = tuple(caller.get_hookimpls() for caller in self._callers)
        self._hookexecs = tuple(getattr(caller, "_hookexec", None) for caller in self._callers)
        self._impls = tuple(impl for impls in self._impl_lists for impl in impls)
        self._functions = tuple(map(_FUNCTION, self._impls))

    def _moved(self) -> list[int]:
        """Indexes of the namespaces to compare by identity: the untagged ones and those whose tag moved."""
        # A tuple, not an array: building an array here would be an audited event ("array.__new__").
        now = self._read_tags(self._memory)
        if now == self._tag_values:
            return self._untagged
        moved = [i for i, word, tag in zip(self._tagged, now, self._tag_values) if word != tag]
        return sorted(self._untagged + moved)

    def _hooks_unchanged(self) -> bool:
        return (
            all(map(operator.eq, map(_IMPLS, self._callers), self._impl_lists))
            and all(map(operator.is_, map(_HOOKEXEC, self._callers), self._hookexecs))
            and all(map(operator.is_, map(_FUNCTION, self._impls), self._functions))
        )

    def changes(self, limit: int = 5) -> list[str]:
        """Up to ``limit`` namespaces or hooks that changed since the snapshot."""
        changed = []
        for i in self._moved():
            name, namespace, view = self._namespaces[i]
            if view is None or not _same(view, _identity_view(name, namespace)):
                changed.append(name)
        if not self._hooks_unchanged():
            changed += [name for name, caller, view in self._hooks if not _same(view, _hook_view(caller))]
        return changed[:limit]


def install_audit_hook(report: Callable[[str], None]) -> None:
    """Adds the audit hook described in the module docstring; ``report`` is called with a reason."""

    watched = {"object.__setattr__", "object.__delattr__", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "open"}

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event not in watched:
            return
        if event == "object.__setattr__" or event == "object.__delattr__":
            target = args[0]
            module = getattr(target, "__module__", None)
            if isinstance(target, types.FunctionType) and isinstance(module, str) and _protected(module):
                report(f"changed {args[1]} of {module}.{target.__qualname__}")
        elif event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents"):
            report(f"called {event} (walking the interpreter's objects to reach the runner)")
        elif event == "open" and isinstance(args[0], str) and _PROC_MEM.match(args[0]):
            report(f"opened {args[0]}")

    sys.addaudithook(hook)
