"""How `insights run` scales: N feedback items imported and analysed, then 1,000 more.

python bench/bench_insights_scale.py [--items 100000] [--embedder minilm|hashing] [--added 1000]

Items are BANKING77 train+test messages (CC BY 4.0) resampled and varied so that few repeat
exactly: some join a second message of the same intent, some gain a greeting or a sign-off,
some carry a typo or a changed case; dates spread over one year, customers over 500 keys. They
are written to a CSV and imported through the real import service into a fresh SQLite
workspace, then analysed through the real insight service (``services/insights.py``). Then
``--added`` more items are imported and an incremental run is timed (target: under 30 s).

Per stage: wall seconds as the service's own clock reports them, and the peak resident memory
seen while the stage ran (sampled every 20 ms, so a spike shorter than that can be missed; the
process high-water mark, which cannot miss it, is printed too). The stages follow the
service: "embed" includes reading the items and their hashes, "write" is the one transaction
that stores themes and readings.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets" / "banking77"
STAGES = ("embed", "cluster", "label", "kind", "sentiment", "trends", "write")
CUSTOMERS = 500
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PREFIXES = ("Hi, ", "Hello team, ", "Quick question: ", "Urgent: ", "Hey! ", "Dear support, ")
SUFFIXES = (
    " Thanks!",
    " Please help.",
    " This is the third time.",
    " Any update?",
    " :(",
    " Cheers",
)
RSS_EVERY_S = 0.02


def messages() -> dict[str, list[str]]:
    """BANKING77 texts by intent (train and test together)."""
    by_intent: dict[str, list[str]] = {}
    for name in ("train.csv", "test.csv"):
        with (DATASETS / name).open(encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream):
                by_intent.setdefault(row["category"], []).append(row["text"].strip())
    return by_intent


def _typo(text: str, rng: random.Random) -> str:
    words = [m for m in re.finditer(r"[A-Za-z]{4,}", text)]
    if not words:
        return text
    word = rng.choice(words)
    at = rng.randrange(word.start(), word.end() - 1)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def varied(by_intent: dict[str, list[str]], count: int, seed: int) -> Iterator[tuple[str, str]]:
    """(text, ISO date) for ``count`` items, deterministic for ``seed``."""
    rng = random.Random(seed)
    intents = sorted(by_intent)
    for _ in range(count):
        pool = by_intent[rng.choice(intents)]
        text = rng.choice(pool)
        roll = rng.random()
        if roll < 0.3:
            text = f"{text} {rng.choice(pool)}"
        if rng.random() < 0.4:
            text = rng.choice(PREFIXES) + text[:1].lower() + text[1:]
        if rng.random() < 0.4:
            text += rng.choice(SUFFIXES)
        if rng.random() < 0.3:
            text = _typo(text, rng)
        if rng.random() < 0.05:
            text = text.lower()
        when = START + dt.timedelta(seconds=rng.randrange(365 * 24 * 3600))
        yield text, when.isoformat()


def write_csv(path: Path, by_intent: dict[str, list[str]], count: int, seed: int, tag: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "date", "customer"])
        for i, (text, when) in enumerate(varied(by_intent, count, seed)):
            writer.writerow([f"{tag}{i}", text, when, f"c{(i * 7919) % CUSTOMERS}"])


def rss_bytes() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def high_water_bytes() -> int:
    with open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class RssSampler:
    """Samples resident memory in a thread; ``peak(t0, t1)`` is the largest seen in [t0, t1]."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), rss_bytes(), time.process_time()))
            self._stop.wait(RSS_EVERY_S)

    def peak(self, t0: float, t1: float) -> int:
        inside = [rss for t, rss, _ in self.samples if t0 <= t <= t1]
        return max(inside, default=rss_bytes())

    def cpu(self, t0: float, t1: float) -> float:
        """CPU seconds (all threads) the process used in [t0, t1], to the nearest sample."""
        inside = [cpu for t, _, cpu in self.samples if t0 <= t <= t1]
        return inside[-1] - inside[0] if len(inside) > 1 else 0.0


# (stage, items, wall seconds, CPU seconds, peak rss bytes)
Row = tuple[str, int, float, float, int]


