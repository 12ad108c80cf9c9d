"""The event channel: one JSON object per line on the process's original stdout.

Libraries print to stdout freely (progress bars, warnings, banners). To keep the channel
clean, `open_channel()` keeps a private duplicate of file descriptor 1 for events and points
fd 1 and `sys.stdout` at stderr, so anything else ends up in the log the caller keeps.
Only the main process (rank 0 under accelerate/torchrun) emits events.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import IO, Any

_channel: IO[str] | None = None


def is_main_process() -> bool:
    """Rank 0, or not distributed at all (accelerate and torchrun set RANK)."""
    return int(os.environ.get("RANK", "0")) == 0


def open_channel() -> None:
    """Moves stdout aside: events go to the original fd 1, everything else to stderr."""
    global _channel
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if is_main_process():
        _channel = os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")
    else:
        os.close(events_fd)


def set_channel(stream: IO[str] | None) -> None:
    """Sends events to `stream` instead (tests that run a job in-process)."""
    global _channel
    _channel = stream


def _finite(value: Any) -> Any:
    # JSON has no NaN or Infinity; a diverged loss is reported as null rather than breaking the line.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_line(value: Any) -> None:
    """Writes one JSON value as a line on the channel."""
    if _channel is None:
        return
    _channel.write(json.dumps(value, ensure_ascii=False, allow_nan=False) + "\n")
    _channel.flush()


def emit(event: str, **fields: Any) -> None:
    write_line({"event": event, **{key: _finite(value) for key, value in fields.items()}})


def progress(step: int, total: int | None, unit: str) -> None:
    emit("progress", step=step, total=total, unit=unit)


def metrics(step: int, values: dict[str, float]) -> None:
    emit("metrics", step=step, **values)


def log(message: str, level: str = "info") -> None:
    """A log line for the user; it is also kept by the caller to explain a failure."""
    emit("log", level=level, message=message)


def artifact(kind: str, path: str) -> None:
    emit("artifact", kind=kind, path=os.path.abspath(path))


def error(message: str, error_type: str) -> None:
    if _channel is None and not is_main_process():
        # Only rank 0 has the channel; another rank's failure still reaches the caller's stderr tail.
        sys.stderr.write(f"rank {os.environ.get('RANK')}: error ({error_type}): {message}\n")
    emit("error", message=message, type=error_type)


def interrupted(checkpoint: str | None) -> None:
    emit("interrupted", checkpoint=None if checkpoint is None else os.path.abspath(checkpoint))
