"""Evaluate function calls on generated modules, to compute the expected values of reference tests.

Run as ``python -m testtune_executor.calls``: reads one JSON document on stdin,
``{"items": [{"code": "<module source>", "calls": ["f(1, 2)", ...]}, ...]}``, and writes one
JSON document on stdout, ``{"results": [{"module_error": null | "<Type>: <msg>", "calls": [...]}]}``
where each call is ``{"ok": true, "repr": "3", "literal": true}`` or
``{"ok": false, "exception": "ZeroDivisionError", "builtin": true}`` or ``{"ok": false, "timeout": true}``.

``literal`` says whether ``repr(result)`` reads back as an equal value with ``ast.literal_eval``
(so a test can compare against it); ``builtin`` says whether the exception type is a builtin
name that a test file can name in ``pytest.raises`` without importing it.

This runs testtune's own generated code (TinyTests) in one process for the whole batch; it is
not a sandbox and must never be given untrusted code.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import signal
import sys

from typing import Any

from .stdin_request import answer_stdin_request

CALL_TIMEOUT_S = 2.0  # generated functions are tiny; anything slower is a generator bug


class CallTimeout(BaseException):
    """Raised by the alarm handler; a BaseException so the called code cannot swallow it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise CallTimeout()


def _reads_back(value: Any, text: str) -> bool:
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return type(parsed) is type(value) and parsed == value


def _evaluate_call(call: str, namespace: dict[str, Any]) -> dict[str, Any]:
    signal.setitimer(signal.ITIMER_REAL, CALL_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            value = eval(call, namespace)  # noqa: S307 - trusted generated code, see module docstring
        text = repr(value)
        return {"ok": True, "repr": text, "literal": _reads_back(value, text)}
    except CallTimeout:
        return {"ok": False, "timeout": True}
    except Exception as error:  # noqa: BLE001 - every exception type is a result here
        name = type(error).__name__
        return {"ok": False, "exception": name, "builtin": getattr(builtins, name, None) is type(error)}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def evaluate_item(code: str, calls: list[str]) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "solution"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "solution.py", "exec"), namespace)  # noqa: S102 - trusted generated code
    except Exception as error:  # noqa: BLE001
        return {"module_error": f"{type(error).__name__}: {error}", "calls": []}
    return {"module_error": None, "calls": [_evaluate_call(call, namespace) for call in calls]}


def main() -> int:
    signal.signal(signal.SIGALRM, _on_alarm)
    return answer_stdin_request(
        "calls", "items", lambda items: True, "a list",
        lambda items: {"results": [evaluate_item(str(item["code"]), [str(c) for c in item["calls"]]) for item in items]},
    )

if __name__ == "__main__":
    sys.exit(main())
