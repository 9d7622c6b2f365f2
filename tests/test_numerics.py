"""The numerical contract (optlib.numerics): the round-off check itself, and the
promises that hold to the last bit on every CPU."""
import numpy as np
import pytest

import optlib
from optlib import schedules as S
from optlib.numerics import assert_roundoff, ulp_error


def test_ulp_error_is_measured_against_the_largest_magnitude():
    ref = np.array([4.0, 1e-20, -2.0])
    assert ulp_error(ref, ref) == 0
    one_ulp = np.spacing(4.0)
    assert ulp_error(ref + [0, one_ulp, 0], ref) == 1     # tiny entry: still 1 ulp of 4
    assert ulp_error(ref + [3 * one_ulp, 0, 0], ref) == 3
    assert_roundoff(ref + [0, 0, 8 * one_ulp], ref, ulps=8)
    with pytest.raises(AssertionError, match="9 ulp"):
        assert_roundoff(ref + [0, 0, 9 * one_ulp], ref, ulps=8)


def test_non_finite_entries_must_match():
    ref = np.array([1.0, np.inf, np.nan])
    assert ulp_error(ref, ref) == 0
    for bad in ([1.0, -np.inf, np.nan], [1.0, np.inf, 2.0], [1.0, 2.0, np.nan]):
        with pytest.raises(AssertionError, match="non-finite"):
            ulp_error(bad, ref)
    with pytest.raises(AssertionError, match="shapes"):
        ulp_error(ref[:2], ref)


def test_schedule_scalar_and_array_agree_where_simd_power_does_not():
    """The case that broke on AVX-512: 0.8 ** 2 by the C library is 0.6400000000000001;
    NumPy's AVX-512 power loop gives 0.64.  Schedules use one path for both."""
    s = S.factor(1.0, 0.8, min_lr=0.01)
    assert s(2) == 0.8 ** 2
    assert s(np.arange(3))[2] == s(2)
    assert S.polynomial(1.0, 0.3, 0.7)(np.arange(50)).tolist() == [
        S.polynomial(1.0, 0.3, 0.7)(t) for t in range(50)]


def test_same_call_twice_is_bit_identical():
    run = lambda: optlib.trajectory(optlib.adam(0.1), optlib.objectives.rosenbrock(),  # noqa: E731
                                    (-1.0, 1.0), 50, noise=0.3, seed=7)
    np.testing.assert_array_equal(run(), run())
