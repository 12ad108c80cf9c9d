"""grpo: group relative policy optimisation on execution feedback (Shao et al., DeepSeekMath, 2024).

Uses TRL's GRPOTrainer. For each prompt it samples `num_generations` completions; their
rewards come from testtune's reward service, which runs each generated test file against the
task's reference code in the sandbox (`testtune serve-rewards`, or started by `testtune
train grpo` itself). A completion's advantage is its reward relative to its group's. With
LoRA the KL reference is the start model, the policy with its adapter disabled.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "grpo", "model": "runs/x/sft/final", "prompts": "runs/x/data/rl-prompts.jsonl",
     "output_dir": "runs/x/grpo", "reward_url": "http://127.0.0.1:8787/v1/score", "max_steps": 100}
    JSON
    PYTHONPATH=python python -m testtune_engine grpo --spec spec.json
    # several GPUs (only rank 0 emits events):
    PYTHONPATH=python accelerate launch --num_processes 4 -m testtune_engine grpo --spec spec.json

The prompts are JSONL `{task_id, prompt}`; every task id must be known to the reward service.
If the service fails or does not answer within `reward_timeout_s`, the job stops with an
error event before that step changes the model: the newest checkpoint stays the last good
one and re-running the spec resumes from it. Metrics: TRL's plus `reward_mean`,
`reward_std`, `valid_rate` and `kl` (a `same_checks` baseline keeps each group's mean reward,
so `reward_mean` is the service's; `reward_std` is of the shifted rewards). Ctrl-C saves a checkpoint and exits 130.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from datasets import Dataset
from transformers import AutoTokenizer
from trl import GRPOConfig, GRPOTrainer

from .. import events, vllm_backend
from ..rl.job_spec import TrainingSpec
from ..rl.metrics import GRPO_ALIASES, StandardNames
from ..rl.models import lora_config, load_start_model
from ..rl.group_baseline import same_checks_rewards
from ..rl.reward_client import RewardServiceError, score_completions, step_not_applied, valid_rate
from ..runtime import avoid_cudnn_attention, seed_everything
from ..spec import require
from ..training import last_checkpoint, spec_training_arguments, train
from .generate import read_prompts
from .sft import save_final


@dataclass(kw_only=True)
class Spec(TrainingSpec):
    prompts: str  # JSONL of {task_id, prompt}
    reward_url: str  # the reward service's score endpoint, e.g. http://127.0.0.1:8787/v1/score
    reward_timeout_s: float = 300.0  # per batch of completions; the sandbox runs each test file for seconds
    method: Literal["lora", "full"] = "lora"
    max_steps: int = 100
    num_generations: int = 8  # completions per prompt, the group (TRL's default; DeepSeekMath used 64)
    batch_size: int = 8  # completions per device per step; with grad_accum, a multiple of num_generations
    grad_accum: int = 1
    max_completion_length: int = 256  # tokens; a unit-test file for a small module fits
    temperature: float = 1.0  # sample from the policy itself (TRL's default)
    # KL penalty against the reference. TRL now defaults to 0 (Dr. GRPO and DAPO found it
    # unnecessary for reasoning); 0.04 is DeepSeekMath's, kept so that the policy cannot
    # drift into reward hacking the sandbox while it still writes plausible Python.
    beta: float = 0.04
    epsilon: float = 0.2  # clip range of the importance ratio (PPO's)
    loss_type: Literal["grpo", "dapo", "dr_grpo"] = "dapo"  # TRL's default: token-level normalisation (Yu et al., 2025)
    # None picks by method: 1e-6 for full fine-tuning (TRL's GRPOConfig default), 1e-5 for LoRA
    # (about ten times the full rate; Schulman et al., "LoRA Without Regret", 2025).
    learning_rate: float | None = None
    warmup_ratio: float = 0.0  # TRL's default: the policy starts from a trained model
    # Generate the groups with TRL's colocated vLLM engine (same GPUs as training) instead of
    # model.generate(); CUDA and the vllm extra only. Off: sampling is the policy's own generate.
    use_vllm: bool = False
    # The baseline of a completion's advantage: its whole group (TRL's), or the completions of its
    # group writing as many checks (rl/group_baseline.py: no pressure to write fewer checks).
    group_baseline: Literal["group", "same_checks"] = "group"
    # Advantages divided by the group's reward std (TRL's default), the batch's, or not at all.
    # Dividing makes any reward spread in a group a full-size signal, so how much a reward pays
    # a weak valid file over an invalid one stops mattering (Liu et al., "Understanding
    # R1-Zero-Like Training", 2025, drop it for a bias it adds); "none" keeps the reward's scale.
    scale_rewards: Literal["group", "batch", "none"] = "group"

    def check(self) -> None:
        self.check_training()
        require(not (self.load_in_4bit and self.method == "full"), "load_in_4bit", "4-bit weights cannot be trained: use method lora (QLoRA) or drop load_in_4bit")
        require(self.reward_url.startswith(("http://", "https://")), "reward_url", "must be an http(s) URL, e.g. http://127.0.0.1:8787/v1/score")
        require(self.reward_timeout_s > 0, "reward_timeout_s", "must be > 0")
        require(self.adapter is None or self.method == "lora", "adapter", "method full trains `model` itself: merge the adapter into it first (merge job) or use method lora")
        require(self.num_generations >= 2, "num_generations", "must be >= 2 (advantages are relative to the group)")
        # A group may be split over several processes: TRL gathers the rewards before the advantages.
        processes = int(os.environ.get("WORLD_SIZE", "1"))
        require(
            (self.batch_size * self.grad_accum * processes) % self.num_generations == 0,
            "batch_size",
            f"batch_size x grad_accum x processes ({self.batch_size} x {self.grad_accum} x {processes}) must be a multiple of num_generations ({self.num_generations})",
        )
        for name in ("max_steps", "batch_size", "grad_accum", "max_completion_length"):
            require(getattr(self, name) > 0, name, "must be > 0")
        require(self.temperature > 0, "temperature", "must be > 0")
        require(self.beta >= 0, "beta", "must be >= 0 (0 turns the KL penalty off)")
        require(0 < self.epsilon < 1, "epsilon", "must be in (0, 1)")
        require(self.learning_rate is None or self.learning_rate > 0, "learning_rate", "must be > 0")
        require(0 <= self.warmup_ratio < 1, "warmup_ratio", "must be in [0, 1)")
        if self.group_baseline == "same_checks":
            # the reward function sees one process's generation batch: it must hold whole groups
            require(
                (self.batch_size * self.grad_accum) % self.num_generations == 0,
                "group_baseline",
                f"same_checks needs whole groups on each process: batch_size x grad_accum ({self.batch_size} x {self.grad_accum}) must be a multiple of num_generations ({self.num_generations})",
            )
        if self.use_vllm:
            reason = vllm_backend.unavailable_reason()
            require(reason is None, "use_vllm", f"vllm cannot run here: {reason}; set use_vllm: false")


def execution_reward(url: str, timeout_s: float, group_baseline: str = "group", group_size: int = 8) -> Callable[..., list[float | None]]:
    """A TRL reward function that asks the reward service to run the batch's test files."""

    def execution_reward(completions: list[str], task_id: list[str], log_metric: Callable[[str, float], None], **_: Any) -> list[float | None]:
        batch = score_completions(url, list(task_id), list(completions), timeout_s)
        rate = valid_rate(batch)
        if rate is not None:
            log_metric("valid_rate", rate)
        if group_baseline == "group":
            # None (the sandbox could not run it) is TRL's "no reward": left out of the group statistics.
            return batch.scores
        if batch.checks is None:
            raise RewardServiceError(f"reward service {url} reported no check counts (details[].static_assertions): group_baseline same_checks needs testtune's reward service")
        return same_checks_rewards(batch.scores, batch.checks, list(task_id), group_size)

    return execution_reward


