"""Which modules of a model get LoRA adapters, found by name in the model itself.

A spec names module suffixes (default: every linear projection of a Llama/Qwen2-style block).
PEFT matches a name against the end of each module's path; here we look the names up first,
so a model whose projections are named otherwise (GPT-2's `c_attn`, Falcon's
`query_key_value`) fails with the list of its own linear modules instead of PEFT's bare
"Target modules not found", and names that match nothing are reported rather than ignored.
"""

from __future__ import annotations

from torch import nn
from transformers.pytorch_utils import Conv1D

from . import events
from .spec import FieldProblem


def linear_module_names(model: nn.Module) -> list[str]:
    """The distinct last names of the model's linear layers (GPT-2's Conv1D is one), except the output head."""
    names = {path.rsplit(".", 1)[-1] for path, module in model.named_modules() if isinstance(module, (nn.Linear, Conv1D))}
    names.discard("lm_head")  # the tied output projection: adapting it would untie it from the embeddings
    return sorted(names)


def find_target_modules(model: nn.Module, requested: list[str]) -> list[str]:
    """The requested names that are linear layers of `model`; FieldProblem when none is (exit code 2)."""
    present = linear_module_names(model)
    found = [name for name in requested if name in present]
    if not found:
        raise FieldProblem(
            "lora.target_modules",
            f"none of {requested} is a linear module of this {type(model).__name__}; its linear modules are {present}: name some of those",
        )
    missing = [name for name in requested if name not in present]
    if missing:
        events.log(f"lora.target_modules: {missing} not in this {type(model).__name__}; adapting {found}", "warning")
    return found
