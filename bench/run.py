"""`make bench SCALE=small|medium|large`: how fast the warehouse refreshes, as ratios.

One run measures, on the demo data of a scale (generated once, cached by scale, seed and
months under bench/cache/):

- limit: DuckDB reading every landing file once (line count and total bytes), the floor for
  any refresh that must read its input: the fastest of three such reads;
- full: `orchestration.cli refresh` over every day but the last (ingest, checks, dbt, checks,
  publish, report), with Dagster's step times and dbt's slowest models;
- incremental: the last day added, then the refresh of that day alone;
- pandas peer: the marts of bench/pandas_peer/ computed from the same landing files with
  pandas, asserted equal to ours.

Each is a separate process; wall time and peak RSS of its whole process tree are recorded.
Results go to bench/results/<scale>-<date>.json and .md; the ratios are printed last. The .md
ends with the run's stages beside the newest earlier result's of its scale (bench/stages.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.measure import Measurement, run_measured
from bench.stages import newest_result, run_name, stage_rows
from orchestration.settings import REPO_ROOT

BENCH_AS_OF = date(2026, 6, 30)
# Large keeps 12 months (+ the as-of month): 100k accounts, ~100M events, ~12 GB of landing
# files. Its 24 months would be 200M events, more disk than the 2-core benchmark machine has
# free (60 GB); `--months 24` still asks for them.
DEFAULT_MONTHS = {"small": 24, "medium": 24, "large": 12}
SLOWEST_MODELS = 15
# DuckDB memory per refresh process, by scale, unless CS_DUCKDB_MEMORY_LIMIT is set (otherwise
# the settings' default, 2 GB). Large's 12 months (~100M events) ran out of memory at 2 GB in
# int_segment_events_attributed (2026-12-01); the benchmark machine has 24 GB.
MEMORY_LIMITS = {"large": "8GB"}


class Workspace:
    """Landing data (cached) and one run's warehouse, serving file and Dagster home."""

    def __init__(self, cache: Path, scale: str, seed: int, months: int) -> None:
        self.key = f"{scale}-seed{seed}-{months}m"
        self.generated = cache / self.key / "landing"
        self.root = cache / self.key / "run"
        self.landing = self.root / "landing"
        self.logs = self.root / "logs"
        self.scale, self.seed, self.months = scale, seed, months

    def env(self, as_of: date) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "CS_LANDING_DIR": str(self.landing),
            "CS_WAREHOUSE_PATH": str(self.root / "warehouse.duckdb"),
            "CS_SERVING_PATH": str(self.root / "serving.duckdb"),
            "CS_REPORT_DIR": str(self.root / "report"),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            "CS_DQ_DOCS_DIR": str(self.root / "data_docs"),
            "CS_DQ_STORE_DIR": str(self.root / "gx_store"),
            "CS_AS_OF": as_of.isoformat(),
            "CS_DUCKDB_MEMORY_LIMIT": self.memory_limit,
        }

    @property
    def memory_limit(self) -> str:
        from orchestration.settings import Settings

        default = MEMORY_LIMITS.get(self.scale, Settings().duckdb_memory_limit)
        return os.environ.get("CS_DUCKDB_MEMORY_LIMIT", default)

    def days(self) -> list[Path]:
        return sorted(self.generated.glob("*/*/*"))


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def ensure_generated(ws: Workspace) -> Measurement | None:
    """Generate the scale's landing data unless the cache has it."""
    if (ws.generated / "generator_report.json").exists():
        return None
    shutil.rmtree(ws.generated, ignore_errors=True)
    ws.generated.parent.mkdir(parents=True, exist_ok=True)
    ws.logs.mkdir(parents=True, exist_ok=True)
    command = _python(
        "-m", "demo_data", "--scale", ws.scale, "--seed", str(ws.seed),
        "--as-of", BENCH_AS_OF.isoformat(), "--months", str(ws.months), "--out", str(ws.generated),
    )  # fmt: skip
    measured = run_measured(
        "generate", command, dict(os.environ), ws.logs / "generate.log", REPO_ROOT
    )
    _require(measured, ws.logs / "generate.log")
    return measured


