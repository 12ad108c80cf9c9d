"""SFT on chat-formatted pairs of the seeds' model families, and LoRA targets found by name.

The pairs are test/fixtures/chat-templates/sft-rows.jsonl, rendered by testtune's TypeScript
prompt code with each family's published chat template. Each family gets a tokenizer with its
conventions (Llama-2: SentencePiece-style spaces and a bos added by the tokenizer; DeepSeek:
byte-level with an added bos; Qwen2.5 and SmolLM2: byte-level, no bos), and SmolLM2's real
tokenizer when TESTTUNE_SMOLLM2_DIR names an imported SmolLM2-135M-Instruct directory. The
check: the sequence SFT trains on starts with exactly the tokens the model sees at inference
(one bos), and the loss covers the answer and one final eos, nothing of the prompt.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerBase, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

from testtune_engine.jobs import sft
from testtune_engine.lora_targets import find_target_modules, linear_module_names
from testtune_engine.spec import FieldProblem
from tests.fixtures.engine.support import PYTHON_DIR, run_in_process, write_spec

TEMPLATES = PYTHON_DIR.parent / "test" / "fixtures" / "chat-templates"
ROWS = [json.loads(line) for line in (TEMPLATES / "sft-rows.jsonl").read_text().splitlines()]
FAMILIES = sorted({row["family"] for row in ROWS})
ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
SMOLLM2_DIR = os.environ.get("TESTTUNE_SMOLLM2_DIR")


def _token(value: object) -> str | None:
    return value["content"] if isinstance(value, dict) else value  # type: ignore[return-value]


def family_tokenizer(family: str) -> PreTrainedTokenizerFast:
    """A small BPE trained on the family's rows, with its special tokens and bos convention."""
    config = json.loads((TEMPLATES / family / "tokenizer_config.json").read_text())
    bos, eos = _token(config.get("bos_token")), _token(config["eos_token"])
    specials = [t for t in dict.fromkeys([bos, eos, "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<unk>"]) if t is not None]
    sentencepiece = family == "codellama-instruct"
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    if sentencepiece:  # Llama-2: spaces become ▁ and one is prepended, the source of boundary surprises
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
        tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first")
    else:
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = decoders.ByteLevel()
    alphabet = [] if sentencepiece else pre_tokenizers.ByteLevel.alphabet()
    texts = [row["prompt"] + row["completion"] for row in ROWS if row["family"] == family]
    tokenizer.train_from_iterator(texts * 4, trainers.BpeTrainer(vocab_size=700, special_tokens=specials, initial_alphabet=alphabet, show_progress=False))
    if config.get("add_bos_token"):
        tokenizer.post_processor = processors.TemplateProcessing(single=f"{bos} $A", special_tokens=[(bos, tokenizer.token_to_id(bos))])
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=bos, eos_token=eos, unk_token="<unk>", pad_token=eos)


def tiny_llama(vocab_size: int) -> LlamaForCausalLM:
    return LlamaForCausalLM(LlamaConfig(vocab_size=vocab_size, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1))


def sft_dataset(tokenizer: PreTrainedTokenizerBase, rows: list[dict], work: Path) -> list[dict]:
    """The examples sft's trainer trains on (input_ids, labels), from a tiny model with `tokenizer`."""
    base = work / "base"
    tiny_llama(len(tokenizer)).save_pretrained(base)
    tokenizer.save_pretrained(base)
    data = work / "pairs.jsonl"
    data.write_text("".join(json.dumps({"prompt": row["prompt"], "completion": row["completion"]}) + "\n" for row in rows))
    trainer = sft.build_trainer(sft.Spec(base_model=str(base), data=str(data), output_dir=str(work / "out"), max_steps=1, max_length=4096))
    return [trainer.train_dataset[i] for i in range(len(rows))]


def assert_loss_on_answer_only(tokenizer: PreTrainedTokenizerBase, row: dict, example: dict) -> None:
    ids, labels = example["input_ids"], example["labels"]
    prompt_ids = tokenizer(row["prompt"])["input_ids"]  # as the generate job encodes a prompt
    assert ids[: len(prompt_ids)] == prompt_ids, "the training sequence must start with the prompt the model sees at inference"
    assert labels[: len(prompt_ids)] == [-100] * len(prompt_ids), "no loss on prompt tokens"
    assert labels[len(prompt_ids) :] == ids[len(prompt_ids) :], "loss on every answer token"
    if tokenizer.bos_token_id is not None and ids[0] == tokenizer.bos_token_id:
        assert ids[1] != tokenizer.bos_token_id, "bos twice"
    assert ids[-1] == tokenizer.eos_token_id and ids[-2] != tokenizer.eos_token_id, "the answer ends with exactly one eos"
    answer = tokenizer.decode(ids[len(prompt_ids) :])
    assert "def test_add():" in answer and answer.rstrip().endswith(tokenizer.eos_token)
    assert "### Task" not in answer and "[/INST]" not in answer


