"""Spec validation and the event channel: bad specs are errors naming the file and the field."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from testtune_engine import events
from testtune_engine.jobs import generate, pretrain, sft
from testtune_engine.spec import SpecError, defaults, load_spec
from tests.fixtures.engine.support import PAIRS, PROMPTS, start_process, write_spec


def spec_error(tmp_path: Path, cls: type, job: str, **fields: object) -> SpecError:
    file = write_spec(tmp_path / "spec.json", job, **fields)
    with pytest.raises(SpecError) as caught:
        load_spec(cls, file, job)
    assert caught.value.file == file
    return caught.value


def test_a_complete_spec_loads_with_defaults_filled_in(tmp_path: Path) -> None:
    file = write_spec(tmp_path / "spec.json", "sft", base_model=str(tmp_path), data=str(PAIRS), output_dir=str(tmp_path / "out"), lora={"r": 4})
    spec = load_spec(sft.Spec, file, "sft")
    assert spec.lora.r == 4 and spec.lora.alpha == 32 and spec.method == "lora" and spec.max_steps is None


def test_an_unknown_field_is_named(tmp_path: Path) -> None:
    error = spec_error(tmp_path, generate.Spec, "generate", model=str(tmp_path), input=str(PROMPTS), output="o.jsonl", temprature=0.2)
    assert error.field == "temprature" and "unknown field" in error.detail and "temperature" in error.detail


def test_a_missing_required_field_is_named(tmp_path: Path) -> None:
    error = spec_error(tmp_path, pretrain.Spec, "pretrain", corpus=str(PAIRS))
    assert error.field == "output_dir" and "missing" in error.detail


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("num_samples", "4", "integer"), ("num_samples", True, "integer"), ("num_samples", 2.5, "integer"), ("top_p", "high", "number"), ("adapter", 3, "string")],
)
def test_a_wrongly_typed_field_is_named(tmp_path: Path, field: str, value: object, expected: str) -> None:
    error = spec_error(tmp_path, generate.Spec, "generate", model=str(tmp_path), input=str(PROMPTS), output="o.jsonl", **{field: value})
    assert error.field == field and expected in error.detail


def test_nested_fields_are_named_with_their_path(tmp_path: Path) -> None:
    base = {"base_model": str(tmp_path), "data": str(PAIRS), "output_dir": "out"}
    assert spec_error(tmp_path, sft.Spec, "sft", **base, lora={"r": "sixteen"}).field == "lora.r"
    assert spec_error(tmp_path, sft.Spec, "sft", **base, lora={"target_modules": ["q_proj", 7]}).field == "lora.target_modules[1]"
    assert spec_error(tmp_path, sft.Spec, "sft", **base, method="qlora").field == "method"


def test_values_that_cannot_work_are_named(tmp_path: Path) -> None:
    error = spec_error(tmp_path, pretrain.Spec, "pretrain", corpus=str(PAIRS), output_dir="m", hidden_size=100, num_heads=3)
    assert error.field == "hidden_size" and "multiple of num_heads" in error.detail
    missing = spec_error(tmp_path, generate.Spec, "generate", model=str(tmp_path / "nowhere"), input=str(PROMPTS), output="o.jsonl")
    assert missing.field == "model" and "does not exist" in missing.detail


def test_version_and_job_must_match(tmp_path: Path) -> None:
    file = tmp_path / "spec.json"
    file.write_text(json.dumps({"version": 2, "job": "generate"}))
    with pytest.raises(SpecError, match="version"):
        load_spec(generate.Spec, str(file), "generate")
    file.write_text(json.dumps({"version": 1, "job": "sft"}))
    with pytest.raises(SpecError, match="the 'generate' job"):
        load_spec(generate.Spec, str(file), "generate")
    file.write_text("{not json")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(generate.Spec, str(file), "generate")


def test_defaults_are_json_values() -> None:
    values = defaults(sft.Spec)
    assert values["lora"]["target_modules"][0] == "q_proj" and values["learning_rate"] is None
    assert "base_model" not in values


def test_events_are_json_lines_and_non_finite_numbers_become_null() -> None:
    channel = io.StringIO()
    events.set_channel(channel)
    try:
        events.metrics(3, {"loss": float("nan"), "learning_rate": 1e-4})
        events.log("two\nlines")
    finally:
        events.set_channel(None)
    lines = channel.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"event": "metrics", "step": 3, "loss": None, "learning_rate": 1e-4},
        {"event": "log", "level": "info", "message": "two\nlines"},
    ]


def test_a_bad_spec_exits_2_with_one_error_event_and_a_clean_stdout(tmp_path: Path) -> None:
    file = write_spec(tmp_path / "spec.json", "generate", model=str(tmp_path), input=str(PROMPTS), output="o.jsonl", num_samples="4")
    process = start_process("generate", file, tmp_path / "stderr.txt")
    stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 2
    lines = [json.loads(line) for line in stdout.splitlines()]  # every stdout line is an event
    assert lines == [{"event": "error", "type": "spec", "message": f"{file}: field 'num_samples': must be an integer, got str \"4\""}]
