"""Judging one run from what the server observed: the outcome taxonomy of src/sandbox/types.ts.

The order of the rules matters and is documented in docs/sandbox.md. In short: our own
failures first (sandbox_error), then tampering (rejected), then the limits (timeout, memory),
then a run that ended without pytest's verdict (crashed, or rejected when it exited 0), then
pytest's verdict, cross-checked against the collected items, the expected tests and pytest's
own exit status.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field

from .expected import ExpectedTest, missing_tests
from .supervise import RawRun

# pytest's exit codes (pytest.ExitCode)
OK, TESTS_FAILED, INTERRUPTED, INTERNAL_ERROR, USAGE_ERROR, NO_TESTS_COLLECTED = 0, 1, 2, 3, 4, 5


@dataclass
class Records:
    """The run's report pipe, parsed; lines without the run's nonce are counted as forged."""

    ready: bool = False
    collected: list[str] | None = None
    tests: dict[str, dict[str, object]] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    collect_errors: list[dict[str, str]] = field(default_factory=list)
    internal_errors: list[dict[str, str]] = field(default_factory=list)
    tampers: list[str] = field(default_factory=list)
    done: dict[str, object] | None = None
    forged: int = 0


def parse_records(raw: bytes, nonce: str) -> Records:
    records = Records()
    for line in raw.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            records.forged += 1
            continue
        if not isinstance(record, dict) or record.get("nonce") != nonce:
            records.forged += 1
            continue
        kind = record.get("record")
        if kind == "ready":
            records.ready = True
        elif kind == "collected":
            records.collected = [str(n) for n in record.get("nodeids", [])]
        elif kind == "start":
            records.started.append(str(record.get("nodeid")))
        elif kind == "test":
            records.tests[str(record.get("nodeid"))] = record
        elif kind == "collect_error":
            records.collect_errors.append(record)
        elif kind == "internal_error":
            records.internal_errors.append(record)
        elif kind == "tamper":
            records.tampers.append(str(record.get("reason")))
        elif kind == "done":
            if records.done is not None:
                records.tampers.append("sent two final records")
            records.done = record
        else:
            records.forged += 1
    return records


@dataclass
class Verdict:
    status: str
    detail: str
    tests: list[dict[str, object]]
    assertions: int
    arcs: list[tuple[int, int]] | None = None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _running(records: Records) -> str:
    unfinished = [n for n in records.started if n not in records.tests]
    return f" (while running {unfinished[-1]})" if unfinished else ""


def _memory_evidence(records: Records, raw: RawRun) -> bool:
    if any(e.get("kind") == "memory" for e in records.collect_errors + records.internal_errors):
        return True
    if any("MemoryError" in str(t.get("message", "")) and t.get("outcome") in ("failed", "error") for t in records.tests.values()):
        return True
    return "MemoryError" in raw.stderr[-4000:]


def _test_list(records: Records) -> list[dict[str, object]]:
    order = records.collected or list(records.tests)
    out = []
    for nodeid in order:
        record = records.tests.get(nodeid)
        if record is not None:
            out.append({"nodeid": nodeid, "outcome": record.get("outcome"), "duration_s": record.get("duration_s", 0.0), "message": record.get("message", "")})
    return out


def _consistency(records: Records, done: dict[str, object], expected: set[ExpectedTest]) -> str:
    """Why pytest's verdict cannot be trusted, or "" when every cross-check holds."""
    changed = done.get("changed")
    if not isinstance(changed, list) or changed:
        names = ", ".join(str(c) for c in changed) if isinstance(changed, list) else "not reported"
        return f"pytest's machinery was modified during the run ({names})"
    collected = records.collected
    if collected is None:
        return "" if records.collect_errors or done.get("exitstatus") in (INTERRUPTED, INTERNAL_ERROR, USAGE_ERROR) else "no collection record"
    if set(collected) != set(records.tests) and not records.collect_errors and done.get("exitstatus") != INTERRUPTED:
        unreported = sorted(set(collected) - set(records.tests))
        unknown = sorted(set(records.tests) - set(collected))
        return f"results do not match the collected tests (no result for {unreported[:3]}, results for uncollected {unknown[:3]})"
    if collected and not records.collect_errors:
        missing = missing_tests(expected, collected)
        if missing:
            return f"tests defined in the file were not collected: {', '.join(missing[:5])}"
    outcomes = [str(t.get("outcome")) for t in records.tests.values()]
    exitstatus = done.get("exitstatus")
    if exitstatus in (OK, TESTS_FAILED, NO_TESTS_COLLECTED) and not records.collect_errors:
        failing = any(o in ("failed", "error") for o in outcomes)
        wanted = TESTS_FAILED if failing else (NO_TESTS_COLLECTED if not collected else OK)
        if exitstatus != wanted:
            return f"pytest's exit status ({exitstatus}) disagrees with the reported results (expected {wanted})"
    return ""


