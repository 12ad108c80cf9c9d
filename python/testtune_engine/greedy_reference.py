"""The Hugging Face side of a check against llama.cpp: greedy tokens on a fixed prompt set.

`import-gguf` and `export-gguf` write this reference next to the model; testtune's
TypeScript side then runs the GGUF in llama.cpp (node-llama-cpp) on the same token ids and
compares (docs/models.md). Feeding token ids rather than text compares the two models, not
their tokenizers; the rendered text is kept too, so that the tokenizers can be compared
separately.

Greedy decoding is a plain loop (argmax of the last position, KV cache), not `generate`, so
that no generation-config setting (repetition penalty, forced tokens) changes it. Each step
records the margin between the top two logits: a difference with llama.cpp where that margin
is tiny is a near-tie that any change of precision can flip, not a conversion error.

How tiny depends on the model (its logit scale, its depth), so it is measured: after the fp32
pass the model is cast to float16 and run once more over each prompt and its greedy tokens
(teacher-forced), and `f16_leads` records how far the fp32 greedy token then leads the best
other token. The TypeScript side turns the shift between `margins` and `f16_leads` into the
near-tie threshold (src/model/agreement.ts).
"""

from __future__ import annotations

import json
from typing import Any

import torch

from .data import read_jsonl
from .spec import DataError


def read_prompts(path: str) -> list[dict[str, Any]]:
    """The prompt set: JSONL of {id, prompt, chat?}; `chat` renders the prompt as one user turn."""
    prompts = []
    for number, row in read_jsonl(path):
        if not isinstance(row.get("id"), str) or not isinstance(row.get("prompt"), str):
            raise DataError(path, f"line {number}", "each line needs a string `id` and a string `prompt`")
        prompts.append(row)
    if not prompts:
        raise DataError(path, "", "holds no prompts")
    return prompts


def render(tokenizer: Any, row: dict[str, Any]) -> tuple[str, list[int]]:
    """The prompt's text and token ids, through the chat template when the row asks for it and one exists."""
    if row.get("chat") and tokenizer.chat_template:
        text = tokenizer.apply_chat_template([{"role": "user", "content": row["prompt"]}], tokenize=False, add_generation_prompt=True)
        return text, tokenizer(text, add_special_tokens=False)["input_ids"]
    return row["prompt"], tokenizer(row["prompt"])["input_ids"]


def stop_token_ids(model: Any) -> list[int]:
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = model.config.eos_token_id
    if eos is None:
        return []
    return [eos] if isinstance(eos, int) else list(eos)


@torch.inference_mode()
def greedy(model: Any, ids: list[int], max_new_tokens: int, stops: list[int]) -> tuple[list[int], list[float]]:
    """Greedy tokens after `ids` (stopping after a stop token) and the top-2 logit margin at each step."""
    tokens: list[int] = []
    margins: list[float] = []
    past = None
    step_input = torch.tensor([ids])
    for _ in range(max_new_tokens):
        out = model(input_ids=step_input, past_key_values=past, use_cache=True)
        past = out.past_key_values
        top = torch.topk(out.logits[0, -1].float(), 2)
        token = int(top.indices[0])
        tokens.append(token)
        margins.append(float(top.values[0] - top.values[1]))
        if token in stops:
            break
        step_input = torch.tensor([[token]])
    return tokens, margins


@torch.inference_mode()
def add_half_precision_leads(model: Any, rows: list[dict[str, Any]]) -> None:
    """Casts `model` to float16 (in place: callers are done with it) and adds each row's `f16_leads`.

    A lead is the fp16 logit of the row's greedy token minus the highest other fp16 logit at that
    step, the prefix being the prompt and the fp32 greedy tokens before it; negative where half
    precision alone would change the token.
    """
    model.half()
    for row in rows:
        ids = row["prompt_ids"] + row["greedy_ids"]
        start = len(row["prompt_ids"]) - 1
        logits = model(input_ids=torch.tensor([ids])).logits[0, start : start + len(row["greedy_ids"])].float()
        chosen = torch.tensor(row["greedy_ids"])[:, None]
        leads = logits.gather(1, chosen)[:, 0] - logits.scatter(1, chosen, float("-inf")).max(dim=1).values
        row["f16_leads"] = [round(float(lead), 5) for lead in leads]


def write_reference(model: Any, tokenizer: Any, prompts_file: str, max_new_tokens: int, output: str) -> int:
    """Writes the reference JSON for every prompt; returns how many prompts it holds. Leaves `model` in float16."""
    model.eval()
    stops = stop_token_ids(model)
    rows = []
    for row in read_prompts(prompts_file):
        text, ids = render(tokenizer, row)
        tokens, margins = greedy(model, ids, max_new_tokens, stops)
        rows.append({"id": row["id"], "text": text, "prompt_ids": ids, "greedy_ids": tokens, "margins": [round(m, 5) for m in margins]})
    add_half_precision_leads(model, rows)
    reference = {"version": 1, "max_new_tokens": max_new_tokens, "stop_ids": stops, "prompts": rows}
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(reference, handle)
    return len(rows)
