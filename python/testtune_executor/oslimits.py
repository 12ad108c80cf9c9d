"""Process-level confinement: privileges, namespaces and resource limits (Linux only).

Python 3.11 has no ``os.unshare``, ``prctl`` or ``capset``, so these go through libc with
ctypes. Every function here runs in the server or in a job's processes before any sample
code, never after.
"""

from __future__ import annotations

import ctypes
import os
import resource
from dataclasses import dataclass

_libc = ctypes.CDLL(None, use_errno=True)

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
# capset(2) has no libc wrapper; its number differs between architectures.
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_MACHINE = os.uname().machine
NOBODY = 65534


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl({option})")


def harden_server() -> None:
    """The server: not ptrace-able or readable through /proc/<pid>/mem by a job (same uid),
    adopts orphaned job processes so it can reap them, and never gains privileges by exec."""
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def drop_root(uid: int = NOBODY, gid: int = NOBODY) -> None:
    """Run as an unprivileged uid: the kernel does not enforce RLIMIT_NPROC for root."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


# The run's own calls, with their arguments built here, once: a run then only makes the calls
# (each ctypes object a run creates is Python work and freshly written pages in every run).
_PDEATHSIG_ARGS = (PR_SET_PDEATHSIG, ctypes.c_ulong(9), 0, 0, 0)


def die_with_parent() -> None:
    _check(_libc.prctl(*_PDEATHSIG_ARGS), "prctl(PR_SET_PDEATHSIG)")


_pylibc = ctypes.PyDLL(None, use_errno=True)  # PyDLL: the GIL stays held across the call
_pylibc.syscall.restype = ctypes.c_long
_SYS_CLONE = {"x86_64": 56, "aarch64": 220}
_SIGCHLD = 17


def fork_into_namespaces() -> int:
    """Like os.fork(), but the child starts in a new user and PID namespace, as PID 1: it cannot
    see or signal its parent, and when it exits the kernel kills every process it left.

    One clone(2) instead of fork + unshare + fork. Python has no such call, so this issues the
    raw system call and brackets it with the interpreter's own before/after-fork hooks, exactly
    as os.fork() does. Only valid in a single-threaded process (the server is one).
    """
    number = _SYS_CLONE.get(_MACHINE)
    if number is None:
        raise OSError(f"clone: unsupported architecture {_MACHINE}")
    api = ctypes.pythonapi
    api.PyOS_BeforeFork()
    # x86_64 and aarch64 both take (flags, stack, parent_tid, child_tid, tls); stack 0 = fork-like.
    pid = _pylibc.syscall(ctypes.c_long(number), ctypes.c_ulong(CLONE_NEWUSER | CLONE_NEWPID | _SIGCHLD), None, None, None, None)
    if pid == 0:
        api.PyOS_AfterFork_Child()
        return 0
    err = ctypes.get_errno()
    api.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(err, f"clone into new namespaces: {os.strerror(err)}")
    return pid


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_CAP_HEADER = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
_NO_CAPS = (_CapData * 2)()  # all zero; capset only reads it


def drop_capabilities() -> None:
    """Clears every capability (a new user namespace grants all of them inside it)."""
    number = _SYS_CAPSET.get(_MACHINE)
    if number is None:
        raise OSError(f"capset: unsupported architecture {_MACHINE}")
    _check(_libc.syscall(number, ctypes.byref(_CAP_HEADER), ctypes.byref(_NO_CAPS)), "capset")


@dataclass(frozen=True)
class Limits:
    """Per-job resource limits (the pool sets them; docs/sandbox.md gives the defaults' reasons)."""

    memory_mb: int = 1024  # address space of the test process, including the ~150 MB pytest needs
    processes: int = 64  # processes and threads of one job (counted in the job's own user namespace)
    open_files: int = 256
    file_size_mb: int = 16  # largest file a test may write
    output_bytes: int = 65536  # stdout and stderr kept per run, each (head and tail)

    @staticmethod
    def from_dict(raw: dict[str, object]) -> "Limits":
        known = {k: int(v) for k, v in raw.items() if k in Limits.__dataclass_fields__ and isinstance(v, (int, float))}
        return Limits(**known)


def apply_limits(limits: Limits, cpu_seconds: int, in_namespace: bool) -> None:
    """Limits of the test process itself (inherited by anything it starts)."""
    mb = 1024 * 1024
    # The kernel counts processes per user (per user namespace since Linux 5.14): in a run's own
    # namespace this caps the run alone; as the sandbox's dedicated uid 65534, the sandbox.
    # Under any other uid it would count all of that user's processes, so it is left alone.
    if in_namespace or os.getuid() == NOBODY:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    # The soft limit sends SIGXCPU, the hard one SIGKILL one second later (PID 1 of a
    # namespace ignores SIGXCPU, so the hard limit is what ends a CPU-bound run).
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
