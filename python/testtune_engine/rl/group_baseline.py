"""Group baselines for GRPO: against the whole group (TRL's), or against the samples writing as many checks.

GRPO's advantage is a completion's reward minus its group's mean. With a validity-gated reward
and a model whose checks are often wrong, every extra check is one more chance to be invalid,
so within a group the file with fewer checks wins on average and the policy learns to write
one-check files (docs/rewards.md, "The floor-less reward": the expected reward falls from 0.077
for one check to 0.012 for four). `same_checks` compares each completion only with the
completions of its group that write as many checks (static count, three or more pooled), so
the advantage says "valid and strong for this many checks" and nothing about how many to write.

TRL subtracts the group mean itself, so the baseline is applied by shifting the rewards it is
given: r_i - mean(r of i's stratum) + mean(r of the group). Each stratum's shifts sum to zero,
so the group mean is unchanged and TRL's advantage becomes r_i - mean(r of i's stratum). A
completion alone in its stratum has advantage 0. Rewards of None (the sandbox could not run the
file) stay None and are in no mean.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

POOLED_FROM = 3  # three or more checks share a stratum: few files write four or more


def stratum(checks: int | None) -> int:
    """A completion's stratum: its static check count (None: not parsed, 0), three or more pooled."""
    return min(checks or 0, POOLED_FROM)


def same_checks_rewards(rewards: Sequence[float | None], checks: Sequence[int | None], task_ids: Sequence[str], group_size: int) -> list[float | None]:
    """The shifted rewards for the `same_checks` baseline; the batch is consecutive groups of `group_size`."""
    if len(rewards) != len(checks) or len(rewards) != len(task_ids):
        raise ValueError(f"{len(rewards)} rewards, {len(checks)} check counts and {len(task_ids)} task ids: one of each per completion")
    if len(rewards) % group_size != 0:
        raise ValueError(f"a batch of {len(rewards)} completions is not whole groups of {group_size}")
    shifted: list[float | None] = []
    for start in range(0, len(rewards), group_size):
        group = range(start, start + group_size)
        if len({task_ids[i] for i in group}) != 1:
            raise ValueError(f"completions {start}-{start + group_size - 1} are not one prompt's group: the same_checks baseline needs whole groups on each process")
        scored = [i for i in group if rewards[i] is not None]
        by_stratum: dict[int, list[float]] = defaultdict(list)
        for i in scored:
            by_stratum[stratum(checks[i])].append(rewards[i])  # type: ignore[arg-type]
        group_mean = sum(rewards[i] for i in scored) / len(scored) if scored else 0.0  # type: ignore[misc]
        for i in group:
            reward = rewards[i]
            if reward is None:
                shifted.append(None)
                continue
            peers = by_stratum[stratum(checks[i])]
            shifted.append(reward - sum(peers) / len(peers) + group_mean)
    return shifted