def build_trainer(spec: Spec) -> GRPOTrainer:
    prompts = [{"task_id": task_id, "prompt": prompt} for task_id, prompt in read_prompts(spec.prompts)]
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    lora = spec.method == "lora"
    model = load_start_model(spec.model, spec.adapter, spec.load_in_4bit)
    learning_rate = spec.learning_rate if spec.learning_rate is not None else (1e-5 if lora else 1e-6)
    args = GRPOConfig(
        **spec_training_arguments(
            spec,
            learning_rate,
            # TRL counts prompt and completion tokens itself; the Trainer's own count cannot see them.
            include_num_input_tokens_seen=False,
        ),
        num_generations=spec.num_generations,
        max_completion_length=spec.max_completion_length,
        temperature=spec.temperature,
        beta=spec.beta,
        epsilon=spec.epsilon,
        loss_type=spec.loss_type,
        scale_rewards=spec.scale_rewards,
        use_vllm=spec.use_vllm,
        vllm_mode="colocate",  # one engine per training process, on its GPU: no separate server to start
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=execution_reward(spec.reward_url, spec.reward_timeout_s, spec.group_baseline, spec.num_generations),
        args=args,
        train_dataset=Dataset.from_list(prompts),
        processing_class=tokenizer,
        peft_config=lora_config(spec.lora, model) if lora else None,
        callbacks=[StandardNames(GRPO_ALIASES)],
    )
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    events.log(
        f"grpo ({spec.method}, {spec.loss_type}, beta {spec.beta:g}, {spec.group_baseline} baseline, {spec.scale_rewards} reward scaling): {len(prompts)} prompts x {spec.num_generations} completions, "
        f"{trainable:,} trainable parameters, lr {learning_rate:g}, rewards from {spec.reward_url}"
    )
    return trainer


def run(spec: Spec) -> None:
    seed_everything(spec.seed)
    avoid_cudnn_attention()  # decoding meets a new key length at every step
    trainer = build_trainer(spec)
    try:
        train(trainer, spec.output_dir)
    except RewardServiceError as error:
        raise step_not_applied(error, trainer.state.global_step + 1, last_checkpoint(spec.output_dir)) from None
    save_final(trainer, spec)  # type: ignore[arg-type]  # it reads output_dir and method, which this Spec has too
