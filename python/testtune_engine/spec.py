"""Reading a job spec file into the job's dataclass, checking every field.

A spec is a JSON object `{"version": 1, "job": "<job>", ...fields}`. The TypeScript side
validates it with zod before launching the job; the job validates it again here, because a
spec can also be written by hand. Any unknown, missing or wrongly-typed field is a
`SpecError` naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Literal, TypeVar, Union

from . import SPEC_VERSION


class SpecError(Exception):
    """A spec file (or a value in it) that the job cannot use."""

    def __init__(self, file: str, field: str, detail: str) -> None:
        self.file = file
        self.field = field
        self.detail = detail
        super().__init__(f"{file}: {f'field {field!r}: ' if field else ''}{detail}")


class DataError(Exception):
    """An input data file named by the spec that cannot be read as its format."""

    def __init__(self, file: str, location: str, detail: str) -> None:
        super().__init__(f"{file}{f' {location}' if location else ''}: {detail}")


class FieldProblem(Exception):
    """Raised by a spec's `check()` for a value that has the right type but cannot work."""

    def __init__(self, field: str, detail: str) -> None:
        self.field = field
        self.detail = detail
        super().__init__(detail)


def require(condition: bool, field: str, detail: str) -> None:
    if not condition:
        raise FieldProblem(field, detail)


S = TypeVar("S")


def load_spec(cls: type[S], file: str, job: str) -> S:
    """Reads `file`, checks its version and job name, and builds `cls` from the other fields."""
    try:
        with open(file, encoding="utf-8") as handle:
            raw = json.load(handle)
    except FileNotFoundError:
        raise SpecError(file, "", "spec file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SpecError(file, "", f"not valid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise SpecError(file, "", "a spec must be a JSON object")
    if raw.get("version") != SPEC_VERSION:
        raise SpecError(file, "version", f"must be {SPEC_VERSION}, got {raw.get('version')!r}")
    if raw.get("job") != job:
        raise SpecError(file, "job", f"this is the {job!r} job, but the spec says {raw.get('job')!r}")
    fields = {key: value for key, value in raw.items() if key not in ("version", "job")}
    spec = build(cls, fields, file, "")
    try:
        check = getattr(spec, "check", None)
        if check is not None:
            check()
    except FieldProblem as problem:
        raise SpecError(file, problem.field, problem.detail) from None
    return spec


def defaults(cls: type) -> dict[str, Any]:
    """The default of every field that has one, as JSON values (nested dataclasses included)."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            out[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            value = field.default_factory()
            out[field.name] = dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value
    return out


def build(cls: type[S], raw: Any, file: str, prefix: str) -> S:
    if not isinstance(raw, dict):
        raise SpecError(file, prefix.rstrip("."), f"must be an object, got {_describe(raw)}")
    hints = typing.get_type_hints(cls)
    known = {field.name: field for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in raw:
        if key not in known:
            raise SpecError(file, prefix + key, f"unknown field; known fields are: {', '.join(sorted(known))}")
    values: dict[str, Any] = {}
    for name, field in known.items():
        if name not in raw:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise SpecError(file, prefix + name, "missing (this field is required)")
            continue
        values[name] = _convert(hints[name], raw[name], file, prefix + name)
    return cls(**values)


def _convert(tp: Any, value: Any, file: str, name: str) -> Any:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        options = typing.get_args(tp)
        if value is None:
            if type(None) in options:
                return None
            raise SpecError(file, name, "must not be null")
        (inner,) = [option for option in options if option is not type(None)]
        return _convert(inner, value, file, name)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise SpecError(file, name, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return value
    if origin is list:
        (item_type,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise SpecError(file, name, f"must be a list, got {_describe(value)}")
        return [_convert(item_type, item, file, f"{name}[{index}]") for index, item in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        return build(tp, value, file, f"{name}.")
    if tp is bool:
        if not isinstance(value, bool):
            raise SpecError(file, name, f"must be true or false, got {_describe(value)}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(file, name, f"must be an integer, got {_describe(value)}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(file, name, f"must be a number, got {_describe(value)}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise SpecError(file, name, f"must be a string, got {_describe(value)}")
        return value
    raise TypeError(f"spec field {name} has a type the loader does not know: {tp!r}")


def _describe(value: Any) -> str:
    text = json.dumps(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
