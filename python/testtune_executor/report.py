"""The result plugin: what a run tells the server, over a private pipe, as it happens.

Records are JSON lines, each carrying the run's nonce (a random value only the server and
this run know); the server drops the run as tampered when a line lacks it. Kinds:

``collected`` the node ids pytest collected; ``start`` a test began (so a crash or timeout
can name it); ``test`` one test's outcome, duration and short message; ``collect_error`` a
module that could not be collected; ``internal_error``; ``tamper`` a rule was broken;
``done`` pytest returned (exit status, assertions counted, what changed in pytest's machinery,
coverage arcs).
A run without ``done`` never passes.
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any

import pytest

from .integrity import Snapshot

MESSAGE_CHARS = 1500
_SYNTAX = re.compile(r"\b(SyntaxError|IndentationError|TabError)\b")


class Channel:
    """Writes nonce-tagged records to the run's report pipe."""

    def __init__(self, fd: int, nonce: str) -> None:
        self._fd = fd
        self._nonce = nonce
        self._lock = threading.RLock()

    def send(self, record: str, **fields: Any) -> None:
        data = (json.dumps({"nonce": self._nonce, "record": record, **fields}) + "\n").encode()
        with self._lock:
            while data:
                try:
                    data = data[os.write(self._fd, data) :]
                except InterruptedError:
                    continue
                except OSError:
                    return  # the server is gone or the run closed the pipe: the missing records say so


def shorten(text: str, limit: int = MESSAGE_CHARS, max_lines: int = 12) -> str:
    lines = text.strip().splitlines()
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [f"... ({len(lines) - max_lines + 1} more lines)"]
    out = "\n".join(lines)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def short_message(report: pytest.TestReport) -> str:
    """The crash line(s) of a failure (``assert 3 == 4``, ``ZeroDivisionError: ...``) or a skip reason."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return shorten(str(longrepr[2]))
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return shorten(crash.message)
    return shorten(report.longreprtext.strip().splitlines()[-1] if report.longreprtext.strip() else "")


def last_lines(text: str, count: int = 15, limit: int = 3000) -> str:
    """The end of a traceback, where the error is."""
    lines = text.strip().splitlines()
    out = "\n".join(lines[-count:])
    return out if len(out) <= limit else "..." + out[-(limit - 3) :]


def error_kind(text: str) -> str:
    if "SystemExit" in text:
        return "exit"
    if _SYNTAX.search(text):
        return "syntax"
    if "MemoryError" in text:
        return "memory"
    return "other"


class _TestState:
    __slots__ = ("outcome", "duration", "message")

    def __init__(self) -> None:
        self.outcome = "passed"
        self.duration = 0.0
        self.message = ""


class ResultPlugin:
    """Registered once in the server's pytest session; it only reports inside a run."""

    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.snapshot: Snapshot | None = None
        self.assertions = 0
        self.changed: list[str] | None = None
        self._tests: dict[str, _TestState] = {}

    def activate(self, channel: Channel, snapshot: Snapshot | None) -> None:
        self.channel = channel
        self.snapshot = snapshot

    def reset(self) -> None:
        """Back to the idle state (after the server's warm-up session)."""
        self.__init__()  # type: ignore[misc]

    def tamper(self, reason: str) -> None:
        if self.channel is not None:
            self.channel.send("tamper", reason=reason)

    def outcomes(self) -> dict[str, str]:
        return {nodeid: state.outcome for nodeid, state in self._tests.items()}

    def count_assertion(self) -> None:
        self.assertions += 1

    def pytest_plugin_registered(self, plugin: object, plugin_name: str | None) -> None:
        if self.channel is not None:
            self.tamper(f"registered a pytest plugin while tests ran ({plugin_name or type(plugin).__name__})")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if self.channel is not None and report.failed:
            text = report.longreprtext
            self.channel.send("collect_error", nodeid=report.nodeid, kind=error_kind(text), message=last_lines(text))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.channel is not None:
            self.channel.send("collected", nodeids=[item.nodeid for item in session.items])

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.channel is not None:
            self.channel.send("start", nodeid=nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.channel is None:
            return
        state = self._tests.setdefault(report.nodeid, _TestState())
        state.duration += report.duration
        xfail = hasattr(report, "wasxfail")
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                state.outcome = "xpassed" if xfail else "passed"
            elif report.skipped:
                state.outcome = "xfailed" if xfail else "skipped"
            else:
                state.outcome = "error" if report.when == "setup" else "failed"
            state.message = short_message(report)
        elif report.when == "teardown" and report.failed:
            if state.outcome == "passed":
                state.outcome = "error"
            state.message = shorten(f"{state.message}\nteardown: {short_message(report)}".strip())
        if report.when == "teardown":
            self.channel.send("test", nodeid=report.nodeid, outcome=state.outcome, duration_s=round(state.duration, 6), message=state.message)

    def pytest_assertion_pass(self) -> None:
        # Implemented so that pytest installs ``util._assertion_pass`` while each test runs, which
        # is when counting.py counts passing asserts; rewritten code does not call it.
        self.count_assertion()

    def pytest_internalerror(self, excrepr: object) -> None:
        if self.channel is not None:
            text = str(excrepr)
            self.channel.send("internal_error", kind=error_kind(text), message=last_lines(text))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        if self.channel is not None and self.snapshot is not None:
            self.changed = self.snapshot.changes()
