"""Benchmark runs side by side, stage by stage: the before/after table of docs/benchmark.md.

    python -m bench.stages bench/results/medium-2026-12-01-2efd0d6.json bench/results/medium-...

prints one column per result file (named by the commit in its file name) and one row per stage
of the refresh: where a change saved or cost time, next to the limit of the same run, since the
machine's speed varies from run to run. Every number comes from the results `bench.run` wrote.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

SEGMENT_LOAD = "raw_segment__events"
RAW_CHECKS = "raw_landing_quality"
DBT_BUILD = "dbt_models"
CS_REPORT = "serving__cs_report"
SEGMENT_STAGING = "model.cs_warehouse.stg_segment__events"
SEGMENT_UNIQUE_TEST = "test.cs_warehouse.unique_stg_segment__events_message_id"
SEGMENT_ATTRIBUTED = "model.cs_warehouse.int_segment_events_attributed"

Cell = Callable[[dict], str]


def _steps(result: dict, refresh: str, wanted: Callable[[str], bool]) -> str:
    """The seconds of a refresh's steps whose name is `wanted`, summed; blank when none ran."""
    seconds = [s["seconds"] for s in result[f"{refresh}_steps"] if wanted(s["step"])]
    return f"{sum(seconds):.1f}" if seconds else ""


def _is_load(step: str) -> bool:
    return step.startswith("raw_") and step != RAW_CHECKS


def _is_other_load(step: str) -> bool:
    return _is_load(step) and step != SEGMENT_LOAD


def _node(result: dict, refresh: str, name: str) -> str:
    """A dbt node's seconds, or "< s" (the slowest nodes' fastest) when it was not among the
    slowest nodes the result keeps; blank when the result keeps none. A test's unique id is its
    name and a hash (`test.<project>.<name>.<hash>`): either form matches."""
    nodes = result.get(f"{refresh}_dbt_nodes") or []
    for node in nodes:
        if node["node"] == name or node["node"].startswith(f"{name}."):
            return f"{node['seconds']:.1f}"
    return f"< {min(n['seconds'] for n in nodes):.1f}" if nodes else ""


def _seconds(measurement: str) -> Cell:
    return lambda result: f"{result['measurements'][measurement]['seconds']:.1f}"


def _over_limit(measurement: str) -> Cell:
    def cell(result: dict) -> str:
        seconds = result["measurements"]
        return f"{seconds[measurement]['seconds'] / seconds['limit']['seconds']:.2f}"

    return cell


def _step(refresh: str, name: str) -> Cell:
    return lambda result: _steps(result, refresh, lambda step: step == name)


STAGES: list[tuple[str, Cell]] = [
    ("limit", _seconds("limit")),
    ("full refresh", _seconds("full")),
    ("Segment load", _step("full", SEGMENT_LOAD)),
    ("other loads", lambda r: _steps(r, "full", _is_other_load)),
    ("raw checks", _step("full", RAW_CHECKS)),
    ("dbt build", _step("full", DBT_BUILD)),
    ("of which `stg_segment__events`", lambda r: _node(r, "full", SEGMENT_STAGING)),
    ("of which its `unique` test", lambda r: _node(r, "full", SEGMENT_UNIQUE_TEST)),
    ("of which `int_segment_events_attributed`", lambda r: _node(r, "full", SEGMENT_ATTRIBUTED)),
    ("CS report", _step("full", CS_REPORT)),
    ("incremental refresh", _seconds("incremental")),
    ("of which loads", lambda r: _steps(r, "incremental", _is_load)),
    ("of which raw checks", _step("incremental", RAW_CHECKS)),
    ("of which dbt", _step("incremental", DBT_BUILD)),
    ("of which `stg_segment__events`", lambda r: _node(r, "incremental", SEGMENT_STAGING)),
    ("of which the CS report", _step("incremental", CS_REPORT)),
    ("full ÷ limit", _over_limit("full")),
    ("incremental ÷ limit", _over_limit("incremental")),
]


def run_name(path: Path) -> str:
    """A result's column heading: what its file name says after the scale and date, usually
    the commit (`medium-2026-12-01-4b290ec.json` -> 4b290ec), else the file's name."""
    found = re.match(r"^[a-z]+-\d{4}-\d{2}-\d{2}-(.+)$", path.stem)
    return found.group(1) if found else path.stem


def result_path(results_dir: Path, scale: str, name: str) -> Path:
    """The one result file of `scale` whose heading is `name` (run_name's inverse)."""
    (path,) = [p for p in results_dir.glob(f"{scale}-*.json") if run_name(p) == name]
    return path


def newest_result(results_dir: Path, scale: str, excluding: Path | None = None) -> Path | None:
    """The result of `scale` in `results_dir` measured last (by its own `started_at`: a clone
    gives every file the same modification time), other than `excluding` (the file a run is
    about to overwrite); None when there is none."""
    paths = [path for path in results_dir.glob(f"{scale}-*.json") if path != excluding]
    return max(paths, key=lambda path: json.loads(path.read_text())["started_at"], default=None)


def stage_rows(named_results: Sequence[tuple[str, dict]]) -> str:
    """The markdown table of results, one column each (headed by its name), in the order given."""
    lines = [
        "| stage | " + " | ".join(name for name, _ in named_results) + " |",
        "|---|" + "---:|" * len(named_results),
    ]
    for label, cell in STAGES:
        cells = " | ".join(cell(result) for _, result in named_results)
        lines.append(f"| {label} | {cells} |")
    return "\n".join(lines) + "\n"


def stage_table(paths: Sequence[Path]) -> str:
    """stage_rows of the result files `paths`, each headed by its run_name."""
    return stage_rows([(run_name(path), json.loads(path.read_text())) for path in paths])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="bench/results/<scale>-*.json")
    print(stage_table(parser.parse_args(argv).results), end="")


if __name__ == "__main__":
    main()
