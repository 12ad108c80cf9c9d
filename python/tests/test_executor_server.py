"""The executor end to end, without bubblewrap (isolation "none"): one server, many jobs.

The sandboxed behaviour (limits, hostile tests, the host left untouched) is tested from
TypeScript in test/sandbox/, through the pool that starts bubblewrap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
CODE = "def add(a, b):\n    if a > 0:\n        return a + b\n    return b\n"


class Server:
    def __init__(self, limits: dict[str, int]) -> None:
        env = {**os.environ, "PYTHONPATH": str(PYTHON_DIR)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "testtune_executor.server", "--limits", json.dumps(limits)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        self.ready = self._read()
        self._next = 0

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the executor exited"
        return json.loads(line)

    def send(self, **job: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self._next += 1
        self.proc.stdin.write((json.dumps({"id": self._next, "code": CODE, **job}) + "\n").encode())
        self.proc.stdin.flush()
        message = self._read()
        assert message["id"] == self._next
        return message

    def run(self, **job: Any) -> dict[str, Any]:
        message = self.send(**job)
        assert message["type"] == "result", message
        return message["result"]

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server({"output_bytes": 4000})
    yield srv
    assert srv.close() == 0


def test_the_server_announces_itself(server: Server) -> None:
    assert server.ready["type"] == "ready" and server.ready["protocol"] == 1
    assert server.ready["sandboxed"] is False
    assert server.ready["limits"]["output_bytes"] == 4000


def test_passing_tests_count_every_kind_of_check(server: Server) -> None:
    tests = """
import unittest
import pytest
from solution import add

def test_asserts():
    assert add(1, 2) == 3
    assert add(0, 5) == 5

def test_raises():
    with pytest.raises(TypeError):
        add(1, None)
    pytest.raises(TypeError, add, 1, None)

class TestCase(unittest.TestCase):
    def test_methods(self):
        self.assertEqual(add(2, 2), 4)
        self.assertListEqual([add(1, 1)], [2])
        with self.assertRaises(TypeError):
            add(1, None)
"""
    result = server.run(tests=tests)
    assert result["status"] == "passed", result["detail"]
    assert len(result["tests"]) == 3
    assert result["assertions"] == 7


def test_coverage_is_measured_on_the_code_module(server: Server) -> None:
    tests = "from solution import add\n\ndef test_positive():\n    assert add(1, 2) == 3\n"
    result = server.run(tests=tests, coverage=True)
    assert result["status"] == "passed"
    assert result["coverage"] == {
        "line": 0.75, "branch": 0.5, "lines_total": 4, "lines_covered": 3,
        "branches_total": 2, "branches_covered": 1, "missing_lines": [4],
    }


def test_mutants_are_killed_survive_or_time_out(server: Server) -> None:
    tests = "from solution import add\n\ndef test_positive():\n    assert add(1, 2) == 3\n"
    mutants = [
        {"id": 0, "operator": "arith:+ -> -", "line": 3, "source": CODE.replace("a + b", "a - b")},
        {"id": 1, "operator": "return:b -> None", "line": 4, "source": CODE.replace("return b\n", "return None\n")},
        {"id": 2, "operator": "loop", "line": 3, "source": CODE.replace("return a + b", "while True:\n            pass")},
    ]
    result = server.run(tests=tests, mutants=True, mutant_list=mutants, timeout_s=2)
    assert result["status"] == "passed"
    mutation = result["mutation"]
    assert [m["status"] for m in mutation["mutants"]] == ["killed", "survived", "timeout"]
    assert (mutation["total"], mutation["killed"], mutation["survived"], mutation["timeout"]) == (3, 1, 1, 1)
    assert mutation["score"] == pytest.approx(2 / 3)


def test_a_mutant_that_waits_is_not_a_timeout_but_one_that_spins_is(server: Server) -> None:
    # A mutant's short budget is CPU time: waiting (here a sleep, on a busy machine the
    # scheduler) longer than the budget's wall time must not turn a survivor into a timeout,
    # which made the differential test's verdicts change under load.
    tests = "import time\nfrom solution import add\n\ndef test_positive():\n    time.sleep(0.0 if add(-1, 2) == 2 else 1.5)\n    assert add(1, 2) == 3\n"
    mutants = [
        {"id": 0, "operator": "return:b -> b + 1", "line": 4, "source": CODE.replace("return b\n", "return b + 1\n")},
        {"id": 1, "operator": "loop", "line": 3, "source": CODE.replace("return a + b", "while True:\n            pass")},
    ]
    result = server.run(tests=tests, mutants=True, mutant_list=mutants, mutants_only=True, original_s=0.05, timeout_s=5)
    assert [m["status"] for m in result["mutation"]["mutants"]] == ["survived", "timeout"]


def test_mutants_come_from_mutate_when_none_are_given(server: Server) -> None:
    tests = "from solution import add\n\ndef test_a():\n    assert add(1, 2) == 3\n    assert add(-1, 2) == 2\n"
    result = server.run(tests=tests, mutants=True, max_mutants=4)
    assert result["status"] == "passed"
    assert result["mutation"]["total"] == 4


def test_a_mutant_shard_runs_every_nth_mutant_without_the_status_run(server: Server) -> None:
    tests = "from solution import add\n\ndef test_positive():\n    assert add(1, 2) == 3\n"
    mutants = [{"id": i, "operator": "arith", "line": 3, "source": CODE.replace("a + b", f"a + b + {i}")} for i in range(5)]
    result = server.run(tests=tests, mutants=True, mutant_list=mutants, mutants_only=True, original_s=0.05, mutant_shard=[1, 2])
    assert result["tests"] == []
    assert [m["id"] for m in result["mutation"]["mutants"]] == [1, 3]
    assert [m["status"] for m in result["mutation"]["mutants"]] == ["killed", "killed"]


def test_no_run_can_read_the_code_it_tests(server: Server) -> None:
    tests = """
