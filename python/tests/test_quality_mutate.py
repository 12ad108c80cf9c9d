"""Tests for testtune_executor.mutate: which mutants exist, that each is real, and determinism."""

from __future__ import annotations

import ast
import textwrap

import pytest

from testtune_executor.mutate import FAMILIES, Mutant, generate_mutants


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def changed_lines(original: str, mutant: Mutant) -> list[tuple[str, str]]:
    before, after = original.splitlines(), mutant.source.splitlines()
    assert len(before) == len(after), "a mutant keeps the line structure of the original"
    return [(a, b) for a, b in zip(before, after) if a != b]


def only_change(original: str, mutant: Mutant) -> tuple[str, str]:
    lines = changed_lines(original, mutant)
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize(
    ("code", "operator", "expected"),
    [
        ("x = a == b\n", "compare:== -> !=", "x = (a != b)"),
        ("x = a != b\n", "compare:!= -> ==", "x = (a == b)"),
        ("x = a < b\n", "compare:< -> <=", "x = (a <= b)"),
        ("x = a <= b\n", "compare:<= -> <", "x = (a < b)"),
        ("x = a > b\n", "compare:> -> >=", "x = (a >= b)"),
        ("x = a >= b\n", "compare:>= -> >", "x = (a > b)"),
        ("x = a is b\n", "compare:is -> is not", "x = (a is not b)"),
        ("x = a is not b\n", "compare:is not -> is", "x = (a is b)"),
        ("x = a in b\n", "compare:in -> not in", "x = (a not in b)"),
        ("x = a not in b\n", "compare:not in -> in", "x = (a in b)"),
        ("x = not a\n", "not:not x -> x", "x = a"),
        ("x = -a\n", "negate:-x -> x", "x = a"),
        ("x = a and b\n", "boolop:and -> or", "x = (a or b)"),
        ("x = a or b\n", "boolop:or -> and", "x = (a and b)"),
        ("x = True\n", "bool:True -> False", "x = False"),
        ("x = False\n", "bool:False -> True", "x = True"),
        ("x = a + b\n", "arith:+ -> -", "x = (a - b)"),
        ("x = a - b\n", "arith:- -> +", "x = (a + b)"),
        ("x = a * b\n", "arith:* -> /", "x = (a / b)"),
        ("x = a / b\n", "arith:/ -> *", "x = (a * b)"),
        ("x = a // b\n", "arith:// -> %", "x = (a % b)"),
        ("x = a % b\n", "arith:% -> //", "x = (a // b)"),
        ("x = a ** b\n", "arith:** -> *", "x = (a * b)"),
        ("x += a\n", "arith:+= -> -=", "x -= a"),
        ("x = a\n", None, None),
    ],
)
def test_each_operator_makes_the_expected_single_mutant(code: str, operator: str | None, expected: str | None) -> None:
    mutants = generate_mutants(code)
    if operator is None:
        assert mutants == []
        return
    assert [m.operator for m in mutants] == [operator]
    assert only_change(code, mutants[0]) == (code.rstrip("\n"), expected)


def test_integer_and_float_constants_go_off_by_one_both_ways() -> None:
    code = "x = 5\ny = 2.5\nz = 0\n"
    sources = [m.source for m in generate_mutants(code)]
    assert sources == [
        "x = 6\ny = 2.5\nz = 0\n",
        "x = 4\ny = 2.5\nz = 0\n",
        "x = 5\ny = 3.5\nz = 0\n",
        "x = 5\ny = 1.5\nz = 0\n",
        "x = 5\ny = 2.5\nz = 1\n",
        "x = 5\ny = 2.5\nz = (-1)\n",
    ]


def test_return_value_is_dropped_but_a_bare_return_or_return_none_is_left_alone() -> None:
    code = src(
        """
        def f(a):
            if a:
                return
            if a is None:
                return None
            return a
        """
    )
    returns = [m for m in generate_mutants(code) if m.operator.startswith("return:")]
    assert len(returns) == 1
    assert only_change(code, returns[0]) == ("    return a", "    return")
    assert returns[0].line == 6


def test_annotations_docstrings_decorators_main_guard_and_dunders_are_not_mutated() -> None:
    code = src(
        '''
        """Module docstring 1 + 1 == 2."""
        import functools

        __version__ = "1.0"
        __all__ = ["f"]
        LIMIT: int = 3


        @functools.lru_cache(maxsize=128)
        def f(x: "int" = 1, y: list[int] | None = None) -> tuple[int, 1]:
            """Docstring with 3 < 4."""
            return x


        if __name__ == "__main__":
            print(f(2) + 1)
        '''
    )
    operators = sorted((m.line, m.operator) for m in generate_mutants(code))
    assert operators == [
        (6, "constant:n -> n+1"),
        (6, "constant:n -> n-1"),
        (10, "constant:n -> n+1"),
        (10, "constant:n -> n-1"),
        (12, "return:return value -> return None"),
    ]


def test_comments_and_formatting_outside_the_mutated_node_are_kept() -> None:
    code = src(
        """
        def area(w, h):  # rectangle
            # the product, not the sum
            return   w  *  h
        """
    )
    (mutant,) = [m for m in generate_mutants(code) if m.operator == "arith:* -> /"]
    assert changed_lines(code, mutant) == [("    return   w  *  h", "    return   (w / h)")]
    assert mutant.source.splitlines()[:2] == code.splitlines()[:2]


