"""testtune's reward for verl: scores a response by POSTing it to a running `testtune serve-rewards`.

Matched against verl 0.9.1. verl loads this file by path (`verl.utils.import_utils.load_module`)
and calls, once per response, from a thread of its reward loop:

    compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)

with `solution_str` the decoded response and `ground_truth` the row's `reward_model.ground_truth`,
which `testtune data export --format verl` sets to the task id (`extra_info.task_id` holds it too).
A dict answer's `score` is the reward; its other keys (`valid`) are logged per step.

    testtune serve-rewards --tasks tasks.jsonl --port 8787 &
    python3 -m verl.trainer.main_ppo ... \
        reward.custom_reward_function.path=python/testtune_rewards/verl.py \
        reward.custom_reward_function.name=compute_score

Settings (environment, read on each call):
    TESTTUNE_REWARD_URL        the service, default http://127.0.0.1:8787 (/v1/score is appended)
    TESTTUNE_REWARD_TIMEOUT_S  how long one response may take to score, retries included; default 900

A 503 (the service's queue is full, or the sandbox failed twice) and an unreachable service are
retried after the Retry-After the service gives (1 s otherwise) until the time is up. Anything
else raises `RewardServiceError`, naming the URL, the task and the service's message: verl then
stops rather than train on made-up rewards.

Standard library only, so it runs in any verl environment; this is why it does not share
testtune_engine's reward client.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8787"
DEFAULT_TIMEOUT_S = 900.0


class RewardServiceError(Exception):
    """The reward service could not score a response."""


def _score_url() -> str:
    url = os.environ.get("TESTTUNE_REWARD_URL", DEFAULT_URL).rstrip("/")
    return url if url.endswith("/v1/score") else f"{url}/v1/score"


def _timeout_s() -> float:
    raw = os.environ.get("TESTTUNE_REWARD_TIMEOUT_S", str(DEFAULT_TIMEOUT_S))
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise RewardServiceError(f"TESTTUNE_REWARD_TIMEOUT_S must be a positive number of seconds, got {raw!r}")
    return value


def _task_id(ground_truth: Any, extra_info: Any) -> str:
    if isinstance(ground_truth, str) and ground_truth != "":
        return ground_truth
    if isinstance(extra_info, dict) and isinstance(extra_info.get("task_id"), str):
        return extra_info["task_id"]
    raise RewardServiceError(
        f"no task id: reward_model.ground_truth is {ground_truth!r} and extra_info has no task_id; "
        "write the parquet with `testtune data export --format verl`"
    )


def _post(url: str, body: bytes, timeout_s: float) -> tuple[int, bytes, float | None]:
    """(status, body, Retry-After seconds or None); raises OSError when the service is unreachable."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status, response.read(), None
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After") if error.headers is not None else None
        return error.code, error.read(), float(retry_after) if retry_after and retry_after.isdigit() else None


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Any = None, **kwargs: Any) -> dict[str, float]:
    """The reward of one response: {"score": reward, "valid": 1.0 when the test file is valid, else 0.0}."""
    del data_source, kwargs  # verl passes them (and reward-model routing arguments); the task id decides
    task_id = _task_id(ground_truth, extra_info)
    url = _score_url()
    timeout_s = _timeout_s()
    body = json.dumps({"task_ids": [task_id], "completions": [solution_str]}).encode("utf-8")
    deadline = time.monotonic() + timeout_s
    last = ""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RewardServiceError(f"reward service {url} did not score task {task_id!r} within {timeout_s:g} s (TESTTUNE_REWARD_TIMEOUT_S): {last}")
        wait = 1.0
        try:
            status, raw, retry_after = _post(url, body, left)
        except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError) as error:
            last = f"unreachable ({getattr(error, 'reason', error)}); is `testtune serve-rewards` running there (TESTTUNE_REWARD_URL)?"
        else:
            if status == 200:
                return _reward(url, task_id, raw)
            message = _error_message(raw)
            if status != 503:
                raise RewardServiceError(f"reward service {url} answered HTTP {status} for task {task_id!r}: {message}")
            last = f"HTTP 503: {message}"
            wait = retry_after if retry_after is not None else wait
        time.sleep(min(wait, max(0.0, deadline - time.monotonic())))


def _error_message(raw: bytes) -> str:
    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw[:300].decode("utf-8", "replace")
    return str(answer.get("error", answer)) if isinstance(answer, dict) else str(answer)


def _reward(url: str, task_id: str, raw: bytes) -> dict[str, float]:
    try:
        answer = json.loads(raw)
        score = answer["scores"][0]
        valid = answer["details"][0]["valid"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, IndexError, TypeError):
        raise RewardServiceError(f"reward service {url} answered task {task_id!r} with something that is not a score: {raw[:200]!r}") from None
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        raise RewardServiceError(f"reward service {url}: the score of task {task_id!r} is {score!r}, not a number")
    return {"score": float(score), "valid": 1.0 if valid is True else 0.0}
