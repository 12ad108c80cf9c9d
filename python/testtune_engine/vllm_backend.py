"""vLLM (Kwon et al., "Efficient Memory Management for LLM Serving with PagedAttention", 2023) as
a sampler: the generate job's `backend: vllm` and GRPO's `use_vllm` (TRL's colocated vLLM).

CUDA only, and optional (`testtune setup --extras vllm` on a machine with an NVIDIA GPU). A
spec that asks for vLLM where it cannot run is refused by its `check()` with the reason
(`unavailable_reason`), before any model is loaded. Never executed by testtune's own tests,
which run without a GPU: they check the refusal and the spec fields only.

The generate job keeps its contract with vLLM: one request per (prompt, sample index), each
seeded with the same derived seed as the engine's sampler, so a sample depends on (seed, task,
index) and not on batching, and resume works the same. The tokens drawn differ from the
engine's (another sampler implementation); the distribution is the same.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import torch

from .sampling import Decoding, Sampled


def unavailable_reason() -> str | None:
    """Why vLLM cannot run here, or None when it can."""
    if not torch.cuda.is_available():
        return "vLLM runs only on a CUDA GPU and torch sees none (sample with backend engine, the default)"
    if importlib.util.find_spec("vllm") is None:
        return "vllm is not installed: run 'testtune setup --extras vllm' (CUDA machines only)"
    return None


class VllmSampler:
    """Holds one vLLM engine for a model (plus an optional LoRA adapter) and samples rows with it."""

    def __init__(self, model: str, adapter: str | None, max_new_tokens: int, seed: int) -> None:
        from vllm import LLM
        from vllm.lora.request import LoRARequest

        self.llm = LLM(model=model, seed=seed, enable_lora=adapter is not None, dtype="auto")
        self.lora = LoRARequest("adapter", 1, adapter) if adapter is not None else None
        self.max_new_tokens = max_new_tokens

    def sample_rows(self, prompts: list[list[int]], seeds: list[int], decoding: Decoding) -> list[Sampled]:
        """One completion per (prompt, seed) row, as `sampling.sample_rows` returns them."""
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        params = [
            SamplingParams(
                n=1,
                temperature=decoding.temperature,
                top_p=decoding.top_p if decoding.temperature > 0 else 1.0,
                max_tokens=decoding.max_new_tokens,
                seed=seed,
                stop_token_ids=sorted(decoding.eos_ids),
            )
            for seed in seeds
        ]
        requests: list[Any] = [TokensPrompt(prompt_token_ids=ids) for ids in prompts]
        outputs = self.llm.generate(requests, params, lora_request=self.lora, use_tqdm=False)
        sampled = []
        for output in outputs:
            completion = output.outputs[0]
            ids = list(completion.token_ids)
            cut = next((i for i, token in enumerate(ids) if token in decoding.eos_ids), len(ids))  # up to and excluding the eos
            sampled.append(Sampled(tokens=ids[:cut], stopped_at_eos=completion.finish_reason == "stop"))
        return sampled
