"""The one-shot commands' shared shape: a JSON request on stdin, a JSON answer on stdout.

`calls`, `mutants` and `target` each read one list field, check it, and answer with one result
per item; a malformed request is exit 2 with the reason on stderr (the TypeScript side reports
it as ours, never the sample's).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def answer_stdin_request(command: str, field: str, is_valid: Callable[[Any], bool], expected: str, answer: Callable[[list[Any]], dict[str, Any]]) -> int:
    """Reads `{field: [...]}` from stdin, writes `answer(items)` to stdout; 2 for a bad request."""
    try:
        items = json.load(sys.stdin)[field]
        if not isinstance(items, list) or not is_valid(items):
            raise TypeError(f"'{field}' must be {expected}")
    except (ValueError, KeyError, TypeError) as error:
        print(f"testtune_executor.{command}: bad request on stdin: {error}", file=sys.stderr)
        return 2
    json.dump(answer(items), sys.stdout)
    sys.stdout.write("\n")
    return 0
