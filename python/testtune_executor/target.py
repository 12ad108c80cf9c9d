"""What a test file does with the module under test, read statically (the file never runs here).

``target_facts(test_source, module, entry_points)`` answers:

- ``shadowed``: entry points the file binds to something other than the module's own object,
  so that its tests may check a copy instead of the code under test. Any binding of the name
  counts, in any scope: ``def``/``class``, assignment (``name = ...``, ``for name in``, ``with
  ... as name``, ``:=``), ``import ... as name`` or ``from elsewhere import name``; and so does
  replacing it on the module (``solution.name = ...``, ``setattr(solution, "name", ...)``,
  ``monkeypatch.setattr(solution, "name", ...)`` or ``monkeypatch.setattr("solution.name",
  ...)``). Only ``from <module> import name`` and ``name = <module>.name`` keep the original.
- ``uses_module``: the file refers to the module under test at all outside its imports (a name
  it imported from the module, or the module itself); ``from <module> import *`` counts with a
  use of any entry point. A file that never does cannot have called into the module.
- ``distinct_assertions``: different checks in the code the tests run (assertions.py's count
  with duplicates, compared as syntax trees, counted once).
- ``distinct_inputs``: different argument lists the tests call the module's entry points with
  (or ``candidate``, HumanEval's name for the entry point in ``check``); a call in a test
  parametrized with n rows counts n times.

Run as ``python -m testtune_executor.target``: reads ``{"files": [{"source", "module",
"entry_points"}, ...]}`` on stdin and writes ``{"results": [{"count", "shadowed",
"uses_module", "distinct_assertions", "distinct_inputs"} | null, ...]}`` (``count`` is
assertions.py's; null for a file that does not parse).

Static on purpose: the verdict must not depend on what the file chooses to do at run time. A
file that builds its copy with ``exec`` escapes it; docs/rewards.md lists what is caught.
"""

from __future__ import annotations

import ast
import sys

from .assertions import _imports, _is_check_call, _reachable, count_assertions
from .stdin_request import answer_stdin_request

_HE_PARAMETER = "candidate"


def _aliases(tree: ast.Module, module: str) -> tuple[set[str], set[str], bool]:
    """(names bound to the module itself, names imported from it, whether it is star-imported)."""
    module_names: set[str] = set()
    imported: set[str] = set()
    star = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            module_names |= {a.asname or a.name for a in node.names if a.name == module}
        elif isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0:
            for a in node.names:
                if a.name == "*":
                    star = True
                else:
                    imported.add(a.asname or a.name)
    return module_names, imported, star


def _keeps_original(node: ast.AST, name: str, module_names: set[str]) -> bool:
    """``name = <module>.name``: an alias of the module's own object."""
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == name
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id in module_names
    )


def _module_target(arg: ast.expr, module: str, module_names: set[str]) -> bool:
    return isinstance(arg, ast.Name) and arg.id in module_names


def _patched_name(call: ast.Call, module: str, module_names: set[str]) -> str | None:
    """The entry point a ``setattr``/``monkeypatch.setattr`` call replaces on the module, if any."""
    func = call.func
    is_setattr = (isinstance(func, ast.Name) and func.id == "setattr") or (isinstance(func, ast.Attribute) and func.attr == "setattr")
    if not is_setattr or not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.startswith(f"{module}."):
        return first.value[len(module) + 1 :]
    if _module_target(first, module, module_names) and len(call.args) > 1:
        second = call.args[1]
        if isinstance(second, ast.Constant) and isinstance(second.value, str):
            return second.value
    return None


def _shadowed(tree: ast.Module, module: str, entry_points: set[str], module_names: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in entry_points:
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            from_module = isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                if bound in entry_points and not (from_module and a.name == bound):
                    found.add(bound)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in entry_points:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr in entry_points and _module_target(node.value, module, module_names):
            found.add(node.attr)
        elif isinstance(node, ast.Call):
            patched = _patched_name(node, module, module_names)
            if patched in entry_points:
                found.add(patched)
    # `name = <module>.name` binds the original: not a copy
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in found and _keeps_original(node, name, module_names) and _binding_count(tree, name) == 1:
                found.discard(name)
    return found


def _binding_count(tree: ast.Module, name: str) -> int:
    return sum(1 for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == name)


def _uses_module(tree: ast.Module, module_names: set[str], imported: set[str], star: bool, entry_points: set[str]) -> bool:
    loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bool(loads & (module_names | imported)) or (star and bool(loads & entry_points))


def _parametrize_rows(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Rows of the test's ``parametrize`` decorators (their product); 1 when it has none."""
    rows = 1
    for deco in fn.decorator_list:
        if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "parametrize" and len(deco.args) >= 2:
            values = deco.args[1]
            if isinstance(values, (ast.List, ast.Tuple)):
                rows *= max(1, len(values.elts))
    return rows


def _callee(call: ast.Call, targets: set[str], module_names: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in targets
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in module_names


def target_facts(test_source: str, module: str, entry_points: list[str]) -> dict[str, object]:
    """The facts of the module docstring. Raises SyntaxError when the file is not valid Python."""
    tree = ast.parse(test_source)
    eps = set(entry_points)
    module_names, imported, star = _aliases(tree, module)
    names = _imports(tree)
    local_functions = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    callees = (imported | (eps if star else set()) | {_HE_PARAMETER}) - local_functions
    checks: set[str] = set()
    inputs: set[str] = set()
    for fn in _reachable(tree):
        rows = _parametrize_rows(fn)
        for node in ast.walk(fn):
            if isinstance(node, ast.Assert) or (isinstance(node, ast.Call) and _is_check_call(node, names, local_functions)):
                checks.add(ast.dump(node))
            if isinstance(node, ast.Call) and _callee(node, callees, module_names):
                args = ast.dump(ast.Tuple(elts=list(node.args), ctx=ast.Load())) + ast.dump(ast.Dict(keys=[ast.Constant(k.arg) for k in node.keywords], values=[k.value for k in node.keywords]))
                inputs |= {f"{fn.name}[{row}]{args}" if rows > 1 else args for row in range(rows)}
    return {
        "shadowed": sorted(_shadowed(tree, module, eps, module_names)),
        "uses_module": _uses_module(tree, module_names, imported, star, eps),
        "distinct_assertions": len(checks),
        "distinct_inputs": len(inputs),
    }


def _analyse(item: dict[str, object]) -> dict[str, object] | None:
    source = item["source"]
    assert isinstance(source, str)
    try:
        facts = target_facts(source, str(item.get("module", "solution")), [str(e) for e in item.get("entry_points", [])])  # type: ignore[union-attr]
        return {"count": count_assertions(source), **facts}
    except (SyntaxError, ValueError, RecursionError):
        return None


def main() -> int:
    return answer_stdin_request(
        "target", "files", lambda files: all(isinstance(f, dict) and isinstance(f.get("source"), str) for f in files), "a list of {source, module, entry_points}",
        lambda files: {"results": [_analyse(f) for f in files]},
    )

if __name__ == "__main__":
    sys.exit(main())
