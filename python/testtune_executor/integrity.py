"""Tamper evidence for the pytest machinery that judges a run.

A test file runs in the same process as pytest, so it can reach pytest's objects. Three checks
make the usual tricks visible (docs/sandbox.md lists them with their reasons):

- ``Snapshot``: the identity of every global of pytest's, pluggy's and the executor's modules,
  of every attribute of the classes they define, and of every hook implementation. The server
  takes it once, before any sample runs; the run recomputes it when the session ends and
  sends the digest and the names that changed. The server compares the digest with its own
  copy, which the run cannot reach.
- ``install_audit_hook``: an audit hook (PEP 578; once added it cannot be removed) that
  reports, at the moment they happen, replacing the code of a protected function, walking the
  garbage collector's object lists (the way to find the report objects or this module's
  state), and opening ``/proc/*/mem``.
- plugin registration while tests run is reported by the result plugin (``runner.py``).
"""

from __future__ import annotations

import re
import sys
import types
from typing import Callable

PROTECTED_PREFIXES = ("_pytest", "pytest", "pluggy", "testtune_executor")
# Module globals that pytest itself sets and resets while a session runs.
_VOLATILE = {
    ("_pytest.assertion.util", "_reprcompare"),
    ("_pytest.assertion.util", "_assertion_pass"),
    ("_pytest.assertion.util", "_config"),
}
_VOLATILE_MODULES = {name for name, _ in _VOLATILE}
_PROC_MEM = re.compile(r"^/proc/(self|thread-self|\d+)(/task/\d+)?/mem$")


def _protected(module_name: str) -> bool:
    return any(module_name == p or module_name.startswith(p + ".") for p in PROTECTED_PREFIXES)


def _protected_namespaces() -> list[tuple[str, dict[str, object]]]:
    """(name, namespace) of every protected module and of every class such a module defines."""
    out: list[tuple[str, dict[str, object]]] = []
    for mod_name, module in sorted(list(sys.modules.items())):
        if module is None or not _protected(mod_name):
            continue
        namespace = vars(module)
        out.append((mod_name, namespace))
        for name, value in list(namespace.items()):
            if isinstance(value, type) and getattr(value, "__module__", None) == mod_name:
                out.append((f"{mod_name}:{name}", vars(value)))  # type: ignore[arg-type]
    return out


def _hook_callers(hook_relay: object) -> list[tuple[str, object]]:
    return sorted((name, caller) for name, caller in vars(hook_relay).items() if hasattr(caller, "get_hookimpls"))


class Snapshot:
    """Identities of the protected objects, taken once in the server; ``changes`` recomputes
    them in a run (fast: one tuple of ids per namespace) and names what differs."""

    def __init__(self, hook_relay: object) -> None:
        self._namespaces = _protected_namespaces()
        self._callers = _hook_callers(hook_relay)
        self._state = self._capture()
        self.digest = str(hash(self._state))

    def _capture(self) -> tuple[object, ...]:
        parts: list[object] = []
        for name, namespace in self._namespaces:
            if name in _VOLATILE_MODULES:
                namespace = {k: v for k, v in namespace.items() if (name, k) not in _VOLATILE}
            elif "__path__" in namespace:  # a package gains its submodules as they are imported
                namespace = {k: v for k, v in namespace.items() if not isinstance(v, types.ModuleType)}
            parts.append(tuple(namespace))
            parts.append(tuple(map(id, namespace.values())))
        for _name, caller in self._callers:
            parts.append(tuple(id(impl.function) for impl in caller.get_hookimpls()))  # type: ignore[attr-defined]
            parts.append(id(getattr(caller, "_hookexec", None)))
        return tuple(parts)

    def changes(self, limit: int = 5) -> tuple[str, list[str]]:
        """(digest now, up to ``limit`` namespaces or hooks whose contents changed)."""
        now = self._capture()
        if now == self._state:
            return self.digest, []
        labels = [label for name, _ in self._namespaces for label in (f"{name} (names)", name)]
        labels += [label for name, _ in self._callers for label in (f"hook {name}", f"hook {name} (caller)")]
        changed = [label for label, before, after in zip(labels, self._state, now) if before != after]
        return str(hash(now)), changed[:limit]


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
