"""The NumPy backend's runs: classic numbers, sweeps against loops (every case of the one
table), divergence (of the iterates and of the optimizer's state), the objectives'
derivatives by finite differences, projected Newton, devices.  Every algorithm on every
path: tests/test_conformance.py; bad inputs: tests/test_inputs.py."""
import warnings

import numpy as np
import pytest
import torch

import optlib
import optlib.torch as ot
from optlib import objectives as O
from optlib.numerics import assert_roundoff
from optlib.spec import ALGORITHMS
from optimizer_table import CASES, IDS, TABLE


# --------------------------------------------------------------- the classic numbers
@pytest.mark.parametrize("lr,factor", [(0.2, 0.6), (0.05, 0.9)])
def test_gd_on_square_classic_numbers(lr, factor):
    traj = optlib.trajectory(optlib.sgd(lr), O.square, 10.0, 10)
    assert traj.shape == (11, 1)
    np.testing.assert_allclose(traj[-1, 0], 10 * factor ** 10, rtol=1e-12)
    np.testing.assert_allclose(traj[:, 0], 10 * factor ** np.arange(11), rtol=1e-12)


def test_gd_2d_classic_numbers():
    traj = optlib.trajectory(optlib.sgd(0.1), O.quadratic(1, 2), (-5, -2), 20)
    # x1 shrinks by (1 - 2*0.1), x2 by (1 - 4*0.1) per step
    np.testing.assert_allclose(traj[-1], [-5 * 0.8 ** 20, -2 * 0.6 ** 20], rtol=1e-12)


def test_ill_conditioned_gd_numbers():
    traj = optlib.trajectory(optlib.sgd(0.4), O.ill_conditioned, (-5, -2), 20)
    np.testing.assert_allclose(traj[-1], [-0.943467, -0.000073], atol=5e-7)


def test_newton_solves_a_quadratic_in_one_step():
    traj = optlib.trajectory(optlib.newton(), O.quadratic(0.1, 2), (-5, -2), 1)
    np.testing.assert_allclose(traj[-1], [0, 0], atol=1e-15)
    diag = optlib.trajectory(optlib.newton(diagonal=True), O.quadratic(0.1, 2), (-5, -2), 1)
    np.testing.assert_allclose(diag[-1], [0, 0], atol=1e-15)


def test_schedule_as_learning_rate():
    sched = optlib.schedules.exponential(0.2, 0.1)
    traj = optlib.trajectory(optlib.sgd(sched), O.square, 1.0, 3)
    expected = [1.0]
    for t in range(3):
        expected.append(expected[-1] * (1 - 2 * sched(t)))
    np.testing.assert_allclose(traj[:, 0], expected, rtol=1e-14)


def test_noise_is_seeded():
    run = lambda seed: optlib.trajectory(optlib.sgd(0.1), O.quadratic(1, 2), (-5, -2), 30,
                                         noise=1.0, seed=seed)
    np.testing.assert_array_equal(run(3), run(3))
    assert not np.allclose(run(3), run(4))
    assert not np.allclose(run(3), optlib.trajectory(optlib.sgd(0.1), O.quadratic(1, 2),
                                                     (-5, -2), 30))


# ------------------------------------------------------------------------- sweeps
SWEPT = [c.id for c in TABLE if "lr" in c.kw and not ALGORITHMS[c.algorithm].needs_hessian]


@pytest.mark.parametrize("case_id", SWEPT)
def test_sweep_equals_loop(case_id):
    case = CASES[case_id]
    make = getattr(optlib, case.algorithm)
    lrs = np.linspace(0.01, 0.5, 7)
    obj = O.rosenbrock(1.0, 1.0)
    swept = optlib.sweep(make, obj, (-1.0, 1.0), 15, **{**case.kw, "lr": lrs})
    assert swept.shape == (7, 16, 2)
    for lr, rows in zip(lrs, swept):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optlib.DivergenceWarning)
            loop = optlib.trajectory(make(**{**case.kw, "lr": lr}), obj, (-1.0, 1.0), 15)
        assert_roundoff(rows[:len(loop)], loop, err_msg=f"{case_id}, lr={lr}")