def test_non_ascii_text_before_a_node_does_not_shift_the_splice() -> None:
    code = 'def greet(n):\n    return "héllo wörld" * n + "✓" * 2\n'
    mutants = generate_mutants(code)
    for mutant in mutants:
        ast.parse(mutant.source)
    (mutant,) = [m for m in mutants if m.operator == "constant:n -> n+1"]
    assert only_change(code, mutant)[1] == '    return "héllo wörld" * n + "✓" * 3'


def test_every_mutant_parses_differs_from_the_original_and_is_unique() -> None:
    code = src(
        """
        def classify(xs, limit=10):
            out = []
            for i, x in enumerate(xs):
                if x is None or x in (0, 1):
                    continue
                if not (x < limit and x >= -limit):
                    out.append(i * 2 - 1)
                elif x % 3 == 0:
                    out.append(x // 3 ** 2)
            return out if out != [] else True
        """
    )
    mutants = generate_mutants(code)
    original = ast.dump(ast.parse(code))
    dumps = [ast.dump(ast.parse(m.source)) for m in mutants]
    assert len(mutants) > 30
    assert original not in dumps
    assert len(set(dumps)) == len(dumps)
    assert [m.id for m in mutants] == list(range(len(mutants)))
    assert [m.line for m in mutants] == sorted(m.line for m in mutants)


def test_mutants_that_equal_the_original_are_dropped() -> None:
    # 1e20 + 1 == 1e20 in floating point: that "mutant" is the original and must not appear
    mutants = generate_mutants("x = 1e20\n")
    assert [m.source for m in mutants] == []


def test_duplicate_mutants_appear_once() -> None:
    # dropping the outer or the inner `not` of `not not x` gives the same module
    mutants = generate_mutants("y = not not x\n")
    assert [m.source for m in mutants] == ["y = (not x)\n"]


def test_output_is_deterministic() -> None:
    code = "def f(a, b):\n    return a + b * 2 if a > b else a - 1\n"
    assert generate_mutants(code) == generate_mutants(code)


def test_max_mutants_takes_a_seeded_sample_spread_over_families() -> None:
    code = src(
        """
        def f(a, b):
            c = 1 + 2 + 3 + 4 + 5 + 6 + 7
            if a < b and not a:
                return c
            return a == b
        """
    )
    everything = generate_mutants(code)
    families_available = {m.operator.split(":")[0] for m in everything}
    sample = generate_mutants(code, max_mutants=6)
    assert len(sample) == 6
    assert sample == generate_mutants(code, max_mutants=6)
    assert {m.operator.split(":")[0] for m in sample} == families_available  # 6 families, one each
    assert [m.id for m in sample] == list(range(6))
    assert {m.source for m in sample} <= {m.source for m in everything}
    assert generate_mutants(code, max_mutants=6, seed=1) != sample
    assert len(generate_mutants(code, max_mutants=1000)) == len(everything)
    assert generate_mutants(code, max_mutants=0) == []


def test_families_list_every_operator_family_produced() -> None:
    code = "def f(a):\n    x = -a + 1\n    return not a or x == True\n"
    assert {m.operator.split(":")[0] for m in generate_mutants(code)} <= set(FAMILIES)


def test_invalid_source_and_negative_budget_raise() -> None:
    with pytest.raises(SyntaxError):
        generate_mutants("def f(:\n")
    with pytest.raises(ValueError, match="max_mutants"):
        generate_mutants("x = 1\n", max_mutants=-1)


def test_mutant_is_frozen() -> None:
    (mutant,) = generate_mutants("x = True\n")
    with pytest.raises(AttributeError):
        mutant.line = 3  # type: ignore[misc]


def test_a_node_over_several_lines_keeps_every_later_line_in_place() -> None:
    code = src(
        """
        def f(a, b):
            if (a and
                    b):
                return (a +
                        b)
            return 0
        """
    )
    for mutant in generate_mutants(code):
        lines = mutant.source.splitlines()
        assert len(lines) == len(code.splitlines()), mutant.operator
        assert lines[-1] == "    return 0" or mutant.line == 6


def test_elif_branches_and_statements_sharing_a_line_are_mutated_correctly() -> None:
    code = "def f(x):\n    if x < 0:\n        return -1\n    elif x == 0:\n        return 0\n    y = x; z = y + 1\n    return z\n"
    mutants = generate_mutants(code)
    operators = {(m.line, m.operator) for m in mutants}
    assert (4, "compare:== -> !=") in operators
    assert (6, "arith:+ -> -") in operators
    for mutant in mutants:
        ast.parse(mutant.source)
    (elif_mutant,) = [m for m in mutants if m.operator == "compare:== -> !="]
    assert only_change(code, elif_mutant) == ("    elif x == 0:", "    elif (x != 0):")


def test_a_real_module_gives_valid_unique_mutants_with_the_same_lines() -> None:
    import inspect
    import textwrap as module

    code = inspect.getsource(module)
    mutants = generate_mutants(code)
    original = ast.dump(ast.parse(code))
    dumps = {ast.dump(ast.parse(m.source)) for m in mutants}
    assert len(mutants) > 100
    assert len(dumps) == len(mutants)
    assert original not in dumps
    assert all(len(m.source.splitlines()) == len(code.splitlines()) for m in mutants)
