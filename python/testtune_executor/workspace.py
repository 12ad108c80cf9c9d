"""The writable world of a run, reset to empty before every run.

In the sandbox (bubblewrap) the only writable places are the private tmpfs at /tmp and
/dev/shm, and System V IPC objects live in the sandbox's own IPC namespace: all of them are
wiped between runs, so nothing a run leaves (a marker file, a shared-memory segment) can be
seen by the next one, the next job's or a mutant's. Without isolation only the workspace's
own directory is wiped.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import stat
import tempfile

_libc = ctypes.CDLL(None, use_errno=True)
_IPC_RMID = 0


def _force_rmtree(path: str) -> None:
    """Removes a tree whatever permissions a run left on it (same uid: chmod always works)."""

    def retry(func, target, _exc):  # type: ignore[no-untyped-def]
        parent = os.path.dirname(target)
        for p in (parent, target):
            try:
                os.chmod(p, stat.S_IRWXU, follow_symlinks=False)
            except OSError:
                pass
        try:
            func(target)
        except FileNotFoundError:
            pass

    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=retry)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _empty_dir(path: str) -> None:
    try:
        os.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO | stat.S_ISVTX)
    except OSError:
        pass
    try:
        names = os.listdir(path)
    except FileNotFoundError:
        return
    for name in names:
        _force_rmtree(os.path.join(path, name))


def _remove_sysv_ipc() -> None:
    for kind, ctl in (("shm", _libc.shmctl), ("msg", _libc.msgctl), ("sem", _libc.semctl)):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                rows = table.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 1 and fields[1].isdigit():
                if kind == "sem":
                    ctl(int(fields[1]), 0, _IPC_RMID, 0)
                else:
                    ctl(int(fields[1]), _IPC_RMID, None)


class Workspace:
    """Where a run's files live; ``job_dir`` is the same path for every run."""

    def __init__(self, sandboxed: bool, workdir: str | None = None) -> None:
        self.sandboxed = sandboxed
        if sandboxed:
            self.root = "/tmp"
        elif workdir is not None:
            os.makedirs(workdir, exist_ok=True)
            self.root = workdir
        else:
            self.root = tempfile.mkdtemp(prefix="testtune-exec-")
        self.job_dir = os.path.join(self.root, "job")
        self.tmp_dir = self.root if sandboxed else os.path.join(self.root, "tmp")
        os.makedirs(self.job_dir, exist_ok=True)
        self._emptied = False

    def clear(self) -> None:
        """Empties everything a run could write (the job directory included)."""
        _empty_dir(self.root)
        if self.sandboxed:
            _empty_dir("/dev/shm")
            _remove_sysv_ipc()
        # In the sandbox no process of a run survives its end (supervise.sweep), so nothing can
        # write here until the next run starts: the next reset need not empty it again.
        self._emptied = self.sandboxed

    def reset(self, files: dict[str, str]) -> None:
        """Empties everything writable, then writes ``files`` (relative names) into job_dir."""
        if not self._emptied:
            self.clear()
        self._emptied = False
        os.mkdir(self.job_dir)
        if self.tmp_dir != self.root:
            os.mkdir(self.tmp_dir)
        for name, text in files.items():
            path = os.path.join(self.job_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)

    def remove(self) -> None:
        if not self.sandboxed:
            _force_rmtree(self.root)
