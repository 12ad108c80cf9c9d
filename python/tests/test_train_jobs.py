"""The dpo, grpo, ppo and merge jobs on tiny random Llama and Qwen2 models, on CPU, in seconds.

Each job runs in-process through the engine's `main()` (exit code and events as a caller
sees them). Rewards come from FakeRewardService, which speaks the reward service's protocol.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from test_train_reward_client import FakeRewardService
from transformers import AutoModelForCausalLM, GenerationConfig, Qwen2Config, Qwen2ForCausalLM

from testtune_engine import events
from testtune_engine.__main__ import main
from testtune_engine.jobs import dpo, ppo, pretrain

CODE = "def add_{i}(x):\n    return x + {i}\n"
TESTS = "from solution import add_{i}\n\ndef test_add_{i}():\n    assert add_{i}(1) == {j}\n    assert add_{i}(0) == {i}\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny models of both architectures (one tokenizer), preference pairs and RL prompts."""
    root = tmp_path_factory.mktemp("train")
    texts = [CODE.format(i=i) + TESTS.format(i=i, j=i + 1) for i in range(60)]
    spec = pretrain.Spec(corpus="", output_dir="", vocab_size=300, hidden_size=32, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=64, max_position_embeddings=256)
    tokenizer = pretrain.train_tokenizer(texts, spec)
    llama = pretrain.build_model(tokenizer, spec)
    qwen2 = Qwen2ForCausalLM(
        Qwen2Config(
            vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            max_position_embeddings=256, bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        )
    )
    qwen2.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    for name, model in (("llama", llama), ("qwen2", qwen2)):
        model.save_pretrained(root / name)
        tokenizer.save_pretrained(root / name)
    with open(root / "pairs.jsonl", "w") as out:
        for i in range(8):
            out.write(json.dumps({"prompt": CODE.format(i=i), "chosen": TESTS.format(i=i, j=i + 1), "rejected": "def test_nothing():\n    pass\n"}) + "\n")
    with open(root / "prompts.jsonl", "w") as out:
        for i in range(6):
            out.write(json.dumps({"task_id": f"tiny/{i}", "prompt": CODE.format(i=i)}) + "\n")
    return root


def run_job(job: str, spec: dict, tmp_path: Path) -> tuple[int, list[dict]]:
    """Runs `python -m testtune_engine <job> --spec <file>` in-process; returns (exit code, events)."""
    file = tmp_path / f"{job}-spec.json"
    file.write_text(json.dumps({"version": 1, "job": job, **spec}))
    channel = io.StringIO()
    events.set_channel(channel)
    try:
        code = main([job, "--spec", str(file)])
    finally:
        events.set_channel(None)
    return code, [json.loads(line) for line in channel.getvalue().splitlines()]


def of_kind(emitted: list[dict], kind: str) -> list[dict]:
    return [e for e in emitted if e["event"] == kind]


def rl_spec(workdir: Path, arch: str, out: Path, url: str, **extra: object) -> dict:
    return {"model": str(workdir / arch), "prompts": str(workdir / "prompts.jsonl"), "output_dir": str(out), "reward_url": url, "reward_timeout_s": 30, **extra}


GRPO_SMALL = {"max_steps": 2, "batch_size": 4, "num_generations": 4, "max_completion_length": 12, "logging_steps": 1, "save_steps": 1}
PPO_SMALL = {"max_steps": 2, "batch_size": 3, "mini_batches": 2, "ppo_epochs": 2, "max_new_tokens": 12, "save_steps": 1}


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_dpo_trains_an_adapter_and_reports_standard_metrics(workdir: Path, tmp_path: Path, arch: str):
    spec = {"model": str(workdir / arch), "data": str(workdir / "pairs.jsonl"), "output_dir": str(tmp_path / "dpo"), "max_steps": 2, "batch_size": 4, "logging_steps": 1, "load_in_4bit": True}
    code, emitted = run_job("dpo", spec, tmp_path)
    assert code == 0, of_kind(emitted, "error")
    assert os.path.isfile(tmp_path / "dpo" / "final" / "adapter_model.safetensors")
    trained = [m for m in of_kind(emitted, "metrics") if "loss" in m]
    assert len(trained) == 2 and all(k in trained[-1] for k in ("reward_mean", "kl", "learning_rate", "tokens_per_s", "samples_per_s"))
    # No CUDA here: asking for 4-bit warns and falls back instead of failing.
    assert any(e["level"] == "warning" and "load_in_4bit" in e["message"] for e in of_kind(emitted, "log"))


