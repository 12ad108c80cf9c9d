"""The critic of our PPO: a linear head on the policy's last hidden states.

The value shares the policy's trunk (and its LoRA adapter), as the value-head models of the
original RLHF code (Ziegler et al., 2019) and TRL's `AutoModelForCausalLMWithValueHead` do: a
separate critic model would double the memory for a small gain. The value loss is scaled by
`vf_coef` so that it does not dominate the adapter's updates.
"""

from __future__ import annotations

import torch
from torch import nn


class ValueHead(nn.Module):
    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.linear = nn.Linear(hidden_size, 1)
        # Zero initial values: the first advantages are then the (KL-shaped) rewards themselves,
        # rather than rewards minus the noise of a random projection.
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        """[batch, tokens, hidden] -> [batch, tokens] values, computed in fp32."""
        return self.linear(hidden_states.float()).squeeze(-1)
