"""dpo: direct preference optimisation on prompt/chosen/rejected pairs (Rafailov et al., 2023).

Uses TRL's DPOTrainer. The reference model is the start model: with LoRA (the default) it is
the policy with its adapter disabled, so no second copy is kept in memory; with full
fine-tuning it is a frozen copy. Writes `checkpoint-N` directories into `output_dir` while
training and the result to `<output_dir>/final` (an adapter, or a full model), with the
tokenizer.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "dpo", "model": "runs/x/pretrain/model", "adapter": "runs/x/sft/final",
     "data": "runs/x/prefs/pairs.jsonl", "output_dir": "runs/x/dpo", "max_steps": 100}
    JSON
    PYTHONPATH=python python -m testtune_engine dpo --spec spec.json
    # several GPUs (only rank 0 emits events):
    PYTHONPATH=python accelerate launch --num_processes 4 -m testtune_engine dpo --spec spec.json

The data is JSONL with `prompt`, `chosen` and `rejected` strings (TRL's format; `testtune
prefs` writes it); an eos token is appended to both completions. Metrics: TRL's
(`rewards/chosen`, `rewards/margins`, ...) plus `reward_mean` (the mean implicit reward
margin), `reward_accuracy` and `kl` (see rl/metrics.py). Ctrl-C saves a checkpoint and exits
130; re-running the same spec resumes from the newest checkpoint.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Literal

from datasets import Dataset
from transformers import AutoTokenizer
from trl import DPOConfig, DPOTrainer

from .. import events
from ..data import read_jsonl, string_field
from ..rl.job_spec import TrainingSpec
from ..rl.metrics import StandardNames, dpo_aliases
from ..rl.models import lora_config, load_start_model
from ..runtime import seed_everything
from ..spec import DataError, require
from ..training import spec_training_arguments, train
from .sft import save_final


@dataclass(kw_only=True)
class Spec(TrainingSpec):
    data: str  # JSONL of {prompt, chosen, rejected}
    method: Literal["lora", "full"] = "lora"
    beta: float = 0.1  # strength of the pull towards the reference; the DPO paper's and TRL's default
    loss_type: Literal["sigmoid", "ipo", "hinge"] = "sigmoid"  # sigmoid is DPO itself; ipo (Azar et al., 2023) and hinge (SLiC) are variants
    # RPO (Pang et al., 2024, "Iterative Reasoning Preference Optimization"): adds rpo_alpha times
    # the chosen completion's mean token NLL to the preference loss. Plain DPO can lower the
    # chosen completion's likelihood along with the rejected one's; the paper found the NLL term
    # essential on reasoning and code tasks (alpha 1). 0 is plain DPO.
    rpo_alpha: float = 0.0
    max_steps: int | None = None  # optimizer steps; when set it overrides epochs
    epochs: float = 1.0
    batch_size: int = 8  # pairs per device per step (TRL's default)
    grad_accum: int = 1
    # None picks by method: 1e-6 for full fine-tuning (TRL's DPOConfig default), 1e-5 for LoRA,
    # which wants about ten times the full fine-tuning rate (Schulman et al., "LoRA Without Regret", 2025).
    learning_rate: float | None = None
    warmup_ratio: float = 0.1  # Zephyr's DPO recipe (Tunstall et al., 2023)
    max_length: int = 1024  # prompt + completion tokens (TRL's default); longer pairs are cut at the end

    def check(self) -> None:
        self.check_training()
        require(not (self.load_in_4bit and self.method == "full"), "load_in_4bit", "4-bit weights cannot be trained: use method lora (QLoRA) or drop load_in_4bit")
        require(self.beta > 0, "beta", "must be > 0")
        require(self.rpo_alpha >= 0, "rpo_alpha", "must be >= 0 (0 is plain DPO)")
        require(self.max_steps is None or self.max_steps > 0, "max_steps", "must be > 0 (or null to train for `epochs`)")
        require(self.epochs > 0, "epochs", "must be > 0")
        require(self.learning_rate is None or self.learning_rate > 0, "learning_rate", "must be > 0")
        require(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)")
        for name in ("batch_size", "grad_accum", "max_length"):
            require(getattr(self, name) > 0, name, "must be > 0")


def read_preference_pairs(file: str) -> list[dict[str, str]]:
    pairs = [{key: string_field(file, number, row, key) for key in ("prompt", "chosen", "rejected")} for number, row in read_jsonl(file)]
    if not pairs:
        raise DataError(file, "", "no preference pairs (the file is empty): did `testtune prefs` drop every prompt?")
    return pairs


def loss_terms(spec: Spec) -> dict[str, list]:
    """TRL's loss_type/loss_weights for the spec: the preference loss, and with rpo_alpha > 0 TRL's
    `sft` term (the chosen completions' mean token NLL) weighted by it, which is RPO."""
    if spec.rpo_alpha == 0:
        return {"loss_type": [spec.loss_type], "loss_weights": [1.0]}
    return {"loss_type": [spec.loss_type, "sft"], "loss_weights": [1.0, spec.rpo_alpha]}


def build_trainer(spec: Spec) -> DPOTrainer:
    pairs = read_preference_pairs(spec.data)
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    lora = spec.method == "lora"
    model = load_start_model(spec.model, spec.adapter, spec.load_in_4bit)
    reference = None if lora else copy.deepcopy(model).eval().requires_grad_(False)
    learning_rate = spec.learning_rate if spec.learning_rate is not None else (1e-5 if lora else 1e-6)
    args = DPOConfig(
        **spec_training_arguments(spec, learning_rate, num_train_epochs=spec.epochs, lr_scheduler_type="linear"),
        beta=spec.beta,
        **loss_terms(spec),
        max_length=spec.max_length,
    )
    trainer = DPOTrainer(
        model=model,
        ref_model=reference,
        args=args,
        train_dataset=Dataset.from_list(pairs),
        processing_class=tokenizer,
        peft_config=lora_config(spec.lora, model) if lora else None,
        callbacks=[StandardNames(dpo_aliases(spec.beta))],
    )
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    rpo = f", rpo_alpha {spec.rpo_alpha:g}" if spec.rpo_alpha else ""
    events.log(f"dpo ({spec.method}, {spec.loss_type}{rpo}, beta {spec.beta:g}): {len(pairs)} pairs, {trainable:,} trainable parameters, lr {learning_rate:g}")
    return trainer


def run(spec: Spec) -> None:
    seed_everything(spec.seed)
    trainer = build_trainer(spec)
    train(trainer, spec.output_dir)
    save_final(trainer, spec)  # type: ignore[arg-type]  # it reads output_dir and method, which this Spec has too
