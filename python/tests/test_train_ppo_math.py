"""PPO's arithmetic against values computed by hand (rl/ppo_math.py, rl/ppo_step.py, rl/rollout.py)."""

import math

import pytest
import torch

from testtune_engine.rl.ppo_math import gae, kl_penalty, masked_mean, masked_whiten, policy_loss, token_rewards, value_loss
from testtune_engine.rl.ppo_step import prompt_order
from testtune_engine.rl.rollout import response_mask

T = torch.tensor


def close(actual: torch.Tensor, expected: list) -> None:
    torch.testing.assert_close(actual, T(expected), atol=1e-5, rtol=0)


def test_gae_matches_the_recursion_worked_by_hand():
    # One response of 3 tokens; gamma 0.9, lambda 0.5.
    rewards, values, mask = T([[0.0, 0.0, 1.0]]), T([[0.5, 0.4, 0.3]]), T([[1.0, 1.0, 1.0]])
    advantages, returns = gae(rewards, values, mask, gamma=0.9, lam=0.5)
    # delta_2 = 1 + 0 - 0.3 = 0.7                         A_2 = 0.7
    # delta_1 = 0 + 0.9 * 0.3 - 0.4 = -0.13               A_1 = -0.13 + 0.45 * 0.7 = 0.185
    # delta_0 = 0 + 0.9 * 0.4 - 0.5 = -0.14               A_0 = -0.14 + 0.45 * 0.185 = -0.05675
    close(advantages, [[-0.05675, 0.185, 0.7]])
    close(returns, [[0.44325, 0.585, 1.0]])


def test_gae_treats_padding_as_the_end_of_the_episode():
    # The second response has 2 real tokens: the value of its padding must not leak back.
    rewards = T([[0.0, 1.0, 0.0], [0.0, 2.0, 0.0]])
    values = T([[0.1, 0.2, 0.3], [0.1, 0.2, 9.0]])
    mask = T([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    advantages, returns = gae(rewards, values, mask, gamma=1.0, lam=1.0)
    # Row 2: A_1 = 2 - 0.2 = 1.8; A_0 = 0 + 0.2 - 0.1 + 1.8 = 1.9; the padded token gets 0.
    close(advantages[1], [1.9, 1.8, 0.0])
    close(returns[1], [2.0, 2.0, 0.0])
    # Row 1 (lambda 1, gamma 1): A_t = sum of future rewards - V_t.
    close(advantages[0], [0.9, 0.8, -0.3])


def test_clipped_surrogate_takes_the_pessimistic_term():
    old = T([[0.0, 0.0, 0.0]])
    new = T([[math.log(1.5), math.log(0.5), math.log(1.1)]])  # ratios 1.5, 0.5, 1.1
    advantages = T([[1.0, -1.0, 2.0]])
    loss, clipped = policy_loss(new, old, advantages, T([[1.0, 1.0, 1.0]]), clip_range=0.2)
    # token 0: max(-1.5, -1.2) = -1.2 (clipped); token 1: max(0.5, 0.8) = 0.8 (clipped); token 2: max(-2.2, -2.2) = -2.2
    assert float(loss) == pytest.approx((-1.2 + 0.8 - 2.2) / 3, abs=1e-6)
    assert float(clipped) == pytest.approx(2 / 3, abs=1e-6)


def test_clipped_surrogate_ignores_padding():
    loss, _ = policy_loss(T([[0.0, 5.0]]), T([[0.0, 0.0]]), T([[2.0, 100.0]]), T([[1.0, 0.0]]), clip_range=0.2)
    assert float(loss) == pytest.approx(-2.0, abs=1e-6)


def test_value_loss_clips_the_move_away_from_the_old_value():
    old_values, returns, mask = T([[0.0, 0.0]]), T([[1.0, 1.0]]), T([[1.0, 1.0]])
    values = T([[0.5, 0.1]])
    loss, clipped = value_loss(values, old_values, returns, mask, clip_range=0.2)
    # token 0: v_clip = 0.2, max(0.25, 0.64) = 0.64; token 1: v_clip = 0.1, max(0.81, 0.81) = 0.81
    assert float(loss) == pytest.approx(0.5 * (0.64 + 0.81) / 2, abs=1e-6)
    assert float(clipped) == pytest.approx(0.5, abs=1e-6)


def test_kl_estimators_match_their_formulas():
    logprobs, ref = T([math.log(0.5)]), T([math.log(0.25)])  # r = ref / policy = 0.5
    log_r = math.log(0.5)
    assert float(kl_penalty(logprobs, ref, "k1")) == pytest.approx(-log_r, abs=1e-6)
    assert float(kl_penalty(logprobs, ref, "k2")) == pytest.approx(0.5 * log_r**2, abs=1e-6)
    assert float(kl_penalty(logprobs, ref, "k3")) == pytest.approx((0.5 - 1) - log_r, abs=1e-6)


def test_k3_is_never_negative_and_all_estimators_vanish_at_equality():
    logprobs = torch.linspace(-5, 0, 11)
    ref = torch.flip(logprobs, [0])
    assert bool((kl_penalty(logprobs, ref, "k3") >= 0).all())
    for estimator in ("k1", "k2", "k3"):
        assert float(kl_penalty(logprobs, logprobs, estimator).abs().max()) == 0.0


def test_token_rewards_put_the_score_on_the_last_real_token():
    kl = T([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    mask = T([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    rewards = token_rewards(T([1.0, 2.0]), kl, mask, kl_coef=0.5)
    close(rewards, [[-0.05, -0.1, 0.85], [-0.2, 1.75, 0.0]])


def test_masked_whiten_uses_real_tokens_only():
    x, mask = T([[1.0, 2.0, 3.0, 100.0]]), T([[1.0, 1.0, 1.0, 0.0]])
    whitened = masked_whiten(x, mask)
    # mean 2, unbiased variance 1
    close(whitened, [[-1.0, 0.0, 1.0, 0.0]])
    assert float(masked_mean(x, mask)) == pytest.approx(2.0)


def test_response_mask_keeps_the_eos_token_and_drops_what_follows():
    eos = 7
    responses = T([[3, 4, 7, 7, 7], [3, 4, 5, 6, 2], [7, 1, 1, 1, 1]])
    assert response_mask(responses, eos).tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]


def test_prompt_order_is_a_permutation_per_epoch_and_a_function_of_the_step():
    first_epoch = prompt_order(10, 5, 0, seed=3) + prompt_order(10, 5, 1, seed=3)
    assert sorted(first_epoch) == list(range(10))
    assert prompt_order(10, 5, 4, seed=3) == prompt_order(10, 5, 4, seed=3)
    assert prompt_order(10, 10, 0, seed=3) != prompt_order(10, 10, 0, seed=4)
    # A batch that crosses an epoch boundary takes the rest of one epoch, then the next one's start.
    crossing = prompt_order(4, 3, 1, seed=0)
    assert crossing[0] == prompt_order(4, 4, 0, seed=0)[3] and crossing[1:] == prompt_order(4, 4, 1, seed=0)[:2]
