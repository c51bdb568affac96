"""The quick regression guard (``make bench-quick``, under two minutes): speed figures beside
their targets and their recorded values.

python bench/quick.py            # measure, print the table; exit 1 if a figure is > 2x its record
python bench/quick.py --record   # measure and store the figures as the new record
python bench/quick.py --commands-only --baseline ../main/src   # before/after, in one run

It builds the demo workspace in a temporary folder (that build is itself a figure), then times
whole processes: the eight listing commands, ``report exec`` in its three formats, ``insights
run`` after adding 10 items, and ``python -c "import sqlalchemy"`` beside them for scale; then
MiniLM's load time and its throughput in this process. Each command figure is the median of
three runs of the CPU seconds the process used (user + system, from the kernel's accounting):
on a shared machine wall time swings with the neighbours' load while CPU time barely moves, so
CPU time is what is compared with the record. Wall time and the load average are printed
beside it. With ``--baseline SRC`` each command also runs on that source (``PYTHONPATH``), in
turns with this one, for a before/after table measured in one run. This is a guard against
regressions, not a timed test: it never fails on a target, only on a figure more than twice its
record (for throughput: less than half).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORD = HERE / "quick_record.json"
RUNS = 3
TODAY = "2026-12-01"
NEW_ITEMS = [
    "The app crashed when I tried to top up my card",
    "Why was I charged a fee for my transfer abroad?",
    "Please add dark mode to the app",
    "My card payment was declined at the supermarket",
    "How long does a bank transfer take to arrive?",
    "I cannot verify my identity, the photo upload fails",
    "Exchange rate for euros seems wrong",
    "I want to cancel a pending transaction",
    "The top-up via Apple Pay never arrived",
    "Love the new budgeting feature, thanks!",
]
# Whole-process commands on the demo workspace, with their targets in wall seconds (issue 21).
# Every listing is also held to 1.5x ``python -c "import sqlalchemy"`` measured beside it.
LISTING = 0.35
REPORT = ["report", "exec", "--format"]
COMMANDS: list[tuple[str, list[str], float]] = [
    ("feedback list --limit 20", ["feedback", "list", "--limit", "20"], LISTING),
    ("roadmap show --json", ["roadmap", "show", "--json"], LISTING),
    ("themes list", ["themes", "list"], LISTING),
    ("customers list", ["customers", "list"], LISTING),
    ("delivery status", ["delivery", "status"], LISTING),
    ("decision review", ["decision", "review"], LISTING),
    ("kpi show payment-success-rate", ["kpi", "show", "payment-success-rate"], LISTING),
    ("stakeholders list", ["stakeholders", "list"], LISTING),
    ("report exec --format md", ["report", "exec", "--format", "md"], 1.0),
    ("report exec --format html", ["report", "exec", "--format", "html"], 1.0),
    ("report exec --format pdf", [*REPORT, "pdf", "--out", "{work}/r.pdf"], 2.0),
]
SCALE = 'python -c "import sqlalchemy"'


@dataclass
class Figure:
    name: str
    value: float  # the compared figure: CPU seconds, seconds, or texts per second
    unit: str
    target: str
    wall: float | None = None
    higher_is_better: bool = False
    # The same figure for the source given by --baseline, measured in turns with this one.
    before: Figure | None = None


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one whole process; its output is discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {errors.decode(errors='replace')[-500:]}")
    return usage.ru_utime + usage.ru_stime, wall


def _median_run(argv: list[str], env: dict[str, str], prepare: list[str] | None = None) -> Figure:
    return _median_runs(argv, [env], prepare)[0]


def _median_runs(
    argv: list[str], envs: list[dict[str, str]], prepare: list[str] | None = None
) -> list[Figure]:
    """One figure per environment, their runs taken in turns (A B A B ...) so that a change in
    the neighbours' load falls on each alike."""
    cpu: list[list[float]] = [[] for _ in envs]
    wall: list[list[float]] = [[] for _ in envs]
    for _ in range(RUNS):
        for n, env in enumerate(envs):
            if prepare is not None:
                _run(prepare, env)
            seconds, elapsed = _run(argv, env)
            cpu[n].append(seconds)
            wall[n].append(elapsed)
    return [
        Figure("", statistics.median(c), "CPU s", "", statistics.median(w))
        for c, w in zip(cpu, wall, strict=True)
    ]


