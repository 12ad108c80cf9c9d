"""Line and branch coverage of the code module, with coverage.py.

The run measures (``Measurement``) and sends only the executed arcs; the server, which holds the
source, does the analysis (``analyse``) with coverage.py's own parser and branch rules. The run
never sees the source (see codeload.py), so it could not do the analysis itself.
"""

from __future__ import annotations

import coverage
from coverage.config import DEFAULT_EXCLUDE, DEFAULT_PARTIAL, DEFAULT_PARTIAL_ALWAYS
from coverage.misc import join_regex
from coverage.parser import PythonParser
from coverage.results import analysis_from_file_reporter
from coverage.sqldata import CoverageData

Arc = tuple[int, int]


class Measurement:
    """Branch measurement of one file, started before collection so module-level lines count."""

    def __init__(self, filename: str) -> None:
        self._filename = filename
        self._cov = coverage.Coverage(data_file=None, branch=True, include=[filename], config_file=False, messages=False)
        self._cov.start()

    def stop(self) -> list[Arc]:
        self._cov.stop()
        data = self._cov.get_data()
        arcs: list[Arc] = []
        for measured in data.measured_files():
            arcs.extend(data.arcs(measured) or [])
        return sorted(set(arcs))


class _SourceReporter:
    """The parts of coverage's FileReporter that analysis needs, over source text."""

    def __init__(self, source: str) -> None:
        self.parser = PythonParser(text=source, exclude=join_regex(DEFAULT_EXCLUDE))
        self.parser.parse_source()

    def lines(self) -> set[int]:
        return self.parser.statements

    def excluded_lines(self) -> set[int]:
        return self.parser.excluded

    def translate_lines(self, lines: object) -> set[int]:
        return self.parser.translate_lines(lines)  # type: ignore[arg-type]

    def arcs(self) -> set[Arc]:
        return self.parser.arcs()

    def translate_arcs(self, arcs: object) -> set[Arc]:
        return self.parser.translate_arcs(arcs)  # type: ignore[arg-type]

    def exit_counts(self) -> dict[int, int]:
        return self.parser.exit_counts()

    def no_branch_lines(self) -> set[int]:
        return self.parser.lines_matching(join_regex(DEFAULT_PARTIAL + DEFAULT_PARTIAL_ALWAYS))


def analyse(source: str, filename: str, arcs: list[Arc]) -> dict[str, object]:
    """A CoverageReport (see src/sandbox/types.ts) of ``source`` given the arcs a run executed."""
    data = CoverageData(no_disk=True)
    data.add_arcs({filename: set(arcs)})
    analysis = analysis_from_file_reporter(data, 2, _SourceReporter(source), filename)  # type: ignore[arg-type]
    numbers = analysis.numbers
    lines_covered = numbers.n_statements - numbers.n_missing
    branches_covered = numbers.n_branches - numbers.n_missing_branches
    return {
        "line": lines_covered / numbers.n_statements if numbers.n_statements else 1.0,
        "branch": branches_covered / numbers.n_branches if numbers.n_branches else 1.0,
        "lines_total": numbers.n_statements,
        "lines_covered": lines_covered,
        "branches_total": numbers.n_branches,
        "branches_covered": branches_covered,
        "missing_lines": sorted(analysis.missing),
    }
