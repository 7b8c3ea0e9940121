"""The prose of the docs section: what the figures say, in sentences chosen by them."""

from __future__ import annotations

from collections.abc import Sequence

from bench.sla_sweep.config import (
    BASELINE_FACTOR,
    BASELINE_RATE,
    BREACHES_PER_GOAL,
    BULK_UPDATE,
    EXECUTION_TIME,
    FULL_PAGE_IMAGES,
    PROCESSING_GOAL_SECONDS,
    PROFILED_PARTS,
    SELECTION_GOAL_MS,
)
from bench.sla_sweep.results import Measured, statements


def mark(ok: bool, markdown: bool = True) -> str:
    if ok:
        return "pass"
    return "**missed**" if markdown else "MISSED"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def plan_note(result: Measured) -> list[str]:
    """Why the plan's own execution time may differ from the engine column."""
    took = EXECUTION_TIME.search(result.plan)
    if took is None or float(took.group(1)) < 1.5 * result.engine_median:
        return []
    note = (
        f"The plan's {float(took.group(1)):.2f} ms is a single execution with per-node timing, "
        "right after the fill and its `CHECKPOINT` (only the captured `due_clocks()` call ran "
        f"before it); the engine column is the median of the timed repeats with `TIMING OFF`, "
        f"{result.engine_median:.2f} ms."
    )
    images = FULL_PAGE_IMAGES.search(result.plan)
    if images is not None:
        note += (
            f" Its WAL line shows {int(images.group(1)):,} full-page images: the first change "
            "to a page after a checkpoint, and a row lock is one, writes the whole page to the "
            "WAL."
        )
    return [note, ""]


def reading(results: Sequence[Measured]) -> list[str]:
    sentences = []
    for result in results:
        sentences += read_selection(result) + read_sweep(result)
    if any(r.profile_shares.get(BULK_UPDATE, 0.0) >= 0.5 for r in results):
        sentences.append(
            "`bulk_update()` writes each changed field as a `CASE WHEN id = ... THEN ... END` "
            "with one `When` per clock, so a batch of 2,000 clocks and 3 fields makes Django "
            "build, resolve and compile 6,000 expressions in Python, and the database then "
            "evaluates those CASEs row by row (the `UPDATE sla_clock` line above). The clocks "
            "of a batch come out of `due_points()` in only a few "
            "states (`next_check()` gives `warning_at`, `breach_at` or nothing), so one "
            "`UPDATE ... WHERE id IN (...)` per state, with `F('breach_at')` or NULL for "
            "`next_check_at`, would write the same rows without that work."
        )
    return sentences


# --- The selection -----------------------------------------------------------------------------


def read_selection(result: Measured) -> list[str]:
    building = result.call_median - result.query_median
    fetching = result.query_median - result.engine_median
    rows = min(result.batch, result.breaches)
    sorts = "Sort" in result.plan or "TEMP B-TREE" in result.plan
    how = (
        f"reads the {rows:,} due rows through the `clock_due` index and sorts them"
        if sorts
        else f"reads the `clock_due` index in `next_check_at` order and stops after {rows:,} rows"
    )
    if "tickets_ticket" in result.plan:
        how += ", each joined to its ticket (for the reference) through the ticket's primary key"
    text = (
        f"On {result.name} the selection {how}: {result.engine_median:.2f} ms in the engine, "
        f"{fetching:.2f} ms more to bring the rows through Django's cursor, and "
        f"{building:.2f} ms more for `due_clocks()` to build the {rows:,} objects it returns, "
        f"{result.call_median:.2f} ms in all."
    )
    if result.call_median <= SELECTION_GOAL_MS:
        return [text + f" That meets the {SELECTION_GOAL_MS:.0f} ms goal."]
    return [text + selection_missed(result, rows)]


def selection_missed(result: Measured, rows: int) -> str:
    """Why the selection missed its goal, as far as the figures and the plan tell."""
    verdict = f" That misses the {SELECTION_GOAL_MS:.0f} ms goal. The query in the engine alone "
    verdict += (
        "meets it; the rows' way through the driver and Django's cursor and the objects built "
        "from them take the call over it."
        if result.engine_median <= SELECTION_GOAL_MS
        else "misses it too."
    )
    if "LockRows" in result.plan:
        verdict += (
            f" Locking the {rows:,} rows (`FOR UPDATE SKIP LOCKED`, a WAL record per row) is a "
            "large part of the engine's time: compare the LockRows node with the one below it "
            "in the plan."
        )
    if result.database == "sqlite" and result.engine_median > SELECTION_GOAL_MS / 2:
        verdict += (
            " The due rows are scattered over the table, so SQLite reads a page for nearly "
            "every one of them (from the operating system's cache; its own page cache is small "
            "by default)."
        )
    return verdict


# --- The sweep ---------------------------------------------------------------------------------


def read_sweep(result: Measured) -> list[str]:
    sweep_median = result.sweep_median
    outside = sweep_median - result.database_median
    shares = result.profile_shares
    leaves = [part for part in PROFILED_PARTS if part != "record()"]
    largest = max(leaves, key=lambda part: shares.get(part, 0.0))
    statement = statements([result])[0]
    text = (
        f"The sweep took {sweep_median:.3f} s for {result.breaches:,} breaches, of which "
        f"{result.database_median / sweep_median:.0%} inside the database calls (the largest, "
        f"`{statement}`, {result.statement_median(statement):.3f} s) and "
        f"{outside / sweep_median:.0%} in Python outside them; under the profiler "
        f"`{largest}` alone took {shares.get(largest, 0.0):.0%} of the sweep."
    )
    return [text + sweep_verdict(result)]


def sweep_verdict(result: Measured) -> str:
    goals = result.goals()
    ratio = result.rate / BASELINE_RATE
    if not (goals["processing"] and goals["ratio"]):
        return (
            f" That misses the goals: {result.seconds_per_goal:.2f} s per "
            f"{BREACHES_PER_GOAL:,} breaches against {PROCESSING_GOAL_SECONDS:.0f} s, and "
            f"{ratio:.1f} times the baseline against {BASELINE_FACTOR:.0f}."
        )
    text = (
        f" That meets the goals: {result.seconds_per_goal:.2f} s per "
        f"{BREACHES_PER_GOAL:,} breaches, {ratio:.1f} times the baseline."
    )
    slowest = max(result.sweep_seconds) * BREACHES_PER_GOAL / result.breaches
    if slowest > PROCESSING_GOAL_SECONDS:
        text += (
            f" The margin is thin: the slowest run took {slowest:.2f} s per "
            f"{BREACHES_PER_GOAL:,}, over the goal."
        )
    return text
