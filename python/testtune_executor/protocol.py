"""The executor's protocol: JSON lines on stdin (jobs) and stdout (messages). See docs/sandbox.md.

Server -> client: ``{"type": "ready", "protocol": 1, ...}`` once, then for each job, in order,
``{"type": "result", "id": ..., "result": {...}}`` or, for a job that breaks the protocol,
``{"type": "invalid", "id": ..., "field": "...", "message": "..."}``.
Client -> server: one job per line; closing stdin stops the server.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

PROTOCOL_VERSION = 1
MAX_SOURCE_CHARS = 1_000_000
# A conftest.py would not be loaded (the session's conftests are fixed before any job), and
# configuration files or a package marker at the root would change how pytest collects.
_RESERVED_ROOT_FILES = {"pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", "__init__.py"}
_RESERVED_MODULE_PREFIXES = ("pytest", "_pytest", "pluggy", "testtune", "coverage")


class JobError(ValueError):
    """A job that does not follow the protocol: answered with an ``invalid`` message naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MutantSpec:
    id: int
    operator: str
    line: int
    source: str


@dataclass(frozen=True)
class Job:
    id: Any
    code: str
    tests: str
    module: str = "solution"
    timeout_s: float = 10.0
    coverage: bool = False
    mutants: bool = False
    max_mutants: int | None = None
    files: dict[str, str] = field(default_factory=dict)
    mutant_list: list[MutantSpec] | None = None
    # Spreading one job's mutants over several executors: the client first runs the job without
    # mutants, then sends "mutants only" jobs, one per shard, with the original run's duration.
    mutants_only: bool = False
    original_s: float | None = None
    mutant_shard: tuple[int, int] = (0, 1)  # (index, count): this job runs mutants i % count == index

    @property
    def test_file(self) -> str:
        return f"test_{self.module}.py"


def _module_name(value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise JobError("module", f"must be a Python identifier, got {value!r}")
    # A module the executor has already imported would be found in sys.modules instead of the code.
    if value in sys.stdlib_module_names or value in sys.modules or value.startswith(_RESERVED_MODULE_PREFIXES):
        raise JobError("module", f"{value!r} would shadow a standard library or runner module; pick another name")
    return value


def _files(value: object, module: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JobError("files", "must be an object of relative path -> text")
    out: dict[str, str] = {}
    for name, text in value.items():
        parts = str(name).split("/")
        if not isinstance(text, str) or not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise JobError("files", f"{name!r} must be a relative path without '.' or '..' parts, with text content")
        if parts[-1] == "conftest.py" or name in _RESERVED_ROOT_FILES or name in (f"{module}.py", f"test_{module}.py"):
            raise JobError("files", f"{name!r} is reserved (the code, the tests and pytest configuration are the runner's)")
        out[name] = text
    return out


def _mutant_list(value: object) -> list[MutantSpec] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise JobError("mutant_list", "must be a list of {id, operator, line, source}")
    try:
        return [MutantSpec(int(m["id"]), str(m["operator"]), int(m["line"]), str(m["source"])) for m in value]
    except (KeyError, TypeError, ValueError) as error:
        raise JobError("mutant_list", str(error)) from error


def parse_job(line: bytes) -> Job:
    try:
        raw = json.loads(line)
    except ValueError as error:
        raise JobError("", f"not JSON: {error}") from error
    if not isinstance(raw, dict):
        raise JobError("", "a job is a JSON object")
    job_id = raw.get("id")
    for key in ("code", "tests"):
        if not isinstance(raw.get(key), str):
            raise JobError(key, "must be a string")
        if len(raw[key]) > MAX_SOURCE_CHARS:
            raise JobError(key, f"is longer than {MAX_SOURCE_CHARS} characters")
    module = _module_name(raw.get("module", "solution"))
    timeout = raw.get("timeout_s", 10.0)
    if not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        raise JobError("timeout_s", f"must be a number in (0, 3600], got {timeout!r}")
    max_mutants = raw.get("max_mutants")
    if max_mutants is not None and (not isinstance(max_mutants, int) or max_mutants < 0):
        raise JobError("max_mutants", f"must be a non-negative integer, got {max_mutants!r}")
    shard = raw.get("mutant_shard", [0, 1])
    if not (isinstance(shard, list) and len(shard) == 2 and all(isinstance(n, int) for n in shard) and 0 <= shard[0] < shard[1]):
        raise JobError("mutant_shard", f"must be [index, count] with 0 <= index < count, got {shard!r}")
    original_s = raw.get("original_s")
    if raw.get("mutants_only") and (not isinstance(original_s, (int, float)) or original_s <= 0):
        raise JobError("original_s", "a mutants-only job needs the original run's duration in seconds")
    return Job(
        id=job_id,
        code=raw["code"],
        tests=raw["tests"],
        module=module,
        timeout_s=float(timeout),
        coverage=bool(raw.get("coverage", False)),
        mutants=bool(raw.get("mutants", False)),
        max_mutants=max_mutants,
        files=_files(raw.get("files"), module),
        mutant_list=_mutant_list(raw.get("mutant_list")),
        mutants_only=bool(raw.get("mutants_only", False)),
        original_s=float(original_s) if isinstance(original_s, (int, float)) else None,
        mutant_shard=(shard[0], shard[1]),
    )


def job_id_of(line: bytes) -> Any:
    """The id of a job line, as far as it can be read (to answer a malformed job)."""
    try:
        raw = json.loads(line)
        return raw.get("id") if isinstance(raw, dict) else None
    except ValueError:
        return None


class Writer:
    """Writes protocol messages to the server's private copy of its stdout."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(self.fd, data) :]