@pytest.mark.parametrize("family", FAMILIES)
def test_sft_loss_covers_only_the_answer_for_each_family(family: str, tmp_path: Path) -> None:
    tokenizer = family_tokenizer(family)
    rows = [row for row in ROWS if row["family"] == family]
    for row, example in zip(rows, sft_dataset(tokenizer, rows, tmp_path), strict=True):
        assert_loss_on_answer_only(tokenizer, row, example)


def test_a_template_bos_left_in_the_prompt_would_be_doubled_by_llama_tokenizers() -> None:
    """The failure the TypeScript side prevents (it drops the rendered bos for such tokenizers)."""
    tokenizer = family_tokenizer("codellama-instruct")
    row = next(row for row in ROWS if row["family"] == "codellama-instruct")
    ids = tokenizer("<s>" + row["prompt"])["input_ids"]
    assert ids[:2] == [tokenizer.bos_token_id] * 2
    assert tokenizer(row["prompt"])["input_ids"][1] != tokenizer.bos_token_id


@pytest.mark.skipif(SMOLLM2_DIR is None, reason="set TESTTUNE_SMOLLM2_DIR to an imported SmolLM2-135M-Instruct directory")
def test_sft_loss_with_smollm2s_real_tokenizer(tmp_path: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(SMOLLM2_DIR)
    rows = [row for row in ROWS if row["family"] == "smollm2-instruct"]
    for row, example in zip(rows, sft_dataset(tokenizer, rows, tmp_path), strict=True):
        assert_loss_on_answer_only(tokenizer, row, example)


TINY = {"vocab_size": 64, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1}


@pytest.mark.parametrize("model", [LlamaForCausalLM(LlamaConfig(**TINY)), Qwen2ForCausalLM(Qwen2Config(**TINY))], ids=["llama", "qwen2"])
def test_every_linear_projection_is_found_by_name_in_llama_and_qwen2(model) -> None:
    assert linear_module_names(model) == sorted(ALL_LINEAR)
    assert find_target_modules(model, ALL_LINEAR) == ALL_LINEAR
    assert find_target_modules(model, ["q_proj", "query_key_value"]) == ["q_proj"]


def test_a_model_without_the_named_modules_is_an_error_listing_its_own() -> None:
    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=64, n_embd=16, n_layer=1, n_head=2))
    with pytest.raises(FieldProblem) as caught:
        find_target_modules(gpt2, ALL_LINEAR)
    assert caught.value.field == "lora.target_modules"
    assert "GPT2LMHeadModel" in caught.value.detail and "['c_attn', 'c_fc', 'c_proj']" in caught.value.detail


def test_sft_lora_adapts_all_seven_projections_of_every_layer(tmp_path: Path) -> None:
    tokenizer = family_tokenizer("qwen2.5-coder-instruct")
    rows = [row for row in ROWS if row["family"] == "qwen2.5-coder-instruct"]
    sft_dataset(tokenizer, rows, tmp_path)
    trainer = sft.build_trainer(sft.Spec(base_model=str(tmp_path / "base"), data=str(tmp_path / "pairs.jsonl"), output_dir=str(tmp_path / "out"), max_steps=1))
    adapted = {name.split(".lora_A")[0].rsplit(".", 1)[-1] for name, _ in trainer.model.named_modules() if name.endswith("lora_A")}
    assert adapted == set(ALL_LINEAR)


def test_sft_with_target_modules_the_model_lacks_exits_2_naming_the_models_modules(tmp_path: Path) -> None:
    tokenizer = family_tokenizer("smollm2-instruct")
    rows = [row for row in ROWS if row["family"] == "smollm2-instruct"]
    sft_dataset(tokenizer, rows, tmp_path)
    spec = write_spec(tmp_path / "sft.json", "sft", base_model=str(tmp_path / "base"), data=str(tmp_path / "pairs.jsonl"), output_dir=str(tmp_path / "out"), max_steps=1, lora={"target_modules": ["query_key_value"]})
    code, emitted = run_in_process("sft", spec)
    assert code == 2
    error = next(event for event in emitted if event.get("event") == "error")
    assert "lora.target_modules" in error["message"] and "q_proj" in error["message"] and "sft.json" in error["message"]
