"""ppo: proximal policy optimisation on execution feedback, with a LoRA policy and a value head.

Our own loop rather than TRL's PPOTrainer, which only takes a reward *model* and so cannot
reward a test file by running it (TRL issues #2518 and #3093). Each step:
1. samples one response per prompt from the policy (rl/rollout.py), recording the policy's
   log-probs, the values, and the reference's log-probs with the adapter disabled;
2. scores the responses with testtune's reward service (`POST /v1/score`);
3. shapes per-token rewards (-kl_coef x KL, plus the score on the last token), estimates
   advantages with GAE, and runs `ppo_epochs` of clipped-surrogate and clipped-value updates
   on the adapter and the value head (rl/ppo_step.py, formulas in rl/ppo_math.py).

    cat > spec.json <<'JSON'
    {"version": 1, "job": "ppo", "model": "runs/x/sft/final", "prompts": "runs/x/data/rl-prompts.jsonl",
     "output_dir": "runs/x/ppo", "reward_url": "http://127.0.0.1:8787/v1/score", "max_steps": 100}
    JSON
    PYTHONPATH=python python -m testtune_engine ppo --spec spec.json

Several processes (`testtune train ppo --processes 2`, or `accelerate launch --multi_gpu
--num_processes 2 -m testtune_engine ppo ...`): each takes its own `batch_size` prompts of the
step's batch, samples and scores them itself (so the reward service sees each response once),
whitens advantages with the whole batch's statistics and averages gradients before every
update, so the weights stay identical; only rank 0 writes events, checkpoints and `final`.
Assumptions and limits: data-parallel only (each process holds the whole model; the rollouts
use `generate`, so this is for small models); LoRA only (the KL reference is the start model,
read by disabling the adapter); one response per prompt per step. Defaults
follow TRL's experimental PPOConfig and verl's ppo_trainer.yaml, each noted below where the
two differ. Checkpoints (adapter, value head, optimizer, step) are written atomically every
`save_steps`; a step's prompts and sampling seed depend only on (seed, step), so a resumed
run repeats an uninterrupted one. A reward-service failure stops the job before the step
updates anything. Ctrl-C saves a checkpoint at the next step boundary and exits 130.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, fields
from typing import Literal

import torch
from peft import PeftModel, get_peft_model
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from .. import distributed, events
from ..rl import rollout as rollouts
from ..rl.checkpoint import load_checkpoint, save_checkpoint
from ..rl.job_spec import TrainingSpec
from ..rl.models import lora_config, load_start_model
from ..rl.ppo_step import PpoSettings, ppo_update, prompt_order
from ..rl.reward_client import RewardServiceError, score_completions, step_not_applied, valid_rate
from ..rl.value_head import ValueHead
from ..runtime import Interrupted, avoid_cudnn_attention, interrupt_requested, seed_everything
from ..spec import require
from ..training import last_checkpoint
from .generate import derived_seed, read_prompts


@dataclass(kw_only=True)
class Spec(TrainingSpec):
    prompts: str  # JSONL of {task_id, prompt}
    reward_url: str  # the reward service's score endpoint, e.g. http://127.0.0.1:8787/v1/score
    reward_timeout_s: float = 300.0  # per batch of responses; the sandbox runs each test file for seconds
    max_steps: int = 100  # PPO steps: one rollout batch and its updates each
    batch_size: int = 8  # prompts per rollout and process, one response each
    mini_batches: int = 1  # updates per PPO epoch (TRL's num_mini_batches)
    ppo_epochs: int = 4  # passes over each rollout (TRL: 4; verl: 1)
    max_prompt_tokens: int = 768  # longer prompts keep their last tokens
    max_new_tokens: int = 256  # a unit-test file for a small module fits (TRL's response_length is 53)
    temperature: float = 1.0  # verl's rollout temperature (TRL: 0.7); 1.0 samples the policy itself
    learning_rate: float = 1e-5  # verl's actor rate 1e-6 is for full fine-tuning; LoRA wants about 10x
    kl_coef: float = 0.05  # per-token KL penalty in the reward (TRL; verl: 0.001, off by default)
    kl_estimator: Literal["k1", "k2", "k3"] = "k1"  # TRL's and verl's default ("kl" in verl)
    clip_range: float = 0.2  # the surrogate's ratio clip (TRL and verl)
    value_clip_range: float = 0.2  # TRL's cliprange_value (verl: 0.5); rewards here are in [0, 1]
    vf_coef: float = 0.1  # TRL's value loss weight (verl trains a separate critic)
    gamma: float = 1.0  # no discounting within a response (TRL and verl)
    lam: float = 0.95  # GAE lambda (TRL; verl: 1.0)
    whiten_advantages: bool = True  # TRL whitens advantages over the batch
    max_grad_norm: float = 1.0  # verl's grad_clip
    logging_steps: int = 1  # a PPO step is a whole rollout: report each one

    def check(self) -> None:
        self.check_training()
        require(self.reward_url.startswith(("http://", "https://")), "reward_url", "must be an http(s) URL, e.g. http://127.0.0.1:8787/v1/score")
        for name in ("reward_timeout_s", "learning_rate", "temperature", "max_grad_norm"):
            require(getattr(self, name) > 0, name, "must be > 0")
        for name in ("max_steps", "batch_size", "mini_batches", "ppo_epochs", "max_prompt_tokens", "max_new_tokens"):
            require(getattr(self, name) > 0, name, "must be > 0")
        require(self.mini_batches <= self.batch_size, "mini_batches", f"must be <= batch_size ({self.batch_size})")
        require(self.kl_coef >= 0, "kl_coef", "must be >= 0")
        require(0 < self.clip_range < 1, "clip_range", "must be in (0, 1)")
        require(self.value_clip_range > 0, "value_clip_range", "must be > 0")
        require(self.vf_coef >= 0, "vf_coef", "must be >= 0")
        require(0 <= self.gamma <= 1, "gamma", "must be in [0, 1]")
        require(0 <= self.lam <= 1, "lam", "must be in [0, 1]")

    def settings(self) -> PpoSettings:
        return PpoSettings(**{f.name: getattr(self, f.name) for f in fields(PpoSettings)})


def load_policy(spec: Spec) -> tuple[PreTrainedTokenizerBase, PeftModel, ValueHead]:
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    base = load_start_model(spec.model, spec.adapter, spec.load_in_4bit)
    if not getattr(base, "is_loaded_in_4bit", False):
        base = base.to(distributed.device())
    model = get_peft_model(base, lora_config(spec.lora, base))
    model.eval()  # dropout off: before the first update the ratio must be exactly 1 (TRL disables it too)
    value_head = ValueHead(model.config.hidden_size).to(next(model.parameters()).device)
    return tokenizer, model, value_head


def save_final(spec: Spec, model: PeftModel, tokenizer: PreTrainedTokenizerBase) -> None:
    if not events.is_main_process():
        return
    final = os.path.join(spec.output_dir, "final")
    partial = final + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(partial, final)
    events.artifact("adapter", final)


def run(spec: Spec) -> None:
    distributed.init_process_group()
    seed_everything(spec.seed)
    avoid_cudnn_attention()  # decoding meets a new key length at every step
    prompts = read_prompts(spec.prompts)
    tokenizer, model, value_head = load_policy(spec)
    trainable = [p for p in model.parameters() if p.requires_grad] + list(value_head.parameters())
    optimizer = torch.optim.AdamW(trainable, lr=spec.learning_rate, weight_decay=0.0)
    start = 0
    resume = last_checkpoint(spec.output_dir)
    if resume is not None:
        start = int(load_checkpoint(resume, model, value_head, optimizer)["global_step"])
        events.log(f"resuming from {resume}")
    events.log(f"ppo (lora): {len(prompts)} prompts, {sum(p.numel() for p in trainable):,} trainable parameters, lr {spec.learning_rate:g}, rewards from {spec.reward_url}")

    def save(step: int) -> str:
        # The weights and optimizer state are the same on every process: rank 0 writes them,
        # the others wait so that none moves on (or exits) before the checkpoint is complete.
        path = os.path.join(spec.output_dir, f"checkpoint-{step}")
        if events.is_main_process():
            path = save_checkpoint(spec.output_dir, step, model, value_head, optimizer, {"seed": spec.seed}, spec.save_total_limit)
        distributed.barrier()
        return path

    window: list[dict[str, float]] = []
    events.progress(start, spec.max_steps, "step")
    for step in range(start, spec.max_steps):
        if distributed.any_rank(interrupt_requested()):
            raise Interrupted(save(step) if step > start else resume)
        window.append(combine_ranks(train_step(spec, step, prompts, tokenizer, model, value_head, optimizer)))
        events.progress(step + 1, spec.max_steps, "step")
        if (step + 1) % spec.logging_steps == 0 or step + 1 == spec.max_steps:
            names = set.intersection(*(set(w) for w in window))
            events.metrics(step + 1, {name: sum(w[name] for w in window) / len(window) for name in sorted(names)})
            window = []
        if (step + 1) % spec.save_steps == 0:
            save(step + 1)
    save_final(spec, model, tokenizer)


# Rates add up over the processes; every other statistic is averaged over them.
_SUMMED = ("tokens_per_s", "samples_per_s")


def combine_ranks(stats: dict[str, float]) -> dict[str, float]:
    """One step's statistics over every process (each process's own in a single one)."""
    per_rank = distributed.gather_objects(stats)
    names = set.union(*(set(s) for s in per_rank))
    combined = {}
    for name in names:
        values = [s[name] for s in per_rank if name in s]
        combined[name] = sum(values) if name in _SUMMED else sum(values) / len(values)
    return combined


def train_step(
    spec: Spec, step: int, prompts: list[tuple[str, str]], tokenizer: PreTrainedTokenizerBase, model: PeftModel, value_head: ValueHead, optimizer: torch.optim.Optimizer
) -> dict[str, float]:
    started = time.perf_counter()
    # The step's batch is batch_size prompts per process; this process takes its own slice.
    order = prompt_order(len(prompts), spec.batch_size * distributed.world_size(), step, spec.seed)
    rank = distributed.rank()
    chosen = [prompts[i] for i in order[rank * spec.batch_size : (rank + 1) * spec.batch_size]]
    torch.manual_seed(derived_seed(spec.seed, "ppo" if rank == 0 else f"ppo/rank{rank}", step))
    batch = rollouts.sample(
        model, value_head, tokenizer, [t for t, _ in chosen], [p for _, p in chosen],
        max_prompt_tokens=spec.max_prompt_tokens, max_new_tokens=spec.max_new_tokens, temperature=spec.temperature,
    )
    try:
        scored = score_completions(spec.reward_url, batch.task_ids, batch.completions, spec.reward_timeout_s)
    except RewardServiceError as error:
        raise step_not_applied(error, step + 1, last_checkpoint(spec.output_dir)) from None
    has_score = torch.tensor([s is not None for s in scored.scores])
    if not bool(has_score.any()):
        raise RewardServiceError(f"the reward service could not score any response of step {step + 1} (every score is null: is the sandbox working?)")
    scores = torch.tensor([s if s is not None else 0.0 for s in scored.scores], device=batch.values.device)
    stats = ppo_update(model, value_head, optimizer, batch, scores, has_score.to(scores.device), spec.settings())
    elapsed = time.perf_counter() - started
    rewards = scores[has_score.to(scores.device)]
    stats.update(
        reward_mean=float(rewards.mean()),
        reward_std=float(rewards.std()) if rewards.numel() > 1 else 0.0,
        response_length=float(batch.response_mask.sum(dim=1).mean()),
        learning_rate=spec.learning_rate,
        tokens_per_s=float(batch.attention_mask.sum()) / elapsed,
        samples_per_s=len(chosen) / elapsed,
    )
    rate = valid_rate(scored)
    if rate is not None:
        stats["valid_rate"] = rate
    return stats
