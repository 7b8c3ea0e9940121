"""Where a key of a TOML file is written, so validation can name the line. Pure: no Django.

tomllib gives values without positions; this scanner reads the lines the way the policy file is
written (tables, arrays of tables, `key = value` lines, inline tables on one line) and maps each
key path to its line. A path that is not written (a missing key) maps to the nearest written
parent, which is where the operator has to add it.
"""

import re

type KeyPath = tuple[str | int, ...]

TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\s*(#.*)?$")
ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\]\s*(#.*)?$")
KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"]+(?:\s*\.\s*[A-Za-z0-9_\-\"]+)*)\s*=")
INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")


def split_key(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"') for part in text.split("."))


def key_lines(source: str) -> dict[KeyPath, int]:
    """Every key path written in the source, with its 1-based line number."""
    lines: dict[KeyPath, int] = {}
    array_counts: dict[tuple[str, ...], int] = {}
    table: KeyPath = ()
    for number, line in enumerate(source.splitlines(), start=1):
        if match := ARRAY_TABLE.match(line):
            name = split_key(match.group(1))
            index = array_counts.get(name, -1) + 1
            array_counts[name] = index
            table = (*name, index)
            lines.setdefault(table, number)
            lines.setdefault(name, number)
        elif match := TABLE.match(line):
            table = resolve_table(split_key(match.group(1)), array_counts)
            lines.setdefault(table, number)
        elif match := KEY.match(line):
            key = (*table, *split_key(match.group(1)))
            lines.setdefault(key, number)
            rest = line[match.end() :]
            if rest.lstrip().startswith("{"):
                for inner in INLINE_KEY.finditer(rest):
                    lines.setdefault((*key, inner.group(1)), number)
    return lines


def resolve_table(name: tuple[str, ...], array_counts: dict[tuple[str, ...], int]) -> KeyPath:
    """`[refunds.x]` inside the latest `[[refunds]]` item belongs to that item."""
    for cut in range(len(name) - 1, 0, -1):
        prefix = name[:cut]
        if prefix in array_counts:
            return (*prefix, array_counts[prefix], *name[cut:])
    return name


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    for cut in range(len(path), 0, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None
