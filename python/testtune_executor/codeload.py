"""The code under test is imported from a code object, never from a file a test could read.

Why: the same tests run against the original code and against each mutant. If the module's
source were readable (a file on disk, ``inspect.getsource``, ``linecache``), a test could
compare it with the original text it was shown and "kill" every mutant without testing any
behaviour. So the code is compiled in the server and its module gets a ``__file__`` that
does not exist and a loader without ``get_source``; the same holds for the original and every
mutant, so no run can tell which one it is.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Sequence


class _CodeLoader(importlib.abc.Loader):
    def __init__(self, code: types.CodeType) -> None:
        self._code = code

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        exec(self._code, module.__dict__)


class CodeFinder(importlib.abc.MetaPathFinder):
    """Finds the modules it was given (name -> (code object, file name)) before anything else."""

    def __init__(self, modules: dict[str, tuple[types.CodeType, str]]) -> None:
        self._modules = modules

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        entry = self._modules.get(fullname)
        if entry is None:
            return None
        code, filename = entry
        spec = importlib.machinery.ModuleSpec(fullname, _CodeLoader(code), origin=filename)
        spec.has_location = True  # sets __file__, which coverage uses to attribute lines
        return spec


def install(modules: dict[str, tuple[types.CodeType, str]]) -> CodeFinder:
    finder = CodeFinder(modules)
    sys.meta_path.insert(0, finder)
    return finder


def compile_module(source: str, filename: str) -> types.CodeType:
    """Compiles module source; raises SyntaxError (or ValueError for null bytes)."""
    return compile(source, filename, "exec", dont_inherit=True)
