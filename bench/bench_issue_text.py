"""Time of `insights run` on long issue bodies, embedding them whole vs cleaned (embed_text.py).

python bench/bench_issue_text.py [--items 1500] [--embedder minilm|hashing]

Reads the first N issues of /work/shared/datasets/issue-reports (title and body: the bench's
data, never shipped), imports them into a fresh SQLite workspace per mode and times one full
`insights run` in each, with an empty embedding cache. "whole" is what the run embedded before
the cleaning: each text's first 2,000 characters; "cleaned" is what it embeds now. Each mode runs
in its own workspace, so neither reuses the other's vectors.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from productpath.insights import embed_text
from productpath.insights.embed import HashingEmbedder, MiniLMEmbedder
from productpath.services import insights as insight_service
from productpath.services.feedback import import_feedback
from productpath.services.workspace import init_workspace, open_workspace
from productpath.settings import Settings

DATA = Path("/work/shared/datasets/issue-reports/issues_train.csv")
WHOLE_CHARS = 2000


def issue_texts(count: int) -> list[tuple[str, str]]:
    """(created, "title\\n\\nbody") of the first ``count`` issues."""
    csv.field_size_limit(sys.maxsize)
    rows: list[tuple[str, str]] = []
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append((row["created_at"][:10], f"{row['title']}\n\n{row['body']}"))
            if len(rows) == count:
                break
    return rows


def timed_run(rows: list[tuple[str, str]], embedder_name: str, cleaned: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        init_workspace(root, "Issues", None)
        feedback = Path(folder) / "issues.csv"
        with feedback.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["id", "text", "created"])
            writer.writerows((i, text, created) for i, (created, text) in enumerate(rows))
        embedder = MiniLMEmbedder() if embedder_name == "minilm" else HashingEmbedder()
        original = insight_service.embedding_text
        if not cleaned:
            # The run before the cleaning: the raw text, cut only at the embedder's 2,000.
            insight_service.embedding_text = lambda text: text[:WHOLE_CHARS]  # type: ignore[assignment]
        try:
            with open_workspace(Settings(workspace=root, database_url=None)) as handle:
                import_feedback(handle, feedback, text_column="text", id_column="id",
                                date_column="created")  # fmt: skip
                start = time.perf_counter()
                report = insight_service.run_insights(handle, embedder=embedder, seed=0)
                seconds = time.perf_counter() - start
        finally:
            insight_service.embedding_text = original
        embedded_chars = sum(
            len(text[:WHOLE_CHARS] if not cleaned else embed_text.embedding_text(text))
            for _, text in rows
        )
        return {
            "seconds": seconds,
            "embed_seconds": report.seconds.get("embed", 0.0),
            "themes": report.themes,
            "unassigned": report.unassigned / max(report.items, 1),
            "chars": embedded_chars / max(len(rows), 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--embedder", choices=("minilm", "hashing"), default="minilm")
    args = parser.parse_args()
    rows = issue_texts(args.items)
    print(f"{len(rows)} issues, {args.embedder} embedder")
    print(f"{'mode':<8} {'run s':>7} {'embed s':>8} {'chars/text':>10} {'themes':>7}", end=" ")
    print(f"{'unassigned':>10}")
    for mode, cleaned in (("whole", False), ("cleaned", True)):
        row = timed_run(rows, args.embedder, cleaned)
        print(
            f"{mode:<8} {row['seconds']:>7.1f} {row['embed_seconds']:>8.1f} {row['chars']:>10.0f} "
            f"{row['themes']:>7.0f} {row['unassigned']:>10.1%}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
