"""AST mutants of a module under test: small faults a good test file should catch.

``generate_mutants(source)`` returns every first-order mutant of ``source`` made by these
operators (the classic mutation-testing set, e.g. Offutt et al., "An experimental
determination of sufficient mutant operators", TOSEM 1996):

=========  ==========================================================
family     change
=========  ==========================================================
constant   an int or float literal ``n`` becomes ``n + 1`` and ``n - 1``
compare    ``==``/``!=``, ``<``/``<=``, ``>``/``>=``, ``is``/``is not``, ``in``/``not in``
not        ``not x`` becomes ``x``
negate     ``-x`` becomes ``x``
boolop     ``and``/``or``
bool       ``True``/``False``
return     ``return <value>`` becomes ``return`` (returns None)
arith      ``+``/``-``, ``*``/``/``, ``//``/``%``, ``**`` to ``*``, ``<<``/``>>``,
           ``&``/``|``, ``^`` to ``|`` (in expressions and augmented assignments)
=========  ==========================================================

Left alone, because mutating them gives mutants no test of the module's behaviour could
kill: type annotations, decorators, docstrings (no string is mutated), the body of
``if __name__ == "__main__":`` (tests import the module, so it never runs), and
``__all__``/``__version__``-style dunder assignments.

Each mutant's source is the original text with only the mutated node rewritten, so comments,
formatting and line numbers stay as they were. Every mutant parses, differs from the original
(compared as ``ast.dump``), and appears once; the order is the order of the source. With
``max_mutants`` a seeded sample is taken round-robin over the operator families, so a small
budget still exercises every kind of fault.

This is a pure function of its arguments (no I/O) and runs inside the sandbox's executor.
"""

from __future__ import annotations

import ast
import copy
import random
import re
import textwrap
from dataclasses import dataclass
from typing import Iterator

FAMILIES = ("compare", "boolop", "not", "return", "constant", "arith", "bool", "negate")
# Not a mutation-testing family (its mutants are mostly caught by any test that calls the
# function, so they would inflate mutation scores): ``remove_return`` deletes a ``return``
# statement (it becomes ``pass``, as if commented out), one of the injected bugs of the bugfix
# task kind (kinds_prep.py), which asks ``generate_mutants`` for it by name.
REMOVE_RETURN = "remove_return"

_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
_COMPARE_TEXT = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
                 ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}

_ARITH_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mod,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitOr,
}
_ARITH_TEXT = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
               ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}

# Fields that hold type annotations: never mutated.
_ANNOTATION_FIELDS = {(ast.arg, "annotation"), (ast.FunctionDef, "returns"), (ast.AsyncFunctionDef, "returns"),
                      (ast.AnnAssign, "annotation")}
_SKIPPED_FIELDS = _ANNOTATION_FIELDS | {(ast.FunctionDef, "decorator_list"), (ast.AsyncFunctionDef, "decorator_list"),
                                        (ast.ClassDef, "decorator_list")}


@dataclass(frozen=True)
class Mutant:
    id: int
    operator: str  # "<family>:<change>", e.g. "compare:< -> <="
    line: int  # 1-based line of the mutated node in the original source
    source: str  # the full mutated module source


@dataclass(frozen=True)
class _Candidate:
    """One possible mutation: replace ``parent.field[index]`` (or ``parent.field``) by ``replacement``."""

    order: int
    family: str
    change: str
    parent: ast.AST
    field: str
    index: int | None
    original: ast.AST
    replacement: ast.AST
    statement: ast.stmt  # the nearest statement holding (or being) the mutated node

    def mutated_statement(self) -> ast.stmt:
        """The statement as it reads once the mutation is swapped in."""
        return self.replacement if self.original is self.statement else self.statement  # type: ignore[return-value]

    def swap_in(self, node: ast.AST) -> None:
        if self.index is None:
            setattr(self.parent, self.field, node)
        else:
            getattr(self.parent, self.field)[self.index] = node


def _with(node: ast.AST, **changes: object) -> ast.AST:
    clone = copy.copy(node)
    for key, value in changes.items():
        setattr(clone, key, value)
    return clone


def _number(node: ast.AST, value: int | float) -> ast.AST:
    """A literal as the parser builds it: a negative number is unary minus on a positive literal."""
    if value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=_with(node, value=-value))
    return _with(node, value=value)