def measure(
    work: Path, *, baseline: Path | None = None, commands_only: bool = False
) -> list[Figure]:
    # The demo's own settings only: a PRODUCTPATH_DATABASE_URL in the caller's shell would send
    # the demo to another database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUCTPATH_")}
    envs = [env]
    if baseline is not None:  # the same commands on another checkout's src/, in turns
        envs.append(env | {"PYTHONPATH": str(baseline)})
    cli = [sys.executable, "-m", "productpath.cli.main"]
    demo = work / "demo"
    figures: list[Figure] = []

    cpu, wall = _run([*cli, "demo", "--dir", str(demo), "--no-serve", "--today", TODAY], env)
    figures.append(Figure("demo --no-serve", cpu, "CPU s", "<= 20 s wall", wall))

    scale = _median_run([sys.executable, "-c", "import sqlalchemy"], env)
    scale.name, scale.target = SCALE, "(scale)"
    figures.append(scale)
    for name, args, target in COMMANDS:
        argv = [*cli, "-w", str(demo), *(a.format(work=work) for a in args)]
        figure, *before = _median_runs(argv, envs)
        figure.name, figure.target = name, f"<= {target} s wall"
        if target == LISTING:
            figure.target += f", <= {1.5 * scale.value:.2f} CPU s (1.5x scale)"
        figure.before = before[0] if before else None
        figures.append(figure)
    if commands_only:
        return figures

    items = work / "new.csv"
    with items.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "created_at", "text"])
        for i, text in enumerate(NEW_ITEMS):
            writer.writerow([f"quick-{i}", f"{TODAY}T10:00:00Z", text])
    base = work / "base"
    shutil.copytree(demo, base, symlinks=True)
    scratch = work / "scratch"
    # Each run gets a fresh copy of the demo with the 10 items imported and not yet analysed.
    prepare = [
        sys.executable,
        "-c",
        "import shutil, subprocess, sys\n"
        f"shutil.rmtree({str(scratch)!r}, ignore_errors=True)\n"
        f"shutil.copytree({str(base)!r}, {str(scratch)!r}, symlinks=True)\n"
        f"subprocess.run({[*cli, '-w', str(scratch), 'feedback', 'import', str(items)]!r}"
        " + ['--text-column', 'text', '--id-column', 'id', '--date-column', 'created_at'],"
        " check=True, capture_output=True)\n",
    ]
    figure = _median_run([*cli, "-w", str(scratch), "insights", "run"], env, prepare)
    figure.name, figure.target = "insights run, 10 new items", "<= 2 s wall"
    figures.append(figure)
    figures.extend(_embedding_figures(demo))
    return figures


def _embedding_figures(demo: Path) -> list[Figure]:
    from productpath.insights import minilm
    from productpath.insights.embed import MiniLMEmbedder, ml_available

    if not ml_available():
        return []
    started = time.perf_counter()
    minilm.load()
    load = time.perf_counter() - started
    with (demo / "feedback.csv").open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)][:256]
    embedder = MiniLMEmbedder()
    speeds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        embedder.embed(texts)
        speeds.append(len(texts) / (time.perf_counter() - started))
    return [
        Figure("MiniLM load", load, "s", "well under 1 s"),
        Figure("MiniLM, 256 texts", statistics.median(speeds), "texts/s", ">= 550", None, True),
    ]


def _too_slow(figure: Figure, recorded: float | None) -> bool:
    if recorded is None or recorded <= 0:
        return False
    if figure.higher_is_better:
        return figure.value < recorded / 2
    return figure.value > recorded * 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="store these figures as the record")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout's src/ folder: run each command with it too, in turns, and "
        "print both (a before/after table measured in one run)",
    )
    parser.add_argument(
        "--commands-only",
        action="store_true",
        help="only the demo and the command figures (no insights run, no MiniLM)",
    )
    args = parser.parse_args()
    record: dict[str, float] = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="pp-bench-quick-") as folder:
        started = time.perf_counter()
        figures = measure(Path(folder), baseline=args.baseline, commands_only=args.commands_only)
        total = time.perf_counter() - started
    load = " / ".join(f"{a:.1f}-{b:.1f}" for a, b in zip(load_before, os.getloadavg(), strict=True))
    print(
        f"median of {RUNS} runs; CPU s = user + system of the whole process; {total:.0f} s; "
        f"load average (1, 5, 15 min) at start-end: {load}"
    )
    if args.baseline is not None:
        _print_comparison(figures, args.baseline)
    print("| figure | value | wall s | target | recorded | verdict |")
    print("|---|---|---|---|---|---|")
    regressions = []
    for figure in figures:
        recorded = record.get(figure.name)
        slow = _too_slow(figure, recorded)
        regressions += [figure.name] if slow else []
        wall = "" if figure.wall is None else f"{figure.wall:.2f}"
        shown = "-" if recorded is None else f"{recorded:.3g}"
        verdict = "REGRESSION (2x)" if slow else "ok"
        print(
            f"| {figure.name} | {figure.value:.3g} {figure.unit} | {wall} | {figure.target} "
            f"| {shown} | {verdict} |"
        )
    if args.record:
        RECORD.write_text(json.dumps({f.name: round(f.value, 3) for f in figures}, indent=2) + "\n")
        print(f"recorded into {RECORD}")
        return 0
    if regressions:
        print(f"more than 2x the record: {', '.join(regressions)}", file=sys.stderr)
        return 1
    return 0


def _print_comparison(figures: list[Figure], baseline: Path) -> None:
    scale = next((f.value for f in figures if f.name == SCALE), None)
    print(f"before: {baseline}; after: this checkout; CPU s (wall s), medians of {RUNS}, in turns")
    print("| figure | target | before | after | after/before CPU | after / scale |")
    print("|---|---|---|---|---|---|")
    for f in figures:
        if f.before is None:
            continue
        ratio = f.value / f.before.value if f.before.value else float("nan")
        of_scale = f"{f.value / scale:.1f}x" if scale else "-"
        print(
            f"| `{f.name}` | {f.target} | {f.before.value:.2f} ({f.before.wall:.1f}) "
            f"| {f.value:.2f} ({f.wall:.1f}) | {ratio:.2f} | {of_scale} |"
        )
    print()


if __name__ == "__main__":
    raise SystemExit(main())