def _pytest_verdict(records: Records, raw: RawRun) -> tuple[str, str]:
    done = records.done or {}
    exitstatus = done.get("exitstatus")
    if any(e.get("kind") == "exit" for e in records.internal_errors + records.collect_errors):
        return "rejected", "the test file called sys.exit() while pytest collected it (exit trick)"
    if records.collect_errors:
        first = records.collect_errors[0]
        kind = first.get("kind")
        status = "syntax_error" if kind == "syntax" else "memory" if kind == "memory" else "collection_error"
        return status, f"{first.get('nodeid') or 'collection'}: {first.get('message', '')}"
    if exitstatus == INTERNAL_ERROR or records.internal_errors:
        message = records.internal_errors[0].get("message", "") if records.internal_errors else ""
        return ("memory" if _memory_evidence(records, raw) else "crashed"), f"pytest internal error: {message}".strip()
    if exitstatus == INTERRUPTED:
        return "crashed", f"the run was interrupted (KeyboardInterrupt or pytest.exit){_running(records)}"
    tests = list(records.tests.values())
    if not tests:
        return "no_tests", "pytest collected no tests"
    by_outcome: dict[str, list[str]] = {}
    for nodeid, record in records.tests.items():
        by_outcome.setdefault(str(record.get("outcome")), []).append(nodeid)
    if _memory_evidence(records, raw):
        return "memory", "a test ran out of memory (MemoryError)"
    for status, outcome in (("failed", "failed"), ("error", "error")):
        if outcome in by_outcome:
            first = by_outcome[outcome][0]
            message = str(records.tests[first].get("message", "")).splitlines()
            what = "failed" if outcome == "failed" else "had an error in setup or teardown"
            return status, f"{len(by_outcome[outcome])} of {len(tests)} tests {what}; first: {first}: {message[0] if message else ''}"
    if "passed" not in by_outcome:
        return "no_tests", "every test was skipped or xfailed"
    others = {o: n for o, n in by_outcome.items() if o != "passed"}
    if others:
        counts = ", ".join(f"{len(n)} {o}" for o, n in sorted(others.items()))
        return "failed", f"{len(by_outcome['passed'])} passed but {counts}: a passing run needs every test to pass"
    return "passed", ""


def judge(raw: RawRun, nonce: str, expected: set[ExpectedTest], cpu_limit_s: int) -> Verdict:
    records = parse_records(raw.report, nonce)
    tests = _test_list(records)
    done = records.done
    assertions = int(done.get("assertions", 0)) if done and isinstance(done.get("assertions"), int) else 0
    arcs = [tuple(a) for a in done["arcs"]] if done and isinstance(done.get("arcs"), list) else None  # type: ignore[misc]

    def verdict(status: str, detail: str) -> Verdict:
        return Verdict(status, detail, tests, assertions, arcs)

    if not records.ready:
        if raw.timed_out:
            return verdict("sandbox_error", "the run did not start before the deadline")
        reason = raw.stderr.strip().splitlines()[-1] if raw.stderr.strip() else f"exit {raw.exit_code}, signal {raw.signal}"
        return verdict("sandbox_error", f"setting up the run failed: {reason}")
    if records.tampers or records.forged or raw.report_overflow:
        reasons = records.tampers + ([f"{records.forged} report lines without the run's nonce"] if records.forged else [])
        reasons += ["flooded the report channel"] if raw.report_overflow else []
        return verdict("rejected", "tampering: " + "; ".join(dict.fromkeys(reasons)))
    cpu_exhausted = raw.signal in (signal.SIGKILL, signal.SIGXCPU) and raw.cpu_s >= cpu_limit_s - 0.05
    if raw.timed_out or cpu_exhausted:
        limit = "wall-clock" if raw.timed_out else f"CPU-time ({cpu_limit_s}s)"
        return verdict("timeout", f"the {limit} limit was reached{_running(records)}")
    if done is None:
        if _memory_evidence(records, raw):
            return verdict("memory", f"the run ran out of memory{_running(records)}")
        if raw.signal is not None:
            hint = " (the kernel does this when memory runs out)" if raw.signal == signal.SIGKILL else ""
            return verdict("crashed", f"the test process was killed by {_signal_name(raw.signal)}{hint}{_running(records)}")
        if raw.exit_code == 0:
            return verdict("rejected", f"the test process exited with status 0 before pytest finished (os._exit/sys.exit trick){_running(records)}")
        return verdict("crashed", f"the test process exited with status {raw.exit_code} before pytest finished{_running(records)}")
    inconsistency = _consistency(records, done, expected)
    if inconsistency:
        return verdict("rejected", f"tampering: {inconsistency}")
    status, detail = _pytest_verdict(records, raw)
    return verdict(status, detail)