@pytest.mark.parametrize("rpo_alpha", [0.0, 0.5])
def test_dpo_loss_equals_the_sigmoid_loss_plus_rpo_nll_computed_from_log_probs(workdir: Path, tmp_path: Path, rpo_alpha: float):
    """rpo_alpha 0 is plain DPO; above 0 the loss gains rpo_alpha x the chosen tokens' mean NLL (RPO)."""
    spec = dpo.Spec(model=str(workdir / "llama"), data=str(workdir / "pairs.jsonl"), output_dir=str(tmp_path / "dpo"), batch_size=4, beta=0.3, rpo_alpha=rpo_alpha)
    trainer = dpo.build_trainer(spec)
    model = trainer.model
    torch.manual_seed(0)
    with torch.no_grad():  # a fresh adapter equals the reference (loss log 2); move it away from it
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    inputs = trainer._prepare_inputs(next(iter(trainer.get_train_dataloader())))
    model.eval()
    with torch.no_grad():
        trl_loss = float(trainer.compute_loss(model, inputs))

        def token_logps() -> torch.Tensor:
            logits = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).logits[:, :-1]
            return torch.log_softmax(logits.float(), dim=-1).gather(-1, inputs["input_ids"][:, 1:, None]).squeeze(-1)

        mask = inputs["completion_mask"][:, 1:]
        policy_tokens = token_logps()
        with model.disable_adapter():
            reference_tokens = token_logps()
    chosen, rejected = ((policy_tokens - reference_tokens) * mask).sum(dim=1).chunk(2)
    expected = float(-F.logsigmoid(spec.beta * (chosen - rejected)).mean())
    assert abs(expected - 0.6931) > 1e-3  # the check would be vacuous at the reference
    chosen_tokens, chosen_mask = policy_tokens.chunk(2)[0], mask.chunk(2)[0]
    chosen_nll = float(-(chosen_tokens * chosen_mask).sum() / chosen_mask.sum())
    assert chosen_nll > 0.1  # so the RPO term changes the loss by a visible amount
    assert trl_loss == pytest.approx(expected + rpo_alpha * chosen_nll, abs=1e-5)


def test_a_negative_rpo_alpha_is_a_spec_error_naming_it(workdir: Path, tmp_path: Path):
    code, emitted = run_job("dpo", {"model": str(workdir / "llama"), "data": str(workdir / "pairs.jsonl"), "output_dir": str(tmp_path / "dpo"), "rpo_alpha": -0.5}, tmp_path)
    assert code == 2
    (error,) = of_kind(emitted, "error")
    assert error["type"] == "spec" and "'rpo_alpha'" in error["message"]


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_grpo_trains_on_rewards_from_the_service(workdir: Path, tmp_path: Path, arch: str):
    with FakeRewardService() as service:
        code, emitted = run_job("grpo", rl_spec(workdir, arch, tmp_path / "grpo", service.url, **GRPO_SMALL), tmp_path)
    assert code == 0, of_kind(emitted, "error")
    assert os.path.isfile(tmp_path / "grpo" / "final" / "adapter_model.safetensors")
    assert len(service.calls) == 2 and len(service.calls[0]["completions"]) == 4
    assert set(service.calls[0]["task_ids"]) <= {f"tiny/{i}" for i in range(6)}
    last = [m for m in of_kind(emitted, "metrics") if "loss" in m][-1]
    for name in ("reward_mean", "reward_std", "valid_rate", "kl", "learning_rate", "tokens_per_s", "samples_per_s"):
        assert name in last, name