import inspect, os, pytest
import solution

def test_no_source():
    with pytest.raises(OSError):
        inspect.getsource(solution.add)
    assert not os.path.exists(solution.__file__)
"""
    mutants = [{"id": 0, "operator": "arith", "line": 3, "source": CODE.replace("a + b", "a - b")}]
    result = server.run(tests=tests, mutants=True, mutant_list=mutants)
    assert result["status"] == "passed", result["detail"]
    assert result["mutation"]["survived"] == 1


def test_a_test_that_tampers_only_on_mutants_rejects_the_whole_job(server: Server) -> None:
    tests = "import os\nfrom solution import add\n\ndef test_a():\n    if add(1, 2) != 3:\n        os._exit(0)\n"
    mutants = [{"id": 0, "operator": "arith", "line": 3, "source": CODE.replace("a + b", "a - b")}]
    result = server.run(tests=tests, mutants=True, mutant_list=mutants)
    assert result["status"] == "rejected"
    assert "mutant 0" in result["detail"]


def test_syntax_errors_are_found_before_running(server: Server) -> None:
    bad_tests = server.run(tests="def test_a(:\n    pass\n")
    assert bad_tests["status"] == "syntax_error" and "test_solution.py:1" in bad_tests["detail"]
    bad_code = server.run(code="def add(a, b)\n    return 1\n", tests="def test_a():\n    pass\n")
    assert bad_code["status"] == "syntax_error" and "solution.py:1" in bad_code["detail"]


def test_an_import_error_in_the_test_file_is_a_collection_error(server: Server) -> None:
    result = server.run(tests="from solution import missing\n\ndef test_a():\n    pass\n")
    assert result["status"] == "collection_error"
    assert "missing" in result["detail"]


def test_patching_pytest_or_registering_a_plugin_is_rejected(server: Server) -> None:
    patched = "import _pytest.runner\n_pytest.runner.call_and_report = lambda *a, **k: None\n\ndef test_a():\n    assert False\n"
    assert server.run(tests=patched)["status"] == "rejected"
    plugin = "pytest_plugins = ['test_solution']\n\ndef pytest_runtest_logreport(report):\n    pass\n\ndef test_a():\n    assert False\n"
    assert server.run(tests=plugin)["status"] == "rejected"


def test_output_is_bounded_with_a_marker(server: Server) -> None:
    result = server.run(tests="def test_a():\n    print('x' * 100000)\n    print('end')\n")
    assert result["status"] == "passed"
    assert len(result["stdout"]) < 4200
    assert "bytes truncated by the sandbox" in result["stdout"]
    assert result["stdout"].rstrip().endswith("end")


def test_files_left_by_a_run_are_gone_for_the_next(server: Server) -> None:
    tests = "import os, tempfile\n\ndef test_a():\n    path = os.path.join(tempfile.gettempdir(), 'marker')\n    assert not os.path.exists(path)\n    open(path, 'w').write('x')\n    open('here.txt', 'w').write('x')\n"
    assert server.run(tests=tests)["status"] == "passed"
    assert server.run(tests=tests)["status"] == "passed"


def test_extra_files_sit_next_to_the_tests(server: Server) -> None:
    files = {"helpers/__init__.py": "", "helpers/data.py": "PAIRS = [(1, 2, 3)]\n"}
    tests = "from helpers.data import PAIRS\nfrom solution import add\n\ndef test_pairs():\n    for a, b, total in PAIRS:\n        assert add(a, b) == total\n"
    assert server.run(tests=tests, files=files)["status"] == "passed"


def test_an_invalid_job_is_answered_with_its_field(server: Server) -> None:
    message = server.send(tests="def test_a(): pass\n", module="os")
    assert message["type"] == "invalid" and message["field"] == "module"
    assert server.run(tests="def test_a():\n    pass\n")["status"] == "passed"


def test_a_run_starts_with_no_privileges_and_private_descriptors(server: Server) -> None:
    # No new privileges and stdin come from the server (set there once, inherited by every run);
    # capabilities are dropped in the run itself, whose new user namespace grants all of them.
    tests = """
