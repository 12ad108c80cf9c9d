"""The generate job batched across prompts: batch-size-independent samples, eos, order, resume and Ctrl-C."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

from testtune_engine.jobs import generate
from testtune_engine.spec import DataError
from tests.fixtures.engine.support import PAIRS, TINY_MODEL, of_kind, pretrain_tiny, run_in_process, write_spec

SAMPLING = {"num_samples": 3, "max_new_tokens": 16, "temperature": 0.8, "seed": 5}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generate")


@pytest.fixture(scope="module")
def base(work: Path) -> Path:
    """The pretrain job's tokenizer and model, its weights redrawn wide: the greedy continuations
    then differ from prompt to prompt and have clear winners, not near-ties that rounding flips."""
    pretrain_tiny(work)
    config = AutoConfig.from_pretrained(work / "base")
    config.initializer_range = 0.3
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(config).save_pretrained(work / "base")
    return work / "base"


@pytest.fixture(scope="module")
def prompts(work: Path) -> Path:
    """The 12 fixture prompts, of different lengths, so batches mix prompts and padding."""
    file = work / "prompts.jsonl"
    rows = [json.loads(line) for line in PAIRS.read_text().splitlines()]
    file.write_text("".join(json.dumps({"task_id": f"pair/{index}", "prompt": row["prompt"]}) + "\n" for index, row in enumerate(rows)))
    return file


def run_generate(work: Path, name: str, model: Path, prompts: Path, expect: int = 0, **fields: Any) -> tuple[Path, list[dict]]:
    output = work / f"{name}.jsonl"
    spec = write_spec(work / f"{name}.json", "generate", model=str(model), input=str(prompts), output=str(output), **{**SAMPLING, **fields})
    code, emitted = run_in_process("generate", spec)
    assert code == expect, emitted
    return output, emitted


def rows_of(output: Path) -> list[dict]:
    return [json.loads(line) for line in output.read_text().splitlines()]


def test_samples_are_the_same_with_batch_size_1_and_16_and_change_with_the_seed(work: Path, base: Path, prompts: Path) -> None:
    one, _ = run_generate(work, "bs1", base, prompts, batch_size=1)
    sixteen, _ = run_generate(work, "bs16", base, prompts, batch_size=16)
    reseeded, _ = run_generate(work, "bs16-seed6", base, prompts, batch_size=16, seed=6)
    key = lambda row: (row["task_id"], row["sample_index"])  # noqa: E731
    assert sorted(rows_of(one), key=key) == sorted(rows_of(sixteen), key=key)
    assert len(rows_of(one)) == 12 * 3 and len({row["completion"] for row in rows_of(one)}) > 12
    assert sorted(rows_of(reseeded), key=key) != sorted(rows_of(sixteen), key=key)


def test_prompts_are_written_shortest_first_each_with_its_samples_in_order(work: Path, base: Path, prompts: Path) -> None:
    output, emitted = run_generate(work, "order", base, prompts, batch_size=4)
    tokenizer = AutoTokenizer.from_pretrained(base)
    lengths = {json.loads(line)["task_id"]: len(tokenizer(json.loads(line)["prompt"])["input_ids"]) for line in prompts.read_text().splitlines()}
    rows = rows_of(output)
    written = [row["task_id"] for row in rows[::3]]
    assert written == sorted(lengths, key=lambda task: lengths[task])  # stable: input order among equal lengths
    assert [(row["task_id"], row["sample_index"]) for row in rows] == [(task, index) for task in written for index in range(3)]
    assert [event["step"] for event in of_kind(emitted, "progress")] == list(range(13))


def greedy_reference(model: Any, tokenizer: Any, prompt: str, max_new_tokens: int, stops: list[int]) -> list[int]:
    """Hugging Face's own greedy generate on the prompt alone, stopping at any of `stops` (not kept)."""
    ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    output = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=max_new_tokens, eos_token_id=stops, pad_token_id=tokenizer.pad_token_id)
    tokens = output[0, ids.shape[1] :].tolist()
    return tokens[: min([tokens.index(stop) for stop in stops if stop in tokens], default=len(tokens))]


def test_greedy_samples_equal_hugging_face_generate_on_each_prompt_alone(work: Path, base: Path, prompts: Path) -> None:
    output, _ = run_generate(work, "greedy", base, prompts, temperature=0, num_samples=1, max_new_tokens=24, batch_size=5)
    model, tokenizer = AutoModelForCausalLM.from_pretrained(base).eval(), AutoTokenizer.from_pretrained(base)
    samples = {row["task_id"]: row for row in rows_of(output)}
    assert len({sample["completion"] for sample in samples.values()}) == 12  # a different continuation for each prompt
    for line in prompts.read_text().splitlines():
        task = json.loads(line)
        expected = greedy_reference(model, tokenizer, task["prompt"], 24, [tokenizer.eos_token_id])
        sample = samples[task["task_id"]]
        assert sample["completion"] == tokenizer.decode(expected, skip_special_tokens=True), task["task_id"]
        assert sample["num_tokens"] == len(expected)
        assert sample["finish_reason"] == ("length" if len(expected) == 24 else "eos")


