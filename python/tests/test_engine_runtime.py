"""Process-wide settings of engine jobs."""

from __future__ import annotations

import pytest
import torch

from testtune_engine import runtime


def test_cudnn_attention_is_turned_off_on_cuda_only(monkeypatch: pytest.MonkeyPatch):
    calls: list[bool] = []
    monkeypatch.setattr(torch.backends.cuda, "enable_cudnn_sdp", calls.append)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    runtime.avoid_cudnn_attention()
    assert calls == []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    runtime.avoid_cudnn_attention()
    assert calls == [False]
