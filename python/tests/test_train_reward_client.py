"""The reward-service client (rl/reward_client.py) against a local HTTP server that misbehaves on demand.

`FakeRewardService` speaks the reward service's protocol (docs/rewards.md); the job tests in
test_train_jobs.py use it too.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from testtune_engine.rl.reward_client import RewardServiceError, score_completions, valid_rate


class FakeRewardService:
    """Scores a completion by how many `assert` it contains (0.5 each, at most 1); valid when >= 1.

    `mode` is "ok", "error" (HTTP 500), "slow" (answers after `delay_s`), "garbage" (not JSON) or
    "short" (one score too few); `fail_from_call` switches from "ok" to `mode` at that call (1-based).
    """

    def __init__(self, mode: str = "ok", fail_from_call: int = 1, delay_s: float = 2.0) -> None:
        self.mode, self.fail_from_call, self.delay_s = mode, fail_from_call, delay_s
        self.calls: list[dict] = []
        self.ranks: list[str | None] = []  # the X-Testtune-Rank header of each call, in order
        self.lock = threading.Lock()  # calls from several training processes arrive at once
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with service.lock:
                    service.calls.append(request)
                    service.ranks.append(self.headers.get("X-Testtune-Rank"))
                mode = service.mode if len(service.calls) >= service.fail_from_call else "ok"
                if mode == "slow":
                    time.sleep(service.delay_s)
                if mode == "error":
                    return self._send(500, b'{"error": "sandbox pool is down"}')
                if mode == "garbage":
                    return self._send(200, b"<html>not json</html>")
                scores = [min(1.0, 0.5 * c.count("assert")) for c in request["completions"]]
                if mode == "short":
                    scores = scores[:-1]
                details = [{"status": "passed", "valid": s >= 1.0, "reward": s, "static_assertions": c.count("assert")} for s, c in zip(scores, request["completions"])]
                self._send(200, json.dumps({"scores": scores, "details": details}).encode())

            def _send(self, code: int, body: bytes) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/score"

    def __enter__(self) -> FakeRewardService:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_scores_and_validity_come_back_in_order():
    with FakeRewardService() as service:
        batch = score_completions(service.url, ["a", "b"], ["assert 1\nassert 2", "x = 1"], timeout_s=5)
    assert batch.scores == [1.0, 0.0]
    assert batch.valid == [True, False]
    assert batch.checks == [2, 0]
    assert valid_rate(batch) == 0.5
    assert service.calls == [{"task_ids": ["a", "b"], "completions": ["assert 1\nassert 2", "x = 1"]}]


def test_check_counts_are_read_only_when_every_detail_has_one():
    from testtune_engine.rl.reward_client import parse_answer

    answer = {"scores": [1, 0], "details": [{"valid": True, "static_assertions": 3}, {"valid": False, "static_assertions": None}]}
    assert parse_answer("u", json.dumps(answer).encode(), 2).checks == [3, None]
    answer["details"][1] = {"valid": False}
    assert parse_answer("u", json.dumps(answer).encode(), 2).checks is None
    answer["details"][1] = {"valid": False, "static_assertions": "3"}
    assert parse_answer("u", json.dumps(answer).encode(), 2).checks is None


def test_a_timeout_names_the_url_and_the_limit():
    with FakeRewardService("slow", delay_s=2.0) as service:
        with pytest.raises(RewardServiceError, match=r"did not answer within 0\.3s \(reward_timeout_s\)") as caught:
            score_completions(service.url, ["a"], ["assert 1"], timeout_s=0.3)
    assert service.url in str(caught.value)


def test_an_http_error_carries_the_status_and_body():
    with FakeRewardService("error") as service:
        with pytest.raises(RewardServiceError, match=r"answered HTTP 500: .*sandbox pool is down"):
            score_completions(service.url, ["a"], ["assert 1"], timeout_s=5)


@pytest.mark.parametrize(("mode", "message"), [("garbage", "not JSON"), ("short", "'scores' list of 2")])
def test_a_malformed_answer_is_refused(mode: str, message: str):
    with FakeRewardService(mode) as service:
        with pytest.raises(RewardServiceError, match=message):
            score_completions(service.url, ["a", "b"], ["assert 1", "assert 2"], timeout_s=5)


def test_an_unreachable_service_says_so():
    with FakeRewardService() as service:
        url = service.url
    with pytest.raises(RewardServiceError, match="is unreachable"):
        score_completions(url, ["a"], ["assert 1"], timeout_s=2)
