"""The import-gguf and export-gguf jobs on a tiny Llama built here (no downloads)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import torch
from tests.fixtures.engine.support import of_kind, run_in_process, write_spec
from tests.fixtures.engine.tiny_gguf_model import build
from gguf import GGUFWriter
from safetensors.torch import load_file
from transformers import AutoTokenizer

PROMPTS_ROWS = [
    {"id": "code", "prompt": "def add(a, b):\n    return"},
    {"id": "chat", "prompt": "Write tests for add.", "chat": True},
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny model, exported once to f16 with a greedy reference."""
    work = tmp_path_factory.mktemp("export")
    model = build(work / "tiny")
    prompts = work / "prompts.jsonl"
    prompts.write_text("".join(json.dumps(row) + "\n" for row in PROMPTS_ROWS))
    spec = write_spec(work / "export.json", "export-gguf", model=str(model), output_dir=str(work / "out"), name="tiny", quants=["f16"], prompts=str(prompts), max_new_tokens=8)
    code, emitted = run_in_process("export-gguf", spec)
    assert code == 0, emitted
    return {"work": work, "model": model, "out": work / "out", "prompts": prompts}


def test_export_writes_the_gguf_its_record_and_the_greedy_reference(exported: dict[str, Path]) -> None:
    out = exported["out"]
    gguf = out / "tiny-f16.gguf"
    assert gguf.read_bytes()[:4] == b"GGUF"
    conversion = json.loads((out / "conversion.json").read_text())
    assert [f["file"] for f in conversion["files"]] == ["tiny-f16.gguf"]
    assert conversion["files"][0]["bytes"] == gguf.stat().st_size
    reference = json.loads((out / "check" / "hf-greedy.json").read_text())
    assert [p["id"] for p in reference["prompts"]] == ["code", "chat"]
    chat = reference["prompts"][1]
    assert chat["text"].startswith("<|im_start|>user\nWrite tests for add.<|im_end|>\n<|im_start|>assistant\n")
    for prompt in reference["prompts"]:
        assert 0 < len(prompt["greedy_ids"]) <= 8
        assert len(prompt["margins"]) == len(prompt["greedy_ids"]) and min(prompt["margins"]) >= 0
        # the fp16 copy's lead of the same token: close to the fp32 margin, positive where that margin is clear
        assert len(prompt["f16_leads"]) == len(prompt["margins"])
        for margin, lead in zip(prompt["margins"], prompt["f16_leads"]):
            assert abs(margin - lead) < 0.5 and (lead > 0 or margin < 0.5)


def test_import_of_the_exported_file_gives_back_the_weights_and_tokenizer(exported: dict[str, Path]) -> None:
    gguf = exported["out"] / "tiny-f16.gguf"
    out = exported["work"] / "imported"
    spec = write_spec(exported["work"] / "import.json", "import-gguf", gguf=str(gguf), output_dir=str(out), prompts=str(exported["prompts"]), max_new_tokens=8)
    code, emitted = run_in_process("import-gguf", spec)
    assert code == 0, emitted
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["source"]["sha256"] == hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert provenance["source"]["architecture"] == "llama"
    original = load_file(str(exported["model"] / "model.safetensors"))
    imported = load_file(str(out / "model.safetensors"))
    assert provenance["parameters"] == sum(t.numel() for t in original.values())
    for name, tensor in original.items():
        # f16 in the file: equal to the original rounded to f16
        assert torch.equal(imported[name], tensor.half().float()), name
    text = "def add(a, b):\n    return a + b"
    # The GGUF's tokenizer.ggml.add_bos_token (true for llama's SentencePiece) decides the leading BOS.
    without_bos = [[i for i in AutoTokenizer.from_pretrained(d)(text)["input_ids"] if i != 1] for d in (out, exported["model"])]
    assert without_bos[0] == without_bos[1] and len(without_bos[0]) > 5
    assert (out / "check" / "hf-greedy.json").is_file()
    assert not (exported["work"] / "imported.partial").exists()


def test_import_refuses_an_architecture_transformers_cannot_map(tmp_path: Path) -> None:
    gguf = tmp_path / "odd.gguf"
    writer = GGUFWriter(str(gguf), "notanarch")
    writer.add_block_count(1)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    code, emitted = run_in_process("import-gguf", write_spec(tmp_path / "s.json", "import-gguf", gguf=str(gguf), output_dir=str(tmp_path / "out")))
    assert code == 2
    message = of_kind(emitted, "error")[0]["message"]
    assert "'notanarch'" in message and "llama" in message and str(gguf) in message
    assert not (tmp_path / "out").exists()


def test_import_refuses_a_file_that_is_not_gguf(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    code, emitted = run_in_process("import-gguf", write_spec(tmp_path / "s.json", "import-gguf", gguf=str(fake), output_dir=str(tmp_path / "out")))
    assert code == 2
    assert "not a GGUF file" in of_kind(emitted, "error")[0]["message"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"quants": ["q4_k"]}, "quants"), ({"quants": []}, "quants"), ({"name": "a/b"}, "name")],
)
def test_export_refuses_bad_fields(tmp_path: Path, exported: dict[str, Path], fields: dict[str, object], field: str) -> None:
    spec = write_spec(tmp_path / "s.json", "export-gguf", model=str(exported["model"]), output_dir=str(tmp_path / "out"), **fields)
    code, emitted = run_in_process("export-gguf", spec)
    assert code == 2
    assert f"field '{field}'" in of_kind(emitted, "error")[0]["message"]


def test_export_refuses_a_directory_without_a_model(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    code, emitted = run_in_process("export-gguf", write_spec(tmp_path / "s.json", "export-gguf", model=str(adapter), output_dir=str(tmp_path / "out")))
    assert code == 2
    assert "merged first" in of_kind(emitted, "error")[0]["message"]