import os

def fields():
    with open("/proc/self/status") as status:
        return dict(line.split(":", 1) for line in status.read().splitlines())

def test_state():
    status = fields()
    assert status["NoNewPrivs"].strip() == "1"
    assert int(status["CapEff"], 16) == 0 and int(status["CapPrm"], 16) == 0
    assert os.readlink("/proc/self/fd/0") == "/dev/null"
    assert os.read(0, 10) == b""
"""
    result = server.run(tests=tests)
    assert result["status"] == "passed", result["detail"]


def test_passing_asserts_are_counted_without_formatting_their_operands(server: Server) -> None:
    # As in a plain pytest run, a passing assert never calls its operands' __repr__ (counting it
    # used to build the whole explanation: this file was rejected); asserts run while the file
    # is imported are not counted (pytest's pass hook is only active while a test runs).
    tests = """
from solution import add
assert add(1, 1) == 2

class Loud:
    def __repr__(self):
        raise SystemExit(3)
    def __eq__(self, other):
        return True

def test_a():
    assert Loud() == 1
    assert add(2, 2) == 4
    assert [add(1, 1)] * 3 == [2, 2, 2]
"""
    result = server.run(tests=tests)
    assert result["status"] == "passed", result["detail"]
    assert result["assertions"] == 3
    failing = server.run(tests="from solution import add\n\ndef test_a():\n    assert add(2, 2) == 5\n")
    assert failing["status"] == "failed" and failing["assertions"] == 0
    assert "assert 4 == 5" in failing["tests"][0]["message"]


def test_a_run_flooding_its_report_channel_is_rejected(server: Server) -> None:
    # The report pipe is drained, not polled (supervise.REPORT_PIPE_BYTES): a flood must still be
    # read in full and rejected, not stall the run until its time limit.
    tests = """
import os

def test_flood():
    line = b'{"nonce": "0", "record": "test"}' + b" " * 1000 + b"\\n"
    for fd in range(100, 256):
        try:
            os.fstat(fd)
        except OSError:
            continue
        for _ in range(9000):
            os.write(fd, line)
"""
    result = server.run(tests=tests, timeout_s=20)
    assert result["status"] == "rejected", result
    assert result["duration_s"] < 10


def test_every_assert_that_passes_is_counted_wherever_it_stands(server: Server) -> None:
    # The counter is placed after each assert statement before pytest rewrites the file
    # (counting.py): loops, branches, nested functions, class bodies and try blocks included.
    tests = """
import pytest
from solution import add

def helper(value):
    assert value >= 0
    return value

class TestKind:
    def test_loop(self):
        for n in range(3):
            assert add(n, 0) == n
        try:
            assert add(1, 1) == 3, "message"
        except AssertionError:
            pass
        if add(1, 1) == 2:
            assert helper(add(1, 1)) == 2
        else:
            assert False

def test_unittest_style_and_raises():
    with pytest.raises(ZeroDivisionError):
        1 / 0
    assert (lambda: add(1, 2))() == 3
"""
    result = server.run(tests=tests)
    assert result["status"] == "passed", result["detail"]
    assert result["assertions"] == 3 + 2 + 1 + 1  # loop, helper and its caller, raises, lambda


def test_a_file_pytest_does_not_rewrite_counts_no_asserts(server: Server) -> None:
    tests = '"""PYTEST_DONT_REWRITE"""\nfrom solution import add\n\ndef test_a():\n    assert add(1, 2) == 3\n'
    result = server.run(tests=tests)
    assert result["status"] == "passed", result["detail"]
    assert result["assertions"] == 0
    failing = server.run(tests=tests.replace("== 3", "== 4"))
    assert failing["status"] == "failed"
    assert failing["tests"][0]["message"] == "AssertionError"
