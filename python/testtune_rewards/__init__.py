"""Reward functions in the forms other RL trainers load, scoring through `testtune serve-rewards`.

Each module is a single file with no dependency beyond the standard library, so a trainer can
load it by path inside its own environment (docs/rewards.md).
"""
