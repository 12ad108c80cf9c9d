"""The executor: a fork-server that runs pytest files against code, one job at a time.

    python -m testtune_executor.server [--sandboxed] [--limits '{"memory_mb": 1024, ...}']

It imports pytest and coverage once, warms them up, and starts one pytest session whose
collection hook never returns in the server: it reads jobs (JSON lines on stdin) and, for
each run, forks a process that returns from the hook into pytest's collection and run with
the job's files in place. So a run pays neither the imports nor pytest's configuration, only
collecting and running its own test file. Results are JSON lines on stdout; the protocol is
in protocol.py and docs/sandbox.md.

``--sandboxed`` says the server runs inside bubblewrap (its own PID, IPC and network
namespaces, /tmp a private tmpfs): only then does it drop root, wipe /tmp between runs and
kill every other process of the namespace after each run. Without it (isolation "none") it
touches nothing outside its own temporary directory.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
import traceback
from typing import Any, BinaryIO

os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # before pytest is imported: only our plugins
sys.dont_write_bytecode = True

import coverage  # noqa: E402
import pytest  # noqa: E402

from . import counting, oslimits, precompile, session, supervise  # noqa: E402
from . import answer_guard  # noqa: E402,F401 - imported before the integrity snapshot, so patching it is tamper evidence
from .integrity import Snapshot  # noqa: E402
from .job import Context, JobRunner, error_result  # noqa: E402
from .mutants import generate  # noqa: E402
from .protocol import PROTOCOL_VERSION, JobError, Writer, job_id_of, parse_job  # noqa: E402
from .report import ResultPlugin  # noqa: E402
from .runner import RunnerState, finish, set_up_inherited  # noqa: E402
from .workspace import Workspace  # noqa: E402


class Zygote:
    """The pytest plugin whose collection hook is the server's job loop."""

    def __init__(self, reader: BinaryIO, writer: Writer, workspace: Workspace, plugin: ResultPlugin, limits: oslimits.Limits, namespaces: bool) -> None:
        self._reader = reader
        self._writer = writer
        self._workspace = workspace
        self._plugin = plugin
        self._limits = limits
        self._namespaces = namespaces
        self.state = RunnerState()
        self.in_runner = False

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        if self.in_runner:
            return None
        server_fds = (self._reader.fileno(), self._writer.fd)
        ctx = Context(session.config, self._plugin, self.state, Snapshot(session.config.hook), self._workspace, self._limits, self._namespaces, server_fds)
        jobs = JobRunner(ctx, generate)
        self._writer.send(self._ready())
        os.chdir(self._workspace.root)  # the job directory is removed and recreated by every run
        gc.collect()
        gc.freeze()  # the runs share these pages with the server instead of copying them
        for line in self._reader:
            if not line.strip():
                continue
            started = time.monotonic()
            try:
                job = parse_job(line)
            except JobError as error:
                self._writer.send({"type": "invalid", "id": job_id_of(line), "field": error.field, "message": str(error)})
                continue
            try:
                result = jobs.execute(job)
            except supervise.BecomeRunner:
                self.in_runner = True
                return None
            except Exception:  # noqa: BLE001 - our bug: report it on this job and keep serving
                result = error_result(f"executor error: {traceback.format_exc(limit=8)}", started)
                self._recover()
            self._workspace.clear()  # nothing of a job outlives it: its processes are gone, now its files
            self._writer.send({"type": "result", "id": job.id, "result": result})
        self._workspace.remove()
        os._exit(0)

    def _recover(self) -> None:
        if self._workspace.sandboxed:
            supervise.sweep()
        supervise.reap()

    def _ready(self) -> dict[str, Any]:
        return {
            "type": "ready",
            "protocol": PROTOCOL_VERSION,
            "python": platform.python_version(),
            "pytest": pytest.__version__,
            "coverage": coverage.__version__,
            "sandboxed": self._workspace.sandboxed,
            "namespaces": self._namespaces,
            "uid": os.getuid(),
            "limits": vars(self._limits),
        }


def _probe_namespaces() -> bool:
    """Whether this kernel lets us give each run its own user and PID namespace."""
    try:
        pid = oslimits.fork_into_namespaces()
    except OSError:
        return False
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return True


def _check_sandbox() -> None:
    with open("/proc/1/comm") as comm:
        init = comm.read().strip()
    if os.getpid() == 1 or init != "bwrap":
        raise SystemExit(f"executor: --sandboxed but PID 1 is {init!r}, not bubblewrap: refusing to kill processes or wipe /tmp")


def _protocol_streams() -> tuple[BinaryIO, Writer]:
    """Private copies of stdin/stdout for the protocol; fd 1 then goes to stderr, so stray
    prints can never corrupt the protocol, and fd 0 reads nothing."""
    reader = os.fdopen(os.dup(0), "rb")
    writer = Writer(os.dup(1))
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return reader, writer


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m testtune_executor.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sandboxed", action="store_true", help="running inside bubblewrap (see the module docstring)")
    parser.add_argument("--limits", default="{}", help="per-run limits as JSON (oslimits.Limits fields)")
    parser.add_argument("--workdir", help="without --sandboxed: the directory to run in (default: a new temporary one)")
    args = parser.parse_args(argv)
    limits = oslimits.Limits.from_dict(json.loads(args.limits))
    reader, writer = _protocol_streams()
    if args.sandboxed:
        _check_sandbox()
        if os.geteuid() == 0:
            oslimits.drop_root()
    oslimits.harden_server()
    namespaces = _probe_namespaces()
    workspace = Workspace(args.sandboxed, args.workdir)
    set_up_inherited(workspace.tmp_dir)
    plugin = ResultPlugin()
    counting.install(plugin.count_assertion)
    precompile.install()
    session.warm_up(workspace, plugin)
    zygote = Zygote(reader, writer, workspace, plugin, limits, namespaces)
    os.chdir(workspace.job_dir)
    exitstatus = pytest.main(session.pytest_args(workspace.job_dir), plugins=[plugin, zygote])
    if zygote.in_runner:
        finish(plugin, zygote.state, int(exitstatus))
    sys.stderr.write(f"executor: the pytest session ended before serving jobs (exit status {exitstatus})\n")
    return 70


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
