"""generate: sample completions for prompts from a local model (with an optional LoRA adapter).

Reads JSONL `{task_id, prompt}` and appends `{task_id, sample_index, completion,
finish_reason, num_tokens}` rows to the output JSONL, all samples of a prompt at once,
flushed. The completion is the decoded new tokens only, cut at the first eos token;
`finish_reason` is "eos" or "length" (max_new_tokens reached).

    cat > spec.json <<'JSON'
    {"version": 1, "job": "generate", "model": "runs/x/base", "adapter": "runs/x/sft/final",
     "input": "prompts.jsonl", "output": "samples.jsonl", "num_samples": 4}
    JSON
    PYTHONPATH=python python -m testtune_engine generate --spec spec.json

Resumable: prompts whose samples are all in the output already are skipped, so a re-run
after Ctrl-C (exit 130) or a crash carries on. Reproducible: the samples of a prompt depend
only on the seed, the task id, the model and these settings (each group of `batch_size`
samples is drawn with its own seed derived from seed and task id), not on which other
prompts ran or whether the run was resumed. Prompts longer than the model's context minus
max_new_tokens keep their last tokens, with a warning.

For sampling at scale use a vLLM or SGLang server through testtune's OpenAI-compatible
backend; this job is for small models and small evaluations.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from .. import events
from ..data import read_jsonl, string_field
from ..runtime import Interrupted, interrupt_requested, seed_everything, use_bf16
from ..spec import DataError, require


@dataclass
class Spec:
    model: str  # a Hugging Face model directory
    input: str  # JSONL of {task_id, prompt}
    output: str  # JSONL of samples, appended to
    adapter: str | None = None  # a LoRA adapter directory, merged into the model before sampling
    num_samples: int = 1  # samples per prompt
    # 0.8 and top_p 0.95: the Codex paper's (Chen et al., 2021) best settings for pass@k with
    # many samples; use 0.2 for pass@1, or 0 for greedy decoding.
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 512
    batch_size: int = 8  # sequences per forward pass; samples of one prompt are drawn together
    seed: int = 0

    def check(self) -> None:
        require(self.num_samples > 0, "num_samples", "must be > 0")
        require(self.temperature >= 0, "temperature", "must be >= 0 (0 is greedy decoding)")
        require(0 < self.top_p <= 1, "top_p", "must be in (0, 1]")
        require(self.max_new_tokens > 0, "max_new_tokens", "must be > 0")
        require(self.batch_size > 0, "batch_size", "must be > 0")
        for name in ("model", "input") + (("adapter",) if self.adapter is not None else ()):
            require(os.path.exists(getattr(self, name)), name, f"{getattr(self, name)} does not exist")


def read_prompts(file: str) -> list[tuple[str, str]]:
    prompts: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, row in read_jsonl(file):
        task_id = string_field(file, number, row, "task_id")
        if task_id in seen:
            raise DataError(file, f"line {number}", f"task_id {task_id!r} appears twice")
        seen.add(task_id)
        prompts.append((task_id, string_field(file, number, row, "prompt")))
    return prompts


def completed_tasks(output: str, num_samples: int) -> set[str]:
    """Tasks with all their samples in `output`; the file is rewritten without partial ones."""
    if not os.path.exists(output):
        return set()
    with open(output, encoding="utf-8") as handle:
        lines = [line for line in handle.read().splitlines() if line.strip()]
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            break  # a line cut short by a crash: it and anything after it are redone
        if not isinstance(row, dict) or not isinstance(row.get("task_id"), str):
            raise DataError(output, f"line {number}", "not a samples row (no task_id): is this the right output file?")
        rows.append(row)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["task_id"]] = counts.get(row["task_id"], 0) + 1
    complete = {task for task, count in counts.items() if count >= num_samples}
    kept = [row for row in rows if row["task_id"] in complete]
    if len(kept) != len(lines):
        partial = output + ".partial"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in kept)
        os.replace(partial, output)
    return complete


def derived_seed(seed: int, task_id: str, first_sample: int) -> int:
    """A seed per (task, group of samples), stable across runs (Python's hash() is salted)."""
    digest = hashlib.sha256(f"{seed}\0{task_id}\0{first_sample}".encode()).digest()
    return int.from_bytes(digest[:8], "little") % 2**63


def load_model(spec: Spec, device: torch.device) -> PreTrainedModel:
    dtype = torch.bfloat16 if use_bf16() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(spec.model, dtype=dtype)
    if spec.adapter is not None:
        from peft import PeftModel  # only needed with an adapter, and slow to import

        model = PeftModel.from_pretrained(model, spec.adapter).merge_and_unload()
    return model.to(device).eval()


def prompt_ids(tokenizer: PreTrainedTokenizerBase, prompt: str, limit: int, task_id: str) -> torch.Tensor:
    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    if ids.shape[1] > limit:
        events.log(f"{task_id}: prompt of {ids.shape[1]} tokens cut to its last {limit} to fit the context", "warning")
        ids = ids[:, -limit:]
    return ids


@torch.inference_mode()
def sample(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, ids: torch.Tensor, count: int, spec: Spec) -> list[dict[str, Any]]:
    sampling = {"do_sample": True, "temperature": spec.temperature, "top_p": spec.top_p} if spec.temperature > 0 else {"do_sample": False}
    batch = ids.to(model.device).repeat(count, 1)
    output = model.generate(
        input_ids=batch,
        attention_mask=torch.ones_like(batch),
        max_new_tokens=spec.max_new_tokens,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
        **sampling,
    )
    results = []
    for row in output[:, ids.shape[1] :].tolist():
        end = row.index(tokenizer.eos_token_id) if tokenizer.eos_token_id in row else len(row)
        results.append({
            "completion": tokenizer.decode(row[:end], skip_special_tokens=True),
            "finish_reason": "eos" if end < len(row) else "length",
            "num_tokens": end,
        })
    return results


def run(spec: Spec) -> None:
    seed_everything(spec.seed)
    prompts = read_prompts(spec.input)
    done = completed_tasks(spec.output, spec.num_samples)
    todo = [(task_id, prompt) for task_id, prompt in prompts if task_id not in done]
    if done:
        events.log(f"resuming: {len(prompts) - len(todo)} of {len(prompts)} prompts already have their samples")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    model = load_model(spec, device)
    limit = max(1, model.config.max_position_embeddings - spec.max_new_tokens)
    finished = len(prompts) - len(todo)
    events.progress(finished, len(prompts), "prompt")
    os.makedirs(os.path.dirname(os.path.abspath(spec.output)), exist_ok=True)
    with open(spec.output, "a", encoding="utf-8") as out:
        for task_id, prompt in todo:
            if interrupt_requested():
                raise Interrupted(spec.output)
            ids = prompt_ids(tokenizer, prompt, limit, task_id)
            rows = []
            for first in range(0, spec.num_samples, spec.batch_size):
                torch.manual_seed(derived_seed(spec.seed, task_id, first))
                count = min(spec.batch_size, spec.num_samples - first)
                for offset, result in enumerate(sample(model, tokenizer, ids, count, spec)):
                    rows.append({"task_id": task_id, "sample_index": first + offset, **result})
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            out.flush()
            finished += 1
            events.progress(finished, len(prompts), "prompt")
    events.artifact("samples", spec.output)
