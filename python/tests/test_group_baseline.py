"""The same_checks group baseline (rl/group_baseline.py): shifted rewards give TRL's group-mean advantage r - mean(stratum)."""

from __future__ import annotations

import pytest

from testtune_engine.rl.group_baseline import same_checks_rewards, stratum


def advantages(shifted: list[float | None]) -> list[float | None]:
    """What TRL computes from the rewards it is given: each minus the group's mean (one group here)."""
    scored = [r for r in shifted if r is not None]
    mean = sum(scored) / len(scored)
    return [None if r is None else r - mean for r in shifted]


def test_each_completion_is_measured_against_the_completions_writing_as_many_checks():
    rewards = [0.6, 0.0, 0.0, 0.9, 0.3, 0.0]
    checks = [1, 1, 2, 2, 1, 3]
    shifted = same_checks_rewards(rewards, checks, ["t"] * 6, 6)
    # strata: one check {0.6, 0.0, 0.3} mean 0.3; two {0.0, 0.9} mean 0.45; three {0.0} alone
    expected = [0.3, -0.3, -0.45, 0.45, 0.0, 0.0]
    assert advantages(shifted) == pytest.approx(expected)
    # the group's mean reward is unchanged, so reward_mean still reports the service's rewards
    assert sum(shifted) / 6 == pytest.approx(sum(rewards) / 6)  # type: ignore[arg-type]


def test_a_short_valid_file_gains_nothing_over_a_long_invalid_one():
    # with TRL's baseline the one-check file (0.5) beats the three-check file (0): shorter is safer
    shifted = same_checks_rewards([0.5, 0.0], [1, 3], ["t", "t"], 2)
    assert advantages(shifted) == pytest.approx([0.0, 0.0])


def test_unscored_completions_stay_unscored_and_out_of_every_mean():
    shifted = same_checks_rewards([1.0, None, 0.0, 0.5], [2, 2, 2, 0], ["t"] * 4, 4)
    assert shifted[1] is None
    assert advantages(shifted) == pytest.approx([0.5, None, -0.5, 0.0])


def test_files_that_do_not_parse_count_as_no_checks_and_three_or_more_are_pooled():
    assert [stratum(None), stratum(0), stratum(2), stratum(3), stratum(9)] == [0, 0, 2, 3, 3]
    shifted = same_checks_rewards([1.0, 0.0], [3, 7], ["t", "t"], 2)
    assert advantages(shifted) == pytest.approx([0.5, -0.5])


def test_groups_are_shifted_separately():
    shifted = same_checks_rewards([1.0, 0.0, 0.2, 0.2], [1, 1, 1, 2], ["a", "a", "b", "b"], 2)
    assert shifted[:2] == pytest.approx([1.0, 0.0]) and shifted[2:] == pytest.approx([0.2, 0.2])


@pytest.mark.parametrize(
    ("task_ids", "size", "message"),
    [(["a", "a", "b"], 2, "not whole groups of 2"), (["a", "b", "b", "b"], 2, "are not one prompt's group")],
)
def test_a_batch_that_is_not_whole_groups_is_refused(task_ids: list[str], size: int, message: str):
    with pytest.raises(ValueError, match=message):
        same_checks_rewards([0.0] * len(task_ids), [1] * len(task_ids), task_ids, size)
