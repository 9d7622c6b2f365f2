"""Small real data sets that ship with scikit-learn (no download), standardised and seeded."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Dataset", "diabetes", "digits"]


class Dataset(NamedTuple):
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str


def _split(n, test_fraction, seed):
    """Seeded (train, test) index arrays of ``n`` examples, the first ``test_fraction`` of a
    permutation for the test set."""
    idx = np.random.default_rng(seed).permutation(n)
    n_test = int(round(test_fraction * n))
    return idx[n_test:], idx[:n_test]


def _standardise(train, *others):
    mu, sd = train.mean(axis=0), train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return [(a - mu) / sd for a in (train, *others)]


def diabetes(test_fraction: float = 0.0, seed: int = 0) -> Dataset:
    """scikit-learn's diabetes regression set (442 x 10), features and target standardised.

    Targets have shape (n, 1), float32, so a linear model's squared loss is ready to use.
    """
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    tr, te = _split(len(X), test_fraction, seed)
    X_tr, X_te = _standardise(X[tr], X[te])
    y_tr, y_te = _standardise(y[tr, None], y[te, None])
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)
    return Dataset(f32(X_tr), f32(y_tr), f32(X_te), f32(y_te), "diabetes")


def digits(test_fraction: float = 0.25, seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 handwritten digits (1797 images, 10 classes), pixels standardised.

    ``X`` has shape (n, 64) float32 (reshape to (n, 1, 8, 8) for a CNN); ``y`` int64 labels.
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    tr, te = _split(len(X), test_fraction, seed)
    X_tr, X_te = _standardise(X[tr], X[te])
    return Dataset(X_tr.astype(np.float32), y[tr].astype(np.int64),
                   X_te.astype(np.float32), y[te].astype(np.int64), "digits")
