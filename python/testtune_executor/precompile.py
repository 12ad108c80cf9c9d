"""pytest's assertion rewriting of the test file, done once per job in the server.

pytest rewrites a test module's ``assert`` statements (an AST transform, then compile) every
time it imports it, and a job imports the same file in its main run, its coverage run and
every mutant run. Rewriting executes nothing, so the server does it once, before the runs
fork, and pytest's import hook finds the result here. A run only gets the cached code when
the file it imports holds exactly the bytes that were rewritten; anything else is rewritten
as usual.
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from _pytest.assertion import rewrite

_original = rewrite._rewrite_test
_cache: dict[tuple[str, bytes], tuple[bytes, types.CodeType]] = {}


def _rewrite_test(fn: Path, config: pytest.Config) -> tuple[bytes, types.CodeType]:
    hit = _cache.get((str(fn), fn.read_bytes()))
    return hit if hit is not None else _original(fn, config)


def install() -> None:
    rewrite._rewrite_test = _rewrite_test  # type: ignore[assignment]


def prepare(path: str, config: pytest.Config) -> None:
    """Rewrites the test file at ``path`` (already written) unless these bytes were rewritten
    already; keeps only the latest file."""
    fn = Path(path)
    key = (path, fn.read_bytes())
    if key in _cache:
        return
    _cache.clear()
    try:
        _cache[key] = _original(fn, config)
    except Exception:  # noqa: BLE001 - pytest meets the same problem in the run and reports it
        pass