def test_sweep_of_newton_learning_rates():
    lrs = np.array([0.25, 0.5, 1.0])
    swept = optlib.sweep(optlib.newton, O.rosenbrock(), (-1.0, 1.0), 6, lr=lrs)
    for lr, rows in zip(lrs, swept):
        assert_roundoff(rows, optlib.trajectory(optlib.newton(lr), O.rosenbrock(), (-1.0, 1.0), 6))


def test_sweep_of_many_learning_rates_equals_loop():
    """The benchmark's case, smaller: many learning rates on a 2-D quadratic, to round-off
    (a batch of 40 and 40 runs of one are different code paths)."""
    obj, x0, lrs = O.quadratic(), (-1.5, 1.0), np.linspace(0.01, 0.6, 40)
    swept = optlib.sweep(optlib.sgd, obj, x0, 30, lr=lrs, momentum=0.5)
    loop = np.stack([optlib.trajectory(optlib.sgd(lr, momentum=0.5), obj, x0, 30) for lr in lrs])
    assert_roundoff(swept, loop)


def test_sweep_two_hyperparameters_and_betas():
    mom = np.array([0.0, 0.5, 0.9])
    swept = optlib.sweep(optlib.sgd, O.ill_conditioned, (-5, -2), 10, lr=0.4, momentum=mom)
    for m, rows in zip(mom, swept):
        assert_roundoff(
            rows, optlib.trajectory(optlib.sgd(0.4, momentum=m), O.ill_conditioned, (-5, -2), 10))
    b2 = np.array([0.99, 0.999])
    swept = optlib.sweep(optlib.adam, O.ill_conditioned, (-5, -2), 10, lr=0.1, betas=(0.9, b2))
    for b, rows in zip(b2, swept):   # betas as arrays: NumPy's SIMD power vs the scalar pow
        assert_roundoff(
            rows, optlib.trajectory(optlib.adam(0.1, betas=(0.9, b)), O.ill_conditioned, (-5, -2), 10))
    with pytest.raises(ValueError, match="one length"):
        optlib.sweep(optlib.sgd, O.square, 1.0, 3, lr=np.ones(2), momentum=np.ones(3) / 2)


# -------------------------------------------------------------------- divergence
def test_divergence_warns_once_and_stops():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traj = optlib.trajectory(optlib.sgd(1.1), O.square, 10.0, 5000)
    assert [w.category for w in caught] == [optlib.DivergenceWarning]
    msg = str(caught[0].message)
    assert "diverged at step" in msg
    step = int(msg.split("diverged at step ")[1].split(":")[0])
    assert len(traj) == step and np.all(np.isfinite(traj))
    # the finite part is the exact geometric sequence x_t = 10 (-1.2)^t
    np.testing.assert_allclose(traj[:50, 0], 10 * (-1.2) ** np.arange(50), rtol=1e-12)


def test_no_warning_when_converging():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optlib.trajectory(optlib.adam(0.1), O.rosenbrock(), (-1, 1), 200)


def test_state_overflow_is_divergence_too():
    """g^2 overflows: AdaGrad's s becomes inf and every later step is 0 (a frozen run that
    looks converged), Yogi's becomes nan.  Both are reported at the step where it happens."""
    huge = optlib.Objective(lambda x: 1e200 * x, lambda x: np.full_like(x, 1e200), name="huge")
    for make in (optlib.adagrad(0.1), optlib.rmsprop(0.1), optlib.adam(0.1), optlib.yogi(0.1)):
        with pytest.warns(optlib.DivergenceWarning, match=r"diverged at step 1: its state "
                                                          r"\(s\) is no longer finite"):
            traj = optlib.trajectory(make, huge, 1.0, 5)
        assert len(traj) == 1


def test_divergence_warning_names_the_weight_decay():
    opt = optlib.sgd(1.1, weight_decay=0.5)
    assert repr(opt) == "optlib.sgd(lr=1.1, momentum=0.0, nesterov=False, weight_decay=0.5)"
    with pytest.warns(optlib.DivergenceWarning, match="weight_decay=0.5"):
        optlib.trajectory(opt, O.square, 10.0, 5000)
    assert "weight_decay=0.01" in repr(optlib.adamw(0.1))
    assert repr(optlib.newton()) == "optlib.newton(lr=1.0, diagonal=False)"


