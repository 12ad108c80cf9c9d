"""Starting one run in its own process and watching it from the server.

The runner is forked straight into a new user + PID namespace (``fork_into_namespaces``),
where it is PID 1: it cannot see or signal the server, and a PID namespace dies with its
first process, so every process a run starts (daemons included) is gone when the runner
ends or is killed. Where the kernel refuses user namespaces the runner is a plain fork in
its own session.

The server polls the run's stdout and stderr pipes and the runner's pidfd, enforces the
wall-clock limit, then reaps the runner (its exit status and CPU time) and, in the sandbox,
kills whatever is left (``sweep``). The report pipe is emptied without waking the server for
each record (see ``REPORT_PIPE_BYTES``).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import time
from dataclasses import dataclass, field
from typing import Callable

from . import oslimits

KEPT_REPORT_BYTES = 8 * 1024 * 1024
# A run writes a handful of report records per test, each of which woke the server (a poll,
# a read, a pass of its loop) while it watched the report pipe. Instead the pipe is made this
# large, is not watched, and is emptied whenever the server wakes anyway (output, the runner's
# exit) and at least every REPORT_DRAIN_S; a drain that finds a quarter of it full (a flood)
# switches to watching it. Nothing about the run changes: its writes never block for longer
# than one drain interval, and the server reads every byte, as before. Where the kernel refuses
# the larger pipe (fs.pipe-max-size, per-user pipe quota), the pipe is watched from the start.
REPORT_PIPE_BYTES = 1024 * 1024
REPORT_DRAIN_S = 0.05
RUNNER_SETUP_FAILED = 71


class BoundedOutput:
    """Keeps the head and tail of a stream, with a marker saying how much was dropped between."""

    def __init__(self, limit: int) -> None:
        self._half = max(1, limit // 2)
        self._head = bytearray()
        self._tail = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = self._half - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            excess = len(self._tail) - self._half
            if excess > 0:
                self.dropped += excess
                del self._tail[:excess]

    def text(self) -> str:
        middle = f"\n[... {self.dropped} bytes truncated by the sandbox ...]\n".encode() if self.dropped else b""
        return (bytes(self._head) + middle + bytes(self._tail)).decode("utf-8", errors="replace")


@dataclass
class RawRun:
    """Everything the server observed about one run, before judging it."""

    report: bytes = b""
    report_overflow: bool = False
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    exit_code: int | None = None
    signal: int | None = None
    cpu_s: float = 0.0
    duration_s: float = 0.0


@dataclass
class Run:
    pid: int
    pipes: dict[str, int]
    started: float
    outputs: dict[str, BoundedOutput] = field(default_factory=dict)
    report: bytearray = field(default_factory=bytearray)
    watch_report: bool = True  # False: the report pipe is large and drained, not polled (REPORT_PIPE_BYTES)


class BecomeRunner(Exception):
    """Raised in the runner process once it is set up: unwinds to the pytest hook that forked it."""


def launch(limits: oslimits.Limits, namespaces: bool, enter_runner: Callable[[dict[str, int], bool], None]) -> Run:
    """Forks the runner. Returns in the server; in the runner ``enter_runner`` runs and
    BecomeRunner is raised."""
    pipes: dict[str, int] = {}
    for name in ("out", "err", "report"):
        pipes[f"{name}_r"], pipes[f"{name}_w"] = os.pipe()
    watch_report = not _enlarge(pipes["report_r"])
    started = time.monotonic()
    pid = oslimits.fork_into_namespaces() if namespaces else os.fork()
    if pid == 0:
        try:
            enter_runner(pipes, namespaces)
        except BaseException as error:  # noqa: BLE001 - our setup failed: no ready record, so sandbox_error
            os.write(2, f"runner setup failed: {type(error).__name__}: {error}\n".encode(errors="replace"))
            os._exit(RUNNER_SETUP_FAILED)
        raise BecomeRunner()
    for name in ("out_w", "err_w", "report_w"):
        os.close(pipes.pop(name))
    outputs = {"out_r": BoundedOutput(limits.output_bytes), "err_r": BoundedOutput(limits.output_bytes)}
    return Run(pid=pid, pipes=pipes, started=started, outputs=outputs, watch_report=watch_report)


def _enlarge(read_fd: int) -> bool:
    """Makes the pipe REPORT_PIPE_BYTES large and its read end non-blocking; False if refused."""
    try:
        fcntl.fcntl(read_fd, fcntl.F_SETPIPE_SZ, REPORT_PIPE_BYTES)
    except OSError:
        return False
    os.set_blocking(read_fd, False)
    return True


def _kill(pid: int) -> None:
    """The runner (taking its namespace with it) and its process group. Its PID cannot have been
    reused: the server has not reaped it yet."""
    for target in (pid, -pid):
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _read(run: Run, name: str) -> bool:
    """Reads what is available; False at end of file."""
    try:
        chunk = os.read(run.pipes[name], 65536)
    except BlockingIOError:
        return True
    if not chunk:
        return False
    if name == "report_r":
        if len(run.report) < KEPT_REPORT_BYTES:
            run.report += chunk
    else:
        run.outputs[name].add(chunk)
    return True


def _drain(run: Run) -> int:
    """Reads everything the (non-blocking) report pipe holds now; returns the bytes read."""
    fd = run.pipes["report_r"]
    total = 0
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return total
        if not chunk:
            return total
        total += len(chunk)
        if len(run.report) < KEPT_REPORT_BYTES:
            run.report += chunk


def _cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far (user + system, its threads included); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def wait(run: Run, timeout_s: float, cpu_budget_s: float | None = None) -> RawRun:
    """Watches the run until the runner exits (killing it at the deadline), then reaps it and
    drains the pipes.

    With `cpu_budget_s`, `timeout_s` is only the outer bound: the run is killed once it has used
    that much CPU, checked whenever the budget's worth of wall time has passed. A run that
    merely waits for a busy machine's cores is not cut short (a mutant must not "time out"
    because of a neighbour), while one that spins is stopped after about its budget.
    """
    pidfd = os.pidfd_open(run.pid)
    poller = select.poll()
    by_fd = {fd: name for name, fd in run.pipes.items()}
    watch_report = run.watch_report
    for fd, name in by_fd.items():
        if watch_report or name != "report_r":
            poller.register(fd, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    outer = run.started + timeout_s
    deadline = outer if cpu_budget_s is None else min(outer, run.started + cpu_budget_s)
    timed_out = exited = False
    while not exited:
        now = time.monotonic()
        if deadline - now <= 0 and not timed_out and deadline < outer:
            # the budget's wall time has passed: wait on for the CPU time it has not used yet
            unused = cpu_budget_s - _cpu_seconds(run.pid) if cpu_budget_s is not None else 0.0
            deadline = min(outer, now + unused) if unused > 0 else now
        remaining = deadline - now
        if remaining <= 0 and not timed_out:
            timed_out = True
            _kill(run.pid)
        wait_s = 0.05 if timed_out else remaining if watch_report else min(remaining, REPORT_DRAIN_S)
        for fd, _event in poller.poll(max(1, int(wait_s * 1000))):
            if fd == pidfd:
                exited = True
            elif not _read(run, by_fd[fd]):
                poller.unregister(fd)
        if not watch_report and _drain(run) >= REPORT_PIPE_BYTES // 4:
            watch_report = True
            poller.register(run.pipes["report_r"], select.POLLIN)
    os.close(pidfd)
    duration = time.monotonic() - run.started
    # Without a namespace of its own, the runner's group may outlive it: kill it before the
    # runner is reaped, while its PID (the group's id) cannot be reused.
    os.waitid(os.P_PID, run.pid, os.WEXITED | os.WNOWAIT)
    _kill(run.pid)
    _, status, usage = os.wait4(run.pid, 0)
    for name, fd in run.pipes.items():
        os.set_blocking(fd, False)
        for _ in range(64):  # bounded: without a namespace, an escaped process may still be writing
            if not (_read(run, name) and select.select([fd], [], [], 0)[0]):
                break
        os.close(fd)
    raw = RawRun(report=bytes(run.report), report_overflow=len(run.report) >= KEPT_REPORT_BYTES, timed_out=timed_out, duration_s=duration)
    raw.stdout = run.outputs["out_r"].text()
    raw.stderr = run.outputs["err_r"].text()
    raw.cpu_s = usage.ru_utime + usage.ru_stime
    if os.WIFSIGNALED(status):
        raw.signal = os.WTERMSIG(status)
    else:
        raw.exit_code = os.WEXITSTATUS(status)
    return raw


def sweep() -> None:
    """Kills every process of the sandbox except the server and bubblewrap's init (PID 1), and
    reaps the ones that were handed to the server. Only valid in the sandbox's PID namespace."""
    me = os.getpid()
    for _ in range(1000):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        if not others:
            return
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reap()
        time.sleep(0.001)
    raise RuntimeError(f"processes survive SIGKILL: {others}")


def reap() -> None:
    """Collects exited children (orphans of runs come to the server, a child subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
