"""What the preference and reinforcement-learning jobs (dpo, grpo, ppo) share.

- `models`: loading the start model (a base plus an optional adapter merged in), LoRA and
  QLoRA settings;
- `reward_client`: calling testtune's reward service (`POST /v1/score`);
- `ppo_math`: GAE, the clipped surrogate, value clipping and KL estimators, as pure tensor
  functions tested against hand-computed values;
- `value_head`, `rollout`, `checkpoint`: the pieces of the PPO loop in jobs/ppo.py;
- `metrics`: the metric names every training job reports, whatever library computed them.
"""
