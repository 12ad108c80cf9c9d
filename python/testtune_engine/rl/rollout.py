"""Rollouts for PPO: sample responses from the policy and score them token by token.

A batch is laid out as `[left-padded prompt | right-padded response]`, so every response
starts at the same column P. The logits at column P - 1 + t predict response token t, and
the value of the state before token t is read from the same column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from peft import PeftModel
from transformers import PreTrainedTokenizerBase

from .value_head import ValueHead


@dataclass
class Rollout:
    task_ids: list[str]
    completions: list[str]
    input_ids: torch.Tensor  # [batch, prompt + response]
    attention_mask: torch.Tensor  # [batch, prompt + response]
    response_mask: torch.Tensor  # [batch, response]: 1 up to and including the eos token
    logprobs: torch.Tensor  # [batch, response]: the policy's, when sampling
    ref_logprobs: torch.Tensor  # [batch, response]: the start model's (adapter disabled)
    values: torch.Tensor  # [batch, response]

    @property
    def response_length(self) -> int:
        return self.response_mask.shape[1]


def encode_prompts(tokenizer: PreTrainedTokenizerBase, prompts: list[str], max_tokens: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Left-padded prompt ids and mask; longer prompts keep their last `max_tokens` tokens."""
    rows = [ids[-max_tokens:] for ids in tokenizer(prompts)["input_ids"]]
    width = max(len(row) for row in rows)
    pad = tokenizer.pad_token_id
    ids = torch.tensor([[pad] * (width - len(row)) + row for row in rows])
    mask = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows])
    return ids, mask


def response_mask(responses: torch.Tensor, eos_token_id: int) -> torch.Tensor:
    """1 on every token up to and including the first eos, 0 after it."""
    is_eos = responses == eos_token_id
    after_eos = (torch.cumsum(is_eos.int(), dim=1) - is_eos.int()) > 0
    return (~after_eos).float()


def position_ids(attention_mask: torch.Tensor) -> torch.Tensor:
    # With left padding, positions must count real tokens only, as generate() counts them.
    return (attention_mask.cumsum(dim=1) - 1).clamp(min=0)


def _forward(model: PeftModel, input_ids: torch.Tensor, attention_mask: torch.Tensor, response_length: int, temperature: float, hidden: bool) -> tuple[torch.Tensor, Any]:
    output = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids(attention_mask), output_hidden_states=hidden)
    start = input_ids.shape[1] - response_length - 1
    logits = output.logits[:, start:-1].float() / temperature
    tokens = input_ids[:, start + 1 :]
    logprobs = torch.log_softmax(logits, dim=-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
    return logprobs, output.hidden_states[-1][:, start:-1] if hidden else None


def response_logprobs(model: PeftModel, input_ids: torch.Tensor, attention_mask: torch.Tensor, response_length: int, temperature: float) -> torch.Tensor:
    """Log-probabilities of the response tokens under logits / temperature (the sampling distribution)."""
    return _forward(model, input_ids, attention_mask, response_length, temperature, hidden=False)[0]


def response_logprobs_and_values(
    model: PeftModel, value_head: ValueHead, input_ids: torch.Tensor, attention_mask: torch.Tensor, response_length: int, temperature: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """As response_logprobs, plus the value of the state before each response token."""
    logprobs, hidden = _forward(model, input_ids, attention_mask, response_length, temperature, hidden=True)
    return logprobs, value_head(hidden)


@torch.no_grad()
def sample(
    model: PeftModel,
    value_head: ValueHead,
    tokenizer: PreTrainedTokenizerBase,
    task_ids: list[str],
    prompts: list[str],
    *,
    max_prompt_tokens: int,
    max_new_tokens: int,
    temperature: float,
) -> Rollout:
    """Samples one response per prompt and computes what PPO needs about it, without gradients."""
    device = next(model.parameters()).device
    prompt_ids, prompt_mask = (t.to(device) for t in encode_prompts(tokenizer, prompts, max_prompt_tokens))
    model.eval()
    sequences = model.generate(
        input_ids=prompt_ids,
        attention_mask=prompt_mask,
        do_sample=True,
        temperature=temperature,
        # No top-p or top-k truncation: the tokens must come from the distribution whose
        # log-probabilities the ratio and the KL below are computed with.
        top_p=1.0,
        top_k=0,
        max_new_tokens=max_new_tokens,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    responses = sequences[:, prompt_ids.shape[1] :]
    mask = response_mask(responses, tokenizer.eos_token_id)
    attention_mask = torch.cat([prompt_mask, mask.long()], dim=1)
    logprobs, values = response_logprobs_and_values(model, value_head, sequences, attention_mask, responses.shape[1], temperature)
    with model.disable_adapter():  # the start model: the reference of the KL penalty
        ref_logprobs = response_logprobs(model, sequences, attention_mask, responses.shape[1], temperature)
    completions = [
        tokenizer.decode(row[: int(length)], skip_special_tokens=True) for row, length in zip(responses.tolist(), mask.sum(dim=1).tolist(), strict=True)
    ]
    return Rollout(task_ids, completions, sequences, attention_mask, mask, logprobs * mask, ref_logprobs * mask, values * mask)
