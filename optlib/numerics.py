r"""The numerical contract of ``optlib``: which results are equal to the last bit, and
which agree to round-off.  Every test, every hidden check of a chapter and every claim
in the book's text follows it.

**Why two kinds of agreement.**  The basic IEEE operations (``+ - * /`` and ``sqrt``)
are correctly rounded on every CPU and in every SIMD loop, so two computations that
perform the same basic operations in the same order on the same inputs give the same
bits.  Transcendental functions are different: NumPy evaluates ``power``, ``exp``,
``log``, ``cos`` … on arrays with SIMD loops chosen at run time for the CPU
(AVX-512 on many cloud machines, AVX2 or SSE elsewhere), and those loops are not
correctly rounded, while a Python float or a NumPy scalar uses the C library.  So
``0.8 ** 2`` and ``np.power(0.8, np.arange(3))[2]`` can differ by one ulp on one
machine and agree on another.  torch's kernels, fused or multi-tensor, also order
their operations differently from the rule as written.

**Bit-identical by construction** (tested with exact equality, on every CPU):

1. the same call twice (same arguments, same seed, same machine and versions);
2. a schedule at an int and on an array: ``s(t) == s(np.arange(T))[t]``
   (:mod:`optlib.schedules` evaluates both through the same scalar code);
3. :meth:`optlib.Optimizer.step_` and :meth:`optlib.Optimizer.step` on float64:
   the in-place kernels (:mod:`optlib.inplace`) run the same basic operations in the
   same order, and any power (Adam's bias correction) is taken from the same operands;
4. :class:`optlib.torch.ScheduledLR` and the schedule it wraps (it calls ``s(t)``).

**Equal to round-off** (tested with :func:`assert_roundoff`), everything that goes
through two different code paths:

* :func:`optlib.sweep` (a batch of B settings, hyperparameters as arrays) against B
  calls of :func:`optlib.trajectory` (scalars): within :data:`ROUNDOFF_ULPS` ulp of
  the run's largest coordinate for the book's short runs;
* the NumPy backend against the torch backend, and ``optlib.torch`` against
  ``torch.optim``: float64 round-off (a relative tolerance of about 1e-10 after tens of
  steps, because the kernels order their sums differently);
* the fast paths of ``optlib.torch`` (torch's fused and multi-tensor kernels) against
  its reference rule path.

Round-off grows with the number of steps and with the conditioning of the run
(a diverging run amplifies it), so a check of a long run states its own bound.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ROUNDOFF_ULPS", "ulp_error", "assert_roundoff"]

ROUNDOFF_ULPS = 16
"""Default bound, in ulp of the largest finite magnitude of the reference array."""


def ulp_error(actual, desired) -> float:
    """The largest ``|actual - desired|`` in units of ``np.spacing(max |desired|)``.

    Measuring against the array's largest magnitude (not element by element) keeps a
    coordinate that passes near zero from turning a round-off difference into
    millions of "ulp".  Non-finite entries must sit at the same places with the same
    values (inf, -inf or nan); they do not count.
    """
    a = np.asarray(actual, dtype=float)
    d = np.asarray(desired, dtype=float)
    if a.shape != d.shape:
        raise AssertionError(f"shapes differ: {a.shape} != {d.shape}")
    fa, fd = np.isfinite(a), np.isfinite(d)
    if not np.array_equal(fa, fd) or not np.array_equal(a[~fa], d[~fd], equal_nan=True):
        raise AssertionError("the non-finite entries (inf/nan) differ")
    if not fd.any():
        return 0.0
    scale = np.spacing(np.abs(d[fd]).max())
    return float(np.abs(a[fa] - d[fd]).max() / scale)


def assert_roundoff(actual, desired, ulps: float = ROUNDOFF_ULPS, err_msg: str = ""):
    """Assert that two results of different code paths agree to round-off: every entry
    within ``ulps`` ulp of the reference's largest finite magnitude (see :func:`ulp_error`)."""
    err = ulp_error(actual, desired)
    if err > ulps:
        raise AssertionError(f"{err_msg + ': ' if err_msg else ''}results differ by {err:.3g} "
                             f"ulp of their scale (allowed: {ulps})")
