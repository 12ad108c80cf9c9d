"""One job: the run that decides its status, then (on request) a coverage run and mutant runs.

Every run of a job sees the same thing: a fresh job directory holding the test file and the
extra files, the code module imported from memory, the same limits. Coverage is measured in
its own run so that the tracer is never present in a run whose outcome is scored: a test that
behaves differently under tracing cannot tell the original from a mutant.
"""

from __future__ import annotations

import ast
import hashlib
import math
import os
import secrets
import sys
import time
import types
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from . import precompile, runner, supervise
from .coverage_data import analyse
from .expected import ExpectedTest, expected_tests
from .integrity import Snapshot
from .mutants import MutantOutcome, mutation_report, mutant_status
from .oslimits import Limits
from .protocol import Job, MutantSpec
from .report import ResultPlugin
from .verdict import Verdict, judge
from .workspace import Workspace

MUTANT_CACHE_SIZE = 256


@dataclass
class Context:
    """What every run needs from the server: its pytest session, plugin and sandbox settings."""

    config: pytest.Config
    plugin: ResultPlugin
    state: runner.RunnerState
    snapshot: Snapshot
    workspace: Workspace
    limits: Limits
    namespaces: bool
    server_fds: tuple[int, ...]


def _syntax_detail(filename: str, error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"{filename}:{error.lineno}: {error.msg}"
    return f"{filename}: {error}"


class JobRunner:
    def __init__(self, ctx: Context, generate: Callable[[str, int | None], list[MutantSpec]]) -> None:
        self._ctx = ctx
        self._generate = generate
        self._mutants: OrderedDict[tuple[str, int | None], list[tuple[MutantSpec, types.CodeType | None]]] = OrderedDict()

    def _run(self, job: Job, code: types.CodeType, expected: set[ExpectedTest], timeout_s: float, measure: bool = False, cpu_budget_s: float | None = None) -> tuple[Verdict, supervise.RawRun]:
        ctx = self._ctx
        ws = ctx.workspace
        ws.reset({job.test_file: job.tests, **job.files})
        test_path = os.path.join(ws.job_dir, job.test_file)
        precompile.prepare(test_path, ctx.config)
        code_path = os.path.join(ws.job_dir, f"{job.module}.py")
        cpu_seconds = math.ceil(job.timeout_s)  # the same for every run of a job, so runs look alike
        spec = runner.RunSpec(
            job_dir=ws.job_dir,
            test_path=test_path,
            modules={job.module: (code, code_path)},
            limits=ctx.limits,
            cpu_seconds=cpu_seconds,
            nonce=secrets.token_hex(16),
            report_fd=100 + secrets.randbelow(100),
            measure=code_path if measure else None,
            server_fds=ctx.server_fds,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        run = supervise.launch(ctx.limits, ctx.namespaces, lambda pipes, in_ns: runner.enter(spec, pipes, in_ns, ctx.plugin, ctx.snapshot, ctx.config, ctx.state))
        raw = supervise.wait(run, timeout_s, cpu_budget_s)
        if ws.sandboxed:
            supervise.sweep()
        else:
            supervise.reap()
        return judge(raw, spec.nonce, expected, cpu_seconds), raw

    def execute(self, job: Job) -> dict[str, Any]:
        code_path = os.path.join(self._ctx.workspace.job_dir, f"{job.module}.py")
        try:
            code = compile(job.code, code_path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            return _static_result("syntax_error", f"the code is not valid Python: {_syntax_detail(f'{job.module}.py', error)}")
        try:
            # Only parsed here: compile-time errors (return outside a function...) surface
            # as a SyntaxError when pytest imports the file, and are judged syntax_error too.
            tree = ast.parse(job.tests, filename=job.test_file)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            return _static_result("syntax_error", f"the test file is not valid Python: {_syntax_detail(job.test_file, error)}")
        expected = expected_tests(tree)
        if job.mutants_only and job.original_s is not None:
            partial = _static_result("passed", "")
            self._add_mutation(job, expected, job.original_s, partial)
            return partial
        verdict, raw = self._run(job, code, expected, job.timeout_s)
        result: dict[str, Any] = {
            "status": verdict.status,
            "tests": verdict.tests,
            "assertions": verdict.assertions,
            "stdout": raw.stdout,
            "stderr": raw.stderr,
            "duration_s": round(raw.duration_s, 6),
            "detail": verdict.detail,
        }
        if job.coverage and verdict.status in ("passed", "failed", "error"):
            self._add_coverage(job, code, expected, result)
        if job.mutants and result["status"] == "passed":
            self._add_mutation(job, expected, raw.duration_s, result)
        return result

    def _add_coverage(self, job: Job, code: types.CodeType, expected: set[ExpectedTest], result: dict[str, Any]) -> None:
        verdict, _ = self._run(job, code, expected, job.timeout_s, measure=True)
        if verdict.status == "rejected":
            result.update(status="rejected", detail=f"in the coverage run: {verdict.detail}")
        elif verdict.arcs is None:
            result["detail"] = f"{result['detail']} (coverage not measured: the coverage run ended {verdict.status}: {verdict.detail})".strip()
        else:
            path = os.path.join(self._ctx.workspace.job_dir, f"{job.module}.py")
            result["coverage"] = analyse(job.code, path, verdict.arcs)

    def _compiled_mutants(self, job: Job) -> list[tuple[MutantSpec, types.CodeType | None]]:
        path = os.path.join(self._ctx.workspace.job_dir, f"{job.module}.py")

        def compiled(specs: list[MutantSpec]) -> list[tuple[MutantSpec, types.CodeType | None]]:
            out: list[tuple[MutantSpec, types.CodeType | None]] = []
            for spec in specs:
                try:
                    out.append((spec, compile(spec.source, path, "exec", dont_inherit=True)))
                except (SyntaxError, ValueError):
                    out.append((spec, None))
            return out

        if job.mutant_list is not None:
            return compiled(job.mutant_list)
        key = (hashlib.sha256(f"{job.module}\0{job.code}".encode()).hexdigest(), job.max_mutants)
        if key not in self._mutants:
            self._mutants[key] = compiled(self._generate(job.code, job.max_mutants))
            while len(self._mutants) > MUTANT_CACHE_SIZE:
                self._mutants.popitem(last=False)
        self._mutants.move_to_end(key)
        return self._mutants[key]

    def _add_mutation(self, job: Job, expected: set[ExpectedTest], original_s: float, result: dict[str, Any]) -> None:
        try:
            index, count = job.mutant_shard
            mutants = self._compiled_mutants(job)[index::count]
        except Exception as error:  # noqa: BLE001 - mutant generation is ours: report it, keep the verdict
            result.update(status="sandbox_error", detail=f"generating mutants failed: {type(error).__name__}: {error}")
            return
        # A mutant that loops forever should not cost the whole limit: it may use a few times the
        # original run's time (it passed) in CPU time, within the job's own wall-clock limit. A
        # wall-clock budget this short turned survivors into timeouts on a busy machine.
        cpu_budget_s = min(job.timeout_s, 0.5 + 4 * original_s)
        outcomes: list[MutantOutcome] = []
        for spec, code in mutants:
            if code is None:
                outcomes.append(MutantOutcome(spec, "error", "the mutant does not compile"))
                continue
            verdict, _ = self._run(job, code, expected, job.timeout_s, cpu_budget_s=cpu_budget_s)
            if verdict.status == "rejected":
                result.update(status="rejected", detail=f"while running mutant {spec.id} ({spec.operator}): {verdict.detail}")
                return
            outcomes.append(MutantOutcome(spec, mutant_status(verdict.status), verdict.detail))
        result["mutation"] = mutation_report(outcomes)


def _static_result(status: str, detail: str) -> dict[str, Any]:
    return {"status": status, "tests": [], "assertions": 0, "stdout": "", "stderr": "", "duration_s": 0.0, "detail": detail}


def error_result(detail: str, started: float) -> dict[str, Any]:
    result = _static_result("sandbox_error", detail)
    result["duration_s"] = round(time.monotonic() - started, 6)
    return result
