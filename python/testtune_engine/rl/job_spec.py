"""Spec fields that dpo, grpo and ppo share: the start model, the adapter to train, checkpointing.

Each job's `Spec` extends `TrainingSpec` with its own fields (keyword-only dataclasses, so
required and defaulted fields can mix across the two).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..jobs.sft import LoraSpec
from ..spec import require


@dataclass(kw_only=True)
class TrainingSpec:
    model: str  # a Hugging Face causal LM directory: the start model
    output_dir: str  # checkpoints, then `final`
    adapter: str | None = None  # a LoRA adapter merged into `model` first (the SFT stage's)
    lora: LoraSpec = field(default_factory=LoraSpec)  # the new adapter trained by this job
    load_in_4bit: bool = False  # QLoRA: 4-bit NF4 base when bitsandbytes and CUDA exist (warns and falls back otherwise)
    save_steps: int = 50
    save_total_limit: int = 2  # older checkpoints are deleted
    logging_steps: int = 10
    seed: int = 0

    def check_training(self) -> None:
        require(self.lora.r > 0, "lora.r", "must be > 0")
        require(self.lora.alpha > 0, "lora.alpha", "must be > 0")
        require(0 <= self.lora.dropout < 1, "lora.dropout", "must be in [0, 1)")
        require(len(self.lora.target_modules) > 0, "lora.target_modules", "must name at least one module")
        for name in ("save_steps", "save_total_limit", "logging_steps"):
            require(getattr(self, name) > 0, name, "must be > 0")
        require(os.path.isdir(self.model), "model", f"{self.model} is not a model directory")
        if self.adapter is not None:
            require(os.path.isfile(os.path.join(self.adapter, "adapter_config.json")), "adapter", f"{self.adapter} has no adapter_config.json")
