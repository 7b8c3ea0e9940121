"""A readable difference between two policy files' data. Pure: no Django."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

UNSET = "(not set)"


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Dotted paths to leaf values; items of a list of tables are named by their code."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        for index, item in enumerate(data):
            name = item.get("code", item.get("level", item.get("date", index)))
            yield from flatten(item, f"{prefix}[{name}]")
    else:
        yield prefix, render(data)


def render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(render(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def policy_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Lines such as `~ channels.whatsapp.number: (not set) -> +62 812 0000 0000`."""
    before = dict(flatten(old or {}))
    after = dict(flatten(new))
    lines = []
    for path in sorted(before.keys() | after.keys()):
        if path not in before:
            lines.append(f"+ {path}: {UNSET} -> {after[path]}")
        elif path not in after:
            lines.append(f"- {path}: {before[path]} -> {UNSET}")
        elif before[path] != after[path]:
            lines.append(f"~ {path}: {before[path]} -> {after[path]}")
    return lines


def json_ready(data: Any) -> Any:
    """TOML dates and times as ISO text, so the data can be stored as JSON."""
    if isinstance(data, dict):
        return {key: json_ready(value) for key, value in data.items()}
    if isinstance(data, list):
        return [json_ready(item) for item in data]
    if isinstance(data, dt.date | dt.time):
        return data.isoformat()
    return data
