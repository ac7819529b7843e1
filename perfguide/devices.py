"""Where each side of a comparison runs: PyTorch goes to the GPU when JAX runs on one."""

from typing import Any


def torch_device(jax_backend: str | None = None, cuda_available: bool | None = None) -> str:
    """'cuda' when JAX runs on a GPU (and PyTorch can follow it there), else 'cpu'."""
    if jax_backend is None:
        import jax

        jax_backend = jax.default_backend()
    if jax_backend != "gpu":
        return "cpu"
    if cuda_available is None:
        import torch

        cuda_available = torch.cuda.is_available()
    if not cuda_available:
        raise RuntimeError(
            "JAX runs on a GPU but this PyTorch build has no CUDA, so a comparison would set a GPU "
            "against a CPU: install a CUDA build of torch, or run JAX on the CPU with JAX_PLATFORMS=cpu"
        )
    return "cuda"


def memory_kind(jax_backend: str | None = None) -> str:
    """What a memory figure measures on this backend: 'host RSS' on the CPU, 'device memory' elsewhere."""
    if jax_backend is None:
        import jax

        jax_backend = jax.default_backend()
    return "host RSS" if jax_backend == "cpu" else "device memory"


def to_torch(array: Any, device: str) -> Any:
    """A NumPy or JAX array as a torch tensor on `device` (a copy, made outside any timed region)."""
    import numpy as np
    import torch

    return torch.from_numpy(np.array(array)).to(device)