def _is_main_guard(node: ast.AST) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)


def _is_dunder_assignment(node: ast.AST) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return any(isinstance(t, ast.Name) and t.id.startswith("__") and t.id.endswith("__") for t in targets)


def _mutations(node: ast.AST) -> Iterator[tuple[str, str, ast.AST]]:
    """The (family, change, replacement node) mutations of one node."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "bool", f"{value} -> {not value}", _with(node, value=not value)
        elif isinstance(value, (int, float)):
            yield "constant", "n -> n+1", _number(node, value + 1)
            yield "constant", "n -> n-1", _number(node, value - 1)
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swapped = _COMPARE_SWAPS.get(type(op))
            if swapped is not None:
                ops = list(node.ops)
                ops[i] = swapped()
                yield "compare", f"{_COMPARE_TEXT[type(op)]} -> {_COMPARE_TEXT[swapped]}", _with(node, ops=ops)
    elif isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            yield "boolop", "and -> or", _with(node, op=ast.Or())
        else:
            yield "boolop", "or -> and", _with(node, op=ast.And())
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        family, change = ("not", "not x -> x") if isinstance(node.op, ast.Not) else ("negate", "-x -> x")
        yield family, change, node.operand
    elif isinstance(node, (ast.BinOp, ast.AugAssign)):
        swapped = _ARITH_SWAPS.get(type(node.op))
        if swapped is not None:
            suffix = "=" if isinstance(node, ast.AugAssign) else ""
            change = f"{_ARITH_TEXT[type(node.op)]}{suffix} -> {_ARITH_TEXT[swapped]}{suffix}"
            yield "arith", change, _with(node, op=swapped())
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", "return value -> return None", _with(node, value=None)
        yield REMOVE_RETURN, "return removed", ast.copy_location(ast.Pass(), node)


def _candidates(tree: ast.Module) -> list[_Candidate]:
    out: list[_Candidate] = []

    def visit(parent: ast.AST, statement: ast.stmt | None) -> None:
        for field, value in ast.iter_fields(parent):
            if (type(parent), field) in _SKIPPED_FIELDS:
                continue
            children = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
            for index, child in children:
                if not isinstance(child, ast.AST) or _is_main_guard(child) or _is_dunder_assignment(child):
                    continue
                holder = child if isinstance(child, ast.stmt) else statement
                assert holder is not None  # every expression of a module sits in a statement
                for family, change, replacement in _mutations(child):
                    out.append(_Candidate(len(out), family, change, parent, field, index, child, replacement, holder))
                visit(child, holder)

    visit(tree, None)
    return out


def _line_offsets(data: bytes) -> list[int]:
    """Byte offset where each line starts (ast positions are line + UTF-8 byte column)."""
    return [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]


def _needs_parentheses(node: ast.AST) -> bool:
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
        return False
    return isinstance(node, ast.expr) and not isinstance(node, ast.Constant)


class _Renderer:
    """Turns candidates into mutant sources, checking each against the mutated AST.

    Checks are local to the mutated node's statement, so a mutant costs about the size of that
    statement, not of the module. Two mutants in different statements change disjoint subtrees,
    so they are different modules as long as each changes its own statement; two in the same
    statement are compared by that statement's dump.
    """

    def __init__(self, source: str, tree: ast.Module) -> None:
        self.data = source.encode("utf-8")
        self.offsets = _line_offsets(self.data)
        self.tree = tree
        self.seen: set[tuple[int, str]] = set()
        self.original_dumps: dict[int, str] = {}

    def _span(self, node: ast.AST) -> tuple[int, int] | None:
        try:
            start = self.offsets[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
            end = self.offsets[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        except (AttributeError, IndexError, TypeError):
            return None
        return start, end

    def _splice(self, cand: _Candidate) -> tuple[bytes, int] | None:
        """The mutated source bytes and how much longer than the original they are."""
        span = self._span(cand.original)
        if span is None:
            return None
        text = ast.unparse(cand.replacement)
        # keep the line count: a node over several lines is replaced by one that ends with as
        # many newlines (inside parentheses for an expression, blank lines after a statement)
        extra_lines = "\n" * ((cand.original.end_lineno or 0) - cand.original.lineno)  # type: ignore[attr-defined]
        if isinstance(cand.replacement, ast.stmt):
            text += extra_lines
        elif extra_lines != "" or _needs_parentheses(cand.replacement):
            text = f"({text}{extra_lines})"
        new = text.encode("utf-8")
        return self.data[: span[0]] + new + self.data[span[1] :], len(new) - (span[1] - span[0])

    def _statement_parses_to(self, data: bytes, growth: int, statement: ast.stmt, expected: str) -> bool:
        """Whether the (dedented) lines of the mutated statement parse to exactly that statement."""
        first = self.offsets[statement.lineno - 1]
        last_line = statement.end_lineno or statement.lineno
        end = (self.offsets[last_line] if last_line < len(self.offsets) else len(self.data)) + growth
        try:
            text = textwrap.dedent(data[first:end].decode("utf-8"))
            if isinstance(statement, ast.If) and text.startswith("elif"):
                text = text[2:]  # an `elif` branch is an If node on its own: parse it as `if`
            body = ast.parse(text).body
        except (SyntaxError, ValueError, RecursionError, UnicodeDecodeError):
            return False
        return len(body) == 1 and ast.dump(body[0]) == expected

    def render(self, cand: _Candidate) -> str | None:
        """The mutant's source, or None when it is a duplicate or not a real change."""
        statement = cand.statement
        if id(statement) not in self.original_dumps:
            self.original_dumps[id(statement)] = ast.dump(statement)
        cand.swap_in(cand.replacement)
        try:
            local = ast.dump(cand.mutated_statement())
            key = (id(statement), local)
            if local == self.original_dumps[id(statement)] or key in self.seen:
                return None
            spliced = self._splice(cand)
            if spliced is not None and self._statement_parses_to(spliced[0], spliced[1], statement, local):
                source = spliced[0].decode("utf-8")
            else:
                # Rare (a statement sharing its line, odd line endings, loose positions): check
                # the whole module, re-printing it from the mutated AST if the splice is wrong.
                expected = ast.dump(self.tree)
                source = spliced[0].decode("utf-8") if spliced is not None else ""
                if not _parses_to(source, expected):
                    source = ast.unparse(self.tree)
                    if not _parses_to(source, expected):
                        return None
            self.seen.add(key)
            return source
        finally:
            cand.swap_in(cand.original)


