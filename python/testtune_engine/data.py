"""Reading the JSONL inputs that jobs name in their specs, with errors naming file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .spec import DataError


def read_jsonl(file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yields (1-based line number, object) for each non-blank line."""
    try:
        handle = open(file, encoding="utf-8")
    except FileNotFoundError:
        raise DataError(file, "", "file not found") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(file, f"line {number}", f"not valid JSON ({error})") from None
            if not isinstance(value, dict):
                raise DataError(file, f"line {number}", "each line must be a JSON object")
            yield number, value


def string_field(file: str, number: int, row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if not isinstance(value, str):
        raise DataError(file, f"line {number}", f"field {name!r} must be a string, got {type(value).__name__}")
    return value


def read_texts(file: str) -> list[str]:
    """A training corpus: each line has `text`, or `prompt` and `completion` (joined)."""
    texts = []
    for number, row in read_jsonl(file):
        if "text" in row:
            texts.append(string_field(file, number, row, "text"))
        elif "prompt" in row and "completion" in row:
            texts.append(string_field(file, number, row, "prompt") + string_field(file, number, row, "completion"))
        else:
            raise DataError(file, f"line {number}", "needs a 'text' field, or 'prompt' and 'completion' fields")
    if not texts:
        raise DataError(file, "", "no texts (the file is empty)")
    return texts


def read_pairs(file: str) -> list[dict[str, str]]:
    """Prompt/completion pairs for supervised fine-tuning."""
    pairs = [
        {"prompt": string_field(file, number, row, "prompt"), "completion": string_field(file, number, row, "completion")}
        for number, row in read_jsonl(file)
    ]
    if not pairs:
        raise DataError(file, "", "no prompt/completion pairs (the file is empty)")
    return pairs
