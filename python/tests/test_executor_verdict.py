"""Judging runs from what the server observed (testtune_executor.verdict), one rule at a time."""

import json
import signal

from testtune_executor.supervise import RawRun
from testtune_executor.verdict import judge

NONCE = "n0nce"


def record(name: str, **fields) -> dict:
    return {"nonce": NONCE, "record": name, **fields}


def result_record(nodeid: str, outcome: str, message: str = "") -> dict:
    return record("test", nodeid=nodeid, outcome=outcome, duration_s=0.001, message=message)


def done(exitstatus: int = 0, assertions: int = 2, changed: list | None = None) -> dict:
    return record("done", exitstatus=exitstatus, assertions=assertions, changed=changed or [], arcs=None)


def raw(*records: dict, **fields) -> RawRun:
    report = "".join(json.dumps(r) + "\n" for r in records).encode()
    return RawRun(report=report, exit_code=fields.pop("exit_code", 0), **fields)


A = "test_solution.py::test_a"
B = "test_solution.py::test_b"
EXPECTED = {(None, "test_a"), (None, "test_b")}


def run_judge(run: RawRun, expected=EXPECTED):
    return judge(run, NONCE, expected, cpu_limit_s=10)


def passing_records(exitstatus: int = 0):
    return [record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), result_record(B, "passed"), done(exitstatus)]


def test_all_tests_passing_with_a_consistent_exit_status_passes():
    verdict = run_judge(raw(*passing_records()))
    assert (verdict.status, verdict.detail, verdict.assertions) == ("passed", "", 2)
    assert [t["nodeid"] for t in verdict.tests] == [A, B]


def test_a_failing_test_fails_and_names_the_first_failure():
    run = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), result_record(B, "failed", "assert 1 == 2"), done(1))
    verdict = run_judge(run)
    assert verdict.status == "failed"
    assert "test_b" in verdict.detail and "assert 1 == 2" in verdict.detail


def test_a_setup_error_without_failures_is_error():
    run = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), result_record(B, "error", "fixture boom"), done(1))
    assert run_judge(run).status == "error"


def test_skipped_or_xfailed_tests_are_not_passes():
    some = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), result_record(B, "xfailed"), done(0))
    every = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "skipped"), result_record(B, "skipped"), done(0))
    assert run_judge(some).status == "failed"
    assert run_judge(every).status == "no_tests"


def test_collecting_nothing_is_no_tests():
    run = raw(record("ready"), record("collected", nodeids=[]), done(5))
    assert run_judge(run, expected=set()).status == "no_tests"


def test_collection_errors_are_classified_by_their_exception():
    for kind, status in (("syntax", "syntax_error"), ("memory", "memory"), ("other", "collection_error")):
        run = raw(record("ready"), record("collect_error", nodeid="test_solution.py", kind=kind, message="E   boom"), done(2))
        assert run_judge(run).status == status


def test_a_memory_error_in_a_test_is_memory():
    run = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "failed", "MemoryError"), result_record(B, "passed"), done(1))
    assert run_judge(run).status == "memory"


def test_missing_final_record_never_passes():
    started = [record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), record("start", nodeid=B)]
    exited_zero = run_judge(raw(*started, exit_code=0))
    assert exited_zero.status == "rejected" and "test_b" in exited_zero.detail
    assert run_judge(raw(*started, exit_code=3)).status == "crashed"
    segfault = run_judge(RawRun(report=raw(*started).report, signal=signal.SIGSEGV))
    assert segfault.status == "crashed" and "SIGSEGV" in segfault.detail


def test_timeouts_win_over_what_the_run_said():
    wall = run_judge(raw(record("ready"), record("start", nodeid=A), timed_out=True, exit_code=None, signal=signal.SIGKILL))
    assert wall.status == "timeout" and "test_a" in wall.detail
    cpu = run_judge(RawRun(report=raw(record("ready")).report, signal=signal.SIGKILL, cpu_s=10.0))
    assert cpu.status == "timeout" and "CPU" in cpu.detail


def test_tamper_records_and_forged_lines_reject_even_a_passing_run():
    tampered = run_judge(raw(*passing_records(), record("tamper", reason="called gc.get_objects")))
    assert tampered.status == "rejected" and "gc.get_objects" in tampered.detail
    forged = raw(*passing_records())
    forged.report += b'{"record": "done", "exitstatus": 0}\n'
    assert run_judge(forged).status == "rejected"


def test_a_change_in_pytests_machinery_rejects():
    records = passing_records()[:-1] + [done(0, changed=["_pytest.runner"])]
    verdict = run_judge(raw(*records))
    assert verdict.status == "rejected" and "_pytest.runner" in verdict.detail


def test_results_must_match_the_collected_items_and_the_expected_tests():
    unreported = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), done(0))
    assert run_judge(unreported).status == "rejected"
    uncollected = raw(record("ready"), record("collected", nodeids=[A]), result_record(A, "passed"), done(0))
    verdict = run_judge(uncollected)
    assert verdict.status == "rejected" and "test_b" in verdict.detail


def test_an_exit_status_that_disagrees_with_the_results_rejects():
    lying = raw(record("ready"), record("collected", nodeids=[A, B]), result_record(A, "passed"), result_record(B, "passed"), done(1))
    assert run_judge(lying).status == "rejected"


def test_a_run_that_never_got_ready_is_our_failure():
    verdict = run_judge(RawRun(report=b"", exit_code=71, stderr="runner setup failed: OSError: boom\n"))
    assert verdict.status == "sandbox_error" and "boom" in verdict.detail


def test_sys_exit_during_collection_is_an_exit_trick():
    run = raw(record("ready"), record("internal_error", kind="exit", message="SystemExit: 0"), done(3))
    assert run_judge(run).status == "rejected"
