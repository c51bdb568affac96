"""Theme quality: productpath's discover_themes vs BERTopic's default vs k-means given the true k.

python bench/bench_themes.py [--scale N] [--datasets a,b] [--methods a,b]

All methods cluster the same precomputed all-MiniLM-L6-v2 embeddings (cached under
bench/.cache/), each method in a fresh process. NMI and ARI are computed on ALL items: an
unassigned item (productpath's -1, BERTopic's outlier topic -1) counts as one more cluster.
productpath was tuned on BANKING77 train only; test is the figure to quote. issue-reports is a
sanity check on another kind of text, scored against the issue's repository (5 projects).
The scale row clusters N vectors made by jittering BANKING77 train embeddings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from themes_data import embeddings, load

HERE = Path(__file__).resolve().parent
DATASETS = ("banking77-test", "banking77-train", "issue-reports")
METHODS = ("productpath", "bertopic", "kmeans-true-k")


def measure(*args: str) -> dict[str, float] | None:
    done = subprocess.run(
        [sys.executable, str(HERE / "themes_method.py"), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=100_000, help="rows for the scale row; 0: skip"
    )
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args()
    failed = 0
    print(
        f"{'dataset':<16} {'method':<14} {'NMI':>6} {'ARI':>6} {'themes':>7} "
        f"{'unassigned':>10} {'seconds':>8}"
    )
    for name in args.datasets.split(","):
        embeddings(load(name))  # computed once here, so no method's time includes it
        for method in args.methods.split(","):
            row = measure(method, name)
            if row is None:
                failed += 1
                continue
            print(
                f"{name:<16} {method:<14} {row['nmi']:>6.3f} {row['ari']:>6.3f} "
                f"{row['themes']:>7.0f} {row['unassigned']:>10.1%} {row['seconds']:>8.1f}",
                flush=True,
            )
    if args.scale:
        row = measure("scale", str(args.scale))
        if row is None:
            failed += 1
        else:
            print(
                f"\nscale: {args.scale:,} jittered vectors, productpath: {row['seconds']:.1f} s, "
                f"peak RSS {row['peak_mb']:,.0f} MB, {row['themes']:.0f} themes, "
                f"{row['unassigned']:.1%} unassigned"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
