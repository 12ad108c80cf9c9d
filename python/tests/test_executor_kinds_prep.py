"""Tests for testtune_executor.kinds_prep: the complete kind's given code, docstrings, and the
bug operators of the bugfix kind (issue list: off-by-one, flipped comparisons, removed not,
and/or, True/False, removed return)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

from testtune_executor.kinds_prep import BUG_FAMILIES, given, prepare
from testtune_executor.mutate import FAMILIES, REMOVE_RETURN, generate_mutants


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


CODE = src(
    '''
    import math


    def check(xs, y, flag):
        """Say something about xs."""
        if y is not None and y not in xs:
            return not flag
        if len(xs) >= 2 or y == 1:
            return True
        return y <= 3


    def helper(x):
        return x
    '''
)


def test_every_bug_operator_of_the_issue_is_made():
    changes = {m.operator for m in generate_mutants(CODE, families=BUG_FAMILIES)}
    for expected in [
        "constant:n -> n+1", "constant:n -> n-1", "compare:== -> !=", "compare:is not -> is", "compare:not in -> in",
        "compare:<= -> <", "compare:>= -> >", "not:not x -> x", "boolop:and -> or", "boolop:or -> and", "bool:True -> False",
        f"{REMOVE_RETURN}:return removed",
    ]:
        assert expected in changes, expected


def test_a_removed_return_becomes_pass_and_the_module_still_parses():
    removed = [m for m in generate_mutants(CODE, families=BUG_FAMILIES) if m.operator.startswith(REMOVE_RETURN)]
    assert removed
    for m in removed:
        ast.parse(m.source)
        assert m.source.splitlines()[m.line - 1].strip() == "pass"


def test_mutation_testing_families_are_unchanged_by_the_bug_family():
    assert REMOVE_RETURN not in FAMILIES
    assert not any(m.operator.startswith(REMOVE_RETURN) for m in generate_mutants(CODE))


def test_given_keeps_signatures_docstrings_and_other_code():
    out, reason = given(CODE, ["check"], None)
    assert reason is None and out is not None
    assert 'def check(xs, y, flag):\n    """Say something about xs."""\n' in out
    assert "return not flag" not in out
    assert "def helper(x):\n    return x" in out  # not an entry point: kept as written
    ast.parse(out)


def test_given_uses_the_description_when_there_is_no_docstring():
    code = "def f(a):\n    return a + 1\n\n\ndef g(b):\n    return f(b) * 2\n"
    out, reason = given(code, ["f", "g"], 'f(a): Return a plus 1.\ng(b): Return f(b) times "2"')
    assert reason is None and out is not None
    assert 'def f(a):\n    """Return a plus 1."""' in out
    assert 'def g(b):\n    """Return f(b) times "2" """' in out
    ns: dict[str, object] = {}
    exec(compile(out, "given", "exec"), ns)  # the given module runs: bodies are docstrings


def test_given_refuses_what_it_cannot_show():
    assert given("def f(a):\n    return a\n", ["f"], None) == (None, "an entry point has neither a docstring nor a description")
    assert given("def f(a): return a\n", ["f"], "d")[0] is None
    assert given("x = 1\n", ["f"], "d") == (None, "no entry-point function")


def test_prepare_reports_unparsable_code_and_the_command_answers_per_item():
    assert prepare({"code": "def f(:\n", "entry_points": ["f"]})["given"] is None
    request = {"items": [{"code": CODE, "entry_points": ["check"]}, {"code": "def (", "entry_points": []}]}
    result = subprocess.run([sys.executable, "-m", "testtune_executor.kinds_prep"], input=json.dumps(request), capture_output=True, text=True, check=True)
    answer = json.loads(result.stdout)["results"]
    assert answer[0]["docstring"] == "Say something about xs."
    assert answer[0]["bugs"] and answer[1]["bugs"] is None
    bad = subprocess.run([sys.executable, "-m", "testtune_executor.kinds_prep"], input='{"items": 3}', capture_output=True, text=True)
    assert bad.returncode == 2
