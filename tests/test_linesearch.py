"""Backtracking (Armijo) line search (optlib.linesearch)."""
import numpy as np
import pytest

import optlib
from optlib import objectives as O


def test_armijo_holds_and_loss_falls_at_every_step():
    obj = O.ill_conditioned
    path, rates = optlib.backtracking_trajectory(obj, (-5.0, -2.0), 30, lr=1.0, c=1e-4)
    assert path.shape == (31, 2) and rates.shape == (30,)
    np.testing.assert_allclose(path[0], [-5.0, -2.0])
    for x, x_next, eta in zip(path[:-1], path[1:], rates):
        g = obj.grad(x)
        np.testing.assert_allclose(x_next, x - eta * g)            # a gradient step
        assert obj(x_next) <= obj(x) - 1e-4 * eta * g @ g            # sufficient decrease
        assert eta <= 1.0 and np.log2(eta) == round(np.log2(eta))   # 1, 1/2, 1/4, ...
    assert obj(path[-1]) < 1e-2 * obj(path[0])


def test_newton_with_line_search_takes_the_full_step_on_a_quadratic():
    path, rates = optlib.backtracking_trajectory(O.ill_conditioned, (-5.0, -2.0), 2,
                                                 newton=True)
    np.testing.assert_allclose(path[1], [0.0, 0.0], atol=1e-12)
    np.testing.assert_array_equal(rates, [1.0, 1.0])


@pytest.mark.parametrize("x0", [10.0, 5.0])
def test_newton_with_line_search_finds_a_minimum_where_pure_newton_finds_a_maximum(x0):
    f = O.x_cos(0.15 * np.pi)
    pure = optlib.trajectory(optlib.newton(), f, x0, 20)[-1]
    assert f.hess(pure)[0] < 0                                       # pure Newton: a maximum
    path, _ = optlib.backtracking_trajectory(f, x0, 20, newton=True)
    x = path[-1]
    assert abs(f.grad(x)[0]) < 1e-10 and f.hess(x)[0] > 0            # damped: a minimum
    assert np.all(np.diff(f(path[:, 0])) <= 1e-12)                   # never uphill


@pytest.mark.parametrize("kw, msg", [({"lr": 0.0}, "Invalid learning rate"),
                                     ({"shrink": 1.0}, "Invalid shrink factor"),
                                     ({"c": 0.0}, "Invalid Armijo constant")])
def test_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        optlib.backtracking_trajectory(O.square, 1.0, 3, **kw)
