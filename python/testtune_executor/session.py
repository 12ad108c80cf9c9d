"""The pytest command line every run uses, and the warm-up that loads everything once.

Plugins that write files, print a terminal report or talk to the outside are disabled; the
ones tests rely on (fixtures such as tmp_path, capsys, caplog, monkeypatch, unittest support,
skip/xfail marks) stay. ``-c /dev/null`` keeps pytest from reading any configuration file.
"""

from __future__ import annotations

import os
import sys

import pytest

from . import codeload
from .coverage_data import Measurement, analyse
from .integrity import Snapshot
from .report import Channel, ResultPlugin
from .workspace import Workspace

# "debugging" stays: the unittest plugin reads its options.
DISABLED_PLUGINS = ("cacheprovider", "pastebin", "junitxml", "doctest", "stepwise", "terminal", "setuponly", "setupplan", "faulthandler")


def pytest_args(rootdir: str) -> list[str]:
    args: list[str] = []
    for name in DISABLED_PLUGINS:
        args += ["-p", f"no:{name}"]
    # --confcutdir: no conftest.py above the job directory is loaded and no parent directory scanned.
    # Passing asserts are counted without pytest's enable_assertion_pass_hook (see counting.py).
    return args + ["-s", "-c", os.devnull, "--rootdir", rootdir, "--confcutdir", rootdir, rootdir]


_WARMUP_CODE = '''
def add(a, b):
    if a < 0:
        return b + a
    return a + b
'''

_WARMUP_TESTS = r'''
import logging
import unittest
import pytest
from testtune_warmup_code import add

@pytest.fixture
def pair():
    return (1, 2)

@pytest.mark.parametrize("a,b,total", [(1, 2, 3), (-1, 1, 0)])
def test_add(a, b, total, pair, tmp_path, capsys, monkeypatch, caplog):
    print("out")
    assert capsys.readouterr().out == "out\n"
    logging.getLogger("warmup").warning("log")
    (tmp_path / "f.txt").write_text("x")
    monkeypatch.setenv("WARMUP", "1")
    assert add(a, b) == total
    assert add(0.1, 0.2) == pytest.approx(0.3)
    with pytest.raises(TypeError, match="unsupported"):
        add(1, None)

def test_fails():
    assert add(1, 1) == [3, {"k": 1}]

@pytest.mark.skip(reason="warm-up")
def test_skipped():
    pass

@pytest.mark.xfail(strict=False)
def test_xfail():
    assert 0

class TestClass:
    def test_method(self):
        assert add(2, 2) == 4

class Case(unittest.TestCase):
    def test_case(self):
        self.assertEqual(add(1, 2), 3)
        with self.assertRaises(TypeError):
            add(1, None)
'''


def warm_up(workspace: Workspace, plugin: ResultPlugin) -> None:
    """Runs a representative session in this process so that every lazy import (assertion
    rewriting, failure formatting, fixtures, coverage's tracer) is paid once, before the forks."""
    workspace.reset({"test_testtune_warmup.py": _WARMUP_TESTS})
    code_path = os.path.join(workspace.job_dir, "testtune_warmup_code.py")
    finder = codeload.install({"testtune_warmup_code": (codeload.compile_module(_WARMUP_CODE, code_path), code_path)})
    read_fd, write_fd = os.pipe()
    measurement = Measurement(code_path)
    cwd = os.getcwd()
    try:
        os.chdir(workspace.job_dir)
        plugin.activate(Channel(write_fd, "warm-up"), None)
        exitstatus = pytest.main(pytest_args(workspace.job_dir), plugins=[plugin, _SnapshotOnce(plugin)])
        analyse(_WARMUP_CODE, code_path, measurement.stop())
        # One test fails on purpose; anything else means this pytest does not work as expected.
        failing = sorted(nodeid for nodeid, outcome in plugin.outcomes().items() if outcome not in ("passed", "skipped", "xfailed"))
        if exitstatus != pytest.ExitCode.TESTS_FAILED or failing != ["test_testtune_warmup.py::test_fails"]:
            raise RuntimeError(f"the warm-up session ended with {exitstatus!r}, failing {failing}: {os.read(read_fd, 65536)!r}")
    finally:
        os.chdir(cwd)
        plugin.reset()
        sys.meta_path.remove(finder)
        for name in ("testtune_warmup_code", "test_testtune_warmup"):
            sys.modules.pop(name, None)
        os.close(write_fd)
        os.close(read_fd)
        workspace.reset({})


class _SnapshotOnce:
    """Takes the integrity snapshot during the warm-up session, so that path is warm too."""

    def __init__(self, plugin: ResultPlugin) -> None:
        self._plugin = plugin

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._plugin.snapshot = Snapshot(session.config.hook)
