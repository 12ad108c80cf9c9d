"""The start model of a preference or RL job, and the LoRA adapter trained on top of it.

A job starts from a Hugging Face causal LM directory plus, optionally, a LoRA adapter (the
SFT stage's). The adapter is merged into the weights first, so that the new adapter trained
here sits on top of the start model: with that adapter disabled the model *is* the start
model, which is exactly the reference that DPO, GRPO and PPO regularise against.

QLoRA (Dettmers et al., 2023): with `load_in_4bit` the frozen base is loaded in 4-bit NF4
with double quantization and bf16 compute, and only the adapter is trained in higher
precision. It needs bitsandbytes and a CUDA device; without them the job says so and trains
a plain LoRA adapter instead.
"""

from __future__ import annotations

import importlib.util

import torch
from peft import LoraConfig, PeftModel
from transformers import AutoModelForCausalLM, PreTrainedModel

from .. import events
from ..jobs.sft import LoraSpec
from ..lora_targets import find_target_modules
from ..runtime import use_bf16


def compute_dtype() -> torch.dtype:
    return torch.bfloat16 if use_bf16() else torch.float32


def lora_config(lora: LoraSpec, model: torch.nn.Module) -> LoraConfig:
    """The adapter for `model`, on those of lora.target_modules that it has."""
    return LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=find_target_modules(model, lora.target_modules), task_type="CAUSAL_LM")


def four_bit_available() -> tuple[bool, str]:
    """Whether 4-bit loading can work here, and why not when it cannot."""
    if not torch.cuda.is_available():
        return False, "4-bit loading needs a CUDA device and there is none"
    if importlib.util.find_spec("bitsandbytes") is None:
        return False, "4-bit loading needs bitsandbytes (testtune setup --extras gpu)"
    return True, ""


def _load_four_bit(model_dir: str) -> PreTrainedModel:
    from peft import prepare_model_for_kbit_training
    from transformers import BitsAndBytesConfig

    quantization = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",  # the QLoRA paper's data type for normally distributed weights
        bnb_4bit_use_double_quant=True,  # quantizes the quantization constants too: about 0.4 bit per weight saved
        bnb_4bit_compute_dtype=compute_dtype(),
    )
    model = AutoModelForCausalLM.from_pretrained(model_dir, quantization_config=quantization, device_map={"": 0})
    # Casts norms to fp32 and lets gradients reach the adapter through the frozen 4-bit layers.
    return prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)


def load_start_model(model_dir: str, adapter: str | None, load_in_4bit: bool = False) -> PreTrainedModel:
    """The model a job starts from: `model_dir` with `adapter` merged in, 4-bit when asked and possible."""
    if load_in_4bit:
        available, reason = four_bit_available()
        if available and adapter is not None:
            available, reason = False, "an adapter cannot be merged into a 4-bit base (merge it first with the merge job)"
        if available:
            events.log("loading the base in 4-bit NF4 (QLoRA)")
            return _load_four_bit(model_dir)
        events.log(f"load_in_4bit: {reason}; training a LoRA adapter on the full-precision model instead", "warning")
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=compute_dtype())
    if adapter is not None:
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
        events.log(f"merged the adapter {adapter} into the start model")
    return model
