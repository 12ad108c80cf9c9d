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

Batched across prompts: the prompts are sorted by token count (shortest first) and their
samples laid out as rows, `batch_size` rows per batch, so one batch holds the samples of
several prompts (or part of one prompt's). `testtune_engine.sampling` decodes a batch with a
KV cache. The output therefore follows that order, not the input's: a prompt's rows are
written, in sample order, when its last sample is done.

Resumable: prompts whose samples are all in the output already are skipped, so a re-run
after Ctrl-C (exit 130; the batch under way is finished first) or a crash carries on.
Reproducible: a sample depends only on the seed, the task id, its sample index, the model
and these settings (each sample draws from its own generator seeded from those), not on
`batch_size`, on which other prompts ran beside it or on whether the run was resumed, up to
floating-point rounding between batch shapes (see `sampling.py`). Prompts longer than the
model's context minus max_new_tokens keep their last tokens, with a warning.

`backend: vllm` samples with vLLM instead (CUDA only, `testtune setup --extras vllm`;
vllm_backend.py): same rows, same per-sample seeds, same resume; refused with the reason
where vLLM cannot run. The engine's own sampler is for small models and small evaluations.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

from .. import events, vllm_backend
from ..data import read_jsonl, string_field
from ..runtime import Interrupted, avoid_cudnn_attention, interrupt_requested, seed_everything, use_bf16
from ..sampling import Decoding, Sampled, sample_rows
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
    # Sequences (rows) per forward pass, from one or several prompts; the samples do not depend
    # on it. Larger batches spread the per-step overhead: on a 2-core CPU the tiny default
    # model ran ~2x faster at 128 than at 32 (and ~1.2x faster again at 256). The KV cache
    # holds batch_size x (longest prompt + max_new_tokens) positions: lower it for large models.
    batch_size: int = 128
    seed: int = 0
    # "engine": testtune's batched sampler on torch (any device). "vllm": vLLM's paged-attention
    # engine, for large models and many samples; CUDA only.
    backend: Literal["engine", "vllm"] = "engine"

    def check(self) -> None:
        require(self.num_samples > 0, "num_samples", "must be > 0")
        require(self.temperature >= 0, "temperature", "must be >= 0 (0 is greedy decoding)")
        require(0 < self.top_p <= 1, "top_p", "must be in (0, 1]")
        require(self.max_new_tokens > 0, "max_new_tokens", "must be > 0")
        require(self.batch_size > 0, "batch_size", "must be > 0")
        for name in ("model", "input") + (("adapter",) if self.adapter is not None else ()):
            require(os.path.exists(getattr(self, name)), name, f"{getattr(self, name)} does not exist")
        if self.backend == "vllm":
            reason = vllm_backend.unavailable_reason()
            require(reason is None, "backend", f"vllm cannot run here: {reason}")


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


def derived_seed(seed: int, task_id: str, index: int) -> int:
    """A seed per (task, sample index), stable across runs (Python's hash() is salted)."""
    digest = hashlib.sha256(f"{seed}\0{task_id}\0{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") % 2**63


def load_model(spec: Spec, device: torch.device) -> PreTrainedModel:
    dtype = torch.bfloat16 if use_bf16() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(spec.model, dtype=dtype)
    if spec.adapter is not None:
        from peft import PeftModel  # only needed with an adapter, and slow to import

        model = PeftModel.from_pretrained(model, spec.adapter).merge_and_unload()
    return model.to(device).eval()


def prompt_ids(tokenizer: PreTrainedTokenizerBase, prompt: str, limit: int, task_id: str, file: str) -> list[int]:
    ids = tokenizer(prompt)["input_ids"]
    if not ids:
        raise DataError(file, f"task {task_id!r}", "the prompt is empty (no tokens to continue from)")
    if len(ids) > limit:
        events.log(f"{task_id}: prompt of {len(ids)} tokens cut to its last {limit} to fit the context", "warning")
        ids = ids[-limit:]
    return ids


def decoding_for(spec: Spec, generation: GenerationConfig, tokenizer: PreTrainedTokenizerBase) -> Decoding:
    """The tokenizer's eos and the model's generation eos ids (chat models often have several) all stop a row."""
    configured = generation.eos_token_id
    eos_ids = {tokenizer.eos_token_id} | set(configured if isinstance(configured, list) else [configured])
    eos_ids.discard(None)
    pad_id = next(token for token in (tokenizer.pad_token_id, tokenizer.eos_token_id, 0) if token is not None)
    return Decoding(temperature=spec.temperature, top_p=spec.top_p, max_new_tokens=spec.max_new_tokens, eos_ids=frozenset(eos_ids), pad_id=pad_id)


def sample_row(tokenizer: PreTrainedTokenizerBase, task_id: str, sample_index: int, sampled: Sampled) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "sample_index": sample_index,
        "completion": tokenizer.decode(sampled.tokens, skip_special_tokens=True),
        "finish_reason": "eos" if sampled.stopped_at_eos else "length",
        "num_tokens": len(sampled.tokens),
    }


