"""The test process of one run: set up before any sample code, and its final record after.

``enter`` runs in the freshly forked runner (see supervise.py), then control returns to the
pytest session the server had started, which collects and runs the test file. When pytest
returns, ``finish`` sends the final ``done`` record and exits without running any exit
handlers the sample may have registered.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import tempfile
import types
from dataclasses import dataclass

import pytest

from . import codeload, oslimits
from .coverage_data import Measurement
from .integrity import Snapshot, install_audit_hook
from .report import Channel, ResultPlugin


@dataclass
class RunSpec:
    """One run: which test file, which code (original or a mutant), which limits."""

    job_dir: str
    test_path: str
    modules: dict[str, tuple[types.CodeType, str]]
    limits: oslimits.Limits
    cpu_seconds: int
    nonce: str
    measure: str | None = None  # file name of the code module, to measure coverage of
    server_fds: tuple[int, ...] = ()  # the protocol pipes, closed in the run
    report_fd: int = 100  # where the run's report pipe goes (the first free one from here): random, 100-199


class RunnerState:
    """What the runner keeps between ``enter`` and ``finish`` (one per run, in the runner only)."""

    measurement: Measurement | None = None


def _private_fds(pipes: dict[str, int], server_fds: tuple[int, ...], report_fd: int) -> int:
    """stdout/stderr to the server's pipes, the report pipe at the first free descriptor from
    ``report_fd`` (a random number the server chose); the server's protocol pipes and the run's
    other pipe ends closed. stdin is the server's, which is /dev/null (server._protocol_streams).
    (Descriptors the pytest session opened in the server, such as its /dev/null log handler,
    stay: the session closes them at its end.) Returns the report fd."""
    os.dup2(pipes["out_w"], 1)
    os.dup2(pipes["err_w"], 2)
    while _is_open(report_fd):
        report_fd += 1
    os.dup2(pipes["report_w"], report_fd, inheritable=False)
    for fd in (*pipes.values(), *server_fds):
        if fd > 2 and fd != report_fd:
            try:
                os.close(fd)
            except OSError:
                pass
    return report_fd


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def set_up_inherited(tmp_dir: str) -> None:
    """The runs' process state that is the same in every run, set once in the server: each
    fork inherits it instead of paying for it. (It changes nothing the server relies on.)"""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the file-size limit, write() fails with EFBIG
    tempfile.tempdir = tmp_dir
    os.environ["TMPDIR"] = tmp_dir
    # Writes to fd 2, which is the run's stderr pipe in a run.
    faulthandler.enable(file=sys.stderr, all_threads=True)


def enter(spec: RunSpec, pipes: dict[str, int], in_namespace: bool, plugin: ResultPlugin, snapshot: Snapshot, config: pytest.Config, state: RunnerState) -> None:
    os.setsid()
    oslimits.die_with_parent()
    if in_namespace:
        oslimits.drop_capabilities()
    # PR_SET_NO_NEW_PRIVS is inherited from the server (oslimits.harden_server), like stdin.
    report_fd = _private_fds(pipes, spec.server_fds, spec.report_fd)
    os.chdir(spec.job_dir)
    codeload.install(spec.modules)
    channel = Channel(report_fd, spec.nonce)
    plugin.activate(channel, snapshot)
    install_audit_hook(plugin.tamper)
    if spec.measure is not None:
        state.measurement = Measurement(spec.measure)
    config.args[:] = [spec.test_path]
    oslimits.apply_limits(spec.limits, spec.cpu_seconds, in_namespace)
    channel.send("ready")


def finish(plugin: ResultPlugin, state: RunnerState, exitstatus: int) -> None:
    arcs = state.measurement.stop() if state.measurement is not None else None
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the sample may have closed or replaced the stream
            pass
    changed = plugin.changed if plugin.changed is not None else ["the pytest session did not finish"]
    assert plugin.channel is not None
    plugin.channel.send(
        "done",
        exitstatus=int(exitstatus),
        assertions=plugin.assertions,
        changed=changed,
        arcs=arcs,
    )
    os._exit(0)
