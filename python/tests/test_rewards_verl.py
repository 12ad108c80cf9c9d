"""python/testtune_rewards/verl.py called the way verl 0.9.1 calls it, against a real `testtune serve-rewards`.

verl loads the file by path (`verl.utils.import_utils.load_module`: `spec_from_file_location` under
a made-up module name), wraps it with `functools.partial` to merge `reward_kwargs`
(`verl.trainer.ppo.reward.get_custom_reward_fn`), and its reward manager calls it with keywords
only, once per response, from a worker thread (`NaiveRewardManager.run_single`). The rows come from
`testtune data export --format verl`, read with `datasets` as verl's RLHFDataset does. When verl
itself is installed, its own loader is used too.
"""

from __future__ import annotations

import concurrent.futures
import functools
import importlib.util
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.fixtures.rewards.serve import CLI, FAILING, PASSING, serve_rewards

PYTHON_DIR = Path(__file__).resolve().parents[1]
REWARD_FILE = PYTHON_DIR / "testtune_rewards" / "verl.py"


def load_like_verl():
    """What verl's load_module + get_custom_reward_fn do with `path` and `name: compute_score`."""
    spec = importlib.util.spec_from_file_location(f"custom_module_{hash(str(REWARD_FILE))}", REWARD_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def call_with_kwargs(raw_fn, extra_kwargs, *args, **kwargs):
        return raw_fn(*args, **{**kwargs, **extra_kwargs})

    return module, functools.partial(call_with_kwargs, module.compute_score, {})


def call_like_reward_manager(compute_score, row: dict, response: str):
    """NaiveRewardManager.run_single's call, extra_info filled as it fills it."""
    extra_info = dict(row.get("extra_info") or {})
    extra_info["num_turns"] = None
    extra_info["rollout_reward_scores"] = {}
    return compute_score(data_source=row["data_source"], solution_str=response, ground_truth=row["reward_model"]["ground_truth"], extra_info=extra_info)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("verl")


@pytest.fixture(scope="module")
def service(workdir: Path):
    with serve_rewards(workdir) as running:
        yield running


@pytest.fixture
def rows(service, workdir: Path) -> list[dict]:
    datasets = pytest.importorskip("datasets")
    out = workdir / "train.parquet"
    subprocess.run(["node", str(CLI), "data", "export", "--format", "verl", "--tasks", str(service["tasks"]), "--out", str(out)], check=True, capture_output=True)
    return list(datasets.load_dataset("parquet", data_files=str(out))["train"])


def test_scores_exported_rows_through_the_service(service, rows, monkeypatch):
    monkeypatch.setenv("TESTTUNE_REWARD_URL", service["url"])
    _, compute_score = load_like_verl()
    assert rows[0]["reward_model"] == {"style": "rule", "ground_truth": "t/add"}
    assert rows[0]["prompt"][0]["role"] == "user"
    assert call_like_reward_manager(compute_score, rows[0], PASSING + "<|im_end|>") == {"score": 1.0, "valid": 1.0}
    assert call_like_reward_manager(compute_score, rows[0], FAILING) == {"score": 0.3, "valid": 0.0}
    assert call_like_reward_manager(compute_score, rows[0], "no tests here") == {"score": 0.0, "valid": 0.0}


def test_many_threads_at_once_each_get_their_own_score(service, rows, monkeypatch):
    monkeypatch.setenv("TESTTUNE_REWARD_URL", service["url"] + "/v1/score")  # the full endpoint works too
    _, compute_score = load_like_verl()
    responses = [PASSING if i % 3 else FAILING for i in range(24)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        scores = list(pool.map(lambda r: call_like_reward_manager(compute_score, rows[0], r)["score"], responses))
    assert scores == [1.0 if i % 3 else 0.3 for i in range(24)]


def test_the_task_id_falls_back_to_extra_info(service, monkeypatch):
    monkeypatch.setenv("TESTTUNE_REWARD_URL", service["url"])
    module, compute_score = load_like_verl()
    assert compute_score(data_source="x", solution_str=PASSING, ground_truth=None, extra_info={"task_id": "t/add"})["score"] == 1.0
    with pytest.raises(module.RewardServiceError, match="no task id.*testtune data export --format verl"):
        compute_score(data_source="x", solution_str=PASSING, ground_truth="", extra_info={})


def test_an_unknown_task_is_an_error_naming_it(service, monkeypatch):
    monkeypatch.setenv("TESTTUNE_REWARD_URL", service["url"])
    module, compute_score = load_like_verl()
    with pytest.raises(module.RewardServiceError, match=r"HTTP 404 for task 'nope': unknown task id 'nope'"):
        compute_score(data_source="x", solution_str=PASSING, ground_truth="nope")


def test_an_unreachable_service_is_retried_until_the_time_is_up(monkeypatch):
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]  # bound, then closed: nothing listens there
    monkeypatch.setenv("TESTTUNE_REWARD_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TESTTUNE_REWARD_TIMEOUT_S", "1.5")
    module, compute_score = load_like_verl()
    with pytest.raises(module.RewardServiceError, match=r"did not score task 't/add' within 1.5 s.*unreachable.*TESTTUNE_REWARD_URL"):
        compute_score(data_source="x", solution_str=PASSING, ground_truth="t/add")
    monkeypatch.setenv("TESTTUNE_REWARD_TIMEOUT_S", "soon")
    with pytest.raises(module.RewardServiceError, match="TESTTUNE_REWARD_TIMEOUT_S must be a positive number"):
        compute_score(data_source="x", solution_str=PASSING, ground_truth="t/add")


def test_a_full_queue_is_retried_after_the_retry_after_it_gives(monkeypatch):
    """A stand-in service refuses twice (503, Retry-After: 0) and then scores."""
    calls: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            calls.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            refused = len(calls) <= 2
            body = json.dumps({"error": "the queue is full"} if refused else {"scores": [0.75], "details": [{"valid": True}]}).encode()
            self.send_response(503 if refused else 200)
            if refused:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setenv("TESTTUNE_REWARD_URL", f"http://127.0.0.1:{server.server_address[1]}")
        _, compute_score = load_like_verl()
        assert compute_score(data_source="x", solution_str="s", ground_truth="t/9") == {"score": 0.75, "valid": 1.0}
        server.shutdown()
    assert calls == [{"task_ids": ["t/9"], "completions": ["s"]}] * 3


def test_verls_own_loader_finds_it(service, rows, monkeypatch):
    """Only where verl is installed (it is not part of testtune's environment)."""
    reward = pytest.importorskip("verl.trainer.ppo.reward")
    omegaconf = pytest.importorskip("omegaconf")
    monkeypatch.setenv("TESTTUNE_REWARD_URL", service["url"])
    config = omegaconf.OmegaConf.create({"reward": {"custom_reward_function": {"path": str(REWARD_FILE), "name": "compute_score", "reward_kwargs": {}}}})
    compute_score = reward.get_custom_reward_fn(config)
    assert call_like_reward_manager(compute_score, rows[0], PASSING) == {"score": 1.0, "valid": 1.0}


def test_the_example_config_passes_verls_own_validation(monkeypatch):
    """configs/verl/grpo_testtune.yaml composed on verl's ppo_trainer and checked as main_ppo checks it (only where verl is installed)."""
    pytest.importorskip("verl.trainer.ppo.utils")
    hydra = pytest.importorskip("hydra")
    from verl.experimental.reward_loop.reward_loop import migrate_legacy_reward_impl
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    monkeypatch.delenv("TESTTUNE_REWARD_URL", raising=False)
    with hydra.initialize_config_dir(config_dir=str(PYTHON_DIR.parent / "configs" / "verl"), version_base=None):
        config = hydra.compose(config_name="grpo_testtune", overrides=[f"reward.custom_reward_function.path={REWARD_FILE}"])
    config = migrate_legacy_reward_impl(config)
    validate_config(config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config))
    assert config.algorithm.adv_estimator == "grpo" and not need_critic(config)
    assert config.reward.custom_reward_function.path == str(REWARD_FILE)
    assert config.ray_kwargs.ray_init.runtime_env.env_vars.TESTTUNE_REWARD_URL == "http://127.0.0.1:8787"