def link_days(ws: Workspace, include: Callable[[date], bool]) -> None:
    """Hard-link the generated day folders that `include` accepts into the run's landing:
    no copy of gigabytes, and each run starts from the same files."""
    for day_dir in ws.days():
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError:
            continue
        if include(day):
            target = ws.landing / day_dir.relative_to(ws.generated)
            target.mkdir(parents=True, exist_ok=True)
            for path in day_dir.iterdir():
                if not (target / path.name).exists():
                    os.link(path, target / path.name)


_LIMIT_SCRIPT = """
import sys, duckdb
from landing.files import lines_reader_sql
files = [line.strip() for line in open(sys.argv[1]) if line.strip()]
lines, size = duckdb.connect().execute(
    f"select count(*), sum(strlen(line)) from {lines_reader_sql()}", [files]
).fetchone()
print(f"read {len(files)} files: {lines} lines, {size} bytes")
"""


def warm_page_cache(files: list[str], chunk: int = 1 << 24) -> None:
    """Read the files once, unmeasured, so the limit reads them from memory as the refreshes
    after it do: from a cold cache the medium limit took 29.3 s instead of 16-19 s (the disk,
    not the parse), which no refresh pays after it."""
    for name in files:
        with open(name, "rb") as handle:
            while handle.read(chunk):
                pass


# The limit is the fastest of this many reads: one read of the medium landing took 17.6 to
# 36.4 s on the same machine (2026-12-01), and a slow floor flatters every ratio over it.
LIMIT_READS = 3


def measure_limit(ws: Workspace, last_day: date) -> tuple[Measurement, list[float]]:
    """The fastest of LIMIT_READS reads of every landing file, and every read's seconds."""
    files = [
        str(path)
        for path in sorted(ws.landing.glob("*/*/*/*"))
        if path.name.endswith((".jsonl", ".jsonl.gz", ".csv"))
    ]
    listing = ws.root / "limit_files.txt"
    listing.write_text("\n".join(files))
    warm_page_cache(files)
    command = _python("-c", _LIMIT_SCRIPT, str(listing))
    reads = [
        run_measured("limit", command, ws.env(last_day), ws.logs / f"limit-{n}.log", REPO_ROOT)
        for n in range(1, LIMIT_READS + 1)
    ]
    return min(reads, key=lambda read: read.seconds), [read.seconds for read in reads]


def _require(measured: Measurement, log: Path) -> None:
    if measured.returncode != 0:
        tail = log.read_text()[-3000:]
        raise SystemExit(f"bench: {measured.label} failed (exit {measured.returncode}):\n{tail}")


# Dagster runs per `orchestration.cli refresh` (ingestion to publication in one run).
REFRESH_RUNS = 1


def dagster_steps(dagster_home: Path, runs: int) -> list[dict]:
    """Seconds per step of the newest `runs` Dagster runs (ingestion, checks, dbt, publish)."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        records = instance.get_run_records(limit=runs)
        steps = []
        for record in reversed(records):
            for stat in instance.get_run_step_stats(record.dagster_run.run_id):
                if stat.start_time and stat.end_time:
                    steps.append(
                        {
                            "job": record.dagster_run.job_name,
                            "step": stat.step_key,
                            "seconds": round(stat.end_time - stat.start_time, 2),
                            "started_at": stat.start_time,
                            "ended_at": stat.end_time,
                        }
                    )
    return steps


def step_at_peak(measured: dict, steps: list[dict]) -> str:
    """Which Dagster step(s) ran when the measurement's memory peaked."""
    moment = measured["started_at"] + measured["peak_at_seconds"]
    running = [
        f"{s['job']}/{s['step']}" for s in steps if s["started_at"] <= moment <= s["ended_at"]
    ]
    when = f"+{measured['peak_at_seconds']:,.0f} s"
    if not running:
        return f"{when}, outside any step (run start-up, dbt's parse or between steps)"
    return f"{when}, during {', '.join(running)}"