def test_grpo_with_the_same_checks_baseline_trains_on_the_service_check_counts(workdir: Path, tmp_path: Path):
    with FakeRewardService() as service:
        code, emitted = run_job("grpo", rl_spec(workdir, "llama", tmp_path / "grpo", service.url, **GRPO_SMALL, group_baseline="same_checks", scale_rewards="none"), tmp_path)
    assert code == 0, of_kind(emitted, "error")
    assert (tmp_path / "grpo" / "final" / "adapter_model.safetensors").is_file()
    assert any("same_checks baseline, none reward scaling" in e["message"] for e in of_kind(emitted, "log"))


def test_the_same_checks_baseline_needs_whole_groups_on_each_process(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORLD_SIZE", "2")  # 2 completions per process, groups of 4: each process would see half a group
    spec = {**rl_spec(workdir, "llama", tmp_path / "grpo", "http://127.0.0.1:1/v1/score"), "batch_size": 2, "num_generations": 4, "group_baseline": "same_checks"}
    code, emitted = run_job("grpo", spec, tmp_path)
    assert code == 2
    (error,) = of_kind(emitted, "error")
    assert "'group_baseline'" in error["message"] and "whole groups" in error["message"]


def test_grpo_reward_error_fails_the_step_and_keeps_the_last_good_checkpoint(workdir: Path, tmp_path: Path):
    out = tmp_path / "grpo"
    spec = rl_spec(workdir, "llama", out, "", **{**GRPO_SMALL, "max_steps": 3})
    with FakeRewardService("error", fail_from_call=3) as service:
        code, emitted = run_job("grpo", {**spec, "reward_url": service.url}, tmp_path)
    assert code == 1
    (error,) = of_kind(emitted, "error")
    assert error["type"] == "RewardServiceError"
    assert "HTTP 500" in error["message"] and "step 3 was not applied" in error["message"] and "checkpoint-2" in error["message"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("checkpoint")) == ["checkpoint-1", "checkpoint-2"]
    assert json.loads((out / "checkpoint-2" / "trainer_state.json").read_text())["global_step"] == 2
    assert not (out / "final").exists()
    # With the service back, the same spec resumes from checkpoint-2 and finishes.
    with FakeRewardService() as service:
        code, emitted = run_job("grpo", {**spec, "reward_url": service.url}, tmp_path)
    assert code == 0, of_kind(emitted, "error")
    assert any("resuming from" in e["message"] and "checkpoint-2" in e["message"] for e in of_kind(emitted, "log"))
    assert len(service.calls) == 1 and (out / "final").is_dir()


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_ppo_trains_an_adapter_and_a_value_head(workdir: Path, tmp_path: Path, arch: str):
    with FakeRewardService() as service:
        code, emitted = run_job("ppo", rl_spec(workdir, arch, tmp_path / "ppo", service.url, **PPO_SMALL), tmp_path)
    assert code == 0, of_kind(emitted, "error")
    assert len(service.calls) == 2 and len(service.calls[0]["completions"]) == 3
    assert (tmp_path / "ppo" / "final" / "adapter_model.safetensors").is_file()
    assert (tmp_path / "ppo" / "checkpoint-2" / "value_head.safetensors").is_file()
    metrics = of_kind(emitted, "metrics")
    assert [m["step"] for m in metrics] == [1, 2]
    for name in ("loss", "policy_loss", "value_loss", "reward_mean", "reward_std", "valid_rate", "kl", "learning_rate", "tokens_per_s", "samples_per_s"):
        assert name in metrics[-1], name
    assert metrics[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the first rollout comes from the reference itself


def test_ppo_resumes_after_an_interruption_to_the_same_adapter(workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    spec = {**PPO_SMALL, "max_steps": 3}
    with FakeRewardService() as service:
        code, _ = run_job("ppo", rl_spec(workdir, "llama", tmp_path / "straight", service.url, **spec), tmp_path)
        assert code == 0
        checks = iter([False, False, True])  # Ctrl-C arrives during step 2: noticed before step 3
        monkeypatch.setattr(ppo, "interrupt_requested", lambda: next(checks))
        code, emitted = run_job("ppo", rl_spec(workdir, "llama", tmp_path / "resumed", service.url, **spec), tmp_path)
        assert code == 130
        assert of_kind(emitted, "interrupted")[0]["checkpoint"].endswith("checkpoint-2")
        monkeypatch.setattr(ppo, "interrupt_requested", lambda: False)
        code, emitted = run_job("ppo", rl_spec(workdir, "llama", tmp_path / "resumed", service.url, **spec), tmp_path)
        assert code == 0
    assert [m["step"] for m in of_kind(emitted, "metrics")] == [3]
    straight = load_file(tmp_path / "straight" / "final" / "adapter_model.safetensors")
    resumed = load_file(tmp_path / "resumed" / "final" / "adapter_model.safetensors")
    assert straight.keys() == resumed.keys()
    for name in straight:
        torch.testing.assert_close(resumed[name], straight[name], atol=1e-6, rtol=0)


def test_ppo_reward_timeout_fails_the_step_without_a_partial_checkpoint(workdir: Path, tmp_path: Path):
    out = tmp_path / "ppo"
    with FakeRewardService("slow", fail_from_call=2, delay_s=3) as service:
        code, emitted = run_job("ppo", rl_spec(workdir, "llama", out, service.url, **{**PPO_SMALL, "reward_timeout_s": 0.5}), tmp_path)
    assert code == 1
    (error,) = of_kind(emitted, "error")
    assert "did not answer within 0.5s" in error["message"] and "step 2 was not applied" in error["message"]
    assert sorted(p.name for p in out.iterdir()) == ["checkpoint-1"]
    assert json.loads((out / "checkpoint-1" / "trainer_state.json").read_text())["global_step"] == 1


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_merge_folds_the_adapter_into_a_plain_model(workdir: Path, tmp_path: Path, arch: str):
    with FakeRewardService() as service:
        assert run_job("ppo", rl_spec(workdir, arch, tmp_path / "ppo", service.url, **{**PPO_SMALL, "max_steps": 1}), tmp_path)[0] == 0
    code, emitted = run_job("merge", {"model": str(workdir / arch), "adapter": str(tmp_path / "ppo" / "final"), "output_dir": str(tmp_path / "merged")}, tmp_path)
    assert code == 0, of_kind(emitted, "error")
    assert of_kind(emitted, "artifact") == [{"event": "artifact", "kind": "model", "path": str(tmp_path / "merged")}]
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(os.listdir(tmp_path / "merged"))
    from peft import PeftModel

    ids = torch.tensor([[5, 6, 7, 8]])
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "merged")
    adapted = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(workdir / arch), tmp_path / "ppo" / "final")
    with torch.no_grad():
        torch.testing.assert_close(merged(ids).logits, adapted(ids).logits, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize(
    ("job", "spec", "field"),
    [
        ("grpo", {"batch_size": 6, "num_generations": 4}, "batch_size"),
        ("grpo", {"reward_url": "127.0.0.1:8787"}, "reward_url"),
        ("grpo", {"group_baseline": "per_check"}, "group_baseline"),
        ("grpo", {"scale_rewards": "task"}, "scale_rewards"),
        ("ppo", {"clip_range": 1.5}, "clip_range"),
        ("ppo", {"kl_estimator": "k4"}, "kl_estimator"),
    ],
)
def test_a_wrong_spec_field_is_named_with_exit_code_2(workdir: Path, tmp_path: Path, job: str, spec: dict, field: str):
    code, emitted = run_job(job, {**rl_spec(workdir, "llama", tmp_path / job, "http://127.0.0.1:1/v1/score"), **spec}, tmp_path)
    assert code == 2
    (error,) = of_kind(emitted, "error")
    assert error["type"] == "spec" and f"'{field}'" in error["message"]


def test_a_pairs_file_without_rejected_is_a_data_error_naming_the_line(workdir: Path, tmp_path: Path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"prompt": "p", "chosen": "c", "rejected": "r"}) + "\n" + json.dumps({"prompt": "p", "chosen": "c"}) + "\n")
    code, emitted = run_job("dpo", {"model": str(workdir / "llama"), "data": str(pairs), "output_dir": str(tmp_path / "dpo")}, tmp_path)
    assert code == 2
    assert "line 2" in of_kind(emitted, "error")[0]["message"] and "'rejected'" in of_kind(emitted, "error")[0]["message"]
