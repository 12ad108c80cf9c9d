"""vLLM where it cannot run (no CUDA, or vllm not installed): the spec is refused, naming the field and why.

The vLLM sampling path itself needs a CUDA GPU and is not executed by these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from testtune_engine import vllm_backend
from tests.fixtures.engine.support import PROMPTS, of_kind, run_in_process, write_spec

pytestmark = pytest.mark.skipif(vllm_backend.unavailable_reason() is None, reason="vLLM can run on this machine: there is nothing to refuse")


def test_the_reason_names_what_is_missing():
    reason = vllm_backend.unavailable_reason()
    assert reason is not None
    assert ("CUDA" in reason) if not torch.cuda.is_available() else ("testtune setup --extras vllm" in reason)


def test_generate_with_backend_vllm_is_refused_naming_the_field(tmp_path: Path):
    model = tmp_path / "model"
    model.mkdir()  # the refusal comes before any model is read
    spec = write_spec(tmp_path / "gen.json", "generate", model=str(model), input=str(PROMPTS), output=str(tmp_path / "out.jsonl"), backend="vllm")
    code, emitted = run_in_process("generate", spec)
    assert code == 2
    (error,) = of_kind(emitted, "error")
    assert error["type"] == "spec" and "backend" in error["message"] and "vllm cannot run here" in error["message"]
    assert not (tmp_path / "out.jsonl").exists()


def test_grpo_with_use_vllm_is_refused_naming_the_field(tmp_path: Path):
    model = tmp_path / "model"
    model.mkdir()
    spec = write_spec(
        tmp_path / "grpo.json", "grpo", model=str(model), prompts=str(PROMPTS), output_dir=str(tmp_path / "grpo"), reward_url="http://127.0.0.1:1/v1/score", use_vllm=True
    )
    code, emitted = run_in_process("grpo", spec)
    assert code == 2
    (error,) = of_kind(emitted, "error")
    assert error["type"] == "spec" and "use_vllm" in error["message"] and "set use_vllm: false" in error["message"]


@pytest.mark.parametrize("backend", ["VLLM", "sglang"])
def test_only_engine_and_vllm_are_backends(tmp_path: Path, backend: str):
    model = tmp_path / "model"
    model.mkdir()
    spec = write_spec(tmp_path / "gen.json", "generate", model=str(model), input=str(PROMPTS), output=str(tmp_path / "out.jsonl"), backend=backend)
    code, emitted = run_in_process("generate", spec)
    assert code == 2 and "backend" in of_kind(emitted, "error")[0]["message"]
