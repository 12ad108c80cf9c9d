"""PPO's arithmetic as pure functions of [batch, response_tokens] tensors.

Every tensor is aligned on response tokens: position t is the t-th generated token, `mask`
is 1 on real tokens and 0 on padding after the end of a response. Formulas follow Schulman
et al., "Proximal Policy Optimization Algorithms" (2017) and "High-Dimensional Continuous
Control Using Generalized Advantage Estimation" (2016), with the per-token KL penalty of
Ouyang et al. (InstructGPT, 2022) and the KL estimators of Schulman, "Approximating KL
Divergence" (2020, http://joschu.net/blog/kl-approx.html). tests/test_train_ppo_math.py
checks each against values computed by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch

KlEstimator = Literal["k1", "k2", "k3"]


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sum(x * mask) / sum(mask): the mean over real tokens only."""
    return (x * mask).sum() / mask.sum().clamp(min=1)


def masked_whiten(x: torch.Tensor, mask: torch.Tensor, eps: float = 1e-8, total: Callable[[torch.Tensor], torch.Tensor] = lambda t: t) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) over real tokens (unbiased variance); padding becomes 0.

    `total` turns a local sum into the sum over every process (distributed.sum_over_ranks), so
    that several processes whiten with the statistics of the whole batch.
    """
    count = total(mask.sum())
    mean = total((x * mask).sum()) / count.clamp(min=1)
    var = total((((x - mean) ** 2) * mask).sum()) / (count - 1).clamp(min=1)
    return (x - mean) * torch.rsqrt(var + eps) * mask


def kl_penalty(logprobs: torch.Tensor, ref_logprobs: torch.Tensor, estimator: KlEstimator) -> torch.Tensor:
    """Per-token estimate of KL(policy || reference) from tokens sampled by the policy.

    With log r = ref_logprobs - logprobs:  k1 = -log r (unbiased, can be negative),
    k2 = (log r)^2 / 2 (biased, low variance), k3 = (r - 1) - log r (unbiased, never negative).
    """
    log_ratio = ref_logprobs - logprobs
    if estimator == "k1":
        return -log_ratio
    if estimator == "k2":
        return 0.5 * log_ratio**2
    return torch.expm1(log_ratio) - log_ratio


def token_rewards(scores: torch.Tensor, kl: torch.Tensor, mask: torch.Tensor, kl_coef: float) -> torch.Tensor:
    """r_t = -kl_coef * kl_t on every token, plus the sequence's score on its last real token."""
    rewards = -kl_coef * kl * mask
    last = (mask.sum(dim=1).long() - 1).clamp(min=0)
    rewards[torch.arange(rewards.shape[0]), last] += scores
    return rewards


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float, lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalized advantage estimation; returns (advantages, returns).

    delta_t = r_t + gamma * V_{t+1} - V_t  (V after the last real token is 0: the episode ended)
    A_t = delta_t + gamma * lam * A_{t+1},  returns_t = A_t + V_t.
    """
    steps = rewards.shape[1]
    advantages = torch.zeros_like(rewards)
    next_value = torch.zeros_like(rewards[:, 0])
    next_advantage = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(steps)):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        advantage = delta + gamma * lam * next_advantage
        # Padding is outside the episode: it neither has an advantage nor passes one back.
        advantages[:, t] = advantage * mask[:, t]
        next_value = values[:, t] * mask[:, t]
        next_advantage = advantages[:, t]
    return advantages, (advantages + values) * mask


def policy_loss(
    logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor, mask: torch.Tensor, clip_range: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The clipped surrogate, as a loss to minimise; returns (loss, fraction of tokens clipped).

    ratio = exp(logprobs - old_logprobs);
    loss = mean over tokens of max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps)).
    """
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1.0 - clip_range, 1.0 + clip_range)
    loss = masked_mean(torch.max(unclipped, clipped), mask)
    return loss, masked_mean((clipped > unclipped).float(), mask)


def value_loss(
    values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor, clip_range: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """The clipped value loss; returns (loss, fraction of tokens where the clipped term won).

    v_clip = old_values + clip(values - old_values, -eps, eps);
    loss = 0.5 * mean over tokens of max((values - R)^2, (v_clip - R)^2).
    """
    clipped_values = old_values + torch.clamp(values - old_values, -clip_range, clip_range)
    unclipped_error = (values - returns) ** 2
    clipped_error = (clipped_values - returns) ** 2
    loss = 0.5 * masked_mean(torch.max(unclipped_error, clipped_error), mask)
    return loss, masked_mean((clipped_error > unclipped_error).float(), mask)