def run(spec: Spec) -> None:
    seed_everything(spec.seed)
    avoid_cudnn_attention()  # decoding meets a new key length at every step
    prompts = read_prompts(spec.input)
    done = completed_tasks(spec.output, spec.num_samples)
    remaining = [(task_id, prompt) for task_id, prompt in prompts if task_id not in done]
    if done:
        events.log(f"resuming: {len(prompts) - len(remaining)} of {len(prompts)} prompts already have their samples")
    if not remaining:  # a re-run after the samples were all made (e.g. scoring was interrupted): no model to load
        events.progress(len(prompts), len(prompts), "prompt")
        events.artifact("samples", spec.output)
        return
    tokenizer = AutoTokenizer.from_pretrained(spec.model)
    if spec.backend == "vllm":
        config = AutoConfig.from_pretrained(spec.model)
        try:
            generation = GenerationConfig.from_pretrained(spec.model)
        except OSError:  # no generation_config.json: the model config's eos
            generation = GenerationConfig.from_model_config(config)
        sample = vllm_backend.VllmSampler(spec.model, spec.adapter, spec.max_new_tokens, spec.seed).sample_rows
    else:
        model = load_model(spec, torch.device("cuda" if torch.cuda.is_available() else "cpu"))
        config, generation = model.config, model.generation_config
        sample = partial(sample_rows, model)
    limit = max(1, config.max_position_embeddings - spec.max_new_tokens)
    todo = [(task_id, prompt_ids(tokenizer, prompt, limit, task_id, spec.input)) for task_id, prompt in remaining]
    # Shortest prompts first (stable, so equal lengths keep input order): rows of similar
    # length share a batch, which wastes little on padding.
    todo.sort(key=lambda task: len(task[1]))
    rows = [(task_id, ids, index) for task_id, ids in todo for index in range(spec.num_samples)]
    decoding = decoding_for(spec, generation, tokenizer)
    finished = len(prompts) - len(todo)
    events.progress(finished, len(prompts), "prompt")
    os.makedirs(os.path.dirname(os.path.abspath(spec.output)), exist_ok=True)
    pending: list[dict[str, Any]] = []  # samples of the prompt not yet complete; rows come prompt by prompt
    with open(spec.output, "a", encoding="utf-8") as out:
        for start in range(0, len(rows), spec.batch_size):
            if interrupt_requested():
                raise Interrupted(spec.output)
            batch = rows[start : start + spec.batch_size]
            seeds = [derived_seed(spec.seed, task_id, index) for task_id, _, index in batch]
            for (task_id, _, index), sampled in zip(batch, sample([ids for _, ids, _ in batch], seeds, decoding)):
                pending.append(sample_row(tokenizer, task_id, index, sampled))
                if index == spec.num_samples - 1:
                    out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in pending)
                    out.flush()
                    pending = []
                    finished += 1
                    events.progress(finished, len(prompts), "prompt")
    events.artifact("samples", spec.output)
