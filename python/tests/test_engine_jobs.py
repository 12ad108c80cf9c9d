"""The three jobs end to end on a tiny model: pretrain -> sft -> generate, and a tiny Qwen2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

from tests.fixtures.engine.support import PAIRS, PROMPTS, TINY_MODEL, of_kind, pretrain_tiny, run_in_process, tiny_corpus, write_spec

TINY_SFT = {"max_steps": 4, "batch_size": 4, "max_length": 128, "logging_steps": 2, "save_steps": 2, "lora": {"r": 4, "alpha": 8}}
TINY_GENERATE = {"num_samples": 2, "max_new_tokens": 12, "batch_size": 2, "seed": 7}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine")


@pytest.fixture(scope="module")
def base(work: Path) -> Path:
    return pretrain_tiny(work, steps=4, batch_size=4, block_size=64, logging_steps=2, save_steps=2)


@pytest.fixture(scope="module")
def adapter(work: Path, base: Path) -> tuple[Path, list[dict]]:
    spec = write_spec(work / "sft.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(work / "sft"), **TINY_SFT)
    code, emitted = run_in_process("sft", spec)
    assert code == 0, emitted
    return work / "sft" / "final", emitted


def generate(work: Path, name: str, model: Path, adapter: Path | None = None, **fields: object) -> tuple[Path, list[dict]]:
    output = work / f"{name}.jsonl"
    spec = write_spec(work / f"{name}.json", "generate", model=str(model), adapter=None if adapter is None else str(adapter), input=str(PROMPTS), output=str(output), **{**TINY_GENERATE, **fields})
    code, emitted = run_in_process("generate", spec)
    assert code == 0, emitted
    return output, emitted


def test_pretrain_writes_a_model_directory_that_transformers_loads(base: Path) -> None:
    for name in ("config.json", "model.safetensors", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        assert (base / name).is_file(), name
    assert not (base / "checkpoints").exists()
    tokenizer = AutoTokenizer.from_pretrained(base)
    assert len(tokenizer) <= 512 and tokenizer.eos_token == "<|eos|>" and tokenizer.pad_token == "<|pad|>"
    ids = tokenizer("def add(a, b):\n    return a + b\n")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id
    assert tokenizer.decode(ids, skip_special_tokens=True) == "def add(a, b):\n    return a + b\n"
    model = AutoModelForCausalLM.from_pretrained(base)
    assert model.config.model_type == "llama" and model.config.hidden_size == 64 and model.config.num_hidden_layers == 2


def test_pretrain_trains_when_asked_and_reports_metrics(work: Path) -> None:
    spec = write_spec(work / "pretrain-steps.json", "pretrain", corpus=str(tiny_corpus(work / "c2.jsonl", 60)), output_dir=str(work / "base2"), steps=6, batch_size=4, block_size=64, logging_steps=2, **TINY_MODEL)
    code, emitted = run_in_process("pretrain", spec)
    assert code == 0
    losses = [event["loss"] for event in of_kind(emitted, "metrics") if "loss" in event]
    assert len(losses) >= 3 and losses[-1] < losses[0]
    assert of_kind(emitted, "progress")[-1] == {"event": "progress", "step": 6, "total": 6, "unit": "step"}
    assert of_kind(emitted, "artifact") == [{"event": "artifact", "kind": "model", "path": str(work / "base2")}]


def test_sft_with_lora_writes_checkpoints_and_an_adapter(work: Path, adapter: tuple[Path, list[dict]]) -> None:
    final, emitted = adapter
    assert (final / "adapter_config.json").is_file() and (final / "adapter_model.safetensors").is_file()
    assert (work / "sft" / "checkpoint-4" / "trainer_state.json").is_file()
    steps = [event["step"] for event in of_kind(emitted, "progress")]
    assert steps[-1] == 4 and steps == sorted(steps)
    logged = [event for event in of_kind(emitted, "metrics") if "loss" in event]
    assert [event["step"] for event in logged] == [1, 2, 4]
    assert all(event["tokens_per_s"] > 0 and event["learning_rate"] >= 0 for event in logged[1:])
    assert of_kind(emitted, "artifact") == [{"event": "artifact", "kind": "adapter", "path": str(final)}]


def test_sft_full_fine_tuning_writes_a_model(work: Path, base: Path) -> None:
    spec = write_spec(work / "sft-full.json", "sft", base_model=str(base), data=str(PAIRS), output_dir=str(work / "sft-full"), method="full", **{**TINY_SFT, "max_steps": 2})
    code, emitted = run_in_process("sft", spec)
    assert code == 0
    assert of_kind(emitted, "artifact")[0]["kind"] == "model"
    assert AutoModelForCausalLM.from_pretrained(work / "sft-full" / "final").config.model_type == "llama"


def test_sft_whose_prompts_all_fill_max_length_is_a_data_error_naming_the_file_and_the_field(work: Path, base: Path) -> None:
    # TRL drops a pair with no completion token left inside max_length; with none left the job
    # used to die in the sampler ("num_samples=0"). It now names the data file and max_length.
    pairs = work / "long-prompts.jsonl"
    pairs.write_text(json.dumps({"prompt": "def add(a, b):\n    return a + b\n" * 40, "completion": "assert add(1, 2) == 3\n"}) + "\n")
    spec = write_spec(work / "sft-long.json", "sft", base_model=str(base), data=str(pairs), output_dir=str(work / "sft-long"), **{**TINY_SFT, "max_length": 32})
    code, emitted = run_in_process("sft", spec)
    assert code == 2
    (error,) = of_kind(emitted, "error")
    assert str(pairs) in error["message"] and "max_length 32" in error["message"]


def test_generate_writes_n_samples_per_prompt_of_new_tokens_only(work: Path, base: Path, adapter: tuple[Path, list[dict]]) -> None:
    output, emitted = generate(work, "samples", base, adapter[0])
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(row["task_id"], row["sample_index"]) for row in rows] == [("tiny/add", 0), ("tiny/add", 1), ("tiny/mean", 0), ("tiny/mean", 1)]
    for row in rows:
        assert row["finish_reason"] in ("eos", "length") and 0 <= row["num_tokens"] <= 12
        assert "# solution.py" not in row["completion"]  # the prompt is not repeated
    assert [event["step"] for event in of_kind(emitted, "progress")] == [0, 1, 2]


def test_generate_is_reproducible_for_a_seed_and_changes_with_it(work: Path, base: Path) -> None:
    first, _ = generate(work, "seeded-a", base)
    second, _ = generate(work, "seeded-b", base)
    other, _ = generate(work, "seeded-c", base, seed=8)
    assert first.read_text() == second.read_text()
    assert first.read_text() != other.read_text()


def test_generate_resumes_by_skipping_complete_prompts(work: Path, base: Path) -> None:
    reference, _ = generate(work, "full-run", base)
    rows = reference.read_text().splitlines()
    resumed = work / "resumed.jsonl"
    # The first prompt is complete; the second was cut off by a crash in the middle of a line.
    resumed.write_text("\n".join(rows[:3]) + "\n" + rows[3][:10])
    _, emitted = generate(work, "resumed", base)
    assert resumed.read_text() == reference.read_text()
    assert [event["step"] for event in of_kind(emitted, "progress")] == [1, 2]


def test_a_tiny_qwen2_goes_through_lora_sft_and_generate(work: Path, base: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(base)
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
    Qwen2ForCausalLM(config).save_pretrained(work / "qwen2")
    tokenizer.save_pretrained(work / "qwen2")
    spec = write_spec(work / "sft-qwen2.json", "sft", base_model=str(work / "qwen2"), data=str(PAIRS), output_dir=str(work / "sft-qwen2"), **TINY_SFT)
    code, emitted = run_in_process("sft", spec)
    assert code == 0, emitted
    adapter_config = json.loads((work / "sft-qwen2" / "final" / "adapter_config.json").read_text())
    assert set(adapter_config["target_modules"]) == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    output, _ = generate(work, "qwen2-samples", work / "qwen2", work / "sft-qwen2" / "final")
    assert len(output.read_text().splitlines()) == 4


def test_a_corpus_line_without_text_is_a_data_error_naming_the_line(work: Path) -> None:
    corpus = work / "bad-corpus.jsonl"
    corpus.write_text('{"text": "x = 1"}\n{"code": "y = 2"}\n')
    spec = write_spec(work / "bad.json", "pretrain", corpus=str(corpus), output_dir=str(work / "bad-base"))
    code, emitted = run_in_process("pretrain", spec)
    assert code == 2
    assert emitted == [{"event": "error", "type": "data", "message": f"{corpus} line 2: needs a 'text' field, or 'prompt' and 'completion' fields"}]