def timed_import(handle: object, path: Path, count: int, rss: RssSampler) -> Row:
    from productpath.services.feedback import import_feedback

    began = time.perf_counter()
    report = import_feedback(
        handle,  # type: ignore[arg-type]
        path,
        text_column="text",
        id_column="id",
        date_column="date",
        customer_column="customer",
    )
    ended = time.perf_counter()
    assert report.added == count, f"imported {report.added} of {count}"
    return ("import", count, ended - began, rss.cpu(began, ended), rss.peak(began, ended))


def timed_run(handle: object, embedder: object, rss: RssSampler) -> tuple[list[Row], object]:
    from productpath.services.insights import run_insights

    began = time.perf_counter()
    report = run_insights(handle, seed=0, embedder=embedder)  # type: ignore[arg-type]
    ended = time.perf_counter()
    rows: list[Row] = []
    t0 = began
    for stage in STAGES:
        seconds = report.seconds.get(stage, 0.0)
        window = (t0, t0 + seconds)
        rows.append((stage, report.analysed, seconds, rss.cpu(*window), rss.peak(*window)))
        t0 += seconds
    total = (began, ended)
    rows.append(("run total", report.analysed, ended - began, rss.cpu(*total), rss.peak(*total)))
    return rows, report


def make_embedder(name: str) -> object:
    from productpath.insights.embed import HashingEmbedder, MiniLMEmbedder, ml_available

    if name == "minilm":
        if not ml_available():
            raise SystemExit("the ml extra (torch, sentence-transformers) is not installed")
        return MiniLMEmbedder()
    return HashingEmbedder()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--added", type=int, default=1_000)
    parser.add_argument("--embedder", choices=("minilm", "hashing"), default="minilm")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from productpath.insights.embed import ml_available
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    embedder_name = args.embedder if args.embedder == "hashing" or ml_available() else "hashing"
    if embedder_name != args.embedder:
        print("note: the ml extra is missing, so the hashing embedder stands in for MiniLM")
    by_intent = messages()
    embedder = make_embedder(embedder_name)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, RssSampler() as rss:
        root = Path(tmp) / "ws"
        init_workspace(root, "Bench", None)  # SQLite: the embedded default
        first_csv, added_csv = Path(tmp) / "first.csv", Path(tmp) / "added.csv"
        write_csv(first_csv, by_intent, args.items, args.seed, "a")
        write_csv(added_csv, by_intent, args.added, args.seed + 1, "b")
        with open_workspace(Settings(workspace=root, database_url=None)) as handle:
            rows = [timed_import(handle, first_csv, args.items, rss)]
            run_rows, first = timed_run(handle, embedder, rss)
            rows += run_rows
            rows.append(timed_import(handle, added_csv, args.added, rss))
            again_rows, again = timed_run(handle, embedder, rss)
            rows += again_rows
        db_bytes = sum(p.stat().st_size for p in root.rglob("*.db*"))
    load_after = os.getloadavg()

    print(
        f"insights scale: {args.items:,} items + {args.added:,}, embedder {embedder.name}"  # type: ignore[attr-defined]
        f", {os.cpu_count()} cores, load average {load[0]:.1f} before / {load_after[0]:.1f} after"
    )
    print(
        f"{'phase':<10} {'stage':<10} {'items':>9} {'wall s':>8} {'CPU s':>8} {'items/s':>9} "
        f"{'peak RSS':>9}"
    )
    for phase, part in (("first", rows[:9]), ("+added", rows[9:])):
        for stage, items, seconds, cpu, peak in part:
            rate = f"{items / seconds:,.0f}" if seconds > 0.001 and items else "-"
            print(
                f"{phase:<10} {stage:<10} {items:>9,} {seconds:>8.1f} {cpu:>8.1f} {rate:>9} "
                f"{peak / 2**20:>7,.0f}MB"
            )
    print(
        f"first run: mode {first.mode}, {first.themes} themes, {first.unassigned:,} unassigned"  # type: ignore[attr-defined]
        f"; incremental: mode {again.mode}, analysed {again.analysed:,}, "  # type: ignore[attr-defined]
        f"{again.new_unassigned:,} unassigned"  # type: ignore[attr-defined]
    )
    print(
        f"process peak RSS (high-water mark) {high_water_bytes() / 2**20:,.0f}MB; "
        f"database {db_bytes / 2**20:,.0f}MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
