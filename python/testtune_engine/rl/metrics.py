"""testtune's metric names for every training job, whatever library computed the values.

Every preference and RL job reports `loss`, `learning_rate`, `tokens_per_s`, `samples_per_s`
(from training.EventsCallback) and, where they exist, `reward_mean`, `reward_std`,
`valid_rate` and `kl`. TRL's trainers log the same quantities under their own names; a
`StandardNames` callback, registered before training.EventsCallback, adds ours to each log
so that the `metrics` events of dpo, grpo and ppo read alike. TRL's own names stay too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

Alias = Callable[[dict[str, Any]], float | None]


def copy_of(name: str) -> Alias:
    return lambda logs: logs.get(name)


class StandardNames(TrainerCallback):
    def __init__(self, aliases: dict[str, Alias]) -> None:
        self.aliases = aliases

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, logs: dict[str, Any] | None = None, **kwargs: Any) -> TrainerControl:
        # The Trainer hands the same dict to every callback in turn, so names added here reach
        # the EventsCallback that runs after this one.
        if logs is not None:
            for name, alias in self.aliases.items():
                value = alias(logs)
                if value is not None:
                    logs[name] = value
        return control


def dpo_aliases(beta: float) -> dict[str, Alias]:
    """DPO has no reward service: its rewards are the implicit ones, beta x log(policy / reference).

    `kl`: the pairs were sampled from the start model (the reference), so the mean of
    log(reference / policy) over their completions estimates KL(reference || policy).
    """

    def kl(logs: dict[str, Any]) -> float | None:
        chosen, rejected = logs.get("rewards/chosen"), logs.get("rewards/rejected")
        if chosen is None or rejected is None:
            return None
        return -(chosen + rejected) / (2 * beta)

    return {"reward_mean": copy_of("rewards/margins"), "reward_accuracy": copy_of("rewards/accuracies"), "kl": kl}


# GRPO's reward function reports valid_rate itself (through TRL's log_metric).
GRPO_ALIASES: dict[str, Alias] = {"reward_mean": copy_of("reward")}
