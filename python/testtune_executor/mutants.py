"""Scoring a test file against mutants of the code (the mutants come from mutate.py).

A mutant is killed when the tests do not pass on it: a test failed or errored, the module
failed to import, the run crashed or ran out of memory. It survives when every test passed
(or nothing ran). A mutant that makes the run exceed its time limit is a ``timeout``, and
counts as detected in the score, as in PIT and mutmut: a suite that hangs on the mutant does
not pass on it, and the limit is generous (see job.py) so a slow machine does not turn
survivors into timeouts. ``error`` (the mutant could not be run: our failure) is left out
of the score.

    score = (killed + timeout) / (killed + survived + timeout)     (0 when no mutant ran)

Run as ``python -m testtune_executor.mutants``: reads ``{"sources": ["<module>", ...]}`` on
stdin and writes ``{"mutants": [[{"id", "operator", "line", "source"}, ...] | null, ...]}``
(null for a source that does not parse), so that callers can fix a task's mutant set once
(src/quality/mutant-sets.ts). Generating mutants only parses and rewrites: nothing runs.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from typing import Any

from .mutate import generate_mutants
from .protocol import MutantSpec
from .stdin_request import answer_stdin_request

_KILLED = {"failed", "error", "collection_error", "syntax_error", "memory", "crashed"}
_SURVIVED = {"passed", "no_tests"}


@dataclass
class MutantOutcome:
    spec: MutantSpec
    status: str  # killed | survived | timeout | error
    detail: str


def mutant_status(run_status: str) -> str:
    """The mutant's status from the status of the run against it (rejected is handled before)."""
    if run_status in _KILLED:
        return "killed"
    if run_status in _SURVIVED:
        return "survived"
    if run_status == "timeout":
        return "timeout"
    return "error"


def mutation_report(outcomes: list[MutantOutcome]) -> dict[str, Any]:
    """A MutationReport (see src/sandbox/types.ts)."""
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in ("killed", "survived", "timeout", "error")}
    scored = counts["killed"] + counts["survived"] + counts["timeout"]
    return {
        "total": len(outcomes),
        "killed": counts["killed"],
        "survived": counts["survived"],
        "timeout": counts["timeout"],
        "score": (counts["killed"] + counts["timeout"]) / scored if scored else 0.0,
        "mutants": [{"id": o.spec.id, "operator": o.spec.operator, "line": o.spec.line, "status": o.status} for o in outcomes],
    }


def generate(source: str, max_mutants: int | None) -> list[MutantSpec]:
    """The mutants of ``source`` from mutate.py, in its deterministic order."""
    return [MutantSpec(m.id, m.operator, m.line, m.source) for m in generate_mutants(source, max_mutants)]


def _mutants_or_none(source: str) -> list[dict[str, Any]] | None:
    try:
        return [asdict(spec) for spec in generate(source, None)]
    except (SyntaxError, ValueError, RecursionError):
        return None


def main() -> int:
    return answer_stdin_request(
        "mutants", "sources", lambda sources: all(isinstance(s, str) for s in sources), "a list of strings",
        lambda sources: {"mutants": [_mutants_or_none(s) for s in sources]},
    )

if __name__ == "__main__":
    sys.exit(main())
