"""The shared-nearest-neighbour graph of the embeddings and its Leiden communities."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

# Rows of the similarity matrix computed at once: 4,096 x 20,000 float32 is 330 MB at most.
BLOCK = 4096


def nearest_neighbours(embeddings: NDArray[np.float32], k: int) -> NDArray[np.int64]:
    """Indices of each row's ``k`` most cosine-similar other rows (unit rows: dot product)."""
    n = embeddings.shape[0]
    found = np.empty((n, k), dtype=np.int64)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        block = embeddings[start:stop] @ embeddings.T
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        # argpartition leaves ties in an arbitrary order; sort so the result is reproducible.
        order = np.lexsort((top, -np.take_along_axis(block, top, axis=1)), axis=1)
        found[start:stop] = np.take_along_axis(top, order, axis=1)
    return found


def snn_graph(neighbours: NDArray[np.int64]) -> sp.coo_matrix:
    """Undirected kNN graph weighted by shared neighbours (each row counts as its own neighbour).

    Sharing neighbours is a sturdier sign of one topic than raw similarity: a generic message
    is close to many others but shares few of their neighbours. Returns the upper triangle.
    """
    n, k = neighbours.shape
    rows = np.repeat(np.arange(n, dtype=np.int64), k + 1)
    cols = np.column_stack([np.arange(n, dtype=np.int64), neighbours]).ravel()
    member = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
    edges = sp.csr_matrix(
        (np.ones(n * k, dtype=np.float32), (np.repeat(np.arange(n), k), neighbours.ravel())),
        shape=(n, n),
    )
    edges = edges.maximum(edges.T)
    shared = (member @ member.T).multiply(edges).tocoo()
    upper = shared.row < shared.col
    return sp.coo_matrix(
        (shared.data[upper] / (k + 1), (shared.row[upper], shared.col[upper])), shape=(n, n)
    )


def leiden_communities(graph: sp.coo_matrix, *, resolution: float, seed: int) -> NDArray[np.int64]:
    """Community of each node, maximising modularity at ``resolution`` with the Leiden method."""
    import igraph
    import leidenalg

    n = graph.shape[0]
    network = igraph.Graph(
        n=n,
        edges=np.column_stack([graph.row, graph.col]).tolist(),
        edge_attrs={"weight": graph.data.astype(np.float64).tolist()},
    )
    partition = leidenalg.find_partition(
        network,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=resolution,
        seed=seed,
        n_iterations=-1,
    )
    return np.asarray(partition.membership, dtype=np.int64)