def _parses_to(source: str, expected_dump: str) -> bool:
    try:
        return ast.dump(ast.parse(source)) == expected_dump
    except (SyntaxError, ValueError, RecursionError):
        return False


def _sample_order(candidates: list[_Candidate], seed: int, families: tuple[str, ...]) -> list[_Candidate]:
    """Seeded shuffle within each family, then round-robin over the families."""
    rng = random.Random(seed)
    queues = []
    for family in families:
        members = [c for c in candidates if c.family == family]
        rng.shuffle(members)
        queues.append(members)
    order: list[_Candidate] = []
    for i in range(max((len(q) for q in queues), default=0)):
        order.extend(q[i] for q in queues if i < len(q))
    return order


def generate_mutants(source: str, max_mutants: int | None = None, seed: int = 0, families: tuple[str, ...] = FAMILIES) -> list[Mutant]:
    """All mutants of ``source`` (or a seeded sample of at most ``max_mutants``), in source order,
    made by the operators of ``families`` (the mutation-testing families by default).

    Raises SyntaxError when ``source`` itself is not valid Python.
    """
    if max_mutants is not None and max_mutants < 0:
        raise ValueError(f"max_mutants must be >= 0, got {max_mutants}")
    tree = ast.parse(source)
    candidates = [c for c in _candidates(tree) if c.family in families]
    renderer = _Renderer(source, tree)
    order = candidates if max_mutants is None else _sample_order(candidates, seed, families)
    chosen: list[tuple[_Candidate, str]] = []
    for cand in order:
        if max_mutants is not None and len(chosen) >= max_mutants:
            break
        text = renderer.render(cand)
        if text is not None:
            chosen.append((cand, text))
    chosen.sort(key=lambda pair: pair[0].order)
    return [
        Mutant(id=i, operator=f"{cand.family}:{cand.change}", line=cand.original.lineno, source=text)  # type: ignore[attr-defined]
        for i, (cand, text) in enumerate(chosen)
    ]
