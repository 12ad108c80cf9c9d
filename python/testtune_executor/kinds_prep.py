"""What the task kinds need from a module's syntax tree (``python -m testtune_executor.kinds_prep``).

Reads ``{"items": [{"code", "entry_points", "description"}, ...]}`` on stdin and answers one
object per item:

- ``given``: the module with each entry-point function's body removed, its signature and
  docstring kept (the ``complete`` kind's prompt). A function without a docstring gets the
  description as one (its own line ``name(...): ...`` of a TinyTests description, else the whole
  text); with neither, ``given`` is null and ``reason`` says why. Everything else in the module
  (imports, helpers, constants) is kept as written.
- ``docstring``: the first entry point's docstring (cleaned), or null: a description for
  ``solve`` where the source has none (HumanEval's problems are their docstrings).
- ``bugs``: every mutant of the code made by the bug operators (``BUG_FAMILIES``, mutate.py):
  off-by-one constants, flipped comparisons (``==``/``!=``, ``is not`` to ``is``, ``not in`` to
  ``in``, ``<=`` to ``<``, ``>=`` to ``>``, ...), a removed ``not``, ``and``/``or`` swapped,
  ``True``/``False`` swapped and a removed ``return``; the caller picks one the reference tests
  kill (src/kinds/bugs.ts). Null when the code does not parse.

A pure function of its input; no code is run.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import asdict
from typing import Any

from .mutate import REMOVE_RETURN, generate_mutants
from .stdin_request import answer_stdin_request

BUG_FAMILIES = ("constant", "compare", "not", "boolop", "bool", REMOVE_RETURN)


def _description_for(name: str, description: str | None) -> str | None:
    if description is None or not description.strip():
        return None
    for line in description.splitlines():
        if line.startswith(f"{name}("):
            return line.split(": ", 1)[1] if ": " in line else line
    return description.strip()


def _docstring_lines(text: str, indent: str) -> list[str]:
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip().splitlines()
    if body and body[-1].endswith('"'):
        body[-1] += " "  # a quote right before the closing quotes would end the string early
    if len(body) == 1:
        return [f'{indent}"""{body[0]}"""']
    return [f'{indent}"""{body[0]}', *[f"{indent}{line}" if line.strip() else "" for line in body[1:]], f'{indent}"""']


def given(code: str, entry_points: list[str], description: str | None) -> tuple[str | None, str | None]:
    """(given, None) or (None, reason); see the module docstring."""
    tree = ast.parse(code)
    lines = code.splitlines()
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in entry_points]
    if not functions:
        return None, "no entry-point function"
    # (first line to drop, last line to drop, lines to put there), 0-based, applied bottom-up
    edits: list[tuple[int, int, list[str]]] = []
    for fn in functions:
        first = fn.body[0]
        if first.lineno == fn.lineno:
            return None, "an entry point is written on one line"
        indent = " " * first.col_offset
        has_doc = ast.get_docstring(fn, clean=False) is not None
        start = (fn.body[1].lineno - 1) if has_doc and len(fn.body) > 1 else None
        if has_doc:
            if start is not None:
                edits.append((start, (fn.end_lineno or fn.lineno) - 1, []))
            continue
        text = _description_for(fn.name, description)
        if text is None:
            return None, "an entry point has neither a docstring nor a description"
        edits.append((first.lineno - 1, (fn.end_lineno or fn.lineno) - 1, _docstring_lines(text, indent)))
    for start, end, replacement in sorted(edits, reverse=True):
        lines[start : end + 1] = replacement
    out = "\n".join(lines).rstrip() + "\n"
    ast.parse(out)  # a given that does not parse would be a bug here
    return out, None


def first_docstring(code: str, entry_points: list[str]) -> str | None:
    tree = ast.parse(code)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and entry_points and node.name == entry_points[0]:
            return ast.get_docstring(node)
    return None


def prepare(item: dict[str, Any]) -> dict[str, Any]:
    code = item["code"]
    entry_points = [e for e in item.get("entry_points", []) if isinstance(e, str)]
    description = item.get("description")
    try:
        given_code, reason = given(code, entry_points, description if isinstance(description, str) else None)
        docstring = first_docstring(code, entry_points)
        bugs = [asdict(m) for m in generate_mutants(code, families=BUG_FAMILIES)]
    except (SyntaxError, ValueError, RecursionError) as error:
        return {"given": None, "reason": f"the code does not parse ({type(error).__name__})", "docstring": None, "bugs": None}
    return {"given": given_code, "reason": reason, "docstring": docstring, "bugs": bugs}


def main() -> int:
    return answer_stdin_request(
        "kinds_prep", "items", lambda items: all(isinstance(i, dict) and isinstance(i.get("code"), str) for i in items), "a list of {code, entry_points, description}",
        lambda items: {"results": [prepare(i) for i in items]},
    )


if __name__ == "__main__":
    sys.exit(main())