def test_every_eos_id_of_the_model_stops_a_sample_with_finish_reason_eos(work: Path, base: Path, prompts: Path) -> None:
    model, tokenizer = AutoModelForCausalLM.from_pretrained(base).eval(), AutoTokenizer.from_pretrained(base)
    tasks = [json.loads(line) for line in prompts.read_text().splitlines()]
    # A second eos: the 3rd greedy token of the first prompt, so some samples stop early at it.
    extra_eos = greedy_reference(model, tokenizer, tasks[0]["prompt"], 24, [tokenizer.eos_token_id])[2]
    model.generation_config.eos_token_id = [tokenizer.eos_token_id, extra_eos]
    model.save_pretrained(work / "two-eos")
    tokenizer.save_pretrained(work / "two-eos")
    output, _ = run_generate(work, "two-eos", work / "two-eos", prompts, temperature=0, num_samples=1, max_new_tokens=24, batch_size=12)
    samples = {row["task_id"]: row for row in rows_of(output)}
    reasons = set()
    for task in tasks:
        expected = greedy_reference(model, tokenizer, task["prompt"], 24, [tokenizer.eos_token_id, extra_eos])
        sample = samples[task["task_id"]]
        assert (sample["num_tokens"], sample["finish_reason"]) == (len(expected), "length" if len(expected) == 24 else "eos"), task["task_id"]
        reasons.add(sample["finish_reason"])
    assert samples[tasks[0]["task_id"]]["num_tokens"] <= 2 and reasons == {"eos", "length"}


def test_a_rerun_skips_complete_prompts_and_redoes_a_cut_line_with_another_batch_size(work: Path, base: Path, prompts: Path) -> None:
    reference, _ = run_generate(work, "straight", base, prompts, batch_size=4)
    lines = reference.read_text().splitlines()
    resumed = work / "resumed.jsonl"
    resumed.write_text("\n".join(lines[:9]) + "\n" + lines[9][:15])  # three prompts complete, then a line cut by a crash
    _, emitted = run_generate(work, "resumed", base, prompts, batch_size=7)
    assert resumed.read_text() == reference.read_text()
    assert [event["step"] for event in of_kind(emitted, "progress")] == list(range(3, 13))
    assert {"event": "log", "level": "info", "message": "resuming: 3 of 12 prompts already have their samples"} in emitted


def test_a_rerun_with_every_prompt_done_loads_no_model_and_changes_nothing(work: Path, base: Path, prompts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output, _ = run_generate(work, "complete", base, prompts, batch_size=4)
    before = output.read_text()

    def no_model(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the model was loaded although every prompt has its samples")

    monkeypatch.setattr(generate, "load_model", no_model)
    monkeypatch.setattr(generate.AutoTokenizer, "from_pretrained", no_model)
    _, emitted = run_generate(work, "complete", base, prompts, batch_size=4)
    assert output.read_text() == before
    assert {"event": "log", "level": "info", "message": "resuming: 12 of 12 prompts already have their samples"} in emitted
    assert [event["step"] for event in of_kind(emitted, "progress")] == [12]


def test_ctrl_c_stops_after_the_batch_under_way_and_a_rerun_completes(work: Path, base: Path, prompts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference, _ = run_generate(work, "uninterrupted", base, prompts, batch_size=6)
    checks = iter([False, False])  # two batches run, then Ctrl-C is seen
    monkeypatch.setattr(generate, "interrupt_requested", lambda: next(checks, True))
    output, emitted = run_generate(work, "interrupted", base, prompts, batch_size=6, expect=130)
    assert of_kind(emitted, "interrupted") == [{"event": "interrupted", "checkpoint": str(output)}]
    assert output.read_text() == "".join(line + "\n" for line in reference.read_text().splitlines()[:12])  # 12 rows: 4 prompts
    monkeypatch.undo()
    run_generate(work, "interrupted", base, prompts, batch_size=6)
    assert output.read_text() == reference.read_text()


def test_a_prompt_longer_than_the_context_keeps_its_end_with_a_warning(work: Path, base: Path) -> None:
    long_prompts = work / "long.jsonl"
    long_prompts.write_text(json.dumps({"task_id": "long", "prompt": "x = 1\n" * 300}) + "\n")
    output, emitted = run_generate(work, "long", base, long_prompts, num_samples=2, max_new_tokens=16)
    limit = TINY_MODEL["max_position_embeddings"] - 16
    assert any(event["level"] == "warning" and f"cut to its last {limit}" in event["message"] for event in of_kind(emitted, "log"))
    assert len(rows_of(output)) == 2


def test_a_prompt_without_tokens_is_a_data_error_naming_the_file_and_the_task() -> None:
    def no_tokens(text: str) -> dict[str, list[int]]:
        return {"input_ids": []}  # a tokenizer that adds no BOS, given an empty prompt

    with pytest.raises(DataError, match=r"^prompts\.jsonl task 'empty': the prompt is empty"):
        generate.prompt_ids(no_tokens, "", 100, "empty", "prompts.jsonl")  # type: ignore[arg-type]
