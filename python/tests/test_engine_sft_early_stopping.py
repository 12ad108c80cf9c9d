"""Early stopping of the sft job on a held-out dev loss: it stops, and `final` is the best checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM

from tests.fixtures.engine.support import PAIRS, of_kind, pretrain_tiny, run_in_process, write_spec

# Full fine-tuning at a high rate: the training loss falls at once, so a dev set that contradicts
# the training completions gets worse from the first evaluations on.
SFT = {"method": "full", "max_steps": 40, "batch_size": 4, "max_length": 128, "learning_rate": 5e-3, "logging_steps": 2, "eval_steps": 2, "save_total_limit": 1, "seed": 3}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("early-stopping")


@pytest.fixture(scope="module")
def base(work: Path) -> Path:
    return pretrain_tiny(work, steps=2, batch_size=4, block_size=64, logging_steps=1, save_steps=2)


def contradicting_dev(path: Path) -> Path:
    """The training prompts with other completions: learning the training pairs raises their loss."""
    rows = [json.loads(line) for line in PAIRS.read_text().splitlines()]
    with path.open("w") as out:
        for row in rows:
            out.write(json.dumps({"prompt": row["prompt"], "completion": "import os\n\nprint(os.getcwd())\n"}) + "\n")
    return path


def test_training_stops_when_the_dev_loss_stops_falling_and_keeps_the_best_checkpoint(work: Path, base: Path) -> None:
    out = work / "sft"
    spec = write_spec(work / "sft.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(out), dev_data=str(contradicting_dev(work / "dev.jsonl")), patience=2, **SFT)
    code, emitted = run_in_process("sft", spec)
    assert code == 0, emitted
    dev_losses = {event["step"]: event["eval_loss"] for event in of_kind(emitted, "metrics") if "eval_loss" in event}
    record = json.loads((out / "final" / "early_stopping.json").read_text())
    assert record["stopped_early"] is True and record["stopped_at_step"] < 40
    best_step = min(dev_losses, key=lambda step: dev_losses[step])
    assert record["best_step"] == best_step and record["best_dev_loss"] == pytest.approx(dev_losses[best_step])
    # patience 2: exactly two evaluations after the best one, none of them better
    assert sorted(dev_losses)[-1] == best_step + 2 * SFT["eval_steps"]
    # final holds the best checkpoint's weights, not the last step's
    final = AutoModelForCausalLM.from_pretrained(out / "final")
    best = AutoModelForCausalLM.from_pretrained(out / f"checkpoint-{best_step}")
    assert all(torch.equal(a, b) for a, b in zip(final.state_dict().values(), best.state_dict().values()))


def test_patience_without_dev_data_is_a_spec_error_naming_the_field(work: Path, base: Path) -> None:
    spec = write_spec(work / "bad.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(work / "bad"), patience=2, **SFT)
    code, emitted = run_in_process("sft", spec)
    assert code == 2
    assert any("patience" in json.dumps(event) for event in of_kind(emitted, "error"))