# ------------------------------------------------------------------- objectives
FD_CASES = [(O.square, 0.7), (O.cube, -0.4), (O.tanh, 0.3), (O.exp, 0.2), (O.cos, 1.1),
            (O.x_cos(), 0.6), (O.x_cos(0.15 * np.pi), 4.0), (O.cosh(), 1.5), (O.cosh(2.0), -0.3),
            (O.saddle, (0.4, -0.7)), (O.quadratic(), (1.2, -0.5)), (O.ill_conditioned, (-5.0, -2.0)),
            (O.rosenbrock(), (-1.0, 1.0)), (O.rosenbrock(1.0, 1.0), (0.3, 0.8)),
            (O.least_squares(np.random.default_rng(0).normal(size=(9, 2)),
                             np.random.default_rng(1).normal(size=9)), (0.5, -1.0, 2.0))]


@pytest.mark.parametrize("objective, x", FD_CASES, ids=[o.name for o, _ in FD_CASES])
def test_gradient_and_hessian_match_finite_differences(objective, x):
    x = np.atleast_1d(np.asarray(x, dtype=float))
    h = 1e-6
    basis = np.eye(len(x))
    fd_grad = np.array([(objective(x + h * e) - objective(x - h * e)).sum() / (2 * h)
                        for e in basis])
    np.testing.assert_allclose(objective.grad(x), fd_grad, rtol=1e-6, atol=1e-7)
    fd_hess = np.array([(objective.grad(x + h * e) - objective.grad(x - h * e)) / (2 * h)
                        for e in basis]).T.reshape(len(x), len(x))
    np.testing.assert_allclose(objective.hessian(x).reshape(len(x), len(x)), fd_hess,
                               rtol=1e-6, atol=1e-6)


def test_every_objective_is_checked():
    """A new objective in optlib.objectives needs its case in FD_CASES (and here)."""
    covered = {"square", "cube", "tanh", "exp", "cos", "x_cos", "cosh", "saddle", "quadratic",
               "ill_conditioned", "rosenbrock", "least_squares"}
    assert set(O.__all__) - {"Objective"} == covered


# ------------------------------------------------------------------- projected Newton
@pytest.mark.parametrize("diagonal", [False, True])
def test_projected_newton_projects_every_newton_step(diagonal):
    obj = O.quadratic(1.0, 3.0)
    ball = lambda x: optlib.project_ball(x, 1.0, (3.0, 4.0))   # noqa: E731
    opt = optlib.newton(0.5, diagonal=diagonal)
    path = optlib.projected_trajectory(opt, obj, (3.0, 6.0), 6, ball)
    np.testing.assert_array_equal(path[0], ball(np.array([3.0, 6.0])))
    for x, x_next in zip(path[:-1], path[1:]):
        step = x - 0.5 * np.linalg.solve(obj.hessian(x), obj.grad(x))
        np.testing.assert_allclose(x_next, ball(step), rtol=1e-14)
    assert np.all(np.linalg.norm(path - [3.0, 4.0], axis=-1) <= 1.0 + 1e-12)
    # the constrained minimizer of a x1^2 + b x2^2 over the ball is on its surface
    assert abs(np.linalg.norm(path[-1] - [3.0, 4.0]) - 1.0) < 1e-12


# ------------------------------------------------------------------------- devices
def test_device_follows_availability():
    assert ot.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
@pytest.mark.parametrize("case_id", [c.id for c in TABLE if c.algorithm != "newton"])
def test_cuda_matches_cpu(case_id):  # pragma: no cover - needs a GPU
    case = CASES[case_id]
    kw, cls = case.kw, getattr(ot, ALGORITHMS[case.algorithm].torch_class)
    grads = np.random.default_rng(0).normal(size=(5, 3, 2))
    out = []
    for dev in ("cpu", "cuda"):
        p = torch.ones(3, 2, dtype=torch.float64, device=dev, requires_grad=True)
        opt = cls([p], **kw)
        for g in grads:
            p.grad = torch.from_numpy(g.copy()).to(dev)
            opt.step()
        out.append(p.detach().cpu())
    torch.testing.assert_close(out[0], out[1])
