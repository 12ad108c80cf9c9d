"""Ctrl-C during training: a checkpoint, exit 130, and a re-run that resumes to the same end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.engine.support import PAIRS, events_interrupted_at, of_kind, pretrain_tiny, run_in_process, start_process, write_spec

MAX_STEPS = 40
SFT = {"max_steps": MAX_STEPS, "batch_size": 2, "max_length": 96, "logging_steps": 1, "save_steps": 3, "save_total_limit": 1, "lora": {"r": 4, "alpha": 8}, "seed": 3}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("interrupt-base")
    return pretrain_tiny(work, corpus_size=100)


def final_loss(emitted: list[dict]) -> float:
    return next(event["loss"] for event in of_kind(emitted, "metrics") if event["step"] == MAX_STEPS and "loss" in event)


def test_sigint_saves_a_checkpoint_exits_130_and_a_rerun_resumes_to_the_same_loss(tmp_path: Path, base: Path) -> None:
    spec = write_spec(tmp_path / "sft.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(tmp_path / "sft"), **SFT)
    process = start_process("sft", spec, tmp_path / "stderr-1.txt")
    # Progress past step 3 means checkpoint-3 was written: interrupt after the first checkpoint.
    first_run = events_interrupted_at(process, step=4)
    assert process.wait(timeout=120) == 130, (tmp_path / "stderr-1.txt").read_text()[-3000:]
    (interrupted,) = of_kind(first_run, "interrupted")
    checkpoint = Path(interrupted["checkpoint"])
    stopped_at = int(checkpoint.name.removeprefix("checkpoint-"))
    assert 4 <= stopped_at < MAX_STEPS and (checkpoint / "trainer_state.json").is_file()
    assert not (tmp_path / "sft" / "final").exists()

    rerun = start_process("sft", spec, tmp_path / "stderr-2.txt")
    stdout, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, (tmp_path / "stderr-2.txt").read_text()[-3000:]
    second_run = [json.loads(line) for line in stdout.splitlines()]
    assert {"event": "log", "level": "info", "message": f"resuming from {checkpoint}"} in second_run
    assert of_kind(second_run, "progress")[0]["step"] == stopped_at
    assert of_kind(second_run, "progress")[-1]["step"] == MAX_STEPS
    assert (tmp_path / "sft" / "final" / "adapter_model.safetensors").is_file()

    uninterrupted = write_spec(tmp_path / "sft-straight.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(tmp_path / "straight"), **SFT)
    code, straight_run = run_in_process("sft", uninterrupted)
    assert code == 0
    assert final_loss(second_run) == pytest.approx(final_loss(straight_run), rel=1e-4)
