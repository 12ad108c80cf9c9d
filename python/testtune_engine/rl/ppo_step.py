"""One PPO update on a scored rollout: KL-shaped rewards, GAE, then epochs of clipped updates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy
import torch
from peft import PeftModel

from .. import distributed
from .ppo_math import KlEstimator, gae, kl_penalty, masked_mean, masked_whiten, policy_loss, token_rewards, value_loss
from .rollout import Rollout, response_logprobs_and_values
from .value_head import ValueHead


@dataclass
class PpoSettings:
    ppo_epochs: int
    mini_batches: int
    clip_range: float
    value_clip_range: float
    vf_coef: float
    kl_coef: float
    kl_estimator: KlEstimator
    gamma: float
    lam: float
    whiten_advantages: bool
    max_grad_norm: float
    temperature: float


def prompt_order(num_prompts: int, batch_size: int, step: int, seed: int) -> list[int]:
    """The prompts of a step: each epoch over the prompts is a permutation seeded by (seed, epoch).

    A pure function of the step, so a resumed run takes the same prompts as an uninterrupted one.
    """
    first = step * batch_size
    indices = []
    for position in range(first, first + batch_size):
        epoch, offset = divmod(position, num_prompts)
        indices.append(int(numpy.random.default_rng([seed, epoch]).permutation(num_prompts)[offset]))
    return indices


def ppo_update(
    model: PeftModel,
    value_head: ValueHead,
    optimizer: torch.optim.Optimizer,
    rollout: Rollout,
    scores: torch.Tensor,
    scored: torch.Tensor,
    settings: PpoSettings,
) -> dict[str, float]:
    """Updates the adapter and value head in place; returns the update's statistics.

    `scores` holds one reward per response and `scored` is False where the reward service could
    not score it: those responses are left out of the advantages and of every loss.
    """
    mask = rollout.response_mask * scored.float().unsqueeze(1)
    kl = kl_penalty(rollout.logprobs, rollout.ref_logprobs, settings.kl_estimator) * mask
    rewards = token_rewards(scores * scored, kl, mask, settings.kl_coef)
    advantages, returns = gae(rewards, rollout.values, mask, settings.gamma, settings.lam)
    if settings.whiten_advantages:
        advantages = masked_whiten(advantages, mask, total=distributed.sum_over_ranks)

    size = rollout.input_ids.shape[0]
    per_mini_batch = max(1, size // settings.mini_batches)
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    totals = {"policy_loss": 0.0, "value_loss": 0.0, "clip_fraction": 0.0, "value_clip_fraction": 0.0, "grad_norm": 0.0}
    updates = 0
    for _ in range(settings.ppo_epochs):
        order = torch.randperm(size)
        for start in range(0, size, per_mini_batch):
            rows = order[start : start + per_mini_batch]
            empty = bool(mask[rows].sum() == 0)
            # Several processes update together (their gradients are averaged), so a mini-batch
            # is skipped only when it is empty on every one; an empty one elsewhere adds zeros.
            if distributed.every_rank(empty):
                continue
            optimizer.zero_grad()
            if not empty:
                logprobs, values = response_logprobs_and_values(
                    model, value_head, rollout.input_ids[rows], rollout.attention_mask[rows], rollout.response_length, settings.temperature
                )
                pg_loss, clipped = policy_loss(logprobs, rollout.logprobs[rows], advantages[rows], mask[rows], settings.clip_range)
                vf_loss, value_clipped = value_loss(values, rollout.values[rows], returns[rows], mask[rows], settings.value_clip_range)
                (pg_loss + settings.vf_coef * vf_loss).backward()
            distributed.average_gradients(parameters)
            grad_norm = torch.nn.utils.clip_grad_norm_(parameters, settings.max_grad_norm)
            optimizer.step()
            if empty:
                continue
            for name, value in (("policy_loss", pg_loss), ("value_loss", vf_loss), ("clip_fraction", clipped), ("value_clip_fraction", value_clipped), ("grad_norm", grad_norm)):
                totals[name] += float(value.detach())
            updates += 1
    stats = {name: total / max(1, updates) for name, total in totals.items()}
    stats["loss"] = stats["policy_loss"] + settings.vf_coef * stats["value_loss"]
    rows_scored = scored.float().sum().clamp(min=1)
    stats["kl"] = float(kl.sum(dim=1).sum() / rows_scored)  # per response, summed over its tokens
    stats["value_mean"] = float(masked_mean(rollout.values, mask))
    return stats
