"""PPO checkpoints: the adapter, the value head, the optimizer and the loop's position.

A checkpoint is written to `checkpoint-N.partial` and renamed to `checkpoint-N` when complete,
so a crash or a failed step never leaves a half-written `checkpoint-N`. Its
`trainer_state.json` (the file name the Trainer-based jobs use, so `training.last_checkpoint`
finds both kinds) holds the step and the loop's state.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from typing import Any

import torch
from peft import PeftModel, set_peft_model_state_dict
from safetensors.torch import load_file, save_file

from .value_head import ValueHead

STATE_FILE = "trainer_state.json"
_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def save_checkpoint(
    output_dir: str, step: int, model: PeftModel, value_head: ValueHead, optimizer: torch.optim.Optimizer, state: dict[str, Any], keep: int
) -> str:
    """Writes checkpoint-<step> atomically and deletes all but the newest `keep` checkpoints."""
    final = os.path.join(output_dir, f"checkpoint-{step}")
    partial = final + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)  # the adapter only: adapter_config.json, adapter_model.safetensors
    save_file(value_head.state_dict(), os.path.join(partial, "value_head.safetensors"))
    torch.save(optimizer.state_dict(), os.path.join(partial, "optimizer.pt"))
    with open(os.path.join(partial, STATE_FILE), "w", encoding="utf-8") as handle:
        json.dump({"global_step": step, **state}, handle, indent=2)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(partial, final)
    _prune(output_dir, keep)
    return final


def load_checkpoint(path: str, model: PeftModel, value_head: ValueHead, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Restores the adapter, value head and optimizer in place; returns the saved loop state."""
    device = next(model.parameters()).device
    set_peft_model_state_dict(model, load_file(os.path.join(path, "adapter_model.safetensors"), device=str(device)))
    value_head.load_state_dict(load_file(os.path.join(path, "value_head.safetensors"), device=str(device)))
    optimizer.load_state_dict(torch.load(os.path.join(path, "optimizer.pt"), map_location=device))
    with open(os.path.join(path, STATE_FILE), encoding="utf-8") as handle:
        state: dict[str, Any] = json.load(handle)
    return state


def _prune(output_dir: str, keep: int) -> None:
    steps = sorted(int(m.group(1)) for name in os.listdir(output_dir) if (m := _CHECKPOINT.match(name)))
    for step in steps[:-keep]:
        shutil.rmtree(os.path.join(output_dir, f"checkpoint-{step}"), ignore_errors=True)
