"""What every training job shares: events from the Trainer, checkpoints, resume and Ctrl-C.

Works with any transformers `Trainer` (TRL's trainers included): `EventsCallback` turns the
trainer's steps and logs into `progress` and `metrics` events and, once Ctrl-C was pressed,
asks the trainer to save a checkpoint at the next step boundary and stop. `train()` resumes
from the newest complete checkpoint in the output directory, which restores the model,
optimizer, scheduler, RNG states and the data order, so a resumed run reaches the same
final step as an uninterrupted one.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import torch
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from . import distributed, events
from .runtime import Interrupted, interrupt_requested, use_bf16

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def last_checkpoint(directory: str) -> str | None:
    """The newest `checkpoint-N` holding trainer_state.json (the file the Trainer writes last)."""
    if not os.path.isdir(directory):
        return None
    steps = []
    for name in os.listdir(directory):
        match = _CHECKPOINT.match(name)
        if match and os.path.isfile(os.path.join(directory, name, "trainer_state.json")):
            steps.append(int(match.group(1)))
    return os.path.join(directory, f"checkpoint-{max(steps)}") if steps else None


class EventsCallback(TrainerCallback):
    def __init__(self) -> None:
        # set when Ctrl-C stopped training (early stopping on a dev loss also stops before max_steps)
        self.interrupted = False
        self._window_start = time.perf_counter()
        self._window_tokens = 0
        self._window_step = 0

    def _reset_window(self, state: TrainerState) -> None:
        self._window_start = time.perf_counter()
        self._window_tokens = state.num_input_tokens_seen
        self._window_step = state.global_step

    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> TrainerControl:
        self._reset_window(state)
        events.progress(state.global_step, state.max_steps, "step")
        return control

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> TrainerControl:
        events.progress(state.global_step, state.max_steps, "step")
        # Every process must stop at the same step (each reaches the save's collectives), so
        # the Ctrl-C that any of them saw is agreed on at each step boundary.
        if distributed.any_rank(interrupt_requested()) and state.global_step < state.max_steps:
            self.interrupted = True
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, logs: dict[str, Any] | None = None, **kwargs: Any) -> TrainerControl:
        values = {key: float(value) for key, value in (logs or {}).items() if isinstance(value, (int, float)) and not isinstance(value, bool)}
        if "loss" in values:
            elapsed = time.perf_counter() - self._window_start
            steps = state.global_step - self._window_step
            if elapsed > 0 and steps > 0:
                values["tokens_per_s"] = (state.num_input_tokens_seen - self._window_tokens) / elapsed
                samples = steps * args.per_device_train_batch_size * args.gradient_accumulation_steps * args.world_size
                values["samples_per_s"] = samples / elapsed
            self._reset_window(state)
        if values:
            events.metrics(state.global_step, values)
        return control


def training_arguments(**overrides: Any) -> dict[str, Any]:
    """TrainingArguments every job uses: events instead of bars and trackers, step-based saving."""
    return {
        "report_to": "none",
        "disable_tqdm": True,
        "save_strategy": "steps",
        "logging_strategy": "steps",
        "logging_first_step": True,
        "include_num_input_tokens_seen": "non_padding",
        # Off by default (TRL turns it on): recomputing activations only costs time unless memory is short.
        "activation_checkpointing": False,
        "dataloader_num_workers": 0,
        # Under several processes every trainable weight (the adapter, or all) gets a gradient at
        # each step: DDP's search for unused ones would only cost an extra graph traversal.
        "ddp_find_unused_parameters": False,
        "dataloader_pin_memory": torch.cuda.is_available(),
        **overrides,
    }


def spec_training_arguments(spec: Any, learning_rate: float, **overrides: Any) -> dict[str, Any]:
    """training_arguments() filled from the fields the sft, dpo and grpo specs share (overrides win)."""
    shared = dict(
        output_dir=spec.output_dir,
        max_steps=spec.max_steps if spec.max_steps is not None else -1,
        per_device_train_batch_size=spec.batch_size,
        gradient_accumulation_steps=spec.grad_accum,
        learning_rate=learning_rate,
        # transformers reads a warmup_steps below 1 as a fraction of the steps (warmup_ratio is deprecated).
        warmup_steps=spec.warmup_ratio,
        save_steps=spec.save_steps,
        save_total_limit=spec.save_total_limit,
        logging_steps=spec.logging_steps,
        seed=spec.seed,
        bf16=use_bf16(),
    )
    return training_arguments(**{**shared, **overrides})


def train(trainer: Trainer, checkpoints_dir: str) -> None:
    """Trains to the end, resuming from the newest checkpoint; raises Interrupted after Ctrl-C."""
    resume = last_checkpoint(checkpoints_dir)
    if resume is not None:
        events.log(f"resuming from {resume}")
    trainer.remove_callback(PrinterCallback)  # it prints the same logs that EventsCallback emits
    callback = EventsCallback()
    trainer.add_callback(callback)
    trainer.train(resume_from_checkpoint=resume)
    if callback.interrupted:
        # EventsCallback asked the trainer to save and stop (an early stop on a dev loss is a normal end).
        raise Interrupted(last_checkpoint(checkpoints_dir))
