"""Jobs launched as two CPU processes through accelerate (gloo), as `testtune train --processes 2` runs them.

- sft: two processes with half the per-device batch follow the one-process loss curve, and an
  interrupted two-process run resumes onto the same curve;
- every job: only rank 0 emits events (each step's progress and metrics appear once);
- grpo (TRL) and ppo (ours): the reward service receives each process's completions once.

Tolerance of the loss comparison: 1e-4 absolute on losses near 6. The two runs compute the same
sums in a different order (each process's half batch, then gloo's all-reduce of the gradients,
against one batched pass), so fp32 rounding (about 1e-7 relative per operation) separates them
by about 1e-6 after a few steps; a batch split wrongly (each process on the whole data, or on
the same half) moves the loss by 1e-2 from the first step on. Dropout is off (LoRA dropout 0;
the tiny Llama has none) so that both runs draw nothing at random after the seeded start.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from test_train_jobs import GRPO_SMALL, PPO_SMALL, rl_spec, workdir  # noqa: F401 - workdir is a fixture
from test_train_reward_client import FakeRewardService

from testtune_engine.rl.ppo_step import prompt_order
from tests.fixtures.engine.support import PAIRS, cpu_launcher, events_interrupted_at, of_kind, pretrain_tiny, run_in_process, start_process, write_spec

STEPS = 12
TOLERANCE = 1e-4
SFT = {"max_steps": STEPS, "max_length": 96, "logging_steps": 1, "save_steps": 3, "save_total_limit": 1, "lora": {"r": 4, "alpha": 8, "dropout": 0.0}, "seed": 3}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pretrain_tiny(tmp_path_factory.mktemp("multiprocess-base"), corpus_size=100)


@pytest.fixture(scope="module")
def one_process_losses(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, float]:
    """The reference: one process, 4 pairs per step."""
    work = tmp_path_factory.mktemp("one-process")
    spec = write_spec(work / "sft.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(work / "sft"), batch_size=4, **SFT)
    code, emitted = run_in_process("sft", spec)
    assert code == 0, of_kind(emitted, "error")
    return losses(emitted)


def losses(emitted: list[dict]) -> dict[int, float]:
    return {event["step"]: event["loss"] for event in of_kind(emitted, "metrics") if "loss" in event}


def launch(job: str, spec: str, work: Path, name: str) -> tuple[int, list[dict], str]:
    process = start_process(job, spec, work / f"{name}.stderr", launcher=cpu_launcher(2))
    stdout, _ = process.communicate(timeout=600)
    return process.returncode, [json.loads(line) for line in stdout.splitlines()], (work / f"{name}.stderr").read_text()[-3000:]


def assert_each_step_reported_once(emitted: list[dict], steps: int) -> None:
    """Rank 1 writing events too would show each step twice."""
    progress = Counter(event["step"] for event in of_kind(emitted, "progress"))
    assert all(count == 1 for step, count in progress.items() if step > 0), progress
    metric_steps = [event["step"] for event in of_kind(emitted, "metrics") if "loss" in event]
    assert len(metric_steps) == len(set(metric_steps)), metric_steps
    assert len(of_kind(emitted, "artifact")) == 1 and max(progress) == steps


def test_two_processes_with_half_the_batch_follow_the_one_process_loss_curve(base: Path, tmp_path: Path, one_process_losses: dict[int, float]):
    spec = write_spec(tmp_path / "sft.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(tmp_path / "sft"), batch_size=2, **SFT)
    code, emitted, stderr = launch("sft", spec, tmp_path, "two")
    assert code == 0, stderr
    assert_each_step_reported_once(emitted, STEPS)
    two = losses(emitted)
    assert sorted(two) == sorted(one_process_losses) == list(range(1, STEPS + 1))
    difference = max(abs(two[step] - one_process_losses[step]) for step in two)
    assert difference <= TOLERANCE, {step: (one_process_losses[step], two[step]) for step in two}
    assert (tmp_path / "sft" / "final" / "adapter_model.safetensors").is_file()
    assert not (tmp_path / "sft" / "final.partial").exists()


def test_an_interrupted_two_process_job_resumes_onto_the_same_curve(base: Path, tmp_path: Path, one_process_losses: dict[int, float]):
    spec = write_spec(tmp_path / "sft.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(tmp_path / "sft"), batch_size=2, **SFT)
    launcher = start_process("sft", spec, tmp_path / "first.stderr", launcher=cpu_launcher(2))
    # Past step 3, checkpoint-3 exists: Ctrl-C to the launcher.
    first_run = events_interrupted_at(launcher, step=4)
    launcher.wait(timeout=300)  # accelerate exits with its own code; the interrupted event is what counts
    (interrupted,) = of_kind(first_run, "interrupted")
    checkpoint = Path(interrupted["checkpoint"])
    stopped_at = int(checkpoint.name.removeprefix("checkpoint-"))
    assert 4 <= stopped_at < STEPS and (checkpoint / "trainer_state.json").is_file(), (tmp_path / "first.stderr").read_text()[-3000:]
    assert not (tmp_path / "sft" / "final").exists()

    code, second_run, stderr = launch("sft", spec, tmp_path, "second")
    assert code == 0, stderr
    assert any(event.get("message") == f"resuming from {checkpoint}" for event in of_kind(second_run, "log"))
    assert of_kind(second_run, "progress")[0]["step"] == stopped_at
    resumed = losses(second_run)
    assert sorted(resumed) == list(range(stopped_at + 1, STEPS + 1))
    assert max(abs(resumed[step] - one_process_losses[step]) for step in resumed) <= TOLERANCE


def test_grpo_under_two_processes_scores_each_process_completions_once(workdir: Path, tmp_path: Path):  # noqa: F811
    # 2 completions per process per step, groups of 4: each step's group is split over the two processes.
    with FakeRewardService() as service:
        spec = write_spec(tmp_path / "grpo.json", "grpo", **rl_spec(workdir, "llama", tmp_path / "grpo", service.url, **{**GRPO_SMALL, "batch_size": 2}))
        code, emitted, stderr = launch("grpo", spec, tmp_path, "grpo")
    assert code == 0, stderr
    assert_each_step_reported_once(emitted, GRPO_SMALL["max_steps"])
    assert Counter(service.ranks) == {"0": 2, "1": 2}  # one call per process per step
    assert all(len(call["completions"]) == 2 for call in service.calls)
    by_rank = {rank: [call for call, r in zip(service.calls, service.ranks) if r == rank] for rank in ("0", "1")}
    for step in range(GRPO_SMALL["max_steps"]):
        group = by_rank["0"][step]["task_ids"] + by_rank["1"][step]["task_ids"]
        assert len(group) == 4 and len(set(group)) == 1, group  # the two halves of one prompt's group
    assert (tmp_path / "grpo" / "final" / "adapter_model.safetensors").is_file()


def test_ppo_under_two_processes_scores_each_process_responses_once(workdir: Path, tmp_path: Path):  # noqa: F811
    settings = {**PPO_SMALL, "batch_size": 2}
    with FakeRewardService() as service:
        spec = write_spec(tmp_path / "ppo.json", "ppo", **rl_spec(workdir, "llama", tmp_path / "ppo", service.url, **settings))
        code, emitted, stderr = launch("ppo", spec, tmp_path, "ppo")
    assert code == 0, stderr
    assert_each_step_reported_once(emitted, settings["max_steps"])
    assert Counter(service.ranks) == {"0": 2, "1": 2}
    by_rank = {rank: [call for call, r in zip(service.calls, service.ranks) if r == rank] for rank in ("0", "1")}
    for step in range(settings["max_steps"]):
        # Each process takes its own half of the step's batch of 4: together, the batch, once each.
        order = [f"tiny/{i}" for i in prompt_order(6, 4, step, 0)]
        assert by_rank["0"][step]["task_ids"] == order[:2] and by_rank["1"][step]["task_ids"] == order[2:]
    assert [m["step"] for m in of_kind(emitted, "metrics")] == [1, 2]
    assert (tmp_path / "ppo" / "checkpoint-2" / "value_head.safetensors").is_file()
    assert (tmp_path / "ppo" / "final" / "adapter_model.safetensors").is_file()
