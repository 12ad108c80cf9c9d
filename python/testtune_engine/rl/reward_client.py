"""Scores completions with testtune's reward service: `POST <url>` with task ids and completions.

Request `{"task_ids": [...], "completions": [...]}`; response `{"scores": [number | null, ...],
"details": [{"valid": bool, "static_assertions": int | null, ...}, ...]}` (docs/rewards.md). A null score is a completion the
sandbox could not run (its failure, not the sample's): callers leave it out of training.

Any failure (unreachable, timeout, an HTTP error, a malformed answer) raises
`RewardServiceError` with a message naming the URL and what went wrong. A training step
never goes on with made-up rewards: the job fails before the step changes the model, so the
newest checkpoint on disk stays the last good one and a re-run resumes from it.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class RewardServiceError(Exception):
    """The reward service could not score a batch."""


@dataclass
class ScoredBatch:
    scores: list[float | None]  # one per completion; None when the service could not score it
    valid: list[bool] | None  # one per completion, when the service reports validity
    checks: list[int | None] | None = None  # checks written (static count; None: the file does not parse), when reported


def score_completions(url: str, task_ids: list[str], completions: list[str], timeout_s: float) -> ScoredBatch:
    """POSTs one batch and checks the answer's shape; raises RewardServiceError on any failure."""
    body = json.dumps({"task_ids": task_ids, "completions": completions}).encode("utf-8")
    # The rank says which of several training processes asked (each scores its own completions), for logs and tests.
    headers = {"Content-Type": "application/json", "X-Testtune-Rank": os.environ.get("RANK", "0")}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:300]
        raise RewardServiceError(f"reward service {url} answered HTTP {error.code}: {detail}") from None
    except (TimeoutError, socket.timeout):
        raise RewardServiceError(f"reward service {url} did not answer within {timeout_s:g}s (reward_timeout_s)") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise RewardServiceError(f"reward service {url} did not answer within {timeout_s:g}s (reward_timeout_s)") from None
        raise RewardServiceError(f"reward service {url} is unreachable: {error.reason}") from None
    return parse_answer(url, raw, len(completions))


def parse_answer(url: str, raw: bytes, expected: int) -> ScoredBatch:
    try:
        answer: Any = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RewardServiceError(f"reward service {url} answered something that is not JSON: {raw[:200]!r}") from None
    scores = answer.get("scores") if isinstance(answer, dict) else None
    if not isinstance(scores, list) or len(scores) != expected:
        raise RewardServiceError(f"reward service {url} answered without a 'scores' list of {expected} numbers")
    for index, score in enumerate(scores):
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise RewardServiceError(f"reward service {url}: scores[{index}] is {score!r}, not a number or null")
    details = answer.get("details")
    valid = None
    checks = None
    if isinstance(details, list) and len(details) == expected and all(isinstance(d, dict) for d in details):
        if all(isinstance(d.get("valid"), bool) for d in details):
            valid = [d["valid"] for d in details]
        counts = [d.get("static_assertions") for d in details]
        if all("static_assertions" in d for d in details) and all(c is None or (isinstance(c, int) and not isinstance(c, bool)) for c in counts):
            checks = counts
    return ScoredBatch(scores=[None if s is None else float(s) for s in scores], valid=valid, checks=checks)


def valid_rate(batch: ScoredBatch) -> float | None:
    """Fraction of the batch's completions that are valid test files, when the service says."""
    if batch.valid is None or not batch.valid:
        return None
    return sum(batch.valid) / len(batch.valid)


def step_not_applied(error: RewardServiceError, step: int, kept: str | None) -> RewardServiceError:
    """The error a training job stops with: what failed, and where a re-run resumes."""
    resume = f"the newest checkpoint is {kept}" if kept else "no checkpoint was saved yet"
    return RewardServiceError(f"{error}; step {step} was not applied and {resume}: re-running the spec resumes from there")
