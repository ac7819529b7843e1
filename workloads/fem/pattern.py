"""The sparsity pattern of K, built once per mesh: where every element
block lands in the global matrix, and the CSR order of the result."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from workloads.fem.mesh import BoxMesh


@dataclass(frozen=True)
class CsrPattern:
    """CSR structure of K and where each element contribution goes.

    K is a grid of 3x3 blocks, one per pair of neighbouring nodes (BSR).
    Element e's block (a, b) is added into block `block_slots[e, a, b]`;
    CSR value k is then BSR value `csr_from_bsr[k]` (a gather).
    """

    indptr: np.ndarray  # (dofs + 1,) int32
    indices: np.ndarray  # (nnz,) int32
    block_slots: np.ndarray  # (elements, 8, 8) int32
    csr_from_bsr: np.ndarray  # (nnz,) int32
    num_dofs: int

    @property
    def nnz(self) -> int:
        """Stored entries of K: 9 per block."""
        return len(self.indices)

    @property
    def num_blocks(self) -> int:
        """3x3 blocks of K: one per pair of neighbouring nodes."""
        return self.nnz // 9

    @cached_property
    def scalar_slots(self) -> np.ndarray:
        """(elements, 24, 24) int32: the CSR position of each entry (a i, b j)
        of each element matrix."""
        bsr_to_csr = np.empty(self.nnz, np.int64)
        bsr_to_csr[self.csr_from_bsr] = np.arange(self.nnz)
        i = np.arange(3)[:, None, None]
        j = np.arange(3)
        flat = 9 * self.block_slots[:, :, None, :, None] + 3 * i + j
        return bsr_to_csr[flat].reshape(-1, 24, 24).astype(np.int32)

    def matrix(self, data: Any) -> sp.csr_matrix:
        """SciPy CSR matrix with these values (on the host, in float64)."""
        values = np.asarray(data, dtype=np.float64)
        shape = (self.num_dofs, self.num_dofs)
        return sp.csr_matrix((values, self.indices, self.indptr), shape=shape)


def csr_pattern(mesh: BoxMesh) -> CsrPattern:
    """The pattern of K: one 3x3 block per pair of neighbouring nodes."""
    nodes = mesh.num_nodes
    # Each element couples its 8 nodes pairwise: 64 (row, col) node pairs.
    rows = np.repeat(mesh.elements, 8, axis=1).ravel().astype(np.int64)
    cols = np.tile(mesh.elements, (1, 8)).ravel().astype(np.int64)
    # Node adjacency: SciPy sums the duplicate pairs and sorts each row.
    ones = np.ones(rows.size, np.int8)
    adjacency = sp.csr_matrix((ones, (rows, cols)), shape=(nodes, nodes))
    adjacency.sort_indices()
    ptr, neighbours = adjacency.indptr, adjacency.indices
    # Block k is the k-th node pair in (row, col) order: look each
    # element pair up in that sorted list.
    block_rows = np.repeat(np.arange(nodes, dtype=np.int64), np.diff(ptr))
    keys = block_rows * nodes + neighbours
    block_slots = np.searchsorted(keys, rows * nodes + cols)
    # CSR order of the block values: give each value its own position
    # (+1, so that none is zero) and let SciPy convert BSR to CSR.
    positions = np.arange(1, 9 * len(keys) + 1, dtype=np.float64)
    bsr = sp.bsr_matrix((positions.reshape(-1, 3, 3), neighbours, ptr),
                        shape=(mesh.num_dofs, mesh.num_dofs))
    csr = bsr.tocsr()
    csr.sort_indices()
    return CsrPattern(
        csr.indptr.astype(np.int32),
        csr.indices.astype(np.int32),
        block_slots.reshape(-1, 8, 8).astype(np.int32),
        (csr.data - 1).astype(np.int32),
        mesh.num_dofs,
    )


def coo_to_csr(values: np.ndarray, rows: np.ndarray, cols: np.ndarray,
               size: int) -> sp.csr_matrix:
    """SciPy's COO -> CSR conversion, which builds the pattern in every
    call (duplicates summed, indices sorted)."""
    K = sp.coo_matrix((values, (rows, cols)), shape=(size, size)).tocsr()
    K.sort_indices()
    return K
