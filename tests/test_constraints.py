"""Projection onto a ball and projected gradient descent (optlib.constraints)."""
import numpy as np
import pytest

import optlib
from optlib import objectives as O


def test_project_ball_inside_unchanged_outside_on_surface():
    c = np.array([1.0, -2.0])
    inside = np.array([1.5, -2.0])
    np.testing.assert_array_equal(optlib.project_ball(inside, 2.0, c), inside)
    outside = np.array([[4.0, 2.0], [1.0, -7.0]])          # distances 5 and 5
    p = optlib.project_ball(outside, 2.0, c)
    np.testing.assert_allclose(np.linalg.norm(p - c, axis=-1), 2.0)
    np.testing.assert_allclose(p, c + (outside - c) * 2.0 / 5.0)
    np.testing.assert_allclose(optlib.project_ball(p, 2.0, c), p)   # idempotent
    with pytest.raises(ValueError, match="Invalid radius"):
        optlib.project_ball(inside, -1.0)


def test_projected_gd_reaches_constrained_minimizer():
    # minimise x1^2 + x2^2 over the ball of radius 1 around (3, 4): the answer is the
    # ball's point nearest the origin, (3, 4) * (1 - 1/5).
    ball = lambda x: optlib.project_ball(x, 1.0, (3.0, 4.0))   # noqa: E731
    path = optlib.projected_trajectory(optlib.sgd(0.1), O.quadratic(1, 1), (3.0, 6.0), 100,
                                       ball)
    assert path.shape == (101, 2)
    np.testing.assert_allclose(path[0], [3.0, 5.0])
    np.testing.assert_allclose(path[-1], [2.4, 3.2], atol=1e-10)
    assert np.all(np.linalg.norm(path - [3.0, 4.0], axis=-1) <= 1.0 + 1e-12)


def test_projected_trajectory_with_identity_is_trajectory():
    obj = O.quadratic(1, 2)
    a = optlib.projected_trajectory(optlib.sgd(0.1), obj, (-5.0, -2.0), 20, lambda x: x)
    b = optlib.trajectory(optlib.sgd(0.1), obj, (-5.0, -2.0), 20)
    np.testing.assert_array_equal(a, b)   # one code path (core._run); the projection is x -> x