def slowest_dbt_nodes(ws: Workspace, limit: int = SLOWEST_MODELS) -> list[dict]:
    """dbt's own timing of the workspace warehouse's newest build: the slowest nodes first."""
    from orchestration.settings import Settings
    from orchestration.transform import dbt_run_results_path

    settings = Settings.from_env(ws.env(BENCH_AS_OF))
    results = json.loads(dbt_run_results_path(settings).read_text())["results"]
    nodes = sorted(results, key=lambda r: -r["execution_time"])
    return [
        {"node": r["unique_id"], "seconds": round(r["execution_time"], 2), "status": r["status"]}
        for r in nodes[:limit]
    ]


def refresh(ws: Workspace, label: str, as_of: date, *extra: str) -> Measurement:
    measured = run_measured(
        label,
        _python("-m", "orchestration.cli", "refresh", *extra),
        ws.env(as_of),
        ws.logs / f"{label}.log",
        REPO_ROOT,
    )
    _require(measured, ws.logs / f"{label}.log")
    return measured


def measure_peer(ws: Workspace, as_of: date) -> tuple[Measurement, dict[str, list[str]] | None]:
    """The pandas peer's time and memory, then its marts compared with ours. A peer that dies
    (at medium scale pandas runs out of the machine's memory) is recorded, not fatal."""
    frames = ws.root / "peer"
    measured = run_measured(
        "pandas_peer",
        _python(
            *("-m", "bench.pandas_peer", "--landing", str(ws.landing)),
            *("--as-of", as_of.isoformat(), "--out", str(frames)),
        ),
        ws.env(as_of),
        ws.logs / "pandas_peer.log",
        REPO_ROOT,
    )
    if measured.returncode != 0:
        return measured, None
    import pandas as pd

    from bench.pandas_peer import compare

    peer = {path.stem: pd.read_pickle(path) for path in frames.glob("*.pkl")}
    return measured, compare(peer, ws.root / "serving.duckdb")


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def summarise(result: dict) -> dict:
    m = {name: result["measurements"][name] for name in result["measurements"]}
    ratios = {
        "full_over_limit": _ratio(m["full"]["seconds"], m["limit"]["seconds"]),
        "incremental_over_full": _ratio(m["incremental"]["seconds"], m["full"]["seconds"]),
    }
    if "pandas_peer" in m and m["pandas_peer"]["returncode"] != 0:
        peer = m["pandas_peer"]
        killed = " (SIGKILL: on Linux usually the OOM killer)" if peer["returncode"] == -9 else ""
        ratios["pandas_peer_failed"] = (
            f"exit {peer['returncode']}{killed} after {peer['seconds']:.0f}s "
            f"at {peer['peak_rss_mb']:,.0f} MiB"
        )
    elif "pandas_peer" in m:
        ratios["pandas_over_ours_time"] = _ratio(m["pandas_peer"]["seconds"], m["full"]["seconds"])
        ratios["pandas_over_ours_memory"] = _ratio(
            m["pandas_peer"]["peak_rss_mb"], m["full"]["peak_rss_mb"]
        )
    return ratios


