"""sft: supervised fine-tuning on prompt/completion pairs, with LoRA or full fine-tuning.

Uses TRL's SFTTrainer with the loss on completion tokens only (the prompt is context, not a
target). Writes `checkpoint-N` directories into `output_dir` while training and the result
to `<output_dir>/final`: a LoRA adapter (adapter_config.json, adapter_model.safetensors) or
a full model directory, with the tokenizer.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "sft", "base_model": "runs/x/base", "data": "train.jsonl",
     "output_dir": "runs/x/sft", "max_steps": 100}
    JSON
    PYTHONPATH=python python -m testtune_engine sft --spec spec.json
    # several GPUs (only rank 0 emits events):
    PYTHONPATH=python accelerate launch --num_processes 4 -m testtune_engine sft --spec spec.json

The data is JSONL with `prompt` and `completion` string fields; an eos token is appended to
each completion so the model learns to stop. Precision is bf16 on a CUDA device that supports
it and fp32 elsewhere. Ctrl-C saves a checkpoint at the next step and exits 130; re-running
the same spec resumes from the newest checkpoint (model, optimizer, scheduler, RNG and data
order), so it ends at the same step as an uninterrupted run. A spec changed between the two
runs is not detected: use a new output_dir for a new experiment.

Early stopping: with `dev_data` (held-out pairs, same format) the dev loss is measured every
`eval_steps` (a checkpoint is saved at each of them); after `patience` evaluations without a
lower dev loss training stops, and `final` is the checkpoint with the lowest dev loss
(transformers' `load_best_model_at_end`; the best checkpoint is never deleted by
`save_total_limit`). `final/early_stopping.json` records the best step and loss and whether
training stopped early. Without `patience` the dev loss is only reported.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from typing import Literal

import torch
from datasets import Dataset
from peft import LoraConfig, PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer, EarlyStoppingCallback, PreTrainedModel
from trl import SFTConfig, SFTTrainer

from .. import events
from ..data import read_pairs
from ..lora_targets import find_target_modules
from ..runtime import seed_everything, use_bf16
from ..spec import DataError, require
from ..training import spec_training_arguments, train

# Every linear projection of a Llama/Qwen2-style block: QLoRA (Dettmers et al., 2023) found
# that adapting all linear layers is needed to match full fine-tuning.
ALL_LINEAR_PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class LoraSpec:
    # r 16, alpha 32, dropout 0.05: the defaults of TRL's ModelConfig (lora_r, lora_alpha, lora_dropout).
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: list(ALL_LINEAR_PROJECTIONS))


@dataclass
class Spec:
    base_model: str  # a Hugging Face model directory
    data: str  # JSONL of {prompt, completion}
    output_dir: str  # checkpoints, then `final`
    adapter: str | None = None  # a LoRA adapter to start from: trained further (lora) or merged first (full)
    method: Literal["lora", "full"] = "lora"
    lora: LoraSpec = field(default_factory=LoraSpec)
    max_steps: int | None = None  # optimizer steps; when set it overrides epochs
    epochs: float = 1.0
    batch_size: int = 8  # per device
    grad_accum: int = 1
    # None picks by method: 2e-4 for LoRA (the QLoRA paper's rate for 7B-13B models), 2e-5 for
    # full fine-tuning (TRL's SFTConfig default).
    learning_rate: float | None = None
    warmup_ratio: float = 0.03  # fraction of steps with a linear warmup, then cosine decay
    max_length: int = 1024  # prompt + completion tokens; longer pairs are truncated at the end
    save_steps: int = 50
    save_total_limit: int = 2  # older checkpoints are deleted
    logging_steps: int = 10
    seed: int = 0
    dev_data: str | None = None  # held-out {prompt, completion} pairs: the dev loss
    eval_steps: int = 50  # dev loss interval (checkpoints follow it when dev_data is set)
    patience: int | None = None  # evaluations without a lower dev loss before stopping; None = never stop early

    def check(self) -> None:
        require(self.max_steps is None or self.max_steps > 0, "max_steps", "must be > 0 (or null to train for `epochs`)")
        require(self.epochs > 0, "epochs", "must be > 0")
        require(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)")
        require(self.learning_rate is None or self.learning_rate > 0, "learning_rate", "must be > 0")
        require(self.lora.r > 0, "lora.r", "must be > 0")
        require(0 <= self.lora.dropout < 1, "lora.dropout", "must be in [0, 1)")
        require(len(self.lora.target_modules) > 0, "lora.target_modules", "must name at least one module")
        for name in ("batch_size", "grad_accum", "max_length", "save_steps", "save_total_limit", "logging_steps", "eval_steps"):
            require(getattr(self, name) > 0, name, "must be > 0")
        require(self.patience is None or self.patience > 0, "patience", "must be > 0 (or null: never stop early)")
        require(self.patience is None or self.dev_data is not None, "patience", "early stopping needs dev_data (the held-out pairs whose loss it watches)")
        optional_files = tuple(name for name in ("adapter", "dev_data") if getattr(self, name) is not None)
        for name in ("base_model", "data") + optional_files:
            require(os.path.exists(getattr(self, name)), name, f"{getattr(self, name)} does not exist")


def load_model(spec: Spec) -> PreTrainedModel | PeftModel:
    dtype = torch.bfloat16 if use_bf16() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(spec.base_model, dtype=dtype)
    if spec.adapter is None:
        return model
    with_adapter = PeftModel.from_pretrained(model, spec.adapter, is_trainable=spec.method == "lora")
    return with_adapter if spec.method == "lora" else with_adapter.merge_and_unload()


def build_trainer(spec: Spec) -> SFTTrainer:
    """The trainer with its tokenized data: the labels are -100 on prompt tokens (no loss there)."""
    pairs = read_pairs(spec.data)
    tokenizer = AutoTokenizer.from_pretrained(spec.base_model)
    model = load_model(spec)
    new_adapter = spec.method == "lora" and spec.adapter is None
    peft_config = (
        LoraConfig(r=spec.lora.r, lora_alpha=spec.lora.alpha, lora_dropout=spec.lora.dropout, target_modules=find_target_modules(model, spec.lora.target_modules), task_type="CAUSAL_LM")
        if new_adapter
        else None
    )
    learning_rate = spec.learning_rate if spec.learning_rate is not None else (2e-4 if spec.method == "lora" else 2e-5)
    args = SFTConfig(
        **spec_training_arguments(spec, learning_rate, num_train_epochs=spec.epochs, lr_scheduler_type="cosine", **dev_loss_arguments(spec)),
        max_length=spec.max_length,
        completion_only_loss=True,
    )
    dev = None if spec.dev_data is None else Dataset.from_list(read_pairs(spec.dev_data))
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(pairs), eval_dataset=dev, processing_class=tokenizer, peft_config=peft_config)
    if len(trainer.train_dataset) == 0:
        # TRL drops a pair whose prompt alone reaches max_length (no completion token is left to learn);
        # without this the job dies later in the sampler with "num_samples=0".
        raise DataError(spec.data, "", f"none of its {len(pairs)} pairs keeps a completion token within max_length {spec.max_length}: each prompt alone is that long; raise max_length (the config's max_length field)")
    if spec.patience is not None:
        trainer.add_callback(EarlyStoppingCallback(early_stopping_patience=spec.patience))
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    events.log(f"sft ({spec.method}): {len(pairs)} pairs, {trainable:,} trainable parameters, lr {learning_rate:g}")
    return trainer


def dev_loss_arguments(spec: Spec) -> dict[str, object]:
    """Trainer arguments for the dev loss: evaluate every eval_steps and, to keep the best, save there too."""
    if spec.dev_data is None:
        return {}
    return {
        "eval_strategy": "steps",
        "eval_steps": spec.eval_steps,
        # load_best_model_at_end needs a checkpoint at every evaluation
        "save_steps": spec.eval_steps,
        "per_device_eval_batch_size": spec.batch_size,
        "load_best_model_at_end": True,
        "metric_for_best_model": "eval_loss",
        "greater_is_better": False,
    }


def run(spec: Spec) -> None:
    seed_everything(spec.seed)
    trainer = build_trainer(spec)
    train(trainer, spec.output_dir)
    save_final(trainer, spec)
    if spec.dev_data is not None and events.is_main_process():
        record_best(trainer, os.path.join(spec.output_dir, "final"))


def record_best(trainer: SFTTrainer, final: str) -> None:
    """What `final` holds under early stopping: the best dev loss, its step, and where training stopped."""
    state = trainer.state
    best_step = None if state.best_model_checkpoint is None else int(state.best_model_checkpoint.rsplit("-", 1)[1])
    record = {"best_dev_loss": state.best_metric, "best_step": best_step, "stopped_at_step": state.global_step, "max_steps": state.max_steps, "stopped_early": state.global_step < state.max_steps}
    with open(os.path.join(final, "early_stopping.json"), "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2)
    events.log(f"dev loss: best {state.best_metric} at step {best_step}, stopped at step {state.global_step} of {state.max_steps}")


def save_final(trainer: SFTTrainer, spec: Spec) -> None:
    """Writes `final` through a temporary directory, so a crash never leaves half of it."""
    final = os.path.join(spec.output_dir, "final")
    partial = final + ".partial"
    if events.is_main_process():
        shutil.rmtree(partial, ignore_errors=True)
    trainer.save_model(partial)  # writes on the main process only
    if not events.is_main_process():
        return
    shutil.rmtree(final, ignore_errors=True)
    os.replace(partial, final)
    events.artifact("adapter" if spec.method == "lora" else "model", final)
