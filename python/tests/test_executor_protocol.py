"""Job validation (testtune_executor.protocol): every malformed job names its field."""

import json

import pytest

from testtune_executor.protocol import JobError, parse_job


def job(**fields) -> bytes:
    return json.dumps({"id": 1, "code": "x = 1\n", "tests": "def test_a(): pass\n", **fields}).encode()


def test_a_minimal_job_gets_the_defaults():
    parsed = parse_job(job())
    assert (parsed.module, parsed.test_file, parsed.timeout_s, parsed.coverage, parsed.mutants, parsed.files) == ("solution", "test_solution.py", 10.0, False, False, {})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": 3}, "code"),
        ({"tests": None}, "tests"),
        ({"module": "not-an-identifier"}, "module"),
        ({"module": "json"}, "module"),
        ({"module": "pytest_evil"}, "module"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": "5"}, "timeout_s"),
        ({"max_mutants": -1}, "max_mutants"),
        ({"files": {"../escape.py": "x"}}, "files"),
        ({"files": {"/abs.py": "x"}}, "files"),
        ({"files": {"conftest.py": "x"}}, "files"),
        ({"files": {"sub/conftest.py": "x"}}, "files"),
        ({"files": {"pytest.ini": "x"}}, "files"),
        ({"files": {"solution.py": "x"}}, "files"),
        ({"mutant_list": [{"id": 0}]}, "mutant_list"),
        ({"mutant_shard": [2, 2]}, "mutant_shard"),
        ({"mutants_only": True}, "original_s"),
        ({"module": "pluggy"}, "module"),
    ],
)
def test_malformed_jobs_name_the_field(fields, field):
    with pytest.raises(JobError) as raised:
        parse_job(job(**fields))
    assert raised.value.field == field


def test_non_json_is_rejected_without_a_field():
    with pytest.raises(JobError) as raised:
        parse_job(b"{not json")
    assert raised.value.field == ""


def test_helper_files_in_subdirectories_are_allowed():
    parsed = parse_job(job(files={"helpers/util.py": "X = 1\n", "data.txt": "hello"}))
    assert parsed.files == {"helpers/util.py": "X = 1\n", "data.txt": "hello"}