def markdown(result: dict, previous: Path | None = None) -> str:
    """The run's results as markdown; with `previous` (an earlier result file of the same
    scale), its stages side by side with that run's (bench/stages.py)."""
    lines = [
        f"# Benchmark {result['scale']} ({result['data']}), {result['started_at']}",
        "",
        f"Landing: {result['landing_files']} files, {result['landing_bytes'] / 2**20:,.0f} MiB; "
        f"machine: {result['machine']}; DuckDB memory limit: "
        f"{result.get('duckdb_memory_limit', '2GB')}",
        "",
        "| measurement | wall s | peak RSS MiB | peak disk growth MiB |",
        "|---|---:|---:|---:|",
    ]
    for name, m in result["measurements"].items():
        growth = m.get("peak_disk_growth_mb", 0.0)
        lines.append(f"| {name} | {m['seconds']:,.1f} | {m['peak_rss_mb']:,.0f} | {growth:,.0f} |")
    if result.get("limit_reads_seconds"):
        reads = ", ".join(f"{seconds:.1f}" for seconds in result["limit_reads_seconds"])
        lines += [
            "",
            f"The limit is the fastest of {len(result['limit_reads_seconds'])} reads: {reads} s.",
        ]
    if result.get("disk_after_full"):
        sizes = ", ".join(
            f"{name} {mib:,.0f} MiB" for name, mib in result["disk_after_full"].items()
        )
        lines += ["", f"Disk after the full refresh: {sizes}."]
    for name, during in result.get("peak_during", {}).items():
        lines += ["", f"Peak RSS of {name}: {during}."]
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in result["ratios"].items()]
    lines += ["", "Slowest steps of the full refresh:", "", "| job | step | s |", "|---|---|---:|"]
    full_steps = sorted(result["full_steps"], key=lambda s: -s["seconds"])[:15]
    lines += [f"| {s['job']} | {s['step']} | {s['seconds']} |" for s in full_steps]
    lines += ["", "Slowest dbt nodes (full):", "", "| node | s |", "|---|---:|"]
    lines += [f"| {n['node']} | {n['seconds']} |" for n in result["full_dbt_nodes"]]
    if result.get("peer_mismatches") is not None:
        lines += ["", f"pandas peer vs marts: {json.dumps(result['peer_mismatches'])}"]
    if previous is not None:
        earlier = (run_name(previous), json.loads(previous.read_text()))
        lines += ["", f"Per stage (s), against {previous.name}, the newest earlier result:", ""]
        lines.append(stage_rows([earlier, ("this run", result)]).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def disk_after_full(ws: Workspace) -> dict[str, float]:
    """MiB on disk of what a full refresh leaves: the warehouse, the serving file, Dagster's
    home and the rest of the run folder (report, Data Docs, GX store, dbt's parse)."""
    sizes = {
        "warehouse": (ws.root / "warehouse.duckdb").stat().st_size,
        "serving": (ws.root / "serving.duckdb").stat().st_size,
        "dagster_home": _folder_bytes(ws.root / "dagster_home"),
    }
    landing_and_logs = _folder_bytes(ws.landing) + _folder_bytes(ws.logs)
    sizes["other"] = _folder_bytes(ws.root) - sum(sizes.values()) - landing_and_logs
    return {name: round(size / 2**20, 1) for name, size in sizes.items()}


def _landing_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.glob("*/*/*/*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run(
    scale: str,
    seed: int,
    months: int,
    cache: Path,
    written: Path,
    peer: bool,
    previous: Path | None = None,
) -> dict:
    """Measure `scale` and write its results to `written` (`.json`, the `.md` beside it); their
    markdown sets the stages side by side with the result file `previous` when there is one."""
    ws = Workspace(cache, scale, seed, months)
    generated = ensure_generated(ws)
    shutil.rmtree(ws.root, ignore_errors=True)
    ws.logs.mkdir(parents=True)
    day_dates = sorted({date.fromisoformat(p.name) for p in ws.days()})
    last_day, previous_day = day_dates[-1], day_dates[-1] - timedelta(days=1)
    link_days(ws, lambda day: day < last_day)
    limit, limit_reads = measure_limit(ws, previous_day)
    measurements = {"limit": limit}
    print(f"limit: {limit.seconds:.1f}s (fastest of {limit_reads})", flush=True)
    measurements["full"] = refresh(ws, "full", previous_day)
    print(f"full refresh: {measurements['full'].seconds:.1f}s", flush=True)
    full_steps = dagster_steps(ws.root / "dagster_home", runs=REFRESH_RUNS)
    full_dbt = slowest_dbt_nodes(ws)
    full_disk = disk_after_full(ws)
    link_days(ws, lambda day: day == last_day)  # the next day's exports arrive
    day = last_day.isoformat()
    measurements["incremental"] = refresh(ws, "incremental", last_day, "--start", day, "--end", day)
    print(f"incremental refresh: {measurements['incremental'].seconds:.1f}s", flush=True)
    incremental_steps = dagster_steps(ws.root / "dagster_home", runs=REFRESH_RUNS)
    mismatches = None
    if peer:
        measurements["pandas_peer"], mismatches = measure_peer(ws, last_day)
        print(f"pandas peer: {measurements['pandas_peer'].seconds:.1f}s", flush=True)
    files, size = _landing_size(ws.landing)
    result = {
        "scale": scale,
        "data": f"seed {seed}, {months} months to {last_day}",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores",
        "duckdb_memory_limit": ws.memory_limit,
        "landing_files": files,
        "landing_bytes": size,
        "generated_seconds": generated.seconds if generated else None,
        "measurements": {name: m.as_dict() for name, m in measurements.items()},
        "limit_reads_seconds": limit_reads,
        "disk_after_full": full_disk,
        "full_steps": full_steps,
        "full_dbt_nodes": full_dbt,
        "incremental_steps": incremental_steps,
        "incremental_dbt_nodes": slowest_dbt_nodes(ws),
        "peer_mismatches": mismatches,
        "peak_during": {
            "full": step_at_peak(measurements["full"].as_dict(), full_steps),
            "incremental": step_at_peak(measurements["incremental"].as_dict(), incremental_steps),
        },
    }
    result["ratios"] = summarise(result)
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(json.dumps(result, indent=2))
    written.with_suffix(".md").write_text(markdown(result, previous))
    return result


def results_path(out: Path, scale: str) -> Path:
    """Where today's run of `scale` writes its results (`.json`; the `.md` beside it)."""
    return out / f"{scale}-{date.today().isoformat()}.json"


def add_peer(scale: str, cache: Path, out: Path, seed: int, months: int) -> dict:
    """Measure the pandas peer on the workspace of the newest run of `scale`, and add it to
    that run's results (for a peer written or changed after the refresh was measured)."""
    ws = Workspace(cache, scale, seed, months)
    stem = newest_result(out, scale)
    if stem is None:
        raise SystemExit(f"no {scale} results in {out} to add the pandas peer to")
    result = json.loads(stem.read_text())
    last_day = max(date.fromisoformat(p.name) for p in ws.days())
    measured, result["peer_mismatches"] = measure_peer(ws, last_day)
    result["measurements"]["pandas_peer"] = measured.as_dict()
    result["ratios"] = summarise(result)
    stem.write_text(json.dumps(result, indent=2))
    stem.with_suffix(".md").write_text(markdown(result))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--scale", choices=["small", "medium", "large"], default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--months", type=int, help="history to generate (default 24)")
    parser.add_argument("--cache", type=Path, default=REPO_ROOT / "bench" / "cache")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results")
    parser.add_argument("--no-peer", action="store_true", help="skip the pandas peer")
    parser.add_argument(
        "--peer-only", action="store_true", help="add the pandas peer to the newest results"
    )
    args = parser.parse_args(argv)
    months = args.months or DEFAULT_MONTHS[args.scale]
    previous = None
    if args.peer_only:
        result = add_peer(args.scale, args.cache, args.out, args.seed, months)
    else:
        # decided once, before the run: where it writes (its date does not move if the run
        # crosses midnight), and the newest earlier result, not the one it may overwrite
        written = results_path(args.out, args.scale)
        previous = newest_result(args.out, args.scale, excluding=written)
        result = run(args.scale, args.seed, months, args.cache, written, not args.no_peer, previous)
    print(markdown(result, previous))
    for name, value in result["ratios"].items():
        print(f"{name}: {value}")
    mismatched = {
        mart: issues for mart, issues in (result["peer_mismatches"] or {}).items() if issues
    }
    if mismatched:
        print(f"pandas peer differs from the marts: {json.dumps(mismatched)[:2000]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
