"""How fast `feedback import` is: a first import of N rows, then the same file again (idempotent).

python bench/bench_feedback_import.py [--rows N] [--dataset PATH]

Rows are BANKING77 training messages (cycled when N is larger), each with an id, a date and one
of 200 customers, written to a CSV in a temporary folder and imported into a fresh SQLite
workspace. No baseline is named for this benchmark; the figures are printed as measured.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
from pathlib import Path

from productpath.services.feedback import import_feedback
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DATASET = REPO.parent / "shared" / "datasets" / "banking77" / "train.csv"


def texts(dataset: Path) -> list[str]:
    if not dataset.exists():
        # Without the dataset the benchmark still runs, on synthetic messages.
        return [f"Synthetic customer message number {i}" for i in range(1000)]
    with dataset.open(encoding="utf-8", newline="") as stream:
        return [row["text"] for row in csv.DictReader(stream)]


def build_file(path: Path, rows: int, dataset: Path) -> None:
    messages = texts(dataset)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "date", "customer"])
        for i in range(rows):
            when = start + dt.timedelta(minutes=17 * i)
            writer.writerow([f"t{i}", messages[i % len(messages)], when.isoformat(), f"c{i % 200}"])


def timed_import(root: Path, path: Path) -> tuple[float, int, int]:
    with open_workspace(Settings(workspace=root)) as handle:
        began = time.perf_counter()
        report = import_feedback(
            handle,
            path,
            text_column="text",
            id_column="id",
            date_column="date",
            customer_column="customer",
        )
        return time.perf_counter() - began, report.added, report.unchanged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        init_workspace(root, "Bench", None)  # always SQLite: the embedded default
        path = Path(tmp) / "feedback.csv"
        build_file(path, args.rows, args.dataset)
        first = timed_import(root, path)
        again = timed_import(root, path)
    assert first[1] == args.rows and again[1] == 0 and again[2] == args.rows
    print(f"{'run':<10} {'rows':>8} {'seconds':>9} {'rows/s':>10}")
    for name, (seconds, _added, _unchanged) in (("import", first), ("re-import", again)):
        print(f"{name:<10} {args.rows:>8,} {seconds:>9.2f} {args.rows / seconds:>10,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
