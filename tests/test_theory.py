"""optlib.theory: the momentum iteration matrix against the real optimizer."""
import numpy as np
import pytest

import optlib
from optlib import theory


@pytest.mark.parametrize("nesterov", [False, True])
def test_matrix_reproduces_the_optimizer(nesterov):
    lam, eta, beta = 4.0, 0.3, 0.7
    obj = optlib.objectives.quadratic(0.5 * lam, 0.5 * lam)  # curvature lam in both axes
    traj = optlib.trajectory(optlib.sgd(eta, momentum=beta, nesterov=nesterov), obj,
                             (1.5, -0.5), 12)
    M = theory.momentum_matrix(eta, beta, lam, nesterov=nesterov)
    state = np.array([[0.0, 1.5], [0.0, -0.5]])  # (v, x) per coordinate
    for t in range(1, 13):
        state = state @ M.T
        np.testing.assert_allclose(state[:, 1], traj[t], rtol=1e-12, atol=1e-14)


def test_gd_rate_and_divergence():
    lams = [0.2, 4.0]
    assert theory.momentum_rate(0.4, 0.0, lams) == pytest.approx(0.92)    # |1 - 0.4 * 0.2|
    assert theory.momentum_rate(0.6, 0.0, lams) == pytest.approx(1.4)     # |1 - 0.6 * 4|
    # stable iff 0 < eta * lam < 2 (1 + beta): the edge for beta = 0.5 is eta = 0.75
    assert theory.momentum_rate(0.74, 0.5, [4.0]) < 1 < theory.momentum_rate(0.76, 0.5, [4.0])


def test_rate_matches_empirical_decay_on_a_grid():
    obj = optlib.objectives.ill_conditioned                    # curvatures 0.2 and 4
    lr, mom = np.meshgrid(np.linspace(0.05, 0.8, 6), np.linspace(0.0, 0.9, 5))
    rate = theory.momentum_rate(lr, mom, [0.2, 4.0])
    assert rate.shape == lr.shape
    runs = optlib.sweep(optlib.sgd, obj, (-5.0, -2.0), 400, lr=lr.ravel(), momentum=mom.ravel())
    err = np.linalg.norm(runs, axis=-1)
    with np.errstate(all="ignore"):
        empirical = (err[:, 400] / err[:, 200]) ** (1 / 200)
    ok = np.isfinite(empirical) & (rate.ravel() < 0.99)
    np.testing.assert_allclose(empirical[ok], rate.ravel()[ok], rtol=0.02)


def test_optimal_momentum():
    lr, beta, rate = theory.optimal_momentum(0.2, 4.0)
    kappa = 20.0
    assert beta == pytest.approx(((kappa ** 0.5 - 1) / (kappa ** 0.5 + 1)) ** 2)
    assert theory.momentum_rate(lr, beta, [0.2, 4.0]) == pytest.approx(rate)
    L, B = np.meshgrid(np.linspace(0.01, 1.2, 200), np.linspace(0.0, 0.99, 200))
    assert theory.momentum_rate(L, B, [0.2, 1.0, 4.0]).min() >= rate - 1e-12
    with pytest.raises(ValueError):
        theory.optimal_momentum(0.0, 1.0)
