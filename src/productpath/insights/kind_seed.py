"""The shipped seed examples for feedback kinds, and their precomputed MiniLM vectors.

The examples in ``data/kind_examples.jsonl`` were written for this project. Their vectors live
beside them in ``data/kind_examples.npz`` with a digest of the texts, so the classifier can use the
pipeline's embeddings without loading torch itself; a stale file (texts edited since) is ignored.

Regenerate the vectors after editing the examples (needs the ``ml`` extra):

    python -m productpath.insights.kind_seed
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = DATA / "kind_examples.jsonl"
VECTORS = DATA / "kind_examples.npz"


@dataclass(frozen=True)
class SeedExamples:
    texts: tuple[str, ...]
    kinds: tuple[str, ...]
    # Unit-normalised MiniLM vectors, one per text; None when the shipped file is stale or absent.
    embeddings: NDArray[np.float32] | None


def digest(texts: tuple[str, ...]) -> str:
    hasher = hashlib.sha256()
    for text in texts:
        hasher.update(text.encode("utf-8"))
        hasher.update(b"\x00")
    return hasher.hexdigest()


def read_examples(path: Path = EXAMPLES) -> tuple[tuple[str, ...], tuple[str, ...]]:
    texts: list[str] = []
    kinds: list[str] = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                row = json.loads(line)
                texts.append(str(row["text"]))
                kinds.append(str(row["kind"]))
    return tuple(texts), tuple(kinds)


def read_vectors(texts: tuple[str, ...], path: Path = VECTORS) -> NDArray[np.float32] | None:
    if not path.exists():
        return None
    with np.load(path) as stored:
        if str(stored["digest"]) != digest(texts):
            return None
        return np.asarray(stored["vectors"], dtype=np.float32)


def load_seed() -> SeedExamples:
    texts, kinds = read_examples()
    return SeedExamples(texts, kinds, read_vectors(texts))


def write_vectors(path: Path = VECTORS) -> int:
    """Embed the seed examples with MiniLM and store the vectors; returns how many."""
    # The pipeline's own embedder, so seed vectors match the ones predict() is given.
    from productpath.insights.embed import MiniLMEmbedder

    texts, _ = read_examples()
    vectors = MiniLMEmbedder().embed(list(texts))
    # float16 halves the file; the classifier's linear model does not notice the rounding.
    np.savez_compressed(
        path, vectors=np.asarray(vectors, dtype=np.float16), digest=np.array(digest(texts))
    )
    return len(texts)


if __name__ == "__main__":
    print(f"embedded {write_vectors()} seed examples into {VECTORS}")
