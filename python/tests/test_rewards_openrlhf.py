"""`testtune serve-rewards` answering OpenRLHF 0.11.2's remote reward request (`--reward.remote_url`).

OpenRLHF's SingleTurnAgentExecutor (openrlhf/utils/agent.py) decodes prompt + response token ids
with `skip_special_tokens=False` into `query`, POSTs `{"query": [query], "prompts": [prompt],
"labels": [label]}` (one rollout per request, the label from `--data.label_key`), and reads
`rewards` as the reward, `scores` (else `rewards`) as the score and `extra_logs` as extra metrics.
The first test sends that request itself; the second runs OpenRLHF's own executor where openrlhf
is installed.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.rewards.serve import FAILING, PASSING, TASK_ID, serve_rewards

PROMPT = "<|im_start|>user\nWrite pytest tests for solution.py<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with serve_rewards(tmp_path_factory.mktemp("openrlhf")) as running:
        yield running


def post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_openrlhfs_request_shape_gets_rewards_scores_and_extra_logs(service):
    url = f"{service['url']}/v1/score"
    for response, reward, valid in [(PASSING, 1.0, 1), (FAILING, 0.3, 0)]:
        info = post(url, {"query": [PROMPT + response + "<|im_end|>"], "prompts": [PROMPT], "labels": [TASK_ID]})
        assert info["rewards"] == [reward]
        assert (info.get("scores") or info["rewards"]) == [reward]
        assert info["extra_logs"] == {"valid": [valid]}


class CharTokenizer:
    """One token per character, called the way OpenRLHF's executor calls a Hugging Face tokenizer."""

    def __call__(self, text: str, add_special_tokens: bool = False, return_tensors: str = "pt"):
        import torch

        return {"input_ids": torch.tensor([[ord(c) for c in text]])}

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        return "".join(chr(i) for i in ids)


class ScriptedEngine:
    """Stands in for the vLLM engine: answers every prompt with the same response."""

    def __init__(self, response: str) -> None:
        self.response = response

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        from types import SimpleNamespace

        output = SimpleNamespace(token_ids=[ord(c) for c in self.response], text=self.response, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


def test_openrlhfs_own_executor_gets_the_reward(service):
    """Only where openrlhf is installed (it is not part of testtune's environment)."""
    agent = pytest.importorskip("openrlhf.utils.agent")
    import asyncio
    from types import SimpleNamespace

    executor = agent.SingleTurnAgentExecutor(remote_rm_url=[f"{service['url']}/v1/score"])
    params = SimpleNamespace(max_tokens=512, logprobs=None)
    for response, reward, valid in [(PASSING + "<|im_end|>", 1.0, 1), (FAILING, 0.3, 0)]:
        output = asyncio.run(executor.execute(PROMPT, TASK_ID, params, 2048, CharTokenizer(), ScriptedEngine(response)))
        assert output["reward"] == [reward]
        assert output["scores"] == [reward]
        assert output["extra_logs"] == {"valid": [valid]}
