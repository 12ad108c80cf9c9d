"""testtune_executor.calls: expected values for generated functions, by execution."""

from __future__ import annotations

import json
import subprocess
import sys

from testtune_executor import calls as calls_module
from testtune_executor.calls import evaluate_item

MODULE = """
def div(a, b):
    return a // b


def spin():
    while True:
        pass


class Box:
    pass


def make_box():
    return Box()


class Oops(Exception):
    pass


def fail():
    raise Oops()
"""


def test_values_are_returned_as_repr_that_reads_back() -> None:
    result = evaluate_item(MODULE, ["div(7, 2)", "'a' * 2", "[div(4, 2), None]"])
    assert result["module_error"] is None
    assert result["calls"] == [
        {"ok": True, "repr": "3", "literal": True},
        {"ok": True, "repr": "'aa'", "literal": True},
        {"ok": True, "repr": "[2, None]", "literal": True},
    ]


def test_objects_without_a_literal_repr_are_flagged() -> None:
    [call] = evaluate_item(MODULE, ["make_box()"])["calls"]
    assert call["ok"] is True and call["literal"] is False


def test_builtin_exceptions_are_named_and_module_ones_flagged() -> None:
    raised, custom = evaluate_item(MODULE, ["div(1, 0)", "fail()"])["calls"]
    assert raised == {"ok": False, "exception": "ZeroDivisionError", "builtin": True}
    assert custom == {"ok": False, "exception": "Oops", "builtin": False}


def test_a_call_that_never_returns_times_out(monkeypatch) -> None:
    import signal

    monkeypatch.setattr(calls_module, "CALL_TIMEOUT_S", 0.2)
    previous = signal.signal(signal.SIGALRM, calls_module._on_alarm)
    try:
        [call] = evaluate_item(MODULE, ["spin()"])["calls"]
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert call == {"ok": False, "timeout": True}


def test_a_module_that_fails_to_import_reports_its_error() -> None:
    result = evaluate_item("def f(:\n    pass\n", ["f()"])
    assert result["module_error"].startswith("SyntaxError")
    assert result["calls"] == []


def test_the_module_protocol_answers_one_result_per_item() -> None:
    request = {"items": [{"code": "def f(x):\n    return x + 1\n", "calls": ["f(1)"]}, {"code": "x = 1 / 0\n", "calls": ["x"]}]}
    done = subprocess.run([sys.executable, "-m", "testtune_executor.calls"], input=json.dumps(request), capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    assert answer["results"][0]["calls"] == [{"ok": True, "repr": "2", "literal": True}]
    assert answer["results"][1]["module_error"].startswith("ZeroDivisionError")


def test_a_bad_request_exits_2_with_a_message() -> None:
    done = subprocess.run([sys.executable, "-m", "testtune_executor.calls"], input="{}", capture_output=True, text=True)
    assert done.returncode == 2
    assert "bad request" in done.stderr
