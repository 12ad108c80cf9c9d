"""What the preference and reinforcement-learning jobs (dpo, grpo, ppo) share.

- `job_spec`: the spec fields the three jobs have in common (start model, adapter, checkpoints);
- `models`: loading the start model (a base plus an optional adapter merged in), LoRA and
  QLoRA settings;
- `reward_client`: calling testtune's reward service (`POST /v1/score`);
- `metrics`: the metric names every training job reports, whatever library computed them;
- `ppo_math`: GAE, the clipped surrogate, value clipping and KL estimators, as pure tensor
  functions tested against hand-computed values;
- `value_head`, `rollout`, `ppo_step`, `checkpoint`: the pieces of the PPO loop in jobs/ppo.py.
"""
