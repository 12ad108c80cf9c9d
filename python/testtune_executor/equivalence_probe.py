"""A pytest file that finds likely-equivalent mutants: run by the sandbox against every mutant.

It is sent as the test file of a sandbox job (src/quality/mutant-sets.ts) with two extra
files: ``_probe_reference.py`` (the reference code, imported under another name) and
``_probe_task.json`` (``module``, ``entry_points``, the task's reference ``tests``, ``seed``).
Its one test calls every function entry point (and every other public function of the module)
on the same inputs in the module under test (the
reference in the original run, a mutant in each mutant run) and in the reference copy, and
asserts that the outcomes are equal: the repr of the value returned (and of the arguments
afterwards, for functions that change them) or the type of the exception raised. A mutant that
survives gave the reference's outcome on every input: it is likely equivalent, and left out of
mutation scores. A mutant that times out (a loop the input made endless) is not equivalent.

What calls cannot probe (classes, functions no input could be made for, module-level data)
is compared by its code or value instead, so a mutant there always differs and is never left
out.

Inputs (at most MAX_INPUTS per entry point, seeded):
- the literal argument lists (arithmetic on literals included) of the reference tests' calls
  of the function (or of ``candidate``, HumanEval's name for the entry point), including
  ``pytest.mark.parametrize`` rows mapped to the parameters a call passes;
- variations of each: every int, float, str, bool, list, tuple or dict in it replaced by a
  random value of the same type (ints near the original, near a number in the code (either
  sign), in [-3, 3] or in [-20, 20]; strings of
  letters of about the same length, lists of a nearby length made of varied elements);
- without any reference call, values from the parameters' annotations (int, float, str, bool,
  list, plain or generic); unannotated parameters get one seed each of int, str, list and float.
When the
reference itself is not deterministic on these inputs, or no input could be made,
the original run fails, no mutant runs, and nothing is left out.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import json
import random
import string

import _probe_reference as REFERENCE  # type: ignore[import-not-found]

MAX_INPUTS = 96
VARIATIONS_PER_SEED = 24

with open("_probe_task.json", encoding="utf-8") as _f:
    TASK = json.load(_f)
MODULE = importlib.import_module(TASK["module"])
with open(REFERENCE.__file__, encoding="utf-8") as _f:
    # numbers in the code, for values at its boundaries (x < 5 needs 4, 5 and 6)
    CONSTANTS = sorted({n.value for n in ast.walk(ast.parse(_f.read())) if isinstance(n, ast.Constant) and type(n.value) in (int, float)}) or [0]


_CONSTANT_EXPRESSION = (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Load, ast.expr_context)


def _literal(node: ast.expr) -> tuple[bool, object]:
    """A literal, or arithmetic on literals (``3 * 19``, ``[1] * 4``), as its value."""
    try:
        return True, ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        pass
    if not all(isinstance(n, _CONSTANT_EXPRESSION) for n in ast.walk(node)):
        return False, None
    try:
        # only constants and operators: nothing to call, nothing to look up
        return True, eval(compile(ast.Expression(node), "<probe>", "eval"), {"__builtins__": {}})  # noqa: S307
    except Exception:  # noqa: BLE001 - 1 / 0, huge powers: not an input
        return False, None


def _param_rows(fn: ast.FunctionDef) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [{}]
    for deco in fn.decorator_list:
        if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "parametrize" and len(deco.args) >= 2):
            continue
        ok_names, names = _literal(deco.args[0])
        ok_values, values = _literal(deco.args[1])
        if not (ok_names and ok_values and isinstance(values, (list, tuple))):
            continue
        keys = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)  # type: ignore[union-attr]
        new_rows = []
        for value in values:
            row = dict(zip(keys, value if len(keys) > 1 else (value,)))
            new_rows += [{**old, **row} for old in rows]
        rows = new_rows
    return rows


def seed_calls(tests: str, functions: list[str], entry_points: list[str]) -> dict[str, list[tuple]]:
    """Literal argument lists of the calls of each function in the reference tests (``candidate`` is the one entry point)."""
    found: dict[str, list[tuple]] = {name: [] for name in functions}
    try:
        tree = ast.parse(tests)
    except SyntaxError:
        return found
    scopes = [(fn, _param_rows(fn)) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)] or [(tree, [{}])]
    for scope, rows in scopes:
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call) or node.keywords:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            targets = [e for e in entry_points if e in found] if name == "candidate" and len(entry_points) == 1 else [name] if name in found else []
            for target in targets:
                for row in rows:
                    args = []
                    for arg in node.args:
                        if isinstance(arg, ast.Name) and arg.id in row:
                            args.append(row[arg.id])
                            continue
                        ok, value = _literal(arg)
                        if not ok:
                            break
                        args.append(value)
                    else:
                        found[target].append(tuple(args))
    return found


def vary(value: object, rng: random.Random) -> object:
    """A random value of the same type and shape as ``value``."""
    if isinstance(value, bool):
        return rng.random() < 0.5
    if isinstance(value, int):
        near = int(rng.choice(CONSTANTS)) + rng.randint(-1, 1)
        return rng.choice([value + rng.randint(-3, 3), rng.randint(-20, 20), rng.randint(-3, 3), near, -near, -value])
    if isinstance(value, float):
        return rng.choice([value + rng.uniform(-2, 2), rng.uniform(-20, 20), float(rng.choice(CONSTANTS)), -value])
    if isinstance(value, str):
        alphabet = (set(value) | set(string.ascii_lowercase[:6])) - {"\\"}
        return "".join(rng.choice(sorted(alphabet)) for _ in range(max(0, len(value) + rng.randint(-2, 2))))
    if isinstance(value, tuple):
        return tuple(vary(v, rng) for v in value)
    if isinstance(value, list):
        pool = value or [0]
        return [vary(rng.choice(pool), rng) for _ in range(max(0, len(pool) + rng.randint(-2, 2)))]
    if isinstance(value, dict):
        return {k: vary(v, rng) for k, v in value.items()}
    return value


_EXAMPLES = (("bool", True), ("int", 3), ("float", 1.5), ("str", "abc"), ("list", [1, 2, 3]), ("List", [1, 2, 3]), ("tuple", (1, 2)))
# for parameters without an annotation: one seed of each kind (the wrong kinds raise the same
# TypeError in every mutant, so they cost nothing but never hide a difference)
_UNANNOTATED = (3, "abc", [1, 2, 3], 1.5)


def _from_annotation(annotation: object, fallback: object) -> object:
    origin = getattr(annotation, "__origin__", annotation)
    text = annotation if isinstance(annotation, str) else getattr(origin, "__name__", "")
    for name, example in _EXAMPLES:
        if text and isinstance(text, str) and text.startswith(name):
            return example
    return fallback


def inputs_for(name: str, seeds: list[tuple], rng: random.Random) -> list[tuple]:
    chosen = list(seeds)
    if not seeds:
        try:
            params = list(inspect.signature(getattr(REFERENCE, name)).parameters.values())
        except (TypeError, ValueError):
            return []
        required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        seeds = list({repr(s): s for s in (tuple(_from_annotation(p.annotation, kind) for p in required) for kind in _UNANNOTATED)}.values())
        chosen = list(seeds)
    for seed in seeds:
        for _ in range(VARIATIONS_PER_SEED):
            chosen.append(tuple(vary(v, rng) for v in seed))
    unique: dict[str, tuple] = {}
    for args in chosen:
        unique.setdefault(repr(args), args)
    return list(unique.values())[:MAX_INPUTS]


def outcome(fn: object, args: tuple) -> tuple[str, str, str]:
    args = copy.deepcopy(args)
    try:
        result = fn(*args)  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001 - the exception's type is the outcome
        return ("raised", type(error).__name__, "")
    return ("returned", repr(result), repr(args))


def _fingerprint(obj: object) -> object:
    """A function's or class's code, comparable between the mutant and the reference."""
    code = getattr(obj, "__code__", obj)
    if isinstance(code, type(_fingerprint.__code__)):
        return (code.co_code, code.co_names, tuple(_fingerprint(c) for c in code.co_consts))
    if inspect.isclass(obj):
        return tuple((k, _fingerprint(v)) for k, v in sorted(vars(obj).items()) if inspect.isfunction(v) or isinstance(v, (staticmethod, classmethod, property)))
    if isinstance(obj, (staticmethod, classmethod)):
        return _fingerprint(obj.__func__)
    if isinstance(obj, property):
        return tuple(_fingerprint(f) for f in (obj.fget, obj.fset, obj.fdel))
    return repr(obj)


def unprobed_differences(probed: set[str]) -> list[str]:
    """Names whose code or value differ in the module under test and that calls did not probe:
    classes, functions without inputs, module-level data. A mutant there is never left out."""
    names = [n for n, v in vars(REFERENCE).items() if not n.startswith("__") and not inspect.ismodule(v) and n not in probed]
    return [n for n in names if _fingerprint(getattr(MODULE, n, None)) != _fingerprint(getattr(REFERENCE, n))]


def test_mutant_behaves_as_reference() -> None:
    rng = random.Random(TASK["seed"])
    # the entry points and every other public function: tests may call a helper (HumanEval's
    # encode_shift beside decode_shift), and a mutant in it is no less a fault
    public = [n for n, f in vars(REFERENCE).items() if inspect.isfunction(f) and f.__module__ == REFERENCE.__name__ and not n.startswith("_")]
    names = list(dict.fromkeys([*TASK["entry_points"], *public]))
    functions = [n for n in names if inspect.isfunction(getattr(REFERENCE, n, None))]
    seeds = seed_calls(TASK.get("tests") or "", functions, TASK["entry_points"])
    probes = [(name, args) for name in functions for args in inputs_for(name, seeds[name], rng)]
    assert probes, "no input could be made for any entry point"
    assert unprobed_differences({name for name, _ in probes}) == []
    for name, args in probes:
        assert outcome(getattr(MODULE, name), args) == outcome(getattr(REFERENCE, name), args), f"{name}{args!r}"
