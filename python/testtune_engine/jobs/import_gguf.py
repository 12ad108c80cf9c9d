"""import-gguf: turn a GGUF file into a Hugging Face model directory that every job can train.

transformers reads the GGUF (`from_pretrained(dir, gguf_file=...)`) and dequantises its
weights to fp32, but refuses to save a model loaded that way ("quantized with gguf and is not
serializable"). So the weights move into a fresh model built from the same config, which
saves as usual: safetensors, config.json, generation_config.json, the tokenizer files and the
chat template. `provenance.json` records where the weights came from (the GGUF's sha256,
size, name and architecture), the parameter count and the time each step took.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "import-gguf", "gguf": "SmolLM2-135M-Instruct.Q4_1.gguf", "output_dir": "models/smollm2",
     "prompts": "configs/model-check/prompts.jsonl"}
    JSON
    PYTHONPATH=python python -m testtune_engine import-gguf --spec spec.json

With `prompts`, the job also writes `check/hf-greedy.json`: the imported model's greedy tokens
on that prompt set, which testtune compares with llama.cpp running the GGUF itself
(greedy_reference.py). Limits: only architectures that transformers maps from GGUF (its
GGUF_SUPPORTED_ARCHITECTURES; anything else is refused before loading); a quantised file is
dequantised, so the directory holds fp32 weights (4 bytes per parameter). The output is
written to `<output_dir>.partial` and renamed when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from importlib.metadata import version

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

from .. import events
from ..greedy_reference import write_reference
from ..spec import DataError, require

GGUF_MAGIC = b"GGUF"


@dataclass
class Spec:
    gguf: str  # the GGUF file to import
    output_dir: str  # the Hugging Face model directory to write
    prompts: str | None = None  # JSONL prompt set for the llama.cpp check; null skips the reference
    max_new_tokens: int = 32  # greedy tokens per prompt in the reference

    def check(self) -> None:
        require(os.path.isfile(self.gguf), "gguf", f"{self.gguf} is not a file")
        require(self.prompts is None or os.path.isfile(self.prompts), "prompts", f"{self.prompts} is not a file")
        require(self.max_new_tokens > 0, "max_new_tokens", "must be > 0")


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def gguf_metadata(path: str) -> dict[str, str]:
    """general.architecture and general.name of a GGUF file; a file that is not GGUF is a DataError."""
    with open(path, "rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise DataError(path, "", "is not a GGUF file (it does not start with the GGUF magic bytes)")
    from gguf import GGUFReader

    reader = GGUFReader(path)
    out = {}
    for key in ("general.architecture", "general.name"):
        field = reader.get_field(key)
        if field is not None:
            out[key] = field.contents()
    return out


def check_architecture(path: str, architecture: str | None) -> None:
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    if architecture not in GGUF_SUPPORTED_ARCHITECTURES:
        raise DataError(
            path,
            "",
            f"architecture {architecture!r} cannot be mapped to a Hugging Face model by this transformers; "
            f"supported: {', '.join(sorted(GGUF_SUPPORTED_ARCHITECTURES))}",
        )


def unquantised_copy(model: torch.nn.Module) -> torch.nn.Module:
    """The same weights in a fresh model of the same config, which save_pretrained accepts."""
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with torch.device("meta"):
        fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(model.state_dict(), assign=True)
    # Non-persistent buffers (rotary inv_freq) are not in the state dict: take them over too.
    source_buffers = dict(model.named_buffers())
    for name, buffer in list(fresh.named_buffers()):
        if buffer.is_meta:
            module_name, _, buffer_name = name.rpartition(".")
            fresh.get_submodule(module_name).register_buffer(buffer_name, source_buffers[name], persistent=False)
    fresh.tie_weights()
    fresh.generation_config = model.generation_config
    return fresh


def run(spec: Spec) -> None:
    started = time.monotonic()
    metadata = gguf_metadata(spec.gguf)
    architecture = metadata.get("general.architecture")
    check_architecture(spec.gguf, architecture)
    events.progress(0, 4, "step")
    sha256 = file_sha256(spec.gguf)
    directory, name = os.path.split(os.path.abspath(spec.gguf))
    load_started = time.monotonic()
    model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    load_s = time.monotonic() - load_started
    events.progress(1, 4, "step")
    model = unquantised_copy(model)
    parameters = sum(p.numel() for p in model.parameters())
    events.log(f"{name}: {architecture}, {parameters:,} parameters, loaded and dequantised in {load_s:.1f} s")
    partial = spec.output_dir.rstrip("/") + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    events.progress(2, 4, "step")
    reference_s = None
    if spec.prompts is not None:
        reference_started = time.monotonic()
        os.makedirs(os.path.join(partial, "check"), exist_ok=True)
        count = write_reference(model, tokenizer, spec.prompts, spec.max_new_tokens, os.path.join(partial, "check", "hf-greedy.json"))
        reference_s = time.monotonic() - reference_started
        events.log(f"greedy reference on {count} prompts in {reference_s:.1f} s")
    events.progress(3, 4, "step")
    provenance = {
        "version": 1,
        "source": {"gguf": os.path.abspath(spec.gguf), "sha256": sha256, "bytes": os.path.getsize(spec.gguf), **{k.split(".")[1]: v for k, v in metadata.items()}},
        "parameters": parameters,
        "dtype": "float32",
        "seconds": {"load_and_dequantise": round(load_s, 2), "total": round(time.monotonic() - started, 2), "reference": None if reference_s is None else round(reference_s, 2)},
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__, "gguf": version("gguf")},
        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with open(os.path.join(partial, "provenance.json"), "w", encoding="utf-8") as handle:
        json.dump(provenance, handle, indent=2)
    shutil.rmtree(spec.output_dir, ignore_errors=True)
    os.replace(partial, spec.output_dir)
    events.progress(4, 4, "step")
    events.artifact("model", spec.output_dir)
