"""Shared test setup: one torch thread (the tensors are tiny, and OpenMP threads spin when
the two cores are shared), the NumPy SIMD dispatch in use printed in the header."""
import numpy as np
import pytest


def pytest_report_header(config):
    try:
        from numpy._core._multiarray_umath import (__cpu_baseline__, __cpu_dispatch__,
                                                   __cpu_features__)
    except ImportError:  # pragma: no cover
        return "numpy SIMD dispatch: unknown"
    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return (f"numpy {np.__version__} SIMD: baseline {' '.join(__cpu_baseline__)}, "
            f"dispatched {' '.join(found) or 'none'}")


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