class CharTokenizer:
    """One token per character: all verl's naive reward manager asks of a tokenizer is `decode`."""

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        return "".join(chr(int(i)) for i in ids if int(i) != 0)


def test_verls_naive_reward_manager_scores_a_rollout_batch(service, rows, monkeypatch):
    """verl's own NaiveRewardManager (the default) runs a batch of responses through the function (only where verl is installed)."""
    pytest.importorskip("verl.experimental.reward_loop.reward_manager.naive")
    import asyncio

    import numpy as np
    import torch
    from omegaconf import OmegaConf
    from verl import DataProto
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
    from verl.trainer.ppo.reward import get_custom_reward_fn

    monkeypatch.setenv("TESTTUNE_REWARD_URL", service["url"])
    config = OmegaConf.create({"reward": {"custom_reward_function": {"path": str(REWARD_FILE), "name": "compute_score"}}})
    manager = NaiveRewardManager(config, CharTokenizer(), get_custom_reward_fn(config))
    responses = [PASSING, FAILING, PASSING]
    width = max(len(r) for r in responses)
    ids = torch.tensor([[ord(c) for c in r] + [0] * (width - len(r)) for r in responses])
    prompt = torch.ones((len(responses), 4), dtype=torch.long)
    mask = torch.cat([prompt, (ids != 0).long()], dim=1)
    data = DataProto.from_dict(
        tensors={"prompts": prompt, "responses": ids, "attention_mask": mask},
        non_tensors={
            "data_source": np.array([rows[0]["data_source"]] * 3, dtype=object),
            "reward_model": np.array([rows[0]["reward_model"]] * 3, dtype=object),
            "extra_info": np.array([dict(rows[0]["extra_info"]) for _ in range(3)], dtype=object),
        },
    )

    async def score_each():
        return await asyncio.gather(*(manager.run_single(data[i : i + 1]) for i in range(len(data))))

    results = manager.loop.run_until_complete(score_each())
    assert [r["reward_score"] for r in results] == [1.0, 0.3, 1.0]
    assert [r["reward_extra_info"]["valid"] for r in results] == [1.0, 0.0, 1.0]
