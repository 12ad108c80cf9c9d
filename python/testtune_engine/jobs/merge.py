"""merge: fold a LoRA adapter into its base model and save a plain Hugging Face model directory.

The result (config.json, model.safetensors shards, generation_config.json and the tokenizer)
loads with `AutoModelForCausalLM.from_pretrained` without peft, which is what export and
serving tools expect. The weights keep the base model's dtype.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "merge", "model": "runs/x/pretrain/model", "adapter": "runs/x/dpo/final",
     "output_dir": "runs/x/dpo/merged"}
    JSON
    PYTHONPATH=python python -m testtune_engine merge --spec spec.json

The tokenizer comes from the adapter directory when the training job saved one there (it is
the tokenizer the adapter was trained with), otherwise from the base. The output is written
to `<output_dir>.partial` and renamed when complete, so an interrupted or failed merge never
leaves a half-written model; re-running the spec redoes it. A base quantized to 4 bits cannot
be merged into: pass the full-precision base that the adapter was trained on.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from .. import events
from ..runtime import Interrupted, interrupt_requested
from ..spec import require

STEPS = ("load", "merge", "save")


@dataclass
class Spec:
    model: str  # the base model directory the adapter was trained on
    adapter: str  # the LoRA adapter directory (adapter_config.json, adapter_model.safetensors)
    output_dir: str  # the merged model directory to write
    max_shard_size: str = "5GB"  # safetensors shard size: transformers' default, which the Hub's tools expect

    def check(self) -> None:
        require(os.path.isdir(self.model), "model", f"{self.model} is not a model directory")
        require(os.path.isfile(os.path.join(self.adapter, "adapter_config.json")), "adapter", f"{self.adapter} has no adapter_config.json")
        require(os.path.abspath(self.output_dir) not in (os.path.abspath(self.model), os.path.abspath(self.adapter)), "output_dir", "must differ from model and adapter")


def _step(done: int) -> None:
    events.progress(done, len(STEPS), "step")
    if interrupt_requested():
        raise Interrupted(None)  # nothing to resume from: a re-run merges again, in seconds


def run(spec: Spec) -> None:
    _step(0)
    model = AutoModelForCausalLM.from_pretrained(spec.model, dtype="auto")
    tokenizer_dir = spec.adapter if os.path.isfile(os.path.join(spec.adapter, "tokenizer_config.json")) else spec.model
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    _step(1)
    merged = PeftModel.from_pretrained(model, spec.adapter).merge_and_unload()
    _step(2)
    partial = spec.output_dir.rstrip("/") + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    merged.save_pretrained(partial, max_shard_size=spec.max_shard_size)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(spec.output_dir, ignore_errors=True)
    os.replace(partial, spec.output_dir)
    events.progress(3, len(STEPS), "step")
    parameters = sum(p.numel() for p in merged.parameters())
    events.log(f"merged {spec.adapter} into {spec.model}: {parameters:,} parameters in {merged.dtype}")
    events.artifact("model", spec.output_dir)
