"""Tests for testtune_executor.target (does a test file test the module under test?) and the mutants command."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from testtune_executor.target import target_facts


def facts(text: str, entry_points: tuple[str, ...] = ("derivative",)) -> dict[str, object]:
    return target_facts(textwrap.dedent(text), "solution", list(entry_points))


# HumanEval/62 as SmolLM2-135M-Instruct answered it: its own derivative, tested
HE62_COPY = """
    def derivative(xs: list):
        return [(i * x) for i, x in enumerate(xs)][1:]

    def test_derivative():
        assert derivative([3, 1, 2, 4, 5]) == [1, 4, 12, 20]
"""


def test_the_humaneval_62_copy_shadows_the_entry_point_and_never_uses_the_module() -> None:
    assert facts(HE62_COPY) == {"shadowed": ["derivative"], "uses_module": False, "distinct_assertions": 1, "distinct_inputs": 0}


@pytest.mark.parametrize(
    "text",
    [
        "from solution import derivative\n" + textwrap.dedent(HE62_COPY),  # imported, then redefined
        "from solution import derivative\nderivative = lambda xs: xs\ndef test_a():\n    assert derivative([1]) == [1]\n",
        "from solution import derivative\nclass derivative:\n    pass\ndef test_a():\n    assert derivative\n",
        "from solution import derivative\ndef test_a():\n    def derivative(xs):\n        return xs\n    assert derivative([1]) == [1]\n",
        "from solution import derivative\ndef test_a():\n    for derivative in [len]:\n        assert derivative([1]) == 1\n",
        "from mylib import derivative\ndef test_a():\n    assert derivative([1]) == []\n",
        "from solution import len as derivative\ndef test_a():\n    assert derivative([1]) == 1\n",
        "import solution\nsolution.derivative = len\ndef test_a():\n    assert solution.derivative([1]) == 1\n",
        "import solution\nsetattr(solution, 'derivative', len)\ndef test_a():\n    assert solution.derivative([1]) == 1\n",
        "import solution\ndef test_a(monkeypatch):\n    monkeypatch.setattr(solution, 'derivative', len)\n    assert solution.derivative([1]) == 1\n",
        "import solution\ndef test_a(monkeypatch):\n    monkeypatch.setattr('solution.derivative', len)\n    assert solution.derivative([1]) == 1\n",
    ],
)
def test_every_way_of_rebinding_an_entry_point_is_caught(text: str) -> None:
    assert facts(text)["shadowed"] == ["derivative"]


@pytest.mark.parametrize(
    "text",
    [
        # a helper of its own, a fixture, parametrize
        """
        import pytest
        from solution import derivative

        def poly(*xs):
            return list(xs)

        @pytest.fixture
        def cubic():
            return poly(1, 2, 3, 4)

        @pytest.mark.parametrize("xs, out", [([1], []), ([1, 2], [2])])
        def test_p(xs, out, cubic):
            assert derivative(xs) == out
        """,
        # HumanEval's own tests, as data prepare wraps them
        """
        from solution import *

        def check(candidate):
            assert candidate([3, 1, 2, 4, 5]) == [1, 4, 12, 20]

        def test_check():
            check(derivative)
        """,
        # the module itself, and an alias of its own function
        """
        import solution as s
        d = s.derivative

        def test_a():
            assert d([1, 2]) == [2]
            assert s.derivative([1]) == []
        """,
        # a name of the entry point's inside a test's helper that is not bound
        """
        from solution import derivative as d

        def test_a():
            result = d([1, 2])
            assert result == [2]
        """,
    ],
)
def test_legitimate_files_test_the_module(text: str) -> None:
    got = facts(text)
    assert got["shadowed"] == []
    assert got["uses_module"] is True


def test_a_file_that_imports_the_module_but_tests_a_helper_of_its_own_never_uses_it() -> None:
    got = facts("from solution import derivative\ndef mine(xs):\n    return xs[1:]\ndef test_a():\n    assert mine([1, 2]) == [2]\n")
    assert got == {"shadowed": [], "uses_module": False, "distinct_assertions": 1, "distinct_inputs": 0}


def test_repeated_checks_and_inputs_count_once_parametrize_rows_each() -> None:
    repeated = "from solution import derivative\ndef test_a():\n" + "    assert derivative([1, 2, 3]) == [2, 6]\n" * 100
    assert facts(repeated)["distinct_assertions"] == 1
    assert facts(repeated)["distinct_inputs"] == 1
    varied = """
        import pytest
        from solution import derivative

        def test_a():
            assert derivative([1, 2, 3]) == [2, 6]
            assert derivative([1]) == []
            assert derivative(xs=[5, 5]) == [5]

        @pytest.mark.parametrize("xs", [[1], [2, 3], [4, 5, 6]])
        def test_p(xs):
            assert len(derivative(xs)) == len(xs) - 1
    """
    assert facts(varied)["distinct_assertions"] == 4
    assert facts(varied)["distinct_inputs"] == 3 + 3


def run(module: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module], input=stdin, capture_output=True, text=True, check=False)


def test_target_command_answers_a_batch_with_null_for_unparsable_files() -> None:
    files = [
        {"source": textwrap.dedent(HE62_COPY), "module": "solution", "entry_points": ["derivative"]},
        {"source": "def test_b(:\n", "module": "solution", "entry_points": []},
    ]
    result = run("testtune_executor.target", json.dumps({"files": files}))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)["results"]
    assert answer[0] == {"count": 1, "shadowed": ["derivative"], "uses_module": False, "distinct_assertions": 1, "distinct_inputs": 0}
    assert answer[1] is None


def test_mutants_command_lists_every_mutant_with_ids_and_null_for_unparsable_code() -> None:
    result = run("testtune_executor.mutants", json.dumps({"sources": ["def f(x):\n    return x + 1\n", "def ("]}))
    assert result.returncode == 0, result.stderr
    first, second = json.loads(result.stdout)["mutants"]
    assert [m["id"] for m in first] == list(range(len(first))) and len(first) == 4
    assert {"operator", "line", "source"} <= set(first[0])
    assert second is None


@pytest.mark.parametrize("module", ["testtune_executor.target", "testtune_executor.mutants"])
@pytest.mark.parametrize("stdin", ["not json", '{"other": []}', '{"files": [1], "sources": [1]}'])
def test_commands_reject_a_bad_request_with_exit_code_2(module: str, stdin: str) -> None:
    result = run(module, stdin)
    assert result.returncode == 2
    assert "bad request" in result.stderr
