"""Shared test setup: one torch thread (the tensors are tiny, and OpenMP threads spin when
the two cores are shared), the NumPy SIMD dispatch in use printed in the header."""
import numpy as np
import pytest


def pytest_report_header(config):
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # pragma: no cover
        return "numpy SIMD: unknown"
    on = [k for k in ("AVX512F", "AVX512_SKX", "AVX2", "SSE42") if feats.get(k)]
    return f"numpy {np.__version__}, CPU features in use: {' '.join(on) or 'baseline'}"


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
