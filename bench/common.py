"""What every benchmark here shares: describing the machine, medians and markdown tables, and
writing its own section of docs/benchmarks.md without touching the others."""

import math
import os
import platform
import re
import statistics
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "benchmarks.md"
DOCS_INTRO = (
    "# Benchmarks\n\n"
    "Measured figures for Loket, each section written by the script that measured it.\n"
    "Absolute numbers depend on the machine; compare ratios measured in the same run.\n"
)


def proc_value(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        pass
    return "unknown"


def cpu_description() -> str:
    # Virtual machines often report a bare "Intel(R) Xeon(R) Processor": family, model and
    # clock tell the generation apart.
    name = proc_value("/proc/cpuinfo", "model name")
    family, model = proc_value("/proc/cpuinfo", "cpu family"), proc_value("/proc/cpuinfo", "model")
    clock = proc_value("/proc/cpuinfo", "cpu MHz")
    return f"{name} (family {family}, model {model}, {clock} MHz)"


def memory() -> str:
    total = proc_value("/proc/meminfo", "MemTotal").split()
    return f"{int(total[0]) / 1024**2:.1f} GiB" if total and total[0].isdigit() else "unknown"


def machine_info(*packages: str, **extra: str) -> dict[str, str]:
    """The machine, the versions of `packages`, `extra` facts, and the load before the run."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "CPU": cpu_description(),
        "Logical CPUs": str(os.cpu_count()),
        "RAM": memory(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        **{package: metadata.version(package) for package in packages},
        **extra,
        "Load average before the run (1, 5, 15 min)": load,
    }


def write_docs(heading: str, section: str) -> None:
    """Replace only the section under `heading` (appended the first time), keeping every other
    one byte for byte."""
    text = DOCS.read_text() if DOCS.exists() else DOCS_INTRO
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    match = pattern.search(text)
    if match is not None:
        following = "\n" if match.end() < len(text) else ""
        text = text[: match.start()] + section + following + text[match.end() :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.parent.mkdir(exist_ok=True)
    staging = DOCS.with_suffix(f".md.{os.getpid()}.tmp")
    staging.write_text(text.rstrip("\n") + "\n")
    os.replace(staging, DOCS)  # never leave a half-written file for someone else to read


class BenchError(Exception):
    """The benchmark could not measure what it set out to measure, or got a wrong answer."""


# --- Figures and tables --------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The median, or NaN when there is nothing to take it of."""
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * p / 100), 1) - 1]


def spread(values: Sequence[float], spec: str = ".1f") -> str:
    """The range of `values`, each formatted with the format `spec`: "1.0 to 2.5"."""
    return f"{min(values):{spec}} to {max(values):{spec}}"


def bold(cells: Iterable[str]) -> list[str]:
    """Cells in bold, as a table's median row shows them; empty cells stay empty."""
    return [f"**{cell}**" if cell else "" for cell in cells]


def markdown_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], align: str | None = None
) -> list[str]:
    """A markdown table, one line per row after the header and the alignment line.

    `align` has one letter per column, "l" (left) or "r" (right); by default every column is
    right-aligned. Every row must have as many cells as there are headers.
    """
    align = align or "r" * len(headers)
    if len(align) != len(headers):
        raise ValueError(f"{len(headers)} headers but alignment {align!r}")
    markers = {"l": "---", "r": "---:"}
    lines = [table_row(headers), "|" + "".join(f"{markers[a]}|" for a in align)]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"{len(headers)} headers but a row of {len(row)} cells: {row}")
        lines.append(table_row(row))
    return lines


def table_row(cells: Iterable[str]) -> str:
    return "|" + "".join(f" {cell} |" if cell else " |" for cell in cells)
